"""Reads for changing the schedule: the schedule as a plan, what a new plan would
change (the preview staff confirm), the history, and what a student is told.

Every function fixes its own queries: a preview of a campaign of 400 classes costs the
same handful of queries as one of 4.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.changes import rules
from sessions_app.models import (
    Campaign,
    ScheduleChange,
    ScheduleChangeLine,
    SchoolClass,
    Shot,
    Student,
    TimeSlot,
)
from sessions_app.models.changes import LABEL_MAX_LENGTH
from sessions_app.rules import planned_starts
from sessions_app.selectors import class_sizes

HISTORY_PAGE_SIZE = 30

# The schedule as a plan -------------------------------------------------------------------


@dataclass
class ScheduleState:
    """The campaign's slots and classes as they are now, and a fingerprint of it that a
    confirmation carries, so a change confirmed on a stale page is refused."""

    campaign: Campaign
    slots: dict[int, TimeSlot]  # in time order
    classes: dict[int, SchoolClass]  # with student_count
    plan: rules.Plan
    statuses: dict[int, str]

    @property
    def fingerprint(self) -> str:
        return plan_fingerprint(self.plan, self.statuses)


def plan_fingerprint(plan: rules.Plan, statuses: dict[int, str]) -> str:
    spots = rules.plan_spots(plan, statuses)
    text = ";".join(
        "%d:%s:%s:%s" % (pk, spot.slot_id, spot.position, spot.status)
        for pk, spot in sorted(spots.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def schedule_state(*, campaign: Campaign) -> ScheduleState:
    """Return the campaign's schedule as a plan, with each class's size from the
    tallies; four queries for any number of students."""
    slots = {
        slot.pk: slot
        for slot in TimeSlot.objects.filter(campaign=campaign)
        .select_related("venue")
        .order_by("date", "start", "venue_id")
    }
    sizes = class_sizes(campaign=campaign).classes
    classes = {
        c.pk: c for c in SchoolClass.objects.filter(campaign=campaign).order_by("position", "name")
    }
    for pk, school_class in classes.items():
        school_class.student_count = sizes.get(pk, 0)
    plan: rules.Plan = {pk: [] for pk in slots}
    for school_class in classes.values():
        if school_class.slot_id is not None:
            plan[school_class.slot_id].append(school_class.pk)
    return ScheduleState(
        campaign=campaign,
        slots=slots,
        classes=classes,
        plan=plan,
        statuses={pk: c.status for pk, c in classes.items()},
    )


# Labels: a class's place as students read it ---------------------------------------------


def slot_label(slot: TimeSlot) -> str:
    return "%s %s—%s %s" % (
        slot.date.strftime("%-m月%-d日"),
        slot.start.strftime("%H:%M"),
        slot.end.strftime("%H:%M"),
        slot.venue.name,
    )


def place_labels(
    state: ScheduleState, plan: rules.Plan, statuses: dict[int, str]
) -> dict[int, str]:
    """Return every class's place in the plan as a sentence: slot, order and the time
    its first student is planned to be shot."""
    labels = {}
    for pk, status in statuses.items():
        if status == SchoolClass.Status.DEFERRED:
            labels[pk] = _("推迟至下一年")
        else:
            labels[pk] = _("暂未安排时段")
    for slot_pk, classes in plan.items():
        slot = state.slots[slot_pk]
        starts = planned_starts(
            start=slot.starts_at,
            per_hour=slot.venue.shots_per_hour or 1,
            sizes=[state.classes[pk].student_count for pk in classes],
        )
        for position, (pk, start) in enumerate(zip(classes, starts, strict=True), start=1):
            label = _("%(slot)s 第 %(n)d 个班（约 %(start)s 开始）") % {
                "slot": slot_label(slot),
                "n": position,
                "start": start.strftime("%H:%M"),
            }
            labels[pk] = label[:LABEL_MAX_LENGTH]
    return labels


# The preview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    school_class: SchoolClass
    change: rules.ClassChange
    before: str
    after: str
    warnings: list[str]

    @property
    def student_count(self) -> int:
        return self.school_class.student_count


@dataclass(frozen=True)
class SlotCount:
    """A slot's classes and students before and after the change."""

    slot: TimeSlot
    label: str
    classes_before: int
    students_before: int
    classes_after: int
    students_after: int

    @property
    def changed(self) -> bool:
        return (self.classes_before, self.students_before) != (
            self.classes_after,
            self.students_after,
        )

    @property
    def over_capacity(self) -> bool:
        return self.students_after > self.slot.capacity


@dataclass
class Preview:
    """What a new plan changes, for staff to confirm."""

    state: ScheduleState
    plan: rules.Plan
    statuses: dict[int, str]
    rows: list[ChangeRow]
    slots: list[SlotCount]
    unassigned_after: int = 0  # classes left without a slot (not deferred)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def fingerprint(self) -> str:
        return self.state.fingerprint

    @property
    def moved(self) -> list[ChangeRow]:
        return [
            r
            for r in self.rows
            if r.change.moved or r.change.before.status != r.change.after.status
        ]

    @property
    def students_moved(self) -> int:
        return sum(r.student_count for r in self.moved)


