"""Saved card checks: what a student entered for their card, judged by the rules."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CardCheck(models.Model):
    """One saved check of a student's card data. Saving again adds a new row and
    makes it the current one, so the history stays.

    ``mismatch_fields`` lists the fields where the entry differed from the roster when it
    was saved; such a check is a case for 教务处 until one of them resolves it.
    """

    student = models.ForeignKey(
        "sessions_app.Student",
        on_delete=models.CASCADE,
        related_name="card_checks",
        verbose_name=_("学生"),
    )
    is_current = models.BooleanField(_("当前记录"), default=True)
    created_at = models.DateTimeField(_("核对时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("保存人"),
    )
    # The values as entered, normalised by the rules. Text: the X and leading zeros.
    card_student_id = models.CharField(_("学号"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("拼音更正"), max_length=100, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=40)
    education_type = models.CharField(_("学历类别"), max_length=20, blank=True)
    school_type = models.CharField(_("所在校别"), max_length=20, blank=True)
    ok = models.BooleanField(_("规则无误"))
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    name_mode = models.CharField(_("姓名填法"), max_length=20)
    name_codes = models.JSONField(_("区位码"), default=list, blank=True)
    mismatch_fields = models.JSONField(_("与名册不一致的项"), default=list, blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolution_note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("采集卡核对")
        verbose_name_plural = _("采集卡核对")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(is_current=True),
                name="card_check_one_current_per_student",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution_note=""),
                name="card_check_resolution_has_note",
            ),
        ]
        indexes = [models.Index(fields=["is_current", "student"], name="card_check_current")]

    def __str__(self):
        return "%s %s" % (self.card_student_id, self.created_at.isoformat(timespec="minutes"))


class RosterFinding(models.Model):
    """What the card rules find in one student's roster entry (the bulk check): a
    problem (an error or a warning), or that the name needs 0000 with its pinyin or
    handwriting, which the centre must be told.

    Kept by the writes that change a roster entry or what it is held against (the
    import, a correction, a category's rule; cards_app/services.py
    roster_findings_refresh), so the bulk check page counts and lists findings, never
    the whole roster."""

    class Level(models.TextChoices):
        ERROR = "error", _("错误")
        WARNING = "warning", _("提示")
        NAME_NOTE = "note", _("姓名需特殊填写")

    campaign = models.ForeignKey(
        "sessions_app.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("采集活动"),
    )
    student = models.ForeignKey(
        "sessions_app.Student",
        on_delete=models.CASCADE,
        related_name="roster_findings",
        verbose_name=_("学生"),
    )
    field = models.CharField(_("项目"), max_length=20)
    code = models.CharField(_("问题"), max_length=30)
    level = models.CharField(_("级别"), max_length=10, choices=Level)

    class Meta:
        verbose_name = _("名册预检结果")
        verbose_name_plural = _("名册预检结果")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "field", "code", "level"], name="roster_finding_unique"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "level"], name="roster_finding_level")]

    def __str__(self):
        return "%s %s:%s" % (self.student_id, self.field, self.code)
