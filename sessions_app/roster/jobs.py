"""Roster imports from the staff page: the uploaded file, its preview and its progress.

A job is a row (RosterImportJob) holding the upload, its state and progress and the
last check's report, so that the upload, the polling and the confirmation may each
reach a different app host. Small files are checked and imported within the request;
a file of more rows than ``ROSTER_IMPORT_INLINE_ROWS`` is handed to the job queue
(``roster_job_run`` in tasks.py, run by ``manage.py db_worker`` on any host) while the
page polls.

A worker can die mid-run (killed, its host rebooted). The import's write is one
transaction that also marks the job imported, so a dead worker leaves the roster as it
was. While that transaction holds the job's import lock (a PostgreSQL advisory lock,
released when the worker's connection goes) its worker is alive; otherwise a run whose
heartbeat is older than ``ROSTER_IMPORT_STALE_SECONDS`` is taken for dead by the next
poll, whichever host serves it, and run again once, then failed with a message. The
import's progress is written on a connection of its own, so the bar moves while the
transaction is open.
"""

import contextlib
import dataclasses
import logging
import os
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from capture_portal.exports import Column, Report, Section, render_xlsx
from sessions_app.models import Campaign, RosterImportJob
from sessions_app.roster.checker import Change, ImportReport, Problem, RowOutcome
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from sessions_app.roster.table import TEXT_FIELDS, RosterFileError, cell_as_shown

logger = logging.getLogger(__name__)

JOB_LIFETIME = timedelta(hours=24)
FILENAME_MAX_LENGTH = 200
# Runs of one job before it is failed: the first and one retry after a dead worker.
MAX_ATTEMPTS = 2
PROGRESS_SECONDS = 0.3
# PostgreSQL advisory lock keys of the jobs' imports: "Rost" in the high 32 bits.
_LOCK_BASE = 0x526F7374 << 32

State = RosterImportJob.State
CHECKING, PREVIEW, IMPORTING, IMPORTED, FAILED = (
    State.CHECKING,
    State.PREVIEW,
    State.IMPORTING,
    State.IMPORTED,
    State.FAILED,
)
RUNNING_STATES = (CHECKING, IMPORTING)

Job = RosterImportJob
# What a poll reads again: neither the upload nor the report, which may be megabytes.
_STATE_FIELDS = ["state", "done", "total", "message", "attempt", "retries", "heartbeat", "started"]


class JobNotFound(Exception):
    pass


class _Superseded(Exception):
    """This run was replaced by a retry, or its job was failed or swept meanwhile."""


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


def job_report(*, job: Job) -> ImportReport | None:
    """Return the job's last check, or None before the first one is done."""
    return None if job.report is None else report_from_dict(job.report)


def _sweep() -> None:
    """Remove jobs older than a day: uploads hold personal data."""
    Job.objects.filter(created__lt=Now() - JOB_LIFETIME).delete()


def job_create(*, user, campaign: Campaign, filename: str, data: bytes) -> Job:
    """Store an upload and check it (dry run): now, or in the queue for a long file.

    A file that cannot be read at all raises RosterFileError and leaves nothing behind.
    """
    table = table_read(data, filename)
    _sweep()
    job = Job.objects.create(
        token=secrets.token_urlsafe(18),
        user=user,
        campaign=campaign,
        filename=os.path.basename(filename)[:FILENAME_MAX_LENGTH] or "roster",
        upload=data,
        total=table.total_rows,
        heartbeat=Now(),
    )
    _run(job)
    job.refresh_from_db(fields=[*_STATE_FIELDS, "report"])
    return job


def job_confirm(*, job: Job) -> None:
    """Import the job's file for real (checked again, all or nothing).

    Two confirmations at once, on two hosts, start one run: the state moves from
    preview to importing once.
    """
    moved = Job.objects.filter(pk=job.pk, state=PREVIEW).update(
        state=IMPORTING,
        done=0,
        message="",
        attempt=F("attempt") + 1,
        retries=0,
        heartbeat=Now(),
        started=None,
    )
    if moved:
        job.refresh_from_db(fields=_STATE_FIELDS)
        _run(job)


