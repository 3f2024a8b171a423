"""What code mode keeps of a student: that a readable 图像采集码 was shown, and the
make-up route of a student not photographed.

The image and the code's content are never stored: only a keyed hash of the content
(sessions_app/codemode/rules.py), enough to find the student when the same code is
scanned at the desk and to see two students showing one code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models.schedule import Campaign, Student


class CaptureCode(models.Model):
    """The student's latest readable 图像采集码: when it was checked, and its keyed hash."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="capture_codes", verbose_name=_("采集活动")
    )
    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="capture_code", verbose_name=_("学生")
    )
    digest = models.CharField(_("采集码指纹"), max_length=64)
    checked_at = models.DateTimeField(_("核验时间"))

    class Meta:
        verbose_name = _("图像采集码核验")
        verbose_name_plural = _("图像采集码核验")
        indexes = [models.Index(fields=["campaign", "digest"], name="capture_code_digest")]

    def __str__(self):
        return "%s %s" % (self.student, self.checked_at.isoformat(timespec="minutes"))


class MakeupRoute(models.Model):
    """Where a student not photographed on the day goes for the 补采, and by when."""

    class Route(models.TextChoices):
        ONSITE = "onsite", _("第二轮现场补采")
        ONLINE = "online", _("线上个人采集（中国图片社）")
        STORE = "store", _("新华社门店补采")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="makeup_routes", verbose_name=_("采集活动")
    )
    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="makeup_route", verbose_name=_("学生")
    )
    route = models.CharField(_("补采方式"), max_length=10, choices=Route)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    set_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("补采方式")
        verbose_name_plural = _("补采方式")

    def __str__(self):
        return "%s %s" % (self.student, self.get_route_display())