def _photographed(class_ids) -> dict[int, int]:
    return dict(
        Student.objects.filter(
            school_class_id__in=class_ids, shots__status=Shot.Status.PHOTOGRAPHED
        )
        .values_list("school_class_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("school_class_id", "n")
    )


def schedule_preview(
    *, state: ScheduleState, plan: rules.Plan, statuses: dict[int, str] | None = None, now=None
) -> Preview:
    """Return what replacing the schedule by ``plan`` (and ``statuses``) changes: every
    class moved or reordered with its place before and after, the slots' counts before
    and after, and what staff must know. One query on top of the state's."""
    now = now or timezone.now()
    statuses = dict(state.statuses if statuses is None else statuses)
    before = rules.plan_spots(state.plan, state.statuses)
    after = rules.plan_spots(plan, statuses)
    changes = rules.plan_changes(before, after)
    labels_before = place_labels(state, state.plan, state.statuses)
    labels_after = place_labels(state, plan, statuses)
    photographed = _photographed([c.class_id for c in changes]) if changes else {}

    def over(slot_id):
        if slot_id is None:
            return False
        return state.slots[slot_id].ends_at <= now

    rows = []
    for change in changes:
        school_class = state.classes[change.class_id]
        rows.append(
            ChangeRow(
                school_class=school_class,
                change=change,
                before=labels_before[change.class_id],
                after=labels_after[change.class_id],
                warnings=rules.change_warnings(
                    change,
                    photographed=photographed.get(change.class_id, 0),
                    student_count=school_class.student_count,
                    before_over=over(change.before.slot_id),
                    after_over=over(change.after.slot_id),
                ),
            )
        )

    def count(classes):
        return len(classes), sum(state.classes[pk].student_count for pk in classes)

    slots = []
    for slot_pk, slot in state.slots.items():
        before_count = count(state.plan.get(slot_pk, []))
        after_count = count(plan.get(slot_pk, []))
        slots.append(SlotCount(slot, slot_label(slot), *before_count, *after_count))
    preview = Preview(
        state=state,
        plan=plan,
        statuses=statuses,
        rows=rows,
        slots=slots,
        unassigned_after=sum(
            1
            for pk, spot in after.items()
            if spot.slot_id is None and not spot.deferred and before[pk].slot_id is not None
        ),
    )
    for slot_count in slots:
        if slot_count.changed and slot_count.over_capacity:
            preview.warnings.append(
                _("%(slot)s 调整后 %(n)d 人，超出容量 %(cap)d 人。")
                % {
                    "slot": slot_count.label,
                    "n": slot_count.students_after,
                    "cap": slot_count.slot.capacity,
                }
            )
    return preview


# Proposals -------------------------------------------------------------------------------


def return_position(*, school_class: SchoolClass, slot: TimeSlot) -> int | None:
    """Return the position the class had when it last left ``slot``, so a class moved
    away and back takes its place again; None if it never left that slot."""
    line = (
        ScheduleChangeLine.objects.filter(school_class=school_class, from_slot=slot)
        .exclude(to_slot=slot)
        .order_by("-change__made_at", "-change_id")
        .first()
    )
    return line.from_position if line is not None else None


def undo_proposal(*, state: ScheduleState, change: ScheduleChange) -> tuple[rules.Plan, dict]:
    """Return the plan and statuses with the change undone (rules.plan_undone); raise
    rules.PlanError when it cannot be undone."""
    if hasattr(change, "undone_by"):
        raise rules.PlanError(_("这次调整已经撤销过了。"))
    if change.kind == ScheduleChange.Kind.SLOT:
        raise rules.PlanError(_("修改时段的日期、时间或地点，请再次编辑该时段。"))
    lines = [
        rules.LineBack(
            class_id=line.school_class_id,
            name=line.school_class.name,
            from_slot_id=line.from_slot_id,
            from_position=line.from_position,
            from_status=line.from_status,
            to_slot_id=line.to_slot_id,
            to_status=line.to_status,
            from_slot_gone=line.from_slot_id is None and line.from_position is not None,
        )
        for line in change.lines.select_related("school_class")
    ]
    return rules.plan_undone(state.plan, state.statuses, lines)


# The history -----------------------------------------------------------------------------


def schedule_history(*, campaign: Campaign, page: int = 1) -> Page:
    """Return a page of the campaign's changes, newest first, with their lines."""
    changes = (
        ScheduleChange.objects.filter(campaign=campaign)
        .select_related("made_by", "undoes", "undone_by")
        .prefetch_related("lines__school_class")
        .order_by("-made_at", "-id")
    )
    return Paginator(changes, HISTORY_PAGE_SIZE).get_page(page)


def latest_change(*, campaign: Campaign) -> ScheduleChange | None:
    return (
        ScheduleChange.objects.filter(campaign=campaign)
        .select_related("made_by", "undone_by")
        .order_by("-made_at", "-id")
        .first()
    )


def change_of_campaign(*, campaign: Campaign, pk: int) -> ScheduleChange | None:
    return ScheduleChange.objects.filter(campaign=campaign, pk=pk).select_related("made_by").first()


def class_history(*, school_class: SchoolClass, limit: int = 20) -> list[ScheduleChangeLine]:
    """Return the class's place changes, newest first."""
    return list(
        ScheduleChangeLine.objects.filter(school_class=school_class)
        .select_related("change__made_by")
        .order_by("-change__made_at", "-change_id")[:limit]
    )


@dataclass(frozen=True)
class ScheduleNotice:
    """What a student is told when their class's time changed."""

    before: str
    after: str
    when: datetime.datetime


def schedule_notice(*, student: Student) -> ScheduleNotice | None:
    """Return how the student's class's time or place changed since the schedule was
    first published: its place before the first change and after the latest; None if
    never changed, or changed back to where it was. Two queries."""
    if student.school_class_id is None:
        return None
    lines = ScheduleChangeLine.objects.filter(school_class_id=student.school_class_id)
    latest = lines.select_related("change").order_by("-change__made_at", "-change_id").first()
    if latest is None:
        return None
    first = lines.order_by("change__made_at", "change_id").values_list("from_label", flat=True)[0]
    if first == latest.to_label:
        return None
    return ScheduleNotice(before=first, after=latest.to_label, when=latest.change.made_at)
