"""The planner's problem, pure: the slots and the classes to put in them, the rules a
plan keeps, and the measures that say which of two plans is better.

The rules of a plan:

- each class of the problem (every class not deferred) goes to at most one slot, and
  the planner's first aim is to place every one;
- a slot's load (its classes' students and its groups of individuals) never exceeds
  its capacity (duration × the venue's shots per hour);
- a class bound to a venue goes only to that venue's slots, a pinned class only to its
  slot, and never to a slot that overlaps one of its busy periods;
- a cohort (the classes of one major and entry year: 会计17级) stays together, in one
  slot or in consecutive slots of one venue on one day, and in its natural order (1171,
  1172, …): no class of it comes in an earlier slot than one before it in that order.

The measures, in the order the planner weighs them: classes placed, cohorts split over
more than one slot, the largest load ratio (load / capacity), students whose slot
changes from the current schedule.

Plans are those of sessions_app.changes.rules: slot pk -> class pks in shooting order.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from django.utils.translation import gettext as _

Plan = dict[int, list[int]]


@dataclass(frozen=True)
class Busy:
    """A period in which a class cannot be shot."""

    date: datetime.date
    start: datetime.time
    end: datetime.time
    reason: str = ""

    @property
    def label(self) -> str:
        text = "%s %s—%s" % (
            self.date.strftime("%-m月%-d日"),
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M"),
        )
        return "%s %s" % (text, self.reason) if self.reason else text


@dataclass(frozen=True)
class SlotSpec:
    id: int
    venue_id: int
    venue: str
    date: datetime.date
    start: datetime.time
    end: datetime.time
    capacity: int
    individuals: int = 0  # students of the groups of individuals shot in this slot

    @property
    def label(self) -> str:
        return "%s %s—%s %s" % (
            self.date.strftime("%-m月%-d日"),
            self.start.strftime("%H:%M"),
            self.end.strftime("%H:%M"),
            self.venue,
        )

    @property
    def room(self) -> int:
        """Return the students the slot can take in classes, after its individuals."""
        return self.capacity - self.individuals

    def overlaps(self, busy: Busy) -> bool:
        return busy.date == self.date and busy.start < self.end and self.start < busy.end


@dataclass(frozen=True)
class ClassSpec:
    id: int
    name: str
    students: int
    cohort: str
    order: tuple = ()  # the natural order's key within the cohort
    venue_id: int | None = None  # bound to this venue
    venue: str = ""
    busy: tuple[Busy, ...] = ()
    pinned_slot: int | None = None
    slot: int | None = None  # where the current schedule has it
    position: int | None = None


@dataclass(frozen=True)
class Problem:
    """Slots in time order and the classes to place, with the current schedule."""

    slots: tuple[SlotSpec, ...]
    classes: tuple[ClassSpec, ...]

    @cached_property
    def slot_by_id(self) -> dict[int, SlotSpec]:
        return {slot.id: slot for slot in self.slots}

    @cached_property
    def class_by_id(self) -> dict[int, ClassSpec]:
        return {c.id: c for c in self.classes}

    @cached_property
    def cohorts(self) -> dict[str, list[int]]:
        """Return cohort -> its classes' ids in natural order, cohorts by name."""
        cohorts: dict[str, list[ClassSpec]] = {}
        for c in self.classes:
            cohorts.setdefault(c.cohort, []).append(c)
        return {
            name: [c.id for c in sorted(members, key=lambda c: (c.order, c.name, c.id))]
            for name, members in sorted(cohorts.items())
        }

    @cached_property
    def chains(self) -> list[list[int]]:
        """Return the slots of each venue and day in time order: consecutive slots of a
        chain are the ones a cohort may run on through."""
        chains: dict[tuple, list[SlotSpec]] = {}
        for slot in self.slots:
            chains.setdefault((slot.venue_id, slot.date), []).append(slot)
        return [
            [s.id for s in sorted(chain, key=lambda s: (s.start, s.id))]
            for _key, chain in sorted(chains.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]

    @cached_property
    def next_slot(self) -> dict[int, int | None]:
        following: dict[int, int | None] = {}
        for chain in self.chains:
            for a, b in zip(chain, chain[1:] + [None], strict=True):
                following[a] = b
        return following

    @cached_property
    def current(self) -> dict[int, int]:
        """Return class id -> its current slot, for the classes the schedule places."""
        return {c.id: c.slot for c in self.classes if c.slot in self.slot_by_id}

    @property
    def replanning(self) -> bool:
        return bool(self.current)


# Where a class may go ----------------------------------------------------------------------


def slot_refusal(c: ClassSpec, slot: SlotSpec) -> str:
    """Return why the class cannot go to the slot on its own terms, or ""."""
    if c.venue_id is not None and slot.venue_id != c.venue_id:
        return "venue"
    if any(slot.overlaps(b) for b in c.busy):
        return "busy"
    if c.students > slot.room:
        return "size"
    return ""


def candidate_slots(problem: Problem, c: ClassSpec) -> list[int]:
    """Return the slots the class may go to, in time order."""
    if c.pinned_slot is not None:
        slot = problem.slot_by_id.get(c.pinned_slot)
        return [slot.id] if slot is not None and not slot_refusal(c, slot) else []
    return [s.id for s in problem.slots if not slot_refusal(c, s)]


def unplaceable_reason(problem: Problem, c: ClassSpec) -> str:
    """Return why the class can go to no slot at all, or "" if some slot may take it."""
    if candidate_slots(problem, c):
        return ""
    if c.pinned_slot is not None and c.pinned_slot in problem.slot_by_id:
        slot = problem.slot_by_id[c.pinned_slot]
        why = {
            "venue": _("该班只能在%(venue)s拍摄") % {"venue": c.venue},
            "busy": _("该班此时有事（%(busy)s）")
            % {"busy": "；".join(b.label for b in c.busy if slot.overlaps(b))},
            "size": _("该班 %(n)d 人，超过该时段可安排的 %(room)d 人")
            % {"n": c.students, "room": max(slot.room, 0)},
        }[slot_refusal(c, slot)]
        return _("固定在 %(slot)s，但%(why)s。") % {"slot": slot.label, "why": why}
    at_venue = [s for s in problem.slots if c.venue_id is None or s.venue_id == c.venue_id]
    if not at_venue:
        if c.venue_id is not None:
            return _("只能在%(venue)s拍摄，但该地点没有时段。") % {"venue": c.venue}
        return _("本次采集还没有时段。")
    free = [s for s in at_venue if not any(s.overlaps(b) for b in c.busy)]
    if not free:
        return _("每个可用时段都与该班的忙碌时段冲突（%(busy)s）。") % {
            "busy": "；".join(b.label for b in c.busy)
        }
    largest = max(max(s.room, 0) for s in free)
    if len(free) == len(at_venue):
        return _("该班 %(n)d 人，超过任何时段可安排的人数（最多 %(room)d 人）。") % {
            "n": c.students,
            "room": largest,
        }
    return _(
        "该班 %(n)d 人：不忙的时段最多只能安排 %(room)d 人，其余时段与忙碌时段冲突（%(busy)s）。"
    ) % {"n": c.students, "room": largest, "busy": "；".join(b.label for b in c.busy)}


# Measures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    placed: int
    unplaced: int
    split_cohorts: int
    max_load_ratio: Fraction
    students_moved: int
    split_names: tuple[str, ...] = ()

    @property
    def max_load_percent(self) -> float:
        return float(self.max_load_ratio * 100)


def plan_assignment(plan: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """Return class id -> slot id of a plan."""
    return {pk: slot for slot, classes in plan.items() for pk in classes}


def slot_loads(problem: Problem, plan: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """Return every slot's load: its individuals and the students of its classes."""
    loads = {slot.id: slot.individuals for slot in problem.slots}
    for slot, classes in plan.items():
        if slot in loads:
            loads[slot] += sum(
                problem.class_by_id[pk].students for pk in classes if pk in problem.class_by_id
            )
    return loads


def load_ratio(load: int, capacity: int) -> Fraction:
    if capacity <= 0:
        return Fraction(load + 1)  # a slot without capacity is over it with anyone
    return Fraction(load, capacity)


def plan_measures(problem: Problem, plan: Mapping[int, Sequence[int]]) -> Measures:
    """Return the measures of a plan against the problem's current schedule."""
    where = plan_assignment(plan)
    placed = [c for c in problem.classes if c.id in where]
    split = [
        name
        for name, members in problem.cohorts.items()
        if len({where[pk] for pk in members if pk in where}) > 1
    ]
    loads = slot_loads(problem, plan)
    ratio = max((load_ratio(loads[s.id], s.capacity) for s in problem.slots), default=Fraction(0))
    moved = sum(
        c.students for c in problem.classes if c.id in problem.current and where.get(c.id) != c.slot
    )
    return Measures(
        placed=len(placed),
        unplaced=len(problem.classes) - len(placed),
        split_cohorts=len(split),
        max_load_ratio=ratio,
        students_moved=moved,
        split_names=tuple(split),
    )


def ratio_lower_bound(problem: Problem) -> int:
    """Return a bound no plan placing every class beats, in whole per cent: the load of
    all slots over their capacity, and of each venue's slots with the classes bound to
    it over theirs."""

    def percent(load, capacity):
        return -(-100 * load // capacity) if capacity > 0 else 0

    bound = percent(
        sum(c.students for c in problem.classes) + sum(s.individuals for s in problem.slots),
        sum(s.capacity for s in problem.slots),
    )
    for venue in {s.venue_id for s in problem.slots}:
        slots = [s for s in problem.slots if s.venue_id == venue]
        load = sum(c.students for c in problem.classes if c.venue_id == venue)
        load += sum(s.individuals for s in slots)
        bound = max(bound, percent(load, sum(s.capacity for s in slots)))
    return bound


# Order within a slot -------------------------------------------------------------------


def plan_ordered(problem: Problem, assignment: Mapping[int, int]) -> Plan:
    """Return the plan of an assignment (class id -> slot id), every slot of the problem
    with its classes in shooting order: each cohort in its natural order and in one run,
    the cohort coming on from the slot before first, the one running on into the next
    slot last, the others as the current schedule has them (else by name)."""
    current_rank = {
        c.id: (0, problem.slots.index(problem.slot_by_id[c.slot]), c.position or 0)
        if c.id in problem.current
        else (1, 0, 0)
        for c in problem.classes
    }
    previous = {b: a for a, b in problem.next_slot.items() if b is not None}
    plan: Plan = {}

    def in_slot(name, other):
        return other is not None and any(
            assignment.get(pk) == other for pk in problem.cohorts[name]
        )

    for slot in problem.slots:
        here: dict[str, list[int]] = {}
        for name, members in problem.cohorts.items():
            runs = [pk for pk in members if assignment.get(pk) == slot.id]
            if runs:
                here[name] = runs
        before, after = previous.get(slot.id), problem.next_slot.get(slot.id)
        keys = {
            name: (
                not in_slot(name, before),
                in_slot(name, after),
                min(current_rank[pk] for pk in runs),
                name,
            )
            for name, runs in here.items()
        }
        plan[slot.id] = [pk for name in sorted(here, key=keys.get) for pk in here[name]]
    return plan


# Checking a plan (the current one, before planning) ------------------------------------


def plan_violations(problem: Problem, plan: Mapping[int, Sequence[int]]) -> list[str]:
    """Return every rule of the planner a plan breaks (classes off the schedule are
    counted by the measures, not here)."""
    problems = []
    loads = slot_loads(problem, plan)
    for slot in problem.slots:
        if loads[slot.id] > slot.capacity:
            problems.append(
                _("%(slot)s %(n)d 人，超出容量 %(cap)d 人。")
                % {"slot": slot.label, "n": loads[slot.id], "cap": slot.capacity}
            )
        for pk in plan.get(slot.id, []):
            c = problem.class_by_id.get(pk)
            if c is None:
                continue
            if c.venue_id is not None and slot.venue_id != c.venue_id:
                problems.append(
                    _("%(name)s 只能在%(venue)s拍摄。") % {"name": c.name, "venue": c.venue}
                )
            for busy in c.busy:
                if slot.overlaps(busy):
                    problems.append(
                        _("%(name)s 在 %(slot)s 有事：%(busy)s。")
                        % {"name": c.name, "slot": slot.label, "busy": busy.label}
                    )
            if c.pinned_slot is not None and c.pinned_slot != slot.id:
                problems.append(_("%(name)s 固定的时段不是这一个。") % {"name": c.name})
    chain_of = {s: (i, j) for i, chain in enumerate(problem.chains) for j, s in enumerate(chain)}
    queue = []  # (chain, index in chain, position) of every placed class
    for slot, classes in plan.items():
        if slot in chain_of:
            for position, pk in enumerate(classes):
                queue.append((*chain_of[slot], position, pk))
    order = {entry[3]: entry for entry in queue}
    for name, members in problem.cohorts.items():
        placed = [pk for pk in members if pk in order]
        if len(placed) < 2:
            continue
        entries = sorted(order[pk] for pk in placed)
        if len({e[0] for e in entries}) > 1 or entries[-1][1] - entries[0][1] >= len(
            {e[1] for e in entries}
        ):
            problems.append(_("%(cohort)s 的班级不在同一地点同一天的相邻时段。") % {"cohort": name})
            continue
        if [e[3] for e in entries] != placed:
            problems.append(_("%(cohort)s 的班级没有按班号顺序。") % {"cohort": name})
    return problems


# A first plan, for the solver to start from ---------------------------------------------


def plan_greedy(problem: Problem) -> dict[int, int]:
    """Return a quick assignment (class id -> slot id), no promise of any rule: each
    cohort whole, largest first, in the allowed slot it leaves least loaded (so the
    load comes out even); a cohort no slot takes whole runs on over consecutive
    slots, else goes class by class. The solver
    starts from it; it is never the answer."""
    room = {s.id: s.room for s in problem.slots}
    order = {s.id: i for i, s in enumerate(problem.slots)}
    assignment: dict[int, int] = {}
    candidates = {c.id: set(candidate_slots(problem, c)) for c in problem.classes}
    capacity = {s.id: s.capacity for s in problem.slots}

    def after(slot: int, students: int) -> Fraction:
        """Return the slot's load ratio with ``students`` more."""
        return load_ratio(capacity[slot] - room[slot] + students, capacity[slot])

    cohorts = sorted(
        problem.cohorts.values(),
        key=lambda members: -sum(problem.class_by_id[pk].students for pk in members),
    )
    for members in cohorts:
        members = [pk for pk in members if candidates[pk]]
        if not members:
            continue
        total = sum(problem.class_by_id[pk].students for pk in members)
        common = set.intersection(*(candidates[pk] for pk in members))
        fits = [s for s in common if room[s] >= total]
        if fits:
            best = min(fits, key=lambda s: (after(s, total), order[s]))
            for pk in members:
                assignment[pk] = best
            room[best] -= total
            continue
        run = _greedy_run(problem, members, candidates, room)
        if run is not None:
            for pk, s in run.items():
                assignment[pk] = s
                room[s] -= problem.class_by_id[pk].students
            continue
        for pk in members:
            size = problem.class_by_id[pk].students
            fits = [s for s in candidates[pk] if room[s] >= size]
            if fits:
                best = min(fits, key=lambda s: (after(s, size), order[s]))
                assignment[pk] = best
                room[best] -= size
    return assignment


def _greedy_run(problem, members, candidates, room) -> dict[int, int] | None:
    """Return the cohort over consecutive slots of a chain, in natural order, each slot
    filled before the next, from the start that leaves the most room; None if none."""
    best, best_spare = None, -1
    for chain in problem.chains:
        for first in range(len(chain)):
            left, run, i = dict(room), {}, first
            for pk in members:
                size = problem.class_by_id[pk].students
                fits = [
                    j < len(chain) and chain[j] in candidates[pk] and left[chain[j]] >= size
                    for j in (i, i + 1)
                ]
                if not fits[0]:
                    if run and fits[1]:
                        i += 1
                    else:
                        run = None
                        break
                run[pk] = chain[i]
                left[chain[i]] -= size
            if run:
                spare = min(left[s] for s in run.values())
                if spare > best_spare:
                    best, best_spare = run, spare
    return best
