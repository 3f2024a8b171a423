"""The roster's own records: what 教务处 corrected in a student's entry, and why."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sessions_app.models.schedule import Campaign, Gender, Student


class RosterCorrection(models.Model):
    """One field of one student's roster entry changed by staff, with the reason.

    Rows are only added, one per changed field: the student's entry holds the value now,
    these rows say what it was before and who changed it.
    """

    class Field(models.TextChoices):
        STUDENT_ID = "student_id", _("学号")
        NAME = "name", _("姓名")
        ID_NUMBER = "id_number", _("身份证号")
        GENDER = "gender", _("性别")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="roster_corrections",
        verbose_name=_("采集活动"),
    )
    student = models.ForeignKey(
        Student,
        on_delete=models.PROTECT,
        related_name="roster_corrections",
        verbose_name=_("学生"),
    )
    field = models.CharField(_("项目"), max_length=20, choices=Field)
    # As stored in the student's entry (a gender as M or F). Text: the X and leading zeros.
    old_value = models.CharField(_("原值"), max_length=50, blank=True)
    new_value = models.CharField(_("新值"), max_length=50, blank=True)
    reason = models.CharField(_("原因"), max_length=200)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("更正人"),
    )
    corrected_at = models.DateTimeField(_("更正时间"))

    class Meta:
        verbose_name = _("名册更正")
        verbose_name_plural = _("名册更正")
        ordering = ["-corrected_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="roster_correction_has_reason"),
            models.CheckConstraint(
                condition=~Q(old_value=F("new_value")), name="roster_correction_changes_value"
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.student, self.get_field_display())

    @property
    def old_display(self) -> str:
        return self._display(self.old_value)

    @property
    def new_display(self) -> str:
        return self._display(self.new_value)

    def _display(self, value: str) -> str:
        """Return a stored value as staff read it: a gender by its label, blank as （空）."""
        if not value:
            return str(_("（空）"))
        if self.field == self.Field.GENDER and value in Gender.values:
            return str(Gender(value).label)
        return value
