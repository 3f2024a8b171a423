"""Time the bulk card check of a 20,000-student roster, and the page's read of its
findings, against iterating the same roster rows.

    make bench                                   # bench/run.py hands it DATABASE_URL
    DATABASE_URL=sqlite:////tmp/b.sqlite3 DEBUG=1 .venv/bin/python bench/bench_cards.py
    .venv/bin/python bench/bench_cards.py --database-url postgres://…/bench
    .venv/bin/python bench/bench_cards.py [--students 20000] [--keep /tmp/cards.sqlite3]

The database: ``--database-url``, else ``--keep FILE`` (an SQLite file reused if it
exists, kept afterwards), else ``DATABASE_URL``, else a throwaway SQLite file. One
without students is migrated and seeded (``seed_demo --students N``) first. The run
leaves the data as it found it: the check only replaces the findings with the same.

Three things, each three times in turns (baseline, check, page, baseline, …), printed
as medians of CPU and of wall time:

- baseline: iterating the roster rows the check reads (``cards_app.selectors.roster_rows``);
- the check itself: ``cards_app.services.roster_findings_refresh(campaign=…)`` over the
  whole roster — the card rules on every row and the findings written again, as the
  import, a correction or the rebuild of the figures run it;
- the page's read: ``cards_app.selectors.roster_bulk_check(campaign=…)`` and what the
  staff's 批量核对 page takes from it (the counts by type and by class, the first page
  of problem rows, the name list's first rows), read from the stored findings.

Ratios to the baseline on CPU and on wall; peak memory of each (tracemalloc, in a
separate untimed run). Judged on CPU: the page's read must stay under the cost of merely
iterating the roster (≤ 1×; it reads findings, it does not check again); the check's
cost is stated against the same baseline, with no goal. On PostgreSQL the server's share
is in the wall time only.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
PAGE_GOAL = 1.0  # the page's read / iterating the rows, on CPU


def timed(function) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = function()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def peak_mib(function) -> float:
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _database(args) -> str:
    if args.database_url and args.keep:
        sys.exit("Give --database-url or --keep, not both.")
    if args.database_url:
        return args.database_url
    if args.keep:
        return "sqlite:///%s" % Path(args.keep).resolve()
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    return "sqlite:///%s" % (Path(tempfile.mkdtemp(prefix="bench-cards-")) / "bench.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20000, help="when seeding")
    parser.add_argument("--keep", help="SQLite file to use and keep (reused if it exists)")
    parser.add_argument("--database-url", help="database to use (default: DATABASE_URL)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _database(args)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    from cards_app import selectors, services
    from cards_app.views import BULK_PAGE_SIZE, NAME_ROWS_SHOWN
    from sessions_app.models import Campaign, Student

    settings.DEBUG = False  # no query log: production does not keep one
    call_command("migrate", verbosity=0)
    if not Student.objects.exists():
        start = time.perf_counter()
        call_command("seed_demo", students=args.students, verbosity=0, stdout=io.StringIO())
        print("seed_demo --students %d: %.1f s" % (args.students, time.perf_counter() - start))
    campaign = Campaign.objects.order_by("-graduation_year", "-id").first()
    total = Student.objects.filter(campaign=campaign).count()

    def baseline():
        return sum(1 for _ in selectors.roster_rows(campaign=campaign))

    def check():
        services.roster_findings_refresh(campaign=campaign)

    def page():
        # What cards_app.views._bulk_context takes from the bulk check.
        bulk = selectors.roster_bulk_check(campaign=campaign)
        first = Paginator(bulk.ordered(bulk.problem_students()), BULK_PAGE_SIZE).get_page(1)
        rows = bulk.rows(first.object_list)
        bulk.type_counts(), bulk.class_counts(), first.paginator.count
        names = bulk.name_rows_first(NAME_ROWS_SHOWN)
        return bulk, len(rows), len(names)

    # Warm what a running server has warm (the surname readings, the county table).
    baseline(), check(), page()
    found = {"baseline": ([], []), "check": ([], []), "page": ([], [])}
    for _ in range(RUNS):
        for name, function in (("baseline", baseline), ("check", check), ("page", page)):
            cpu, wall, result = timed(function)
            found[name][0].append(cpu)
            found[name][1].append(wall)
            if name == "baseline":
                rows = result
            elif name == "page":
                bulk, page_rows, name_rows = result
    cpu = {name: statistics.median(v[0]) for name, v in found.items()}
    wall = {name: statistics.median(v[1]) for name, v in found.items()}
    peaks = {
        name: peak_mib(f) for name, f in (("baseline", baseline), ("check", check), ("page", page))
    }

    print("%s, roster: %d students (%d rows read)" % (connection.vendor, total, rows))
    if connection.vendor != "sqlite":
        print("(CPU: this process only; the database server's work is in the wall time)")
    print("medians of %d, in turns" % RUNS)
    lines = (
        ("baseline", "iterate the roster rows"),
        ("check", "the check, roster_findings_refresh"),
        ("page", "the page's read of the findings"),
    )
    for name, label in lines:
        ratio = ""
        if name != "baseline":
            ratio = "  %5.2f× CPU  %5.2f× wall" % (
                cpu[name] / cpu["baseline"],
                wall[name] / wall["baseline"],
            )
        print(
            "  %-36s %7.1f ms CPU %7.1f ms wall  peak %5.1f MiB%s"
            % (label, 1000 * cpu[name], 1000 * wall[name], peaks[name], ratio)
        )
    print(
        "  the check: %.1f µs CPU per student; %d with problems, %d names to tell the centre"
        % (1e6 * cpu["check"] / max(total, 1), bulk.with_problems, bulk.name_note_count)
    )
    print(
        "  the page: %d problem rows and %d name rows shown of the findings"
        % (page_rows, name_rows)
    )
    page_ratio = cpu["page"] / cpu["baseline"]
    print(
        "page's read / iterating the rows: %.2f× on CPU — %s the goal of ≤ %.0f×; "
        "the check: %.2f× on CPU (stated, no goal)"
        % (
            page_ratio,
            "meets" if page_ratio <= PAGE_GOAL else "MISSES",
            PAGE_GOAL,
            cpu["check"] / cpu["baseline"],
        )
    )


if __name__ == "__main__":
    main()
