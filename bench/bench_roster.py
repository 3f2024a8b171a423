"""Roster import, the roster's Excel export and sign-in sheets for 20,000 students,
against bare baselines.

- import: read + card rules + write of a 20,000-row .xlsx, against openpyxl read-only
  merely reading the same file (goal: at most 2x). The import reads with
  python-calamine; its own bare read is printed too, so the share of the card rules
  and the write stays visible;
- roster xlsx: ``render_xlsx(roster_report(...))`` — its queries, the rows and the
  shared renderer — against openpyxl write-only writing the same cells (the rows the
  export printed, ready-made, under the same title and header rows) (goal: at most
  1.5x);
- sign-in PDF for every student, against raw reportlab drawing the same strings with
  the same font on the same canvas (goal: at most 2x).

How it judges: every job runs ``--repeat`` times (default 3), the jobs interleaved so
a burst of load on a shared machine falls on all of them; the median CPU time and the
median wall time of each are printed, with both ratios. A goal is judged on the CPU
ratio only (CPU time of this process and its finished children: the import reads the
workbook in a child), never on the better of CPU and wall. Peak memory (tracemalloc)
comes from a separate pass, as tracing slows Python down, and the resident-memory peak
of the bare readers (which also counts calamine's native allocations) from another.
The import runs inside a transaction that is rolled back. The exit status is 1 when a
goal is missed.

Needs a roster of 20,000 students:

    DATABASE_URL=sqlite:////tmp/roster-bench.sqlite3 DEBUG=1 .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/roster-bench.sqlite3 DEBUG=1 .venv/bin/python manage.py seed_demo --students 20000
    DATABASE_URL=sqlite:////tmp/roster-bench.sqlite3 DEBUG=1 .venv/bin/python bench/bench_roster.py
"""

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/roster-bench.sqlite3")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from capture_portal.exports import cjk_font, render_pdf, render_xlsx  # noqa: E402
from payments_app.models import Payment, PaymentReversal  # noqa: E402
from sessions_app.campaigns import campaign_for_command  # noqa: E402
from sessions_app.models import CardCorrection, Shot, ShotAbsence, Student  # noqa: E402
from sessions_app.roster.exports import roster_report, signin_report  # noqa: E402
from sessions_app.roster.reader import table_read  # noqa: E402
from sessions_app.roster.services import roster_import  # noqa: E402

MINIMUM = 20_000
GOALS = {"import": 2.0, "roster-xlsx": 1.5, "pdf": 2.0}


def cpu_time() -> float:
    """CPU seconds of this process and of its finished children: the import reads
    the workbook in a child process, whose time counts as the import's."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


class Rollback(Exception):
    pass


def bare_read(data: bytes) -> int:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = 0
    for _row in book.active.iter_rows(values_only=True):
        rows += 1
    book.close()
    return rows


def calamine_read(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    rows = 0
    for _row in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows():
        rows += 1
    return rows


def fresh_import(campaign, data: bytes, measure=None):
    """Import the file into the campaign emptied of students; roll everything back.

    Only the import itself is measured, never the emptying: by default its times
    (returned with the report), or ``measure(job)`` for a memory figure.
    """
    outcome = {}

    def job():
        outcome["report"] = roster_import(campaign=campaign, table=table_read(data, "roster.xlsx"))

    try:
        with transaction.atomic():
            # The ledger and the shoot record protect their students; this is a
            # throwaway copy rolled back below, so clear them first.
            PaymentReversal.objects.filter(payment__campaign=campaign).delete()
            Payment.objects.filter(campaign=campaign).delete()
            for model in (Shot, ShotAbsence, CardCorrection):
                model.objects.filter(campaign=campaign).delete()
            Student.objects.filter(campaign=campaign).delete()
            if measure is not None:
                outcome["measured"] = measure(job)
            else:
                wall, cpu = time.perf_counter(), cpu_time()
                job()
                outcome["timed"] = (time.perf_counter() - wall, cpu_time() - cpu)
            raise Rollback
    except Rollback:
        pass
    return outcome


def reimport(campaign, data: bytes):
    started = time.perf_counter()
    report = roster_import(campaign=campaign, table=table_read(data, "roster.xlsx"))
    return time.perf_counter() - started, report


def plain_openpyxl(title: str, header: list[str], rows) -> bytes:
    """Write the same cells with a bare openpyxl write-only sheet: no column widths,
    no styles, no text cells, no formula guard."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("学生名单")
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_cells(campaign):
    """Return the roster export's title, header and rows, as the export writes them."""
    report = roster_report(campaign=campaign)
    section = report.sections[0]
    title = "%s　%s" % (report.title, section.title)
    rows = [[None if v == "" else v for v in row] for row in section.rows]
    return title, [c.title for c in report.columns], rows


