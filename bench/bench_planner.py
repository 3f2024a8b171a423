"""The planner on the notice's day and on a synthetic province-size day.

- the notice's day (44 classes, 6 slots, 2 venues, 机电17级 bound to 动力谷, the demo
  roster's class sizes): re-planned from the notice's hand-made plan, planned from
  scratch, and re-planned after 会计1171 is deferred (goal: proven optimal under 1 s);
- a synthetic day of 300 classes, 12,000 students, 3 venues and 40 slots over 3 days,
  with bound cohorts, busy periods and groups of individuals: planned from scratch, then
  re-planned after three deferrals and five new busy periods (goal: under 10 s, its gap
  printed).

Each prints the time, whether the plan is proven optimal (else the gap to the bound at
the time limit), and the measures beside the baseline measured in the same run: the
quick first plan (rules.plan_greedy) the solver starts from, and for the notice its
hand-made plan. The problems are built in memory: no database is needed.

    DEBUG=1 .venv/bin/python bench/bench_planner.py
"""

import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from sessions_app.demo.roster import (  # noqa: E402
    DEFAULT_INDIVIDUALS_PER_CATEGORY,
    INDIVIDUAL_CATEGORIES,
    default_class_size,
)
from sessions_app.notice.loader import NOTICE_FIXTURE  # noqa: E402
from sessions_app.planner import rules  # noqa: E402
from sessions_app.planner.solver import plan_solve  # noqa: E402
from sessions_app.rules import class_cohort, class_name_parts, class_natural_key  # noqa: E402


def notice_problem() -> rules.Problem:
    """Return the notice's day with the demo roster's class sizes, as the fixture has it."""
    data = json.loads(NOTICE_FIXTURE.read_text(encoding="utf-8"))
    venues = {v["key"]: (i + 1, v) for i, v in enumerate(data["venues"])}
    bound = {c: key for key, (_i, v) in venues.items() for c in v.get("only_for", [])}
    slots, classes = [], []
    for number, item in enumerate(data["slots"], start=1):
        venue_id, venue = venues[item["venue"]]
        date = datetime.date.fromisoformat(item["date"])
        start = datetime.time.fromisoformat(item["start"])
        end = datetime.time.fromisoformat(item["end"])
        minutes = (
            datetime.datetime.combine(date, end) - datetime.datetime.combine(date, start)
        ).seconds // 60
        groups = [c for c in item.get("categories", []) if c in INDIVIDUAL_CATEGORIES]
        individuals = len(groups) * DEFAULT_INDIVIDUALS_PER_CATEGORY
        slots.append(
            rules.SlotSpec(
                number,
                venue_id,
                venue["name"],
                date,
                start,
                end,
                minutes * venue["shots_per_hour"] // 60,
                individuals,
            )
        )
        for position, name in enumerate(item["classes"], start=1):
            major, year = class_name_parts(name)
            cohort = class_cohort(name, major, year)
            venue_key = bound.get(cohort)
            classes.append(
                rules.ClassSpec(
                    id=100 + len(classes),
                    name=name,
                    students=default_class_size(name),
                    cohort=cohort,
                    order=class_natural_key(name),
                    venue_id=venues[venue_key][0] if venue_key else None,
                    venue=venues[venue_key][1]["name"] if venue_key else "",
                    slot=number,
                    position=position,
                )
            )
    return rules.Problem(slots=tuple(slots), classes=tuple(classes))


