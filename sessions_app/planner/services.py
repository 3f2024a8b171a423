"""Writes of the planner: a proposed plan applied through the schedule's history (so it
can be undone and students are told), classes pinned to slots, busy periods imported.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from sessions_app.changes.forms import encode_payload
from sessions_app.changes.services import schedule_apply
from sessions_app.models import BusyPeriod, Campaign, ScheduleChange, SchoolClass, TimeSlot
from sessions_app.planner.selectors import Proposal
from sessions_app.services import ScheduleError


def plan_apply(*, campaign: Campaign, proposal: Proposal, by) -> ScheduleChange:
    """Save the proposal's plan as the command's --apply does: through schedule_apply,
    against the schedule the proposal started from (a schedule changed since is
    refused)."""
    return schedule_apply(
        campaign=campaign,
        plan=proposal.result.plan,
        statuses={},
        kind=ScheduleChange.Kind.PLAN,
        fingerprint=proposal.state.fingerprint,
        by=by,
    )


def plan_payload(proposal: Proposal) -> str:
    """Return the proposal's plan as the schedule's confirmation carries it."""
    return encode_payload(proposal.result.plan, {})


def class_pin(*, campaign: Campaign, school_class: SchoolClass, slot: TimeSlot | None) -> None:
    """Pin the class to the slot for the planner (None: let the planner choose)."""
    if school_class.campaign_id != campaign.pk or (
        slot is not None and slot.campaign_id != campaign.pk
    ):
        raise ScheduleError(_("班级或时段不属于本次采集。"))
    if school_class.status == SchoolClass.Status.DEFERRED and slot is not None:
        raise ScheduleError(
            _("班级 %(name)s 已推迟至下一年，不能固定时段。") % {"name": school_class.name}
        )
    SchoolClass.objects.filter(pk=school_class.pk).update(pinned_slot=slot)


def busy_periods_save(*, campaign: Campaign, periods, replace: bool) -> tuple[int, int]:
    """Save checked busy periods (busy.BusyRow) of the campaign, all or nothing; with
    ``replace`` the campaign's earlier ones go first. Return (added, already there)."""
    with transaction.atomic():
        existing = BusyPeriod.objects.filter(school_class__campaign=campaign)
        if replace:
            existing.delete()
            known = set()
        else:
            known = set(existing.values_list("school_class_id", "date", "start", "end"))
        new = []
        for row in periods:
            key = (row.school_class.pk, row.date, row.start, row.end)
            if key in known:
                continue
            known.add(key)
            new.append(
                BusyPeriod(
                    school_class=row.school_class,
                    date=row.date,
                    start=row.start,
                    end=row.end,
                    reason=row.reason,
                )
            )
        BusyPeriod.objects.bulk_create(new)
    return len(new), len(periods) - len(new)


def busy_period_delete(*, campaign: Campaign, pk: int) -> bool:
    deleted, _rows = BusyPeriod.objects.filter(pk=pk, school_class__campaign=campaign).delete()
    return bool(deleted)
