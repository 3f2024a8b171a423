"""Run every benchmark in bench/ (bench_*.py), one process each, and print their reports.

Each benchmark measures its subject against a baseline in the same run and prints the
ratio; nothing here asserts a time. Usage: ``make bench`` or ``python bench/run.py [NAME…]``.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_STUDENTS = 20000


def prepare_database() -> dict:
    """Build the 20,000-student demo roster once in a throwaway SQLite file.

    The benchmarks share it through DATABASE_URL (bench_summaries writes to it, and
    runs last).
    """
    env = dict(os.environ, DEBUG="1")
    if "DATABASE_URL" in os.environ:
        return env
    path = Path(tempfile.mkdtemp(prefix="portal-bench-")) / "bench.sqlite3"
    env["DATABASE_URL"] = "sqlite:///%s" % path
    manage = [sys.executable, "manage.py"]
    started = time.perf_counter()
    subprocess.run(manage + ["migrate", "-v0"], cwd=HERE.parent, env=env, check=True)
    subprocess.run(
        manage + ["seed_demo", "--students", str(BENCH_STUDENTS)],
        cwd=HERE.parent,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(
        "seed_demo --students %d: %.1f s (%s)"
        % (BENCH_STUDENTS, time.perf_counter() - started, path),
        flush=True,
    )
    return env


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    env = prepare_database()
    failed = 0
    for script in scripts:
        print("==== %s" % script.stem, flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, env=env)
        print("     (%.1f s)" % (time.perf_counter() - started), flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
