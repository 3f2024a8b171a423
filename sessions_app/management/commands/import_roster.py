# User-facing text uses %-formatting (STYLE.md).
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions_app.campaigns import campaign_for_command
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from sessions_app.roster.table import RosterFileError


class Command(BaseCommand):
    help = (
        "Import the roster from an .xlsx, .xls or .csv file: every row checked, all or nothing. "
        "Exit 0 when imported (or, with --dry-run, when the file is clean); otherwise print "
        "every problem and exit 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx, .xls or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--campaign",
            type=int,
            metavar="ID",
            help="campaign id (may be left out when there is only one campaign)",
        )

    def handle(self, *args, file, dry_run=False, campaign=None, **options):
        target = campaign_for_command(campaign)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError("无法读取 %s：%s" % (file, error.strerror), returncode=2) from None
        try:
            table = table_read(data, path.name)
            bar = _ProgressBar(self.stderr) if self.stderr.isatty() else None
            report = roster_import(
                campaign=target,
                table=table,
                dry_run=dry_run,
                progress=bar.update if bar else None,
            )
            if bar:
                bar.close()
        except RosterFileError as error:
            raise CommandError(str(error), returncode=2) from None

        for problem in report.warnings:
            self.stdout.write("提醒：%s" % _located(problem))
        summary = "%s：%d 行；新增 %d，变更 %d，不变 %d，问题 %d。" % (
            path.name,
            report.rows,
            len(report.new),
            len(report.changed),
            len(report.unchanged),
            len(report.problems),
        )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(_located(problem))
            self.stderr.write(summary)
            raise CommandError(
                "名单有 %d 处问题（%d 行），未导入任何数据。"
                % (len(report.problems), report.error_rows),
                returncode=1,
            )
        for row in report.changed:
            changes = "；".join("%s：%s → %s" % (c.label, c.old, c.new) for c in row.changes)
            self.stdout.write(
                "变更 第 %d 行 %s %s：%s" % (row.row, row.student_id, row.name, changes)
            )
        if report.new_classes:
            self.stdout.write("新建班级：%s" % "、".join(report.new_classes))
        self.stdout.write(summary)
        if dry_run:
            self.stdout.write("检查通过（--dry-run，未写入）。")
        else:
            self.stdout.write(self.style.SUCCESS("已导入到“%s”。" % target.title))


class _ProgressBar:
    """A one-line progress bar on a terminal."""

    width = 30

    def __init__(self, stream):
        self.stream = stream

    def update(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        self.stream.write(
            "\r检查中 [%s%s] %3d%% %d/%d"
            % ("#" * filled, "." * (self.width - filled), 100 * done // max(total, 1), done, total),
            ending="",
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("")
        sys.stderr.flush()


def _located(problem) -> str:
    """第 5 行 身份证号「4.30102E+17」：message — leaving out what a file-wide note lacks."""
    where = "第 %d 行 " % problem.row if problem.row else ""
    value = "「%s」" % problem.value if problem.value else ""
    column = problem.column + value
    return "%s%s%s" % (where, column + "：" if column else "", problem.message)
