"""The command-line tools: import_roster and export_roster, their exit codes and output."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from sessions_app.models import Student
from tests.sessions_app.roster.support import DATA, GOOD_ROWS, ID_A, RosterImportTestCase, xlsx
from tests.sessions_app.support import NoticeWorld


class ExportCommandTests(NoticeWorld):
    def test_it_writes_each_kind_to_the_output_file(self):
        directory = Path(tempfile.mkdtemp())
        for kind, fmt in (("signin", "pdf"), ("roster", "xlsx"), ("makeup", "pdf")):
            output = directory / ("%s.%s" % (kind, fmt))
            call_command(
                "export_roster",
                "--kind",
                kind,
                "--format",
                fmt,
                "--output",
                str(output),
                stdout=StringIO(),
            )
            self.assertGreater(output.stat().st_size, 1000)
        sheet = load_workbook(directory / "roster.xlsx").active
        self.assertEqual(sheet.cell(2, 1).value, "学号")

    def test_a_format_the_kind_does_not_have_is_refused(self):
        with self.assertRaisesMessage(CommandError, "只能导出为 PDF"):
            call_command(
                "export_roster", "--kind", "notice", "--format", "xlsx", "--output", "/tmp/x.xlsx"
            )


class ImportCommandTests(RosterImportTestCase):
    def write(self, data, name="roster.xlsx"):
        from pathlib import Path

        directory = Path(tempfile.mkdtemp())
        path = directory / name
        path.write_bytes(data)
        return str(path)

    def test_it_exits_zero_when_imported(self):
        out = StringIO()
        call_command("import_roster", self.write(xlsx(GOOD_ROWS)), stdout=out, stderr=StringIO())
        self.assertIn("已导入", out.getvalue())
        self.assertEqual(Student.objects.count(), 3)

    def test_a_legacy_xls_imports_and_its_notes_read_cleanly(self):
        out = StringIO()
        path = str(DATA / "roster-legacy.xls")
        call_command("import_roster", path, stdout=out, stderr=StringIO())
        self.assertIn("新增 3", out.getvalue())
        # A note about the whole file names the column without an empty 「」 value.
        self.assertIn("提醒：学号：有 1 个学号是数字格式的单元格", out.getvalue())
        self.assertIn("第 5 行 姓名「王堃」：“堃”不在国标 GB 2312 字库中", out.getvalue())
        self.assertEqual(Student.objects.count(), 3)

    def test_a_dry_run_writes_nothing(self):
        out = StringIO()
        call_command("import_roster", self.write(xlsx(GOOD_ROWS)), "--dry-run", stdout=out)
        self.assertIn("新增 3", out.getvalue())
        self.assertEqual(Student.objects.count(), 0)

    def test_it_prints_every_problem_and_exits_non_zero(self):
        rows = [
            ("1730101001", "Tom", ID_A, "会计1171", "", "男"),
            ("1730101002", "李四", "4.30102E+17", "会计1171", "", "女"),
        ]
        err = StringIO()
        with self.assertRaises(CommandError) as caught:
            call_command("import_roster", self.write(xlsx(rows)), stdout=StringIO(), stderr=err)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("第 3 行 姓名「Tom」", err.getvalue())
        self.assertIn("第 4 行 身份证号码「4.30102E+17」", err.getvalue())
        self.assertEqual(Student.objects.count(), 0)

    def test_an_unreadable_file_exits_non_zero_with_the_reason(self):
        with self.assertRaises(CommandError) as caught:
            call_command("import_roster", self.write(b"%PDF-1.4", "a.pdf"), stdout=StringIO())
        self.assertEqual(caught.exception.returncode, 2)
        self.assertIn("PDF", str(caught.exception))


# Uploads hold personal data: the tests keep theirs in a directory of their own.