def job_get(*, token: str, user) -> Job:
    """Return the user's job; another user's job is as missing as an unknown one.

    A running job whose worker has died is run again or failed here, so that every
    poll, on any host, moves it on.
    """
    if not token or len(token) > 32 or any(c not in "-_" and not c.isalnum() for c in token):
        raise JobNotFound
    job = Job.objects.defer("upload", "report").filter(token=token, user=user).first()
    if job is None:
        raise JobNotFound
    if job.running:
        _revive_if_dead(job)
        job.refresh_from_db(fields=_STATE_FIELDS)
    return job


def _revive_if_dead(job: Job) -> None:
    """Run a job again whose worker stopped giving signs of life, or fail it."""
    if job.started is None:
        limit = Now() - timedelta(seconds=settings.ROSTER_IMPORT_QUEUE_SECONDS)
    else:
        limit = Now() - timedelta(seconds=settings.ROSTER_IMPORT_STALE_SECONDS)
    silent = Job.objects.filter(
        pk=job.pk, attempt=job.attempt, state__in=RUNNING_STATES, heartbeat__lt=limit
    )
    if not silent.exists():
        return  # the common case, answered without a write or a lock
    try:
        with transaction.atomic():
            # An import holding its lock is alive, however long ago its last heartbeat.
            if _import_lock_taken(job.pk):
                return
            dead = silent.select_for_update(skip_locked=True).defer("upload", "report").first()
            if dead is None:
                return
            if dead.started is None:
                logger.error("roster import job %s was never picked up by a worker", dead.pk)
                dead.state = FAILED
                dead.message = _(
                    "名单一直没有开始处理：后台处理程序（db_worker）可能没有运行。"
                    "请联系管理员启动它，然后重新上传。"
                )
                dead.save(update_fields=["state", "message"])
            elif dead.retries + 1 >= MAX_ATTEMPTS:
                logger.error("roster import job %s: its worker died again, failed", dead.pk)
                dead.state = FAILED
                dead.message = _(
                    "后台处理中途中断（处理程序可能重启了），重试后仍未完成。"
                    "请稍后重新上传；如果一再发生，请联系管理员。"
                )
                dead.save(update_fields=["state", "message"])
            else:
                logger.warning("roster import job %s: its worker died, run again", dead.pk)
                dead.attempt += 1
                dead.retries += 1
                dead.done = 0
                dead.started = None
                dead.heartbeat = Now()
                dead.save(update_fields=["attempt", "retries", "done", "started", "heartbeat"])
                transaction.on_commit(lambda: _enqueue(dead))
    except OperationalError:
        # SQLite: the import's transaction holds the database; the worker is alive.
        logger.info("roster import job %s is busy", job.pk, exc_info=True)


def _run(job: Job) -> None:
    if job.total <= settings.ROSTER_IMPORT_INLINE_ROWS:
        # Within the request: nobody polls a job that is done when the page opens.
        job_work(pk=job.pk, attempt=job.attempt, report_progress=False)
    else:
        transaction.on_commit(lambda: _enqueue(job))


def _enqueue(job: Job) -> None:
    from sessions_app.roster.tasks import roster_job_run

    roster_job_run.enqueue(job.pk, job.attempt)


