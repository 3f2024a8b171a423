"""Run every benchmark in bench/ (bench_*.py), one process each, and print their reports.

Each benchmark measures its subject against a baseline in the same run and prints the
ratio; nothing here asserts a time. Usage: ``make bench`` or ``python bench/run.py [NAME…]``.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    failed = 0
    for script in scripts:
        print("==== %s" % script.stem, flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print("     (%.1f s)" % (time.perf_counter() - started), flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
