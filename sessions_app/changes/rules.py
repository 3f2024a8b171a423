"""The rules of changing the schedule. Pure: plain values in, plain values out.

A plan maps the pk of every slot of a campaign to the pks of its classes in shooting
order. Every edit of the schedule (the batch editor, a move, ↑/↓, a swap, a deferral,
an undo) is a new plan; the changes between two plans are what staff confirm and what
the history keeps.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sessions_app.models import SchoolClass

Plan = dict[int, list[int]]


class PlanError(ValueError):
    """A change the plan cannot take; the message is for staff."""


def plan_copy(plan: Mapping[int, Sequence[int]]) -> Plan:
    return {slot: list(classes) for slot, classes in plan.items()}


def _without(plan: Plan, class_pk: int) -> Plan:
    return {slot: [c for c in classes if c != class_pk] for slot, classes in plan.items()}


def plan_moved(
    plan: Mapping[int, Sequence[int]],
    class_pk: int,
    slot_pk: int | None,
    position: int | None = None,
) -> Plan:
    """Return the plan with the class at ``position`` (1-based, else last) of the slot,
    or off the schedule when ``slot_pk`` is None."""
    moved = _without(plan_copy(plan), class_pk)
    if slot_pk is not None:
        if slot_pk not in moved:
            raise PlanError(_("所选时段不属于本次采集。"))
        classes = moved[slot_pk]
        index = len(classes) if position is None else min(max(position - 1, 0), len(classes))
        classes.insert(index, class_pk)
    return moved


def plan_shifted(plan: Mapping[int, Sequence[int]], class_pk: int, offset: int, *, name: str):
    """Return the plan with the class swapped with its neighbour ``offset`` away."""
    shifted = plan_copy(plan)
    for classes in shifted.values():
        if class_pk in classes:
            i = classes.index(class_pk)
            j = i + offset
            if not 0 <= j < len(classes):
                raise PlanError(_("班级 %(name)s 已在本时段的首位或末位。") % {"name": name})
            classes[i], classes[j] = classes[j], classes[i]
            return shifted
    raise PlanError(_("班级 %(name)s 尚未安排时段。") % {"name": name})


def plan_swapped(plan: Mapping[int, Sequence[int]], first: int, second: int) -> Plan:
    """Return the plan with two classes exchanging their slots and positions."""
    if first == second:
        raise PlanError(_("请选择两个不同的班级。"))
    swapped = plan_copy(plan)
    where = {c: (slot, i) for slot, classes in swapped.items() for i, c in enumerate(classes)}
    if first not in where or second not in where:
        raise PlanError(_("两个班级都须已安排时段才能互换。"))
    (slot_a, i_a), (slot_b, i_b) = where[first], where[second]
    swapped[slot_a][i_a], swapped[slot_b][i_b] = second, first
    return swapped


@dataclass(frozen=True)
class Spot:
    """Where a class stands in a plan: its slot and 1-based position, and its status."""

    slot_id: int | None
    position: int | None
    status: str

    @property
    def deferred(self) -> bool:
        return self.status == SchoolClass.Status.DEFERRED


def plan_spots(plan: Mapping[int, Sequence[int]], statuses: Mapping[int, str]) -> dict[int, Spot]:
    """Return the Spot of every class of ``statuses`` (every class of the campaign)."""
    spots = {pk: Spot(None, None, status) for pk, status in statuses.items()}
    for slot, classes in plan.items():
        for position, pk in enumerate(classes, start=1):
            spots[pk] = Spot(slot, position, statuses[pk])
    return spots


@dataclass(frozen=True)
class ClassChange:
    class_id: int
    before: Spot
    after: Spot

    @property
    def moved(self) -> bool:
        """Return whether the class changes slot (or leaves or joins the schedule)."""
        return self.before.slot_id != self.after.slot_id

    @property
    def unassigned(self) -> bool:
        """Return whether the class leaves the schedule without being deferred."""
        return (
            self.before.slot_id is not None
            and self.after.slot_id is None
            and not self.after.deferred
        )


def plan_changes(before: Mapping[int, Spot], after: Mapping[int, Spot]) -> list[ClassChange]:
    """Return the classes whose slot, position or status differ, in the after plan's order
    (classes off the schedule last)."""
    changes = [
        ClassChange(pk, before[pk], spot) for pk, spot in after.items() if before.get(pk) != spot
    ]
    changes.sort(
        key=lambda c: (c.after.slot_id is None, c.after.slot_id or 0, c.after.position or 0)
    )
    return changes


def plan_problems_of(
    plan: Mapping[int, Sequence[int]],
    statuses: Mapping[int, str],
    names: Mapping[int, str] | None = None,
) -> list[str]:
    """Return every reason a plan cannot be saved, in the plan's order: a class that is
    not the campaign's (not in ``statuses``), placed twice, or deferred and placed."""
    names = names or {}
    problems, seen = [], set()
    for classes in plan.values():
        for pk in classes:
            name = names.get(pk, "")
            if pk not in statuses:
                problems.append(_("计划中有不属于本次采集的班级。"))
            elif pk in seen:
                problems.append(_("班级 %(name)s 被安排了两次。") % {"name": name})
            elif statuses[pk] == SchoolClass.Status.DEFERRED:
                problems.append(_("班级 %(name)s 已推迟至下一年，不能安排时段。") % {"name": name})
            seen.add(pk)
    return list(dict.fromkeys(problems))


