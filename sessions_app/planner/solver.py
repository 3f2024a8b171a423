"""The exact planner: the problem of rules.py as a CP-SAT model (OR-Tools), solved for
its objectives one after the other.

The objectives are lexicographic, each solved to optimality (or to the time limit)
before the next, whose model keeps the earlier ones at their best value:

1. the most classes placed;
2. the fewest cohorts split over more than one slot;
3. the smallest largest load ratio, load / capacity over every slot, exactly (the
   ratio is scaled by the square of the largest capacity, enough to tell any two
   ratios of the problem apart);
4. when re-planning, the fewest students whose slot changes.

A plan is "optimal" when every stage was proven optimal: no plan keeps the rules and
is better on an objective without being worse on an earlier one. A stage cut short by
the time limit keeps its best plan and says its gap to the proven bound.

The search is deterministic (CP-SAT's interleaved search, limited by deterministic
time as well as by the clock), so the page and the command give the same plan for
the same schedule.
"""

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from ortools.sat.python import cp_model

from sessions_app.planner import rules

DEFAULT_SECONDS = 10.0
WORKERS = 8
DETERMINISTIC_CLASSES = 120  # up to this many classes, one repeatable worker


@dataclass(frozen=True)
class Unplaced:
    class_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class StageGap:
    """A stage the time limit cut short: its best value and the bound proven for it."""

    label: str
    value: float
    bound: float

    @property
    def gap(self) -> float:
        if self.value == 0:
            return 0.0
        return abs(self.value - self.bound) / abs(self.value)


@dataclass
class PlanResult:
    problem: rules.Problem
    plan: rules.Plan
    unplaced: list[Unplaced]
    measures: rules.Measures
    optimal: bool
    seconds: float
    time_limit: float
    gaps: list[StageGap] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return max((g.gap for g in self.gaps), default=0.0)


