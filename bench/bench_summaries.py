"""What the kept figures add to three desk writes: a payment, a 拍摄序号, a photo.

    make bench                                  # seeds 20,000 students once, runs all
    DATABASE_URL=sqlite:////tmp/b.sqlite3 DEBUG=1 .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/b.sqlite3 DEBUG=1 .venv/bin/python manage.py seed_demo --students 20000
    DATABASE_URL=sqlite:////tmp/b.sqlite3 DEBUG=1 .venv/bin/python bench/bench_summaries.py \\
        [--calls 300] [--blocks 5] [--breakdown] [payment number photo]

The same with ``DATABASE_URL=postgres://…`` for PostgreSQL. The database must hold the
seeded roster (without ``--shoot-day``: the photos need students not photographed yet);
the run writes to it (payments then reversed, numbers then voided, photos kept), so use
a throwaway one. Query logging is off (``DEBUG`` False after setup), as in production.

The goal: the summary writes (sessions_app/summary/services.py — each student's standing,
the tallies, the venue's pace) add at most 1.3× to the time of the service they ride in.
Each service is run in two variants, in one run:

- **with**: the service as it is;
- **without**: the same service with its summary entry points patched, at the name the
  service imported (``unittest.mock.patch``), by a stand-in that only notes its
  arguments: ``payments_app.services.students_restate`` for 登记缴费 (payment_record),
  ``sessions_app.shootday.services.students_restate`` for 取号 (shot_number_assign),
  and that plus ``sessions_app.shootday.services.pace_photo_add`` for 登记已拍
  (shot_mark_photographed).

Each call is its own transaction, on a student fresh from the database, as a desk's
request would be. After a timed call of the variant without, the noted summary writes
are applied untimed, so both variants leave the same figures behind and each call meets
the state production would. Then, untimed, the payment is reversed (a small pool of
unpaid students is paid again and again) and the number voided (each number is taken by
a student who never had one); each photo is of a student given a number just before,
untimed. Calls run in blocks of ``calls / blocks``, the variants alternating block by
block (with, without, with, without …) after a few warm-up calls of each.

Printed per service: CPU ms and wall ms per call (median over the blocks of each
block's mean), the ratio with / without on both, the queries per call, and the verdict,
judged on CPU against 1.3×. On SQLite the CPU includes the database engine, which runs
in this process; on PostgreSQL the server's work is in the wall time only, so both are
printed and the wall ratio is the one to read for the server's share. ``--breakdown``
times each summary entry point inside the real service (a separate, untimed pass) and
prints what each costs per call. The figures of the campaign are checked for drift at
the end: both variants must have left them true.
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.3
WARMUP = 5


def _django():
    if "DATABASE_URL" not in os.environ:
        sys.exit(
            "Set DATABASE_URL to a database seeded with seed_demo --students 20000 "
            "(bench/run.py does it)."
        )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: production does not keep one


class Subject:
    """One service measured: ``targets`` are the summary entry points it calls, by the
    name it imported them under; ``real`` the functions behind them."""

    name = ""
    targets: tuple[str, ...] = ()

    def __init__(self, ctx):
        self.ctx = ctx

    def prepare(self):
        """Return the argument of one call, untimed."""
        raise NotImplementedError

    def call(self, arg):
        raise NotImplementedError

    def undo(self, result) -> None:
        """Bring the state back for the next call, untimed (nothing by default)."""


class Payment(Subject):
    name = "登记缴费 payment_record"
    targets = ("payments_app.services.students_restate",)

    def __init__(self, ctx):
        super().__init__(ctx)
        from payments_app.models import Handover
        from sessions_app.models import Student

        handed_over = Handover.objects.values("school_class_id")
        self.pool = list(
            Student.objects.filter(
                campaign=ctx.campaign,
                category="current",
                school_class__status="scheduled",
                paid_fen__isnull=True,
            )
            .exclude(school_class__in=handed_over)
            .order_by("student_id")
            .values_list("pk", flat=True)
        )
        if not self.pool:
            sys.exit("No unpaid student in a class not handed over: reseed the database.")
        self.turn = 0

    def prepare(self):
        from sessions_app.models import Student

        self.turn += 1
        return Student.objects.get(pk=self.pool[self.turn % len(self.pool)])

    def call(self, student):
        from payments_app.services import payment_record

        return payment_record(student=student, by=self.ctx.staff)

    def undo(self, payment):
        from payments_app.services import payment_reverse

        payment_reverse(payment=payment, by=self.ctx.staff, reason="bench")


class Number(Subject):
    name = "取号 shot_number_assign"
    targets = ("sessions_app.shootday.services.students_restate",)

    def prepare(self):
        return self.ctx.fresh_student()

    def call(self, student):
        from sessions_app.shootday.services import shot_number_assign

        return shot_number_assign(student=student, desk="1号台", by=self.ctx.crew)

    def undo(self, shot):
        from sessions_app.shootday.services import shot_void

        shot_void(shot=shot, by=self.ctx.crew, reason="bench")


class Photo(Subject):
    name = "登记已拍 shot_mark_photographed"
    targets = (
        "sessions_app.shootday.services.students_restate",
        "sessions_app.shootday.services.pace_photo_add",
    )

    def prepare(self):
        from sessions_app.models import Shot
        from sessions_app.shootday.services import shot_number_assign

        shot = shot_number_assign(student=self.ctx.fresh_student(), desk="1号台", by=self.ctx.crew)
        return Shot.objects.get(pk=shot.pk)

    def call(self, shot):
        from sessions_app.shootday.services import shot_mark_photographed

        return shot_mark_photographed(shot=shot, by=self.ctx.crew)


SUBJECTS = {"payment": Payment, "number": Number, "photo": Photo}


class Context:
    def __init__(self):
        from django.contrib.auth import get_user_model

        from sessions_app.models import Campaign, Shot, Student
        from sessions_app.models.schedule import schedule_order

        self.campaign = Campaign.objects.order_by("-graduation_year", "-id").first()
        if self.campaign is None:
            sys.exit("No campaign: run migrate and seed_demo --students 20000 first.")
        users = get_user_model().objects
        self.staff, self.crew = users.get(username="jwc"), users.get(username="crew")
        # Students of the scheduled classes in the schedule's order who never had a
        # number: the day's queue, one venue's day after the other.
        self.fresh = iter(
            Student.objects.filter(
                campaign=self.campaign, school_class__status="scheduled", shoot_state="pending"
            )
            .exclude(pk__in=Shot.objects.values("student_id"))
            .order_by(*schedule_order("school_class__"), "student_id")
            .values_list("pk", flat=True)
        )

    def fresh_student(self):
        from sessions_app.models import Student

        pk = next(self.fresh, None)
        if pk is None:
            sys.exit("Out of students never numbered: reseed, or ask for fewer --calls.")
        return Student.objects.select_related("campaign").get(pk=pk)


def _recorder(notes: list, target: str):
    def stand_in(*args, **kwargs):
        notes.append((target, args, kwargs))

    return stand_in


def _real(target: str):
    """The function behind an import-site name (the summary service itself)."""
    import importlib

    module, name = target.rsplit(".", 1)
    return getattr(importlib.import_module("sessions_app.summary.services"), name)


def one_call(subject: Subject, *, without: bool, count_queries: bool = False):
    """Run one call; return its (CPU s, wall s, queries or None). Untimed around it: the
    argument, the skipped summary writes applied afterwards (variant without), the undo."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    arg = subject.prepare()
    notes: list = []
    with ExitStack() as stack:
        if without:
            for target in subject.targets:
                stack.enter_context(mock.patch(target, _recorder(notes, target)))
        captured = stack.enter_context(CaptureQueriesContext(connection)) if count_queries else None
        cpu, wall = time.process_time(), time.perf_counter()
        result = subject.call(arg)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if notes:
        with transaction.atomic():
            for target, args, kwargs in notes:
                _real(target)(*args, **kwargs)
    subject.undo(result)
    return cpu, wall, (len(captured) if captured is not None else None)