def job_work(*, pk: int, attempt: int, report_progress: bool = True) -> None:
    """Check (dry run) or import the job's file: run ``attempt`` of the job.

    Does nothing when that run was replaced by another, or the job is no longer running.
    """
    claimed = Job.objects.filter(pk=pk, attempt=attempt, state__in=RUNNING_STATES).update(
        started=Now(), heartbeat=Now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=pk)

    def write(done, total):
        alive = Job.objects.filter(pk=pk, attempt=attempt, state__in=RUNNING_STATES).update(
            done=done, total=total, heartbeat=Now()
        )
        if not alive:
            raise _Superseded

    try:
        table = table_read(bytes(job.upload), job.filename)
        if job.state == CHECKING:
            report = roster_import(
                campaign=job.campaign,
                table=table,
                dry_run=True,
                progress=_throttled(write) if report_progress else None,
            )
            _finish(pk=pk, attempt=attempt, report=report)
            return
        with transaction.atomic():
            # The job is marked imported in the import's own transaction: either both
            # are written or neither, whatever happens to this process.
            _hold_import_lock(pk)
            if not Job.objects.filter(pk=pk, attempt=attempt, state=IMPORTING).exists():
                return  # replaced while this run waited for the lock
            with _progress_outside(pk=pk, attempt=attempt) as write_outside:
                report = roster_import(
                    campaign=job.campaign,
                    table=table,
                    dry_run=False,
                    progress=_throttled(write_outside)
                    if report_progress and write_outside
                    else None,
                )
            _finish(pk=pk, attempt=attempt, report=report)
    except _Superseded:
        logger.info("roster import job %s run %s was replaced", pk, attempt)
    except RosterFileError as error:
        _fail(pk=pk, attempt=attempt, message=str(error))
    except Exception:
        logger.exception("roster import job %s failed", pk)
        _fail(
            pk=pk, attempt=attempt, message=_("导入时发生意外错误，未写入任何数据。请联系管理员。")
        )


def _throttled(write):
    """Return a progress callback that writes at most every PROGRESS_SECONDS, and the end."""
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] > PROGRESS_SECONDS or done >= total:
            last[0] = now
            write(done, total)

    return progress


def _lock_key(pk: int) -> int:
    return _LOCK_BASE + pk


def _hold_import_lock(pk: int) -> None:
    """Hold the job's import lock until the transaction ends (PostgreSQL).

    A lock, not a heartbeat, says an import is alive: its transaction may run long
    without a write anyone else can see. PostgreSQL releases it when the worker's
    connection goes, however the worker dies. On SQLite the transaction holds the whole
    database, which tells the same.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(pk)])


def _import_lock_taken(pk: int) -> bool:
    """Whether an import holds the job's lock; if not, hold it until the transaction ends."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(pk)])
        return not cursor.fetchone()[0]


@contextlib.contextmanager
def _progress_outside(*, pk: int, attempt: int):
    """Yield a progress writer that other connections see at once, though the import's
    transaction is still open: its own connection to PostgreSQL. None on SQLite, where
    a second writer would wait for the import to end."""
    if connection.vendor != "postgresql":
        yield None
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = side.ops.quote_name(Job._meta.db_table)

    def write(done, total):
        with side.cursor() as cursor:
            cursor.execute(
                "UPDATE %s SET done = %%s, total = %%s, heartbeat = now() "
                "WHERE id = %%s AND attempt = %%s" % table,
                [done, total, pk, attempt],
            )

    try:
        yield write
    finally:
        side.close()


def _finish(*, pk: int, attempt: int, report: ImportReport) -> None:
    Job.objects.filter(pk=pk, attempt=attempt, state__in=RUNNING_STATES).update(
        state=IMPORTED if report.imported else PREVIEW,
        report=dataclasses.asdict(report),
        done=report.rows,
        total=report.rows,
        heartbeat=Now(),
    )


def _fail(*, pk: int, attempt: int, message: str) -> None:
    Job.objects.filter(pk=pk, attempt=attempt, state__in=RUNNING_STATES).update(
        state=FAILED, message=message[:300]
    )


def error_file(*, job: Job) -> tuple[str, bytes]:
    """Return the uploaded rows as an .xlsx with an added 错误原因 column."""
    report = job_report(job=job)
    table = table_read(bytes(job.upload), job.filename)
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