def raw_reportlab(rows) -> bytes:
    """Draw the same strings on A4 pages with a bare canvas: no layout, no furniture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    x_positions = (40, 70, 150, 210, 280, 340, 480)
    y = 800
    canvas.setFont(font, 9.5)
    for row in rows:
        if y < 50:
            canvas.showPage()
            canvas.setFont(font, 9.5)
            y = 800
        for x, value in zip(x_positions, row, strict=False):
            canvas.drawString(x, y, str(value))
        # The sign-in sheet is a grid to sign in: draw the same boxes.
        top, bottom = y + 16, y - 6
        canvas.lines(
            [(36, bottom, 560, bottom), (36, top, 560, top)]
            + [(x, bottom, x, top) for x in (36, *x_positions[1:], 560)]
        )
        y -= 22
    canvas.save()
    return buffer.getvalue()


def signin_rows(report):
    rows = []
    for section in report.sections:
        rows.extend(section.rows)
    return rows


def peak(function, *args):
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rss_growth(function, *args):
    """Peak resident memory above the start, native allocations included (Linux).

    tracemalloc sees only Python's allocator; calamine reads in Rust. Its readers
    are measured each in a fresh process (see ``native_peaks``), where no memory
    freed by an earlier job can be reused unseen; the kernel's high-water mark is
    reset just before the call.
    """
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        start = _status_kb("VmRSS")
        function(*args)
        return (_status_kb("VmHWM") - start) * 1024
    except OSError:
        return None


def native_peaks(path: Path) -> dict:
    """Peak resident growth of each bare reader, each run alone in a fresh process."""
    import subprocess

    peaks = {}
    for key in ("read", "calamine"):
        done = subprocess.run(
            [sys.executable, __file__, "--rss", key, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            value = int(done.stdout.strip())
        except ValueError:
            value = -1
        peaks[key] = value if value >= 0 else None
    return peaks


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise OSError(key)


def mb(value: float) -> str:
    return "%.1f MB" % (value / 1048576)


def main(repeat: int) -> int:
    campaign = campaign_for_command(None)
    count = Student.objects.filter(campaign=campaign).count() if campaign else 0
    if count < MINIMUM:
        print("Only %d students: build the roster first (see this file's docstring)." % count)
        return 1
    print("Roster: %d students in %s" % (count, campaign.title))
    data = render_xlsx(roster_report(campaign=campaign))
    Path("/tmp/roster-bench.xlsx").write_bytes(data)
    print("File: %s (/tmp/roster-bench.xlsx)" % mb(len(data)))

    # Times, untraced: each job ``repeat`` times, interleaved; the medians of CPU time
    # (this process and its children: SQLite runs in-process, the workbook is read in
    # a child) and of wall time.
    signin = signin_report(campaign=campaign)
    plain_rows = signin_rows(signin)  # the baseline gets its rows ready-made
    cells = roster_cells(campaign)  # so does the roster's
    runs: dict[str, list] = {}
    for _round in range(max(1, repeat)):
        for name, function in (
            ("read", lambda: bare_read(data)),
            ("calamine", lambda: calamine_read(data)),
            ("import", lambda: fresh_import(campaign, data)),
            ("reimport", lambda: reimport(campaign, data)),
            ("plain-xlsx", lambda: plain_openpyxl(*cells)),
            ("roster-xlsx", lambda: render_xlsx(roster_report(campaign=campaign))),
            ("pdf", lambda: render_pdf(signin_report(campaign=campaign))),
            ("raw", lambda: raw_reportlab(plain_rows)),
        ):
            wall, cpu = time.perf_counter(), cpu_time()
            result = function()
            wall, cpu = time.perf_counter() - wall, cpu_time() - cpu
            if isinstance(result, dict) and "timed" in result:
                wall, cpu = result["timed"]  # the job alone, without its setup
            runs.setdefault(name, []).append((wall, cpu, result))
    median = {
        name: (
            statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results),
            results[-1][2],
        )
        for name, results in runs.items()
    }
    rows = median["read"][2]
    report = median["import"][2]["report"]
    re_report = median["reimport"][2][1]
    pdf, raw = median["pdf"][2], median["raw"][2]
    assert report.imported and len(report.new) == count, (len(report.new), report.problems[:3])
    assert not re_report.new and not re_report.changed

    # Peak memory, traced.
    read_peak = peak(bare_read, data)
    import_peak = fresh_import(campaign, data, measure=peak)["measured"]
    plain_peak = peak(plain_openpyxl, *cells)
    roster_peak = peak(lambda: render_xlsx(roster_report(campaign=campaign)))
    pdf_peak = peak(lambda: render_pdf(signin_report(campaign=campaign)))
    raw_peak = peak(raw_reportlab, plain_rows)
    rss = native_peaks(Path("/tmp/roster-bench.xlsx"))

    print()
    print(
        "%-46s %9s %9s %12s %12s"
        % ("median of %d" % len(runs["read"]), "cpu", "wall", "peak traced", "peak RSS +")
    )
    lines = (
        ("openpyxl read-only, read %d rows" % rows, "read", read_peak),
        ("python-calamine, read %d rows" % median["calamine"][2], "calamine", None),
        ("import %d new students (rules + write)" % len(report.new), "import", import_peak),
        ("re-import, %d unchanged" % len(re_report.unchanged), "reimport", None),
        ("plain openpyxl, the roster's %d rows" % len(cells[2]), "plain-xlsx", plain_peak),
        ("roster xlsx export (%s)" % mb(len(median["roster-xlsx"][2])), "roster-xlsx", roster_peak),
        ("raw reportlab, %d rows" % len(plain_rows), "raw", raw_peak),
        ("sign-in PDF, %d students (%s)" % (len(plain_rows), mb(len(pdf))), "pdf", pdf_peak),
    )
    for label, key, memory in lines:
        wall, cpu, _result = median[key]
        growth = rss.get(key)
        print(
            "%-46s %8.2fs %8.2fs %12s %12s"
            % (label, cpu, wall, mb(memory) if memory else "", mb(growth) if growth else "")
        )
    print(
        "(peak RSS +: each bare reader alone in a fresh process, native memory included;\n"
        " the import's calamine memory is in its child reader, its own is the traced peak.)"
    )
    print()
    failed = False
    for label, key, base in (
        ("import / bare read", "import", "read"),
        ("re-import / bare read", "reimport", "read"),
        ("import / calamine read", "import", "calamine"),
        ("roster xlsx / plain openpyxl", "roster-xlsx", "plain-xlsx"),
        ("sign-in PDF / raw reportlab", "pdf", "raw"),
    ):
        ratio = median[key][1] / median[base][1]
        wall_ratio = median[key][0] / median[base][0]
        # Judged on CPU time alone; wall time is printed, never used to pass.
        goal = GOALS.get(key) if base != "calamine" else None
        verdict = ""
        if goal is not None:
            verdict = "(goal <= %gx) %s" % (goal, _verdict(ratio, goal))
            failed |= ratio > goal
        print("%-30s %.2fx cpu, %.2fx wall  %s" % (label, ratio, wall_ratio, verdict))
    print("(raw reportlab output %s)" % mb(len(raw)))
    return 1 if failed else 0


def _verdict(ratio: float, goal: float) -> str:
    return "ok" if ratio <= goal else "OVER GOAL"


def rss_child(key: str, path: str) -> int:
    data = Path(path).read_bytes()
    function = {"read": bare_read, "calamine": calamine_read}[key]
    growth = rss_growth(function, data)
    print(-1 if growth is None else growth)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--rss"]:
        sys.exit(rss_child(sys.argv[2], sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    sys.exit(main(parser.parse_args().repeat))