def measure(subject: Subject, *, calls: int, blocks: int) -> dict:
    for _ in range(WARMUP):
        for without in (False, True):
            one_call(subject, without=without)
    per_block = max(1, calls // blocks)
    found = {False: ([], []), True: ([], [])}
    for _block in range(blocks):
        for without in (False, True):
            cpu = wall = 0.0
            for _ in range(per_block):
                c, w, _q = one_call(subject, without=without)
                cpu, wall = cpu + c, wall + w
            found[without][0].append(1000 * cpu / per_block)
            found[without][1].append(1000 * wall / per_block)
    queries = {w: one_call(subject, without=w, count_queries=True)[2] for w in (False, True)}
    return {
        "per_block": per_block,
        "with": [statistics.median(v) for v in found[False]],
        "without": [statistics.median(v) for v in found[True]],
        "queries": queries,
    }


def breakdown(subject: Subject, *, calls: int) -> dict[str, tuple[float, float, float]]:
    """Time each summary entry point inside the real service: {name: (CPU ms, wall ms,
    queries) per call}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    spent = {t.rsplit(".", 1)[1]: [0.0, 0.0, 0] for t in subject.targets}

    def timing(target):
        real, name = _real(target), target.rsplit(".", 1)[1]

        def timed(*args, **kwargs):
            before = len(connection.queries_log)
            cpu, wall = time.process_time(), time.perf_counter()
            real(*args, **kwargs)
            spent[name][0] += time.process_time() - cpu
            spent[name][1] += time.perf_counter() - wall
            spent[name][2] += len(connection.queries_log) - before

        return timed

    for _ in range(calls):
        arg = subject.prepare()
        with ExitStack() as stack:
            for target in subject.targets:
                stack.enter_context(mock.patch(target, timing(target)))
            stack.enter_context(CaptureQueriesContext(connection))
            result = subject.call(arg)
        subject.undo(result)
    return {k: (1000 * c / calls, 1000 * w / calls, q / calls) for k, (c, w, q) in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per service and variant")
    parser.add_argument("--blocks", type=int, default=5, help="blocks per variant")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time each summary write on its own"
    )
    parser.add_argument("only", nargs="*", help="only these of %s (default: all)" % list(SUBJECTS))
    args = parser.parse_args()
    if set(args.only) - set(SUBJECTS):
        parser.error("unknown service: %s" % ", ".join(sorted(set(args.only) - set(SUBJECTS))))
    _django()
    from django.db import connection

    from sessions_app.models import Student
    from sessions_app.summary.services import summaries_drift

    ctx = Context()
    total = Student.objects.filter(campaign=ctx.campaign).count()
    print(
        "%s, %d students; %d calls per service and variant in %d blocks each, alternating"
        % (connection.vendor, total, args.calls, args.blocks)
    )
    if connection.vendor != "sqlite":
        print("(CPU: this process only; the database server's work is in the wall time)")
    missed = []
    for key, kind in SUBJECTS.items():
        if args.only and key not in args.only:
            continue
        subject = kind(ctx)
        found = measure(subject, calls=args.calls, blocks=args.blocks)
        w_cpu, w_wall = found["with"]
        o_cpu, o_wall = found["without"]
        cpu_ratio, wall_ratio = w_cpu / o_cpu, w_wall / o_wall
        verdict = "meets" if cpu_ratio <= GOAL else "MISSES"
        if cpu_ratio > GOAL:
            missed.append(subject.name)
        print("\n%s (%d calls a block)" % (subject.name, found["per_block"]))
        print(
            "  with summaries:    %6.2f ms CPU  %6.2f ms wall  %2d queries"
            % (w_cpu, w_wall, found["queries"][False])
        )
        print(
            "  without summaries: %6.2f ms CPU  %6.2f ms wall  %2d queries"
            % (o_cpu, o_wall, found["queries"][True])
        )
        print(
            "  ratio with / without: %.2f× CPU, %.2f× wall — %s the goal of %.1f× (on CPU)"
            % (cpu_ratio, wall_ratio, verdict, GOAL)
        )
        if args.breakdown:
            for name, (cpu, wall, queries) in breakdown(subject, calls=found["per_block"]).items():
                print(
                    "    of which %-16s %5.2f ms CPU  %5.2f ms wall  %.1f queries"
                    % (name, cpu, wall, queries)
                )
    drift = summaries_drift(campaign=ctx.campaign)
    print(
        "\nfigures after the run: %s"
        % ("true to the records" if not drift else "%d drifted, e.g. %s" % (len(drift), drift[0]))
    )
    if missed:
        print("goal missed by: %s" % ", ".join(missed))


if __name__ == "__main__":
    main()
