"""The schedule's history: every change of which class is shot when, with who and when,
so a change can be shown to the students it moved and undone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models.schedule import Campaign, SchoolClass, TimeSlot

LABEL_MAX_LENGTH = 120


class ScheduleChange(models.Model):
    """One confirmed save of the schedule: a batch edit, a move, a swap, an undo …"""

    class Kind(models.TextChoices):
        EDIT = "edit", _("批量编排")
        MOVE = "move", _("移动班级")
        SHIFT = "shift", _("调整顺序")
        SWAP = "swap", _("互换班级")
        DEFER = "defer", _("推迟至下一年")
        RESTORE = "restore", _("恢复班级")
        SLOT = "slot", _("修改时段")
        UNDO = "undo", _("撤销调整")
        PLAN = "plan", _("自动排班")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="schedule_changes",
        verbose_name=_("采集活动"),
    )
    kind = models.CharField(_("调整方式"), max_length=10, choices=Kind)
    summary = models.CharField(_("摘要"), max_length=200)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    made_at = models.DateTimeField(_("时间"))
    undoes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="undone_by",
        null=True,
        blank=True,
        verbose_name=_("撤销的调整"),
    )

    class Meta:
        verbose_name = _("排期调整")
        verbose_name_plural = _("排期调整")
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-made_at"], name="schedule_change_recent")]

    def __str__(self):
        return self.summary


class ScheduleChangeLine(models.Model):
    """One class's place before and after a change; the labels are as students saw them
    then (a slot edited or deleted later does not rewrite history)."""

    change = models.ForeignKey(
        ScheduleChange, on_delete=models.CASCADE, related_name="lines", verbose_name=_("调整")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        related_name="schedule_lines",
        verbose_name=_("班级"),
    )
    student_count = models.PositiveIntegerField(_("学生人数"))
    from_slot = models.ForeignKey(
        TimeSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_position = models.PositiveSmallIntegerField(null=True, blank=True)
    from_status = models.CharField(max_length=20, choices=SchoolClass.Status)
    from_label = models.CharField(_("调整前"), max_length=LABEL_MAX_LENGTH)
    to_slot = models.ForeignKey(
        TimeSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_position = models.PositiveSmallIntegerField(null=True, blank=True)
    to_status = models.CharField(max_length=20, choices=SchoolClass.Status)
    to_label = models.CharField(_("调整后"), max_length=LABEL_MAX_LENGTH)

    class Meta:
        verbose_name = _("排期调整明细")
        verbose_name_plural = _("排期调整明细")
        ordering = ["change", "id"]
        indexes = [models.Index(fields=["school_class", "-change"], name="schedule_line_by_class")]

    def __str__(self):
        return "%s：%s → %s" % (self.school_class_id, self.from_label, self.to_label)