class _Model:
    """The CP-SAT model of a problem and its objectives."""

    def __init__(self, problem: rules.Problem, *, replan: bool):
        self.problem = problem
        self.model = cp_model.CpModel()
        m = self.model
        self.reasons = {}
        self.fixed = False
        self.candidates = {}
        for c in problem.classes:
            slots = rules.candidate_slots(problem, c)
            if slots:
                self.candidates[c.id] = slots
            else:
                self.reasons[c.id] = rules.unplaceable_reason(problem, c)
        classes = [c for c in problem.classes if c.id in self.candidates]
        self.x = {
            (c.id, s): m.new_bool_var("x%d_%d" % (c.id, s))
            for c in classes
            for s in self.candidates[c.id]
        }
        self.placed = {}
        for c in classes:
            p = m.new_bool_var("p%d" % c.id)
            m.add(sum(self.x[c.id, s] for s in self.candidates[c.id]) == p)
            self.placed[c.id] = p
        by_slot = {s.id: [] for s in problem.slots}
        for (pk, s), var in self.x.items():
            by_slot[s].append((pk, var))
        self.by_slot = by_slot

        # Capacity: the classes fit in what the individuals leave.
        size = {c.id: c.students for c in problem.classes}
        self.class_load = {}
        for slot in problem.slots:
            load = sum(size[pk] * var for pk, var in by_slot[slot.id])
            self.class_load[slot.id] = load
            if by_slot[slot.id]:
                m.add(load <= max(slot.room, 0))

        # Cohorts: in consecutive slots of one chain, in natural order. Slots are ranked
        # along their chains, with a rank left out between two chains; a class's rank is
        # its slot's, and in natural order each class's rank is its predecessor's or
        # the next one. Unplaced classes take a rank too, free but for that rule, so a
        # cohort with a class left out still keeps it.
        rank, r = {}, 0
        for chain in problem.chains:
            for s in chain:
                rank[s] = r
                r += 1
            r += 1
        self.rank = rank
        self.rank_vars = {}
        self.split = []
        self.cohort_split = {}  # cohort -> (split, its classes' ranks)
        for name, members in problem.cohorts.items():
            members = [pk for pk in members if pk in self.candidates]
            if len(members) < 2:
                continue
            ranks = sorted({rank[s] for pk in members for s in self.candidates[pk]})
            domain = cp_model.Domain.from_values(ranks)
            chain = []
            for pk in members:
                v = m.new_int_var_from_domain(domain, "r%d" % pk)
                m.add(
                    v == sum(rank[s] * self.x[pk, s] for s in self.candidates[pk])
                ).only_enforce_if(self.placed[pk])
                chain.append(v)
                self.rank_vars[pk] = v
            for a, b in zip(chain, chain[1:], strict=False):
                m.add(b >= a)
                m.add(b <= a + 1)
            split = m.new_bool_var("split_%s" % name)
            m.add(chain[-1] - chain[0] <= (ranks[-1] - ranks[0]) * split)
            self.split.append(split)
            self.cohort_split[name] = (split, chain)

        # The largest load ratio in whole per cent, rounded up: R >= 100 * load /
        # capacity for every slot.
        top_ratio = max(
            (
                _percent_up(s.individuals + sum(size[pk] for pk, _v in by_slot[s.id]), s.capacity)
                for s in problem.slots
            ),
            default=0,
        )
        self.ratio = m.new_int_var(0, top_ratio, "ratio")
        for slot in problem.slots:
            if slot.capacity > 0:
                m.add(
                    slot.capacity * self.ratio
                    >= 100 * (slot.individuals + self.class_load[slot.id])
                )

        # Students moved from their current slot.
        self.moved = None
        if replan and problem.replanning:
            terms, constant = [], 0
            for c in problem.classes:
                if c.id not in problem.current:
                    continue
                if (c.id, c.slot) in self.x:
                    terms.append(c.students * (1 - self.x[c.id, c.slot]))
                else:
                    constant += c.students
            self.moved = sum(terms) + constant

    def all_placed(self) -> None:
        """Keep every class placed: the first stage placed them all."""
        if not self.fixed:
            self.fixed = True
            for p in self.placed.values():
                self.model.add(p == 1)

    def hint(self, values: dict[tuple[int, int], bool]) -> None:
        """Hint a whole solution, the assignment ``values`` (class, slot) -> chosen: a
        partial hint the solver may fail to complete in time."""
        m = self.model
        m.clear_hints()
        where = {pk: s for (pk, s), chosen in values.items() if chosen}
        for key, var in self.x.items():
            m.add_hint(var, values[key])
        for pk, var in self.placed.items():
            m.add_hint(var, pk in where)
        for name, (split, _ranks) in self.cohort_split.items():
            members = [pk for pk in self.problem.cohorts[name] if pk in self.rank_vars]
            ranks = [self.rank[where[pk]] for pk in members if pk in where]
            for pk in members:
                if pk in where:
                    m.add_hint(self.rank_vars[pk], self.rank[where[pk]])
                elif ranks:
                    m.add_hint(self.rank_vars[pk], ranks[0])
            m.add_hint(split, len(set(ranks)) > 1)
        loads = {s.id: s.individuals for s in self.problem.slots}
        for pk, s in where.items():
            loads[s] += self.problem.class_by_id[pk].students
        m.add_hint(
            self.ratio,
            max((_percent_up(loads[s.id], s.capacity) for s in self.problem.slots), default=0),
        )

    def stages(self):
        """Yield (label, expression, maximise) in the order they are weighed."""
        yield _("安排的班级数"), sum(self.placed.values()), True
        yield _("拆分的专业年级数"), sum(self.split), False
        yield _("最大负荷率"), self.ratio, False
        if self.moved is not None:
            yield _("调整时段的学生数"), self.moved, False


