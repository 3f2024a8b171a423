"""Reads of the planner: the campaign's schedule as a planning problem, its busy
periods, and what a proposed plan changes beside the current one."""

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, QuerySet

from sessions_app.changes.selectors import ScheduleState, schedule_state
from sessions_app.models import BusyPeriod, Campaign, CategoryRule, SchoolClass, Student
from sessions_app.planner import rules, solver
from sessions_app.rules import class_cohort, class_natural_key


def individuals_by_slot(*, campaign: Campaign) -> dict[int, int]:
    """Return slot pk -> students of the groups of individuals shot in it: the students
    without a class, by their category's slot. One query each."""
    per_category = dict(
        Student.objects.filter(campaign=campaign, school_class__isnull=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    loads: dict[int, int] = {}
    for rule in CategoryRule.objects.filter(campaign=campaign, slot__isnull=False):
        loads[rule.slot_id] = loads.get(rule.slot_id, 0) + per_category.get(rule.category, 0)
    return loads


def busy_by_class(*, campaign: Campaign) -> dict[int, tuple[rules.Busy, ...]]:
    busy: dict[int, list[rules.Busy]] = {}
    for period in BusyPeriod.objects.filter(school_class__campaign=campaign).order_by(
        "date", "start", "id"
    ):
        busy.setdefault(period.school_class_id, []).append(
            rules.Busy(period.date, period.start, period.end, period.reason)
        )
    return {pk: tuple(periods) for pk, periods in busy.items()}


def planning_problem(
    *, state: ScheduleState, statuses: dict[int, str] | None = None
) -> rules.Problem:
    """Return the problem of the campaign of ``state``: its slots with their capacity and
    individuals, its classes not deferred (by ``statuses`` when given) with their
    students, cohort, venue, pin, busy periods and place in the schedule."""
    campaign = state.campaign
    statuses = state.statuses if statuses is None else statuses
    individuals = individuals_by_slot(campaign=campaign)
    busy = busy_by_class(campaign=campaign)
    venues = {slot.venue_id: slot.venue.name for slot in state.slots.values()}
    bound = {
        c.pk: c.venue.name
        for c in SchoolClass.objects.filter(campaign=campaign, venue__isnull=False).select_related(
            "venue"
        )
    }
    slots = tuple(
        rules.SlotSpec(
            id=slot.pk,
            venue_id=slot.venue_id,
            venue=slot.venue.name,
            date=slot.date,
            start=slot.start,
            end=slot.end,
            capacity=slot.capacity,
            individuals=individuals.get(slot.pk, 0),
        )
        for slot in state.slots.values()
    )
    classes = tuple(
        rules.ClassSpec(
            id=c.pk,
            name=c.name,
            students=c.student_count,
            cohort=class_cohort(c.name, c.major, c.entry_year),
            order=class_natural_key(c.name),
            venue_id=c.venue_id,
            venue=bound.get(c.pk) or venues.get(c.venue_id, ""),
            busy=busy.get(c.pk, ()),
            pinned_slot=c.pinned_slot_id if c.pinned_slot_id in state.slots else None,
            slot=c.slot_id,
            position=c.position,
        )
        for c in sorted(state.classes.values(), key=lambda c: (c.name, c.pk))
        if statuses.get(c.pk) != SchoolClass.Status.DEFERRED
    )
    return rules.Problem(slots=slots, classes=classes)


def campaign_problem(*, campaign: Campaign) -> tuple[ScheduleState, rules.Problem]:
    state = schedule_state(campaign=campaign)
    return state, planning_problem(state=state)


def busy_periods(*, campaign: Campaign) -> QuerySet[BusyPeriod]:
    return (
        BusyPeriod.objects.filter(school_class__campaign=campaign)
        .select_related("school_class")
        .order_by("date", "start", "school_class__name", "id")
    )


def pinned_classes(*, campaign: Campaign) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(campaign=campaign, pinned_slot__isnull=False)
        .select_related("pinned_slot__venue")
        .order_by("name")
    )


# The comparison staff see -------------------------------------------------------------


@dataclass
class SlotDiff:
    """One slot before and after: its classes, load and the students it gains or loses."""

    label: str
    capacity: int
    individuals: int
    before: list[str]
    after: list[str]
    load_before: int
    load_after: int
    arriving: list[str]
    leaving: list[str]
    students_in: int
    students_out: int

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def percent_before(self) -> int:
        return _percent(self.load_before, self.capacity)

    @property
    def percent_after(self) -> int:
        return _percent(self.load_after, self.capacity)


def _percent(load: int, capacity: int) -> int:
    return round(100 * load / capacity) if capacity > 0 else 100


@dataclass
class Comparison:
    slots: list[SlotDiff]
    before: rules.Measures
    after: rules.Measures
    violations_before: list[str]
    classes_moved: int


def plan_comparison(
    *, problem: rules.Problem, current: rules.Plan, proposed: rules.Plan
) -> Comparison:
    """Return the proposed plan beside the current one, slot by slot, with both plans'
    measures."""
    names = {c.id: c.name for c in problem.classes}
    size = {c.id: c.students for c in problem.classes}
    loads_before = rules.slot_loads(problem, current)
    loads_after = rules.slot_loads(problem, proposed)
    where_before = rules.plan_assignment(current)
    where_after = rules.plan_assignment(proposed)
    slots = []
    for slot in problem.slots:
        before = [pk for pk in current.get(slot.id, []) if pk in names]
        after = proposed.get(slot.id, [])
        arriving = [pk for pk in after if where_before.get(pk) != slot.id]
        leaving = [pk for pk in before if where_after.get(pk) != slot.id]
        slots.append(
            SlotDiff(
                label=slot.label,
                capacity=slot.capacity,
                individuals=slot.individuals,
                before=[names[pk] for pk in before],
                after=[names[pk] for pk in after],
                load_before=loads_before[slot.id],
                load_after=loads_after[slot.id],
                arriving=[names[pk] for pk in arriving],
                leaving=[names[pk] for pk in leaving],
                students_in=sum(size[pk] for pk in arriving),
                students_out=sum(size[pk] for pk in leaving),
            )
        )
    return Comparison(
        slots=slots,
        before=rules.plan_measures(problem, current),
        after=rules.plan_measures(problem, proposed),
        violations_before=rules.plan_violations(problem, current),
        classes_moved=sum(
            1 for c in problem.classes if c.id in where_before and where_after.get(c.id) != c.slot
        ),
    )


def ratio_text(ratio: Fraction) -> str:
    return "%.1f%%" % float(ratio * 100)


@dataclass
class Proposal:
    """What the planner proposes for a campaign now: the schedule it starts from, the
    problem, the solver's result and the comparison staff see."""

    state: ScheduleState
    problem: rules.Problem
    result: "solver.PlanResult"
    comparison: Comparison

    @property
    def changes_anything(self) -> bool:
        return any(row.changed for row in self.comparison.slots)


def plan_proposal(
    *, campaign: Campaign, seconds: float | None = None, replan: bool = True
) -> Proposal:
    """Return the planner's proposal for the campaign's schedule as it is now."""
    state, problem = campaign_problem(campaign=campaign)
    result = solver.plan_solve(
        problem, seconds=seconds if seconds is not None else solver.DEFAULT_SECONDS, replan=replan
    )
    current = {slot: list(classes) for slot, classes in state.plan.items()}
    return Proposal(
        state=state,
        problem=problem,
        result=result,
        comparison=plan_comparison(problem=problem, current=current, proposed=result.plan),
    )


def proposal_json(proposal: Proposal) -> dict:
    """Return the proposal as ``plan_schedule --json`` prints it."""
    problem, result = proposal.problem, proposal.result
    loads = rules.slot_loads(problem, result.plan)
    names = {c.id: c.name for c in problem.classes}
    return {
        "slots": [
            {
                "id": slot.id,
                "start": "%sT%s" % (slot.date.isoformat(), slot.start.strftime("%H:%M")),
                "venue": slot.venue,
                "classes": [names[pk] for pk in result.plan.get(slot.id, [])],
                "students": loads[slot.id],
                "capacity": slot.capacity,
            }
            for slot in problem.slots
        ],
        "unplaced": [{"class": u.name, "reason": u.reason} for u in result.unplaced],
        "split_colleges": result.measures.split_cohorts,
        "max_load_ratio": round(float(result.measures.max_load_ratio), 4),
        "students_moved": result.measures.students_moved,
        "optimal": result.optimal,
        "seconds": round(result.seconds, 3),
    }
