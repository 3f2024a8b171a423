"""Writes of the schedule's changes: a confirmed plan saved with its history line.

Every change staff make to which class is shot when goes through schedule_apply, one
transaction: it checks that the schedule is still the one staff confirmed, saves the
plan, and keeps who, when, and every class's place before and after.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.services import names_summary
from sessions_app.changes import rules
from sessions_app.changes.selectors import (
    Preview,
    place_labels,
    schedule_preview,
    schedule_state,
)
from sessions_app.models import (
    Campaign,
    ScheduleChange,
    ScheduleChangeLine,
    SchoolClass,
)
from sessions_app.services import ScheduleError, campaign_touch, slot_save

STALE = _(
    "在你确认之前，排期已被修改（可能是其他教务处老师刚刚保存过），本次调整未保存。"
    "请回到排期页面重新操作。"
)


def change_summary(kind: str, preview: Preview) -> str:
    """Return the one line the history shows for a change."""
    moved = [r.school_class.name for r in preview.moved]
    names = moved or [r.school_class.name for r in preview.rows]
    text = _("%(kind)s：%(names)s") % {
        "kind": ScheduleChange.Kind(kind).label,
        "names": names_summary(names, limit=5, unit=_("个班级")),
    }
    if moved:
        text += _("（%(n)d 名学生调整时段）") % {"n": preview.students_moved}
    return text[: ScheduleChange._meta.get_field("summary").max_length]


def schedule_apply(
    *,
    campaign: Campaign,
    plan: rules.Plan,
    statuses: dict[int, str] | None,
    kind: str,
    fingerprint: str,
    by,
    undoes: ScheduleChange | None = None,
    now=None,
) -> ScheduleChange:
    """Save ``plan`` (every slot of the campaign → its classes in order) and the new
    ``statuses`` of the classes whose status changes, as confirmed by staff on a page
    showing the schedule whose fingerprint is ``fingerprint``; record the change.

    Refused whole, with the reason: a schedule changed since the page was shown, a plan
    that does not cover the campaign's slots, a class placed twice or deferred and
    placed, a class or slot of another campaign, nothing to change, a change already
    undone.
    """
    if kind not in ScheduleChange.Kind.values:
        raise ScheduleError(_("未知的调整方式。"))
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the campaign's classes: two staff confirming at once save one after the
        # other, and the second sees the first's change as a stale fingerprint.
        list(SchoolClass.objects.select_for_update().filter(campaign=campaign).values("pk"))
        state = schedule_state(campaign=campaign)
        if fingerprint != state.fingerprint:
            raise ScheduleError(STALE)
        if set(plan) != set(state.slots):
            raise ScheduleError(STALE)
        new_statuses = dict(state.statuses)
        for pk, status in (statuses or {}).items():
            if pk not in new_statuses or status not in SchoolClass.Status.values:
                raise ScheduleError(_("调整中有不属于本次采集的班级，未保存。"))
            new_statuses[pk] = status
        problems = rules.plan_problems_of(
            plan, new_statuses, {pk: c.name for pk, c in state.classes.items()}
        )
        if problems:
            raise ScheduleError(" ".join(problems) + _("未保存。"))
        preview = schedule_preview(state=state, plan=plan, statuses=new_statuses, now=now)
        if preview.empty:
            raise ScheduleError(_("排期没有变化，无需保存。"))
        if undoes is not None:
            undoes = ScheduleChange.objects.select_for_update().get(pk=undoes.pk)
            if undoes.campaign_id != campaign.pk or hasattr(undoes, "undone_by"):
                raise ScheduleError(_("这次调整已经撤销过了。"))
        _write(preview)
        campaign_touch(campaign_ids=[campaign.pk])
        change = ScheduleChange.objects.create(
            campaign=campaign,
            kind=kind,
            summary=change_summary(kind, preview),
            made_by=by,
            made_at=now,
            undoes=undoes,
        )
        ScheduleChangeLine.objects.bulk_create(
            [
                ScheduleChangeLine(
                    change=change,
                    school_class=row.school_class,
                    student_count=row.student_count,
                    from_slot_id=row.change.before.slot_id,
                    from_position=row.change.before.position,
                    from_status=row.change.before.status,
                    from_label=row.before,
                    to_slot_id=row.change.after.slot_id,
                    to_position=row.change.after.position,
                    to_status=row.change.after.status,
                    to_label=row.after,
                )
                for row in preview.rows
            ]
        )
    change.preview = preview
    return change


def _write(preview: Preview) -> None:
    """Put every changed class in its new place. Positions are unique per slot, so the
    changed classes are first taken off the schedule, then placed."""
    changed = [row.change for row in preview.rows]
    SchoolClass.objects.filter(pk__in=[c.class_id for c in changed]).update(
        slot=None, position=None
    )
    for change in changed:
        SchoolClass.objects.filter(pk=change.class_id).update(
            slot_id=change.after.slot_id,
            position=change.after.position,
            status=change.after.status,
        )


def slot_edit(*, campaign: Campaign, slot, by, now=None, **fields):
    """Change a slot's day, time or venue (services.slot_save) and record that its
    classes moved in time, so their students are told; the change is in the history but
    is undone by editing the slot again."""
    with transaction.atomic():
        state = schedule_state(campaign=campaign)
        before = place_labels(state, state.plan, state.statuses)
        saved = slot_save(campaign=campaign, slot=slot, **fields)
        after_state = schedule_state(campaign=campaign)
        after = place_labels(after_state, after_state.plan, after_state.statuses)
        moved = [pk for pk in state.plan.get(saved.pk, []) if before[pk] != after[pk]]
        if moved:
            change = ScheduleChange.objects.create(
                campaign=campaign,
                kind=ScheduleChange.Kind.SLOT,
                summary=(
                    _("%(kind)s %(slot)s：%(names)s")
                    % {
                        "kind": ScheduleChange.Kind.SLOT.label,
                        "slot": after_state.slots[saved.pk],
                        "names": names_summary(
                            [state.classes[pk].name for pk in moved], limit=5, unit=_("个班级")
                        ),
                    }
                )[:200],
                made_by=by,
                made_at=now or timezone.now(),
            )
            ScheduleChangeLine.objects.bulk_create(
                [
                    ScheduleChangeLine(
                        change=change,
                        school_class=state.classes[pk],
                        student_count=state.classes[pk].student_count,
                        from_slot_id=saved.pk,
                        from_position=state.classes[pk].position,
                        from_status=state.classes[pk].status,
                        from_label=before[pk],
                        to_slot_id=saved.pk,
                        to_position=state.classes[pk].position,
                        to_status=state.classes[pk].status,
                        to_label=after[pk],
                    )
                    for pk in moved
                ]
            )
    return saved
