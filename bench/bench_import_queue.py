"""The roster import through the job queue: a real ``db_worker`` process checks and
imports a 20,000-row file, against the same check and import run directly in this
process (the baseline, no queue).

Prints, for the check (dry run) and the import: the seconds from the request's hand-off
to the job's new state as a poll sees it, the baseline's seconds, the ratio and the
rows per second; and what the upload request itself costs (reading the file to count
its rows and storing it). The job imports into a throwaway campaign, deleted at the end.

Needs a roster of 20,000 students (see bench_roster.py's docstring), on SQLite or,
for figures that hold for several hosts, on PostgreSQL through DATABASE_URL.
"""

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/roster-bench.sqlite3")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from capture_portal.exports import render_xlsx  # noqa: E402
from sessions_app.campaigns import campaign_for_command  # noqa: E402
from sessions_app.models import Campaign, CategoryRule, RosterImportJob, Student  # noqa: E402
from sessions_app.roster import jobs  # noqa: E402
from sessions_app.roster.exports import roster_report  # noqa: E402
from sessions_app.roster.reader import table_read  # noqa: E402
from sessions_app.roster.services import roster_import  # noqa: E402

MINIMUM = 20_000
POLL_SECONDS = 0.05


class Rollback(Exception):
    pass


def throwaway_campaign(title: str, source: Campaign) -> Campaign:
    """A campaign with the source's categories (往届生, 成教生 …), which the rows name."""
    campaign = Campaign.objects.create(
        title=title,
        graduation_year=2099,
        fee=Decimal("20.00"),
        makeup_centre_name="-",
        makeup_centre_address="-",
        makeup_centre_phone="-",
    )
    for rule in CategoryRule.objects.filter(campaign=source):
        rule.pk, rule.campaign, rule.slot = None, campaign, None
        rule.save()
    return campaign


def renumbered(data: bytes) -> bytes:
    """Return the roster with every 学号 prefixed by 9: a 学号 belongs to one campaign."""
    import io

    from openpyxl import Workbook, load_workbook

    rows = load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    column = None
    for row in rows:
        row = list(row)
        if column is None and "学号" in row:
            column = row.index("学号")
        elif column is not None and row[column]:
            row[column] = "9%s" % row[column]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def direct(campaign, data: bytes) -> tuple[float, float, int]:
    """The baseline: the check and the import in this process, rolled back."""
    started = time.perf_counter()
    report = roster_import(campaign=campaign, table=table_read(data, "roster.xlsx"), dry_run=True)
    check = time.perf_counter() - started
    started = time.perf_counter()
    try:
        with transaction.atomic():
            written = roster_import(campaign=campaign, table=table_read(data, "roster.xlsx"))
            write = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    assert report.ok and written.imported, report.problems[:3]
    return check, write, report.rows


def wait_for(job, state: str, limit: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        job.refresh_from_db(fields=["state", "message"])
        if job.state == state:
            return time.perf_counter() - started
        if job.state == jobs.FAILED:
            raise SystemExit("the job failed: %s" % job.message)
        time.sleep(POLL_SECONDS)
    raise SystemExit("the job did not reach %s in %d s" % (state, limit))


def main() -> int:
    source = campaign_for_command(None)
    count = Student.objects.filter(campaign=source).count() if source else 0
    if count < MINIMUM:
        print("Only %d students: build the roster first (see bench_roster.py)." % count)
        return 1
    data = renumbered(render_xlsx(roster_report(campaign=source)))
    print(
        "Roster: %d students, file %.1f MB, database %s"
        % (count, len(data) / 1048576, settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1])
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-import-queue")
    baseline = throwaway_campaign("bench: direct import", source)
    target = throwaway_campaign("bench: queued import", source)
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            str(POLL_SECONDS),
            "--no-startup-delay",
            "--no-reload",
            "-v0",
        ],
        cwd=ROOT,
        env=os.environ,
    )
    try:
        direct_check, direct_write, rows = direct(baseline, data)
        time.sleep(2)  # the worker has started and polls the queue
        settings.ROSTER_IMPORT_INLINE_ROWS = 0  # every file goes to the queue
        started = time.perf_counter()
        job = jobs.job_create(user=user, campaign=target, filename="roster.xlsx", data=data)
        request = time.perf_counter() - started
        queued_check = wait_for(job, jobs.PREVIEW)
        started = time.perf_counter()
        jobs.job_confirm(job=job)
        request_confirm = time.perf_counter() - started
        queued_write = wait_for(job, jobs.IMPORTED)
        imported = Student.objects.filter(campaign=target).count()
        assert imported == rows, (imported, rows)
    finally:
        worker.terminate()
        worker.wait(10)
        RosterImportJob.objects.filter(campaign__in=[baseline, target]).delete()
        for campaign in (baseline, target):
            Student.objects.filter(campaign=campaign).delete()
            CategoryRule.objects.filter(campaign=campaign).delete()
            campaign.delete()

    print("upload request (read to count rows, store): %.2f s" % request)
    print("confirm request: %.3f s" % request_confirm)
    print("%-8s %10s %10s %7s %12s" % ("", "queued s", "direct s", "ratio", "rows/s"))
    for name, queued, baseline_seconds in (
        ("check", queued_check, direct_check),
        ("import", queued_write, direct_write),
    ):
        print(
            "%-8s %10.2f %10.2f %6.2fx %12.0f"
            % (name, queued, baseline_seconds, queued / baseline_seconds, rows / queued)
        )
    total = queued_check + queued_write
    print("upload to imported, one worker: %.1f s, %.0f rows/s" % (total, rows / total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
