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


class RosterImportJob(models.Model):
    """An uploaded roster on its way in: the file, its check, the progress of the work.

    A row, not a file of one host: the upload, the polling and the confirmation may each
    reach another app host, and the work runs in a queue worker (``db_worker``) on yet
    another. ``attempt`` numbers the runs: a task carries the number it was queued with
    and does nothing once a newer run (a retry after a dead worker) has replaced it.
    """

    class State(models.TextChoices):
        CHECKING = "checking", _("检查中")
        PREVIEW = "preview", _("待确认")
        IMPORTING = "importing", _("导入中")
        IMPORTED = "imported", _("已导入")
        FAILED = "failed", _("失败")

    token = models.CharField(_("编号"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("上传者"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("采集活动")
    )
    filename = models.CharField(_("文件名"), max_length=200)
    # The upload itself (at most ROSTER_IMPORT_MAX_UPLOAD_BYTES): every host reads it here.
    upload = models.BinaryField(_("文件"))
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.CHECKING)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    message = models.CharField(_("失败原因"), max_length=300, blank=True)
    report = models.JSONField(_("检查结果"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(_("第几次运行"), default=1)
    # Runs of the current state started again after their worker died.
    retries = models.PositiveSmallIntegerField(_("重试次数"), default=0)
    # When the current run was queued or last showed a sign of life (the database's clock).
    heartbeat = models.DateTimeField(_("最近进展"))
    started = models.DateTimeField(_("开始处理"), null=True, blank=True)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("名单导入任务")
        verbose_name_plural = _("名单导入任务")

    def __str__(self):
        return "%s (%s)" % (self.filename, self.get_state_display())

    @property
    def running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))
