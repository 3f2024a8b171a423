"""Time the bulk card check of a 20,000-student roster against reading the same rows.

    .venv/bin/python bench/bench_cards.py [--students 20000] [--keep /tmp/bench.sqlite3]

Builds the demo roster with ``seed_demo`` in a temporary SQLite database, then times
(best of three) the baseline — merely iterating the roster rows the bulk check reads —
and the bulk check itself, and prints the ratio and the peak memory of the bulk check
(tracemalloc, measured in a separate run so it does not slow the timed ones).
"""

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_of(runs: int, function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20000)
    parser.add_argument("--keep", help="SQLite file to use and keep (reused if it exists)")
    args = parser.parse_args()

    database = Path(args.keep) if args.keep else Path(tempfile.mkdtemp()) / "bench.sqlite3"
    fresh = not database.exists()
    os.environ["DATABASE_URL"] = "sqlite:///%s" % database
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from cards_app import selectors
    from sessions_app.models import Student

    if fresh:
        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        call_command("seed_demo", students=args.students, verbosity=0, stdout=io.StringIO())
        print("seed_demo --students %d: %.1f s" % (args.students, time.perf_counter() - start))
    campaign = Student.objects.order_by("id").first().campaign
    total = Student.objects.filter(campaign=campaign).count()

    def baseline():
        return sum(1 for _ in selectors.roster_rows(campaign=campaign))

    def bulk():
        return selectors.roster_bulk_check(campaign=campaign)

    bulk()  # warm the caches (surname readings, county table) as a server would have
    base_time, rows = best_of(3, baseline)
    bulk_time, result = best_of(3, bulk)
    tracemalloc.start()
    bulk()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print("roster: %d students (%d rows read)" % (total, rows))
    print("baseline, iterate the roster rows: %.3f s" % base_time)
    print(
        "bulk check: %.3f s (%.1f µs per student), %d with problems, %d names to tell the centre"
        % (bulk_time, 1e6 * bulk_time / max(total, 1), result.with_problems, len(result.name_rows))
    )
    print("ratio bulk / baseline: %.1f×" % (bulk_time / base_time))
    print("peak memory of the bulk check (tracemalloc): %.1f MiB" % (peak / 2**20))


if __name__ == "__main__":
    main()