def synthetic_problem(seed: int = 2026) -> rules.Problem:
    """Return a province-size day: 300 classes, 12,000 students, 3 venues, 40 slots over
    3 days; three cohorts bound to the smallest venue, 15 classes with an exam morning,
    groups of individuals in three slots. No current plan."""
    rng = random.Random(seed)
    first_day = datetime.date(2026, 6, 1)
    times = [("08:00", "09:30"), ("09:30", "11:00"), ("11:00", "12:00")]
    times += [("13:30", "15:00"), ("15:00", "16:30")]
    venues = [
        (1, "明理楼", 300, (5, 5, 5)),
        (2, "图书馆", 250, (5, 5, 5)),
        (3, "体育馆", 200, (3, 3, 4)),
    ]
    slots = []
    for day in range(3):
        date = first_day + datetime.timedelta(days=day)
        for venue_id, name, rate, per_day in venues:
            for start, end in times[: per_day[day]]:
                s = datetime.time.fromisoformat(start)
                e = datetime.time.fromisoformat(end)
                minutes = (
                    datetime.datetime.combine(date, e) - datetime.datetime.combine(date, s)
                ).seconds // 60
                slots.append((date, s, e, venue_id, name, minutes * rate // 60))
    slots.sort()
    individuals = {4: 120, 20: 90, len(slots) - 3: 60}
    specs = tuple(
        rules.SlotSpec(i + 1, v, name, d, s, e, cap, individuals.get(i, 0))
        for i, (d, s, e, v, name, cap) in enumerate(slots)
    )
    count, total = 300, 12_000 - sum(individuals.values())
    sizes = [rng.randint(25, 55) for _ in range(count)]
    scale = total / sum(sizes)
    sizes = [round(size * scale) for size in sizes]
    sizes[-1] += total - sum(sizes)
    cohorts, i, major = [], 0, 0
    while i < count:
        major += 1
        n = min(rng.choice([1, 2, 3, 3, 4, 5, 6, 8]), count - i)
        cohorts.append(["专业%02d11%d%d" % (major, 7, k + 1) for k in range(n)])
        i += n
    bound = set(rng.sample(range(len(cohorts)), 3))
    busy = set(rng.sample(range(count), 15))
    classes, i = [], 0
    for number, names in enumerate(cohorts):
        for name in names:
            exam = ()
            if i in busy:
                date = first_day + datetime.timedelta(days=rng.randrange(3))
                exam = (rules.Busy(date, datetime.time(8), datetime.time(12), "考试"),)
            classes.append(
                rules.ClassSpec(
                    id=1000 + i,
                    name=name,
                    students=sizes[i],
                    cohort=class_cohort(name),
                    order=class_natural_key(name),
                    venue_id=3 if number in bound else None,
                    venue="体育馆" if number in bound else "",
                    busy=exam,
                )
            )
            i += 1
    return rules.Problem(slots=specs, classes=tuple(classes))


def with_plan(problem: rules.Problem, plan: rules.Plan) -> rules.Problem:
    """Return the problem with ``plan`` as its current schedule."""
    where = {
        pk: (slot, position) for slot, pks in plan.items() for position, pk in enumerate(pks, 1)
    }
    classes = tuple(
        rules.ClassSpec(
            **{
                **c.__dict__,
                "slot": where.get(c.id, (None,))[0],
                "position": where.get(c.id, (None, None))[1],
            }
        )
        for c in problem.classes
    )
    return rules.Problem(slots=problem.slots, classes=classes)


def changed(problem: rules.Problem, *, deferred=(), busy=()) -> rules.Problem:
    """Return the problem with classes deferred (left out) and busy periods added."""
    extra = dict(busy)
    classes = tuple(
        rules.ClassSpec(**{**c.__dict__, "busy": c.busy + extra.get(c.name, ())})
        for c in problem.classes
        if c.name not in deferred
    )
    return rules.Problem(slots=problem.slots, classes=classes)


def measures_text(m: rules.Measures) -> str:
    return "placed %d, unplaced %d, split cohorts %d, max load %.1f%%, students moved %d" % (
        m.placed,
        m.unplaced,
        m.split_cohorts,
        float(m.max_load_ratio) * 100,
        m.students_moved,
    )


def run(label: str, problem: rules.Problem, *, replan=True, seconds=10.0, baselines=()):
    started = time.perf_counter()
    greedy = rules.plan_ordered(problem, rules.plan_greedy(problem))
    greedy_seconds = time.perf_counter() - started
    result = plan_solve(problem, replan=replan, seconds=seconds)
    proof = (
        "proven optimal"
        if result.optimal
        else "not proven optimal, time limit %.0f s" % (result.time_limit)
    )
    print("%s: %d classes, %d slots" % (label, len(problem.classes), len(problem.slots)))
    print("  solver      %6.2f s  %s" % (result.seconds, proof))
    for gap in result.gaps:
        print(
            "              gap %.1f%% on %s: %s, bound %s"
            % (gap.gap * 100, gap.label, gap.value, gap.bound)
        )
    print("              %s" % measures_text(result.measures))
    for name, plan in (("first plan", greedy), *baselines):
        print("  %-11s %s" % (name, measures_text(rules.plan_measures(problem, plan))))
    print(
        "  time ratio  solver / first plan: %.0fx (%.3f s)"
        % (result.seconds / max(greedy_seconds, 1e-6), greedy_seconds)
    )
    broken = rules.plan_violations(problem, result.plan)
    if broken:
        print("  RULES BROKEN: %s" % "; ".join(broken))
    return result


def main() -> int:
    notice = notice_problem()
    hand = {
        s.id: [
            c.id for c in sorted(notice.classes, key=lambda c: c.position or 0) if c.slot == s.id
        ]
        for s in notice.slots
    }
    run("notice's day, re-planned from the notice", notice, baselines=[("hand plan", hand)])
    run("notice's day, from scratch", notice, replan=False, baselines=[("hand plan", hand)])
    deferred = changed(notice, deferred={"会计1171"})
    run("notice's day, 会计1171 deferred, re-planned", deferred)
    run("notice's day, 会计1171 deferred, from scratch", deferred, replan=False)

    large = synthetic_problem()
    first = run("province-size day, from scratch", large, replan=False, seconds=9.0)
    names = [c.name for c in large.classes]
    rng = random.Random(7)
    exams = {
        name: (rules.Busy(large.slots[0].date, datetime.time(13), datetime.time(17), "实习"),)
        for name in rng.sample(names, 5)
    }
    again = changed(with_plan(large, first.plan), deferred=set(rng.sample(names, 3)), busy=exams)
    run("province-size day, 3 deferred + 5 busy, re-planned", again, seconds=9.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