def change_warnings(
    change: ClassChange,
    *,
    photographed: int,
    student_count: int,
    before_over: bool,
    after_over: bool,
) -> list[str]:
    """Return what staff must know before confirming a change of one class: students
    already photographed, a slot that has passed, students left without a time."""
    warnings = []
    if not change.moved:
        if photographed:
            warnings.append(_("该班已有 %(n)d 人拍摄。") % {"n": photographed})
        return warnings
    if photographed:
        warnings.append(
            _("该班已有 %(n)d 人拍摄，移动后他们的记录仍留在原时段。") % {"n": photographed}
        )
    if change.before.slot_id is not None and before_over:
        warnings.append(_("原时段已结束。"))
    if change.after.slot_id is not None and after_over:
        warnings.append(_("新时段已结束，学生无法按时拍摄。"))
    if change.unassigned:
        warnings.append(_("%(n)d 名学生将没有拍摄时间。") % {"n": student_count})
    return warnings


@dataclass(frozen=True)
class LineBack:
    """What undoing one line of a change needs: where the class was and went."""

    class_id: int
    name: str
    from_slot_id: int | None
    from_position: int | None
    from_status: str
    to_slot_id: int | None
    to_status: str
    from_slot_gone: bool = False  # the slot it came from was deleted since


def plan_undone(
    plan: Mapping[int, Sequence[int]], statuses: Mapping[int, str], lines: Sequence[LineBack]
) -> tuple[Plan, dict[int, str]]:
    """Return the plan and statuses with every class of a change back where it was.

    Refused when a class has been changed again since (undo the later change first) or
    its former slot was deleted.
    """
    spots = plan_spots(plan, statuses)
    changed = [
        line.name
        for line in lines
        if line.class_id not in spots
        or spots[line.class_id].slot_id != line.to_slot_id
        or spots[line.class_id].status != line.to_status
    ]
    if changed:
        raise PlanError(
            _("%(names)s 此后又调整过，不能直接撤销：请先撤销之后的调整。")
            % {"names": "、".join(changed)}
        )
    gone = [line.name for line in lines if line.from_slot_gone]
    if gone:
        raise PlanError(_("%(names)s 原来的时段已删除，不能撤销。") % {"names": "、".join(gone)})
    undone = plan_copy(plan)
    for line in lines:
        undone = _without(undone, line.class_id)
    for line in sorted(lines, key=lambda line: line.from_position or 0):
        if line.from_slot_id is not None:
            classes = undone[line.from_slot_id]
            index = min(max((line.from_position or 1) - 1, 0), len(classes))
            classes.insert(index, line.class_id)
    new_statuses = dict(statuses)
    for line in lines:
        new_statuses[line.class_id] = line.from_status
    return undone, new_statuses
