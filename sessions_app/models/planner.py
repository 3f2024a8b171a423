"""What the planner needs beyond the schedule: when a class cannot come (an exam, an
internship day), as staff import it."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sessions_app.models.schedule import SchoolClass

REASON_MAX_LENGTH = 100


class BusyPeriod(models.Model):
    """A period in which a class cannot be shot; the planner keeps the class out of every
    slot that overlaps it."""

    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        related_name="busy_periods",
        verbose_name=_("班级"),
    )
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    reason = models.CharField(_("原因"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("班级忙碌时段")
        verbose_name_plural = _("班级忙碌时段")
        ordering = ["date", "start", "school_class__name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="busy_end_after_start"),
            models.UniqueConstraint(
                fields=["school_class", "date", "start", "end"], name="busy_period_unique"
            ),
        ]

    def __str__(self):
        return "%s %s %s—%s" % (
            self.school_class.name,
            self.date.isoformat(),
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M"),
        )
