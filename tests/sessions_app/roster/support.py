"""Roster files for the import tests: workbooks and CSV built in memory, the good rows,
and a test case with a campaign to import into."""

import io
import zipfile
from pathlib import Path

from django.test import TestCase
from openpyxl import Workbook

from sessions_app.models import StudentCategory
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from tests.factories import (
    make_campaign,
    make_category_rule,
    make_class,
    make_id_number,
    make_slot,
)

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = ["学号", "姓名", "身份证号码", "班级", "学院", "性别"]
ID_A = make_id_number("43010219990101123")  # odd 17th digit: male
ID_B = make_id_number("43010220000202124")  # even: female
ID_C = make_id_number("11010519491231002")  # the standard's own example, ends in X


def xlsx(rows, header=HEADER, title="2020届毕业生名单"):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    return saved(book)


def roster_sheet(rows=None, book=None, title=None):
    """A sheet with the header on row 1 and the rows below: the active one of a new
    workbook, or a new sheet of ``book``."""
    if book is None:
        book = Workbook()
        sheet = book.active
    else:
        sheet = book.create_sheet(title)
    sheet.append(HEADER)
    for row in GOOD_ROWS if rows is None else rows:
        sheet.append(list(row))
    return book, sheet


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


GOOD_ROWS = [
    ("1730101001", "张三", ID_A, "会计1171", "经济管理学院", "男"),
    ("1730101002", "欧阳娜娜", ID_B, "会计1171", "经济管理学院", "女"),
    ("1730201001", "王堃", ID_C, "市营1171", "经济管理学院", "女"),
]


class RosterImportTestCase(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.slot = make_slot(self.campaign)
        self.accounting = make_class(self.campaign, self.slot, name="会计1171")
        make_category_rule(self.campaign, StudentCategory.ALUMNI, slot=self.slot)

    def run_import(self, data, filename="roster.xlsx", dry_run=False):
        return roster_import(
            campaign=self.campaign, table=table_read(data, filename), dry_run=dry_run
        )


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def run_worker() -> None:
    """Run every queued task in this process, as ``manage.py db_worker --batch`` does."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
