"""The campaign's figures kept where they are written (sessions_app/summary/).

Each student's standing lives on the student's row (Student.shoot_state, paid_fen …);
these tables hold what the standings add up to, per tally row, and the measured pace of
each venue's day. The services that change a standing write them in the same
transaction; ``manage.py rebuild_summaries`` recomputes them from the ledger and the
day's records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models.schedule import Campaign, Venue


class TallyCell(models.Model):
    """One counter of one tally row (sessions_app/summary/rules.py).

    A row is (home, own, category): ``home`` the class whose ledger holds the lines,
    ``own`` the students' own class, 0 for none. Counters are sums, except
    ``last_activity``, the latest desk action on the row's students (epoch ms).
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("采集活动")
    )
    home_key = models.PositiveBigIntegerField(_("账目所在班级"))
    own_key = models.PositiveBigIntegerField(_("所在班级"))
    category = models.CharField(_("类别"), max_length=20)
    counter = models.CharField(_("计数"), max_length=30)
    value = models.BigIntegerField(_("数值"), default=0)

    class Meta:
        verbose_name = _("统计")
        verbose_name_plural = _("统计")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "home_key", "own_key", "category", "counter"],
                name="tally_cell_unique",
            ),
        ]

    def __str__(self):
        return "%s/%s/%s %s=%s" % (
            self.home_key,
            self.own_key,
            self.category,
            self.counter,
            self.value,
        )


class ShootPace(models.Model):
    """The photos of one venue's day so far, as the pace is measured from them
    (shootday/rules.py measured_pace): kept as each photo is registered."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("采集活动")
    )
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    photos = models.PositiveIntegerField(_("已拍摄"), default=0)
    intervals = models.PositiveIntegerField(_("连续拍摄间隔数"), default=0)
    working_ms = models.BigIntegerField(_("连续拍摄时长（毫秒）"), default=0)
    last_ms = models.BigIntegerField(_("最后拍摄时间"), null=True)

    class Meta:
        verbose_name = _("拍摄进度")
        verbose_name_plural = _("拍摄进度")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "venue", "date"], name="shoot_pace_unique"),
        ]

    def __str__(self):
        return "%s %s: %d" % (self.venue_id, self.date, self.photos)