def _percent_up(load: int, capacity: int) -> int:
    return -(-100 * load // capacity) if capacity > 0 else 0


def _solver(seconds: float, classes: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    seconds = max(seconds, 0.05)
    if classes <= DETERMINISTIC_CLASSES:
        # One worker searches the same way on every run: the page and the command
        # give the same plan. Deterministic time is about a second of one core; the
        # clock's limit stays the guarantee on a slow machine.
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = seconds
        # The LP with cuts proves the notice's day in a tenth of a second, where the
        # default relaxation takes a second and a half to prove the fewest moves.
        solver.parameters.linearization_level = 2
    else:
        # A province-size day needs the parallel portfolio (large neighbourhood search
        # above all); it is not repeatable to the class, which the time limit is not
        # either.
        solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.random_seed = 1
    return solver


def plan_solve(
    problem: rules.Problem, *, seconds: float = DEFAULT_SECONDS, replan: bool = True
) -> PlanResult:
    """Return the best plan of the problem within ``seconds``: see the module docstring.
    With ``replan`` false the current schedule is not weighed (planning from scratch),
    though the students it moves are still counted."""
    started = time.perf_counter()
    built = _Model(problem, replan=replan)
    model = built.model
    optimal, gaps = True, []
    greedy = rules.plan_greedy(problem)
    values = {key: greedy.get(key[0]) == key[1] for key in built.x}
    known = _greedy_proofs(problem, built, greedy)
    stages = list(built.stages())
    for number, (label, expression, maximise) in enumerate(stages):
        if number in known:
            # The first plan reaches a bound of this stage: proven without a search.
            model.add(expression == known[number])
            if number == 0:
                built.all_placed()
            continue
        remaining = seconds - (time.perf_counter() - started)
        if number < len(stages) - 1:
            # Leave the later stages time of their own.
            remaining *= 0.6
        if maximise:
            model.maximize(expression)
        else:
            model.minimize(expression)
        built.hint(values)
        solver = _solver(remaining, len(problem.classes))
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # No better plan found in time: keep the last one.
            optimal = False
            gaps.append(StageGap(str(label), float("nan"), float("nan")))
            break
        values = {key: solver.boolean_value(var) for key, var in built.x.items()}
        best = round(solver.objective_value)
        if number == 0 and best == len(built.placed) and status == cp_model.OPTIMAL:
            built.all_placed()
        if status == cp_model.OPTIMAL:
            model.add(expression == best)
        else:
            optimal = False
            bound = solver.best_objective_bound
            if expression is built.ratio:
                bound = max(bound, rules.ratio_lower_bound(problem))
            gaps.append(StageGap(str(label), best, bound))
            model.add(expression >= best if maximise else expression <= best)
    assignment = {pk: s for (pk, s), chosen in values.items() if chosen}
    plan = rules.plan_ordered(problem, assignment)
    unplaced = [
        Unplaced(c.id, c.name, built.reasons.get(c.id) or _capacity_reason(problem, c))
        for c in problem.classes
        if c.id not in assignment
    ]
    return PlanResult(
        problem=problem,
        plan=plan,
        unplaced=unplaced,
        measures=rules.plan_measures(problem, plan),
        optimal=optimal,
        seconds=time.perf_counter() - started,
        time_limit=seconds,
        gaps=gaps,
    )


def _greedy_proofs(problem: rules.Problem, built: _Model, greedy: dict[int, int]) -> dict:
    """Return stage number -> value for the first stages the first plan already solves:
    every placeable class placed, and (then) no more cohorts split than must be, those
    that fit whole in none of the slots all their classes may go to."""
    plan = rules.plan_ordered(problem, greedy)
    if rules.plan_violations(problem, plan) or len(greedy) < len(built.placed):
        return {}
    known = {0: len(built.placed)}
    must_split = 0
    for members in problem.cohorts.values():
        members = [pk for pk in members if pk in built.candidates]
        if len(members) < 2:
            continue
        total = sum(problem.class_by_id[pk].students for pk in members)
        common = set.intersection(*(set(built.candidates[pk]) for pk in members))
        if not any(problem.slot_by_id[s].room >= total for s in common):
            must_split += 1
    if rules.plan_measures(problem, plan).split_cohorts == must_split:
        known[1] = must_split
    return known


def _capacity_reason(problem: rules.Problem, c: rules.ClassSpec) -> str:
    return _(
        "可用的时段（%(n)d 个）已被其他班级占满：与同专业班级保持相邻、不超出容量时放不下该班（%(students)d 人）。"
    ) % {"n": len(rules.candidate_slots(problem, c)), "students": c.students}
