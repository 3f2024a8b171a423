"""Roster imports from the staff page: the uploaded file, its preview and its progress.

A job is a private directory holding the upload, ``meta.json`` (state and progress)
and ``report.json`` (the last check). Files of the web process, not rows in the
database: a preview must survive between the upload and the confirmation, and the
progress of a long check must be readable by the next request, whichever worker
serves it. Small files are checked within the request; a file of more rows than
``ROSTER_IMPORT_INLINE_ROWS`` is checked in a thread while the page polls.
"""

import dataclasses
import json
import logging
import os
import secrets
import shutil
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from capture_portal.exports import Column, Report, Section, render_xlsx
from sessions_app.models import Campaign
from sessions_app.roster.checker import Change, ImportReport, Problem, RowOutcome
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from sessions_app.roster.table import TEXT_FIELDS, RosterFileError, cell_as_shown

logger = logging.getLogger(__name__)

JOB_LIFETIME_SECONDS = 24 * 3600
FILENAME_MAX_LENGTH = 200

CHECKING, PREVIEW, IMPORTING, IMPORTED, FAILED = (
    "checking",
    "preview",
    "importing",
    "imported",
    "failed",
)
RUNNING_STATES = (CHECKING, IMPORTING)


class JobNotFound(Exception):
    pass


def _root() -> Path:
    root = Path(settings.ROSTER_IMPORT_DIR)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


@dataclasses.dataclass
class Job:
    token: str
    user_id: int
    campaign_id: int
    filename: str
    state: str = CHECKING
    done: int = 0
    total: int = 0
    message: str = ""
    created: float = 0.0

    @property
    def path(self) -> Path:
        return _root() / self.token

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    def save(self) -> None:
        # Written whole and renamed: a poll never reads half a file.
        temporary = self.path / "meta.json.tmp"
        temporary.write_text(json.dumps(dataclasses.asdict(self)), encoding="utf-8")
        os.replace(temporary, self.path / "meta.json")

    def upload(self) -> bytes:
        return (self.path / "upload.bin").read_bytes()

    def report(self) -> ImportReport | None:
        path = self.path / "report.json"
        if not path.exists():
            return None
        return report_from_dict(json.loads(path.read_text(encoding="utf-8")))

    def save_report(self, report: ImportReport) -> None:
        temporary = self.path / "report.json.tmp"
        temporary.write_text(
            json.dumps(dataclasses.asdict(report), ensure_ascii=False), encoding="utf-8"
        )
        os.replace(temporary, self.path / "report.json")


def report_from_dict(data: dict) -> ImportReport:
    def outcome(item):
        item = dict(item)
        item["changes"] = [Change(**c) for c in item.get("changes", [])]
        return RowOutcome(**item)

    data = dict(data)
    for key in ("new", "changed", "unchanged"):
        data[key] = [outcome(item) for item in data[key]]
    for key in ("problems", "warnings"):
        data[key] = [Problem(**item) for item in data[key]]
    return ImportReport(**data)


def _sweep() -> None:
    """Remove jobs older than a day: uploads hold personal data."""
    limit = time.time() - JOB_LIFETIME_SECONDS
    for path in _root().iterdir():
        try:
            if path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def job_create(*, user, campaign: Campaign, filename: str, data: bytes) -> Job:
    """Store an upload and check it (dry run): now, or in a thread for a long file.

    A file that cannot be read at all raises RosterFileError and leaves nothing behind.
    """
    table = table_read(data, filename)
    _sweep()
    job = Job(
        token=secrets.token_urlsafe(18),
        user_id=user.pk,
        campaign_id=campaign.pk,
        filename=os.path.basename(filename)[:FILENAME_MAX_LENGTH] or "roster",
        total=table.total_rows,
        created=time.time(),
    )
    job.path.mkdir(mode=0o700)
    (job.path / "upload.bin").write_bytes(data)
    job.save()
    _run(job, dry_run=True)
    return job


def job_confirm(*, job: Job) -> None:
    """Import the job's file for real (checked again, all or nothing)."""
    if job.state != PREVIEW:
        return
    job.state, job.done, job.message = IMPORTING, 0, ""
    job.save()
    _run(job, dry_run=False)


def job_get(*, token: str, user) -> Job:
    """Return the user's job; another user's job is as missing as an unknown one."""
    if not token or any(c not in "-_" and not c.isalnum() for c in token):
        raise JobNotFound
    path = _root() / token / "meta.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise JobNotFound from None
    job = Job(**data)
    if job.user_id != user.pk:
        raise JobNotFound
    return job


def _run(job: Job, *, dry_run: bool) -> None:
    if job.total <= settings.ROSTER_IMPORT_INLINE_ROWS:
        _work(job, dry_run=dry_run)
        return
    thread = threading.Thread(
        target=_work_in_thread, args=(job,), kwargs={"dry_run": dry_run}, daemon=True
    )
    thread.start()


def _work_in_thread(job: Job, *, dry_run: bool) -> None:
    close_old_connections()
    try:
        _work(job, dry_run=dry_run)
    finally:
        connection.close()


def _work(job: Job, *, dry_run: bool) -> None:
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] > 0.3 or done >= total:
            last[0] = now
            job.done, job.total = done, total
            job.save()

    try:
        campaign = Campaign.objects.get(pk=job.campaign_id)
        table = table_read(job.upload(), job.filename)
        report = roster_import(campaign=campaign, table=table, dry_run=dry_run, progress=progress)
    except RosterFileError as error:
        job.state, job.message = FAILED, str(error)
        job.save()
        return
    except Exception:
        logger.exception("roster import job %s failed", job.token)
        job.state, job.message = FAILED, _("导入时发生意外错误，未写入任何数据。请联系管理员。")
        job.save()
        return
    job.save_report(report)
    job.state = IMPORTED if report.imported else PREVIEW
    job.done = job.total = report.rows
    job.save()


def error_file(*, job: Job) -> tuple[str, bytes]:
    """Return the uploaded rows as an .xlsx with an added 错误原因 column."""
    report = job.report()
    table = table_read(job.upload(), job.filename)
    by_row = report.problems_by_row() if report else {}
    text_columns = {table.columns[f] for f in TEXT_FIELDS if f in table.columns}
    columns = [
        Column(h or "（无表头）", 14 if i not in text_columns else 21, text=i in text_columns)
        for i, h in enumerate(table.headers)
    ]
    columns.append(Column("错误原因", 60))
    width = len(table.headers)

    def rows():
        for number, cells in table.rows():
            cells = [cell_as_shown(c) for c in (list(cells) + [None] * width)[:width]]
            if not any(c not in (None, "") for c in cells):
                continue
            reasons = "；".join(
                "%s：%s" % (p.column, p.message) if p.column else p.message
                for p in by_row.get(number, [])
            )
            yield [*cells, reasons]

    notes = [p.message for p in by_row.get(0, [])]
    report_file = Report(
        title=_("名单错误报告：%(name)s") % {"name": job.filename},
        columns=columns,
        sections=[Section(title=_("名单"), rows=rows(), notes=notes)],
    )
    stem = job.filename.rsplit(".", 1)[0]
    return "%s-错误原因.xlsx" % stem, render_xlsx(report_file)
