"""The roster import: files read, every row checked, all or nothing."""

import io
import tempfile
import time
import zipfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sessions_app.models import College, SchoolClass, Student, StudentCategory
from sessions_app.roster_import import RosterFileError, roster_import, table_read
from tests.factories import (
    id_number,
    make_campaign,
    make_category_rule,
    make_class,
    make_slot,
    make_staff,
    make_student,
    make_user,
)

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = ["学号", "姓名", "身份证号码", "班级", "学院", "性别"]
ID_A = id_number("43010219990101123")  # odd 17th digit: male
ID_B = id_number("43010220000202124")  # even: female
ID_C = id_number("11010519491231002")  # the standard's own example, ends in X


def xlsx(rows, header=HEADER, title="2020届毕业生名单"):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    return _saved(book)


def _roster_sheet(rows=None, book=None, title=None):
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


def _saved(book) -> bytes:
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


class GoodFileTests(RosterImportTestCase):
    def test_it_imports_every_student_and_creates_missing_classes_and_colleges(self):
        report = self.run_import(xlsx(GOOD_ROWS))
        self.assertIs(report.imported, True)
        self.assertEqual(report.problems, [])
        self.assertEqual(len(report.new), 3)
        self.assertEqual(
            list(Student.objects.order_by("student_id").values_list("student_id", "name")),
            [("1730101001", "张三"), ("1730101002", "欧阳娜娜"), ("1730201001", "王堃")],
        )
        wang = Student.objects.get(student_id="1730201001")
        self.assertEqual(wang.id_number, ID_C)
        self.assertTrue(wang.id_number.endswith("X"))
        self.assertEqual(wang.school_class.name, "市营1171")
        self.assertEqual(wang.school_class.college.name, "经济管理学院")
        self.assertEqual(wang.school_class.entry_year, 2017)
        self.assertEqual(report.new_classes, ["市营1171"])
        self.assertEqual(Student.objects.get(student_id="1730101001").school_class, self.accounting)

    def test_a_dry_run_reports_the_same_and_writes_nothing(self):
        report = self.run_import(xlsx(GOOD_ROWS), dry_run=True)
        self.assertEqual(len(report.new), 3)
        self.assertIs(report.imported, False)
        self.assertEqual(Student.objects.count(), 0)
        self.assertFalse(SchoolClass.objects.filter(name="市营1171").exists())

    def test_header_variants_and_a_title_row_are_understood(self):
        header = ["序号", "学生学号", "学生姓名", "证件号码", "行政班", "性别 "]
        rows = [(1, "1730101001", "张三", ID_A, "会计1171", "男")]
        report = self.run_import(xlsx(rows, header=header))
        self.assertIs(report.imported, True)
        self.assertEqual(report.columns["身份证号"], "证件号码")
        self.assertEqual(report.ignored_columns, ["序号"])

    def test_individuals_need_no_class_when_their_category_is_given(self):
        header = ["学号", "姓名", "身份证号", "班级", "类别"]
        report = self.run_import(xlsx([("1530101009", "李四", ID_A, "", "往届生")], header=header))
        self.assertIs(report.imported, True)
        student = Student.objects.get(student_id="1530101009")
        self.assertEqual(student.category, StudentCategory.ALUMNI)
        self.assertIsNone(student.school_class)

    def test_a_gbk_csv_from_chinese_excel_is_read(self):
        data = csv_bytes(GOOD_ROWS, encoding="gbk")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")
        report = self.run_import(data, "名单.csv")
        self.assertEqual(report.encoding, "GBK/GB18030")
        self.assertIs(report.imported, True)
        self.assertEqual(Student.objects.get(student_id="1730101002").name, "欧阳娜娜")

    def test_a_gb18030_name_outside_gbk_survives(self):
        rows = [("1730101001", "张䶮", ID_A, "会计1171", "", "男")]  # 䶮 is not in GBK
        report = self.run_import(csv_bytes(rows, encoding="gb18030"), "名单.csv", dry_run=True)
        self.assertEqual(report.new[0].name, "张䶮")

    def test_a_utf8_csv_with_a_bom_is_read(self):
        report = self.run_import(b"\xef\xbb\xbf" + csv_bytes(GOOD_ROWS), "名单.csv")
        self.assertEqual(report.encoding, "UTF-8")
        self.assertEqual(Student.objects.count(), 3)


class SheetLayoutTests(RosterImportTestCase):
    """Where the roster sits in the workbook: rows are counted as the spreadsheet shows them."""

    def test_a_roster_starting_below_and_right_of_a1_reports_spreadsheet_rows(self):
        book = Workbook()
        sheet = book.active
        sheet["C2"] = "2020届毕业生名单"
        for column, value in zip("CDEFGH", HEADER, strict=True):
            sheet["%s5" % column] = value
        for column, value in zip("CDEFGH", GOOD_ROWS[0], strict=True):
            sheet["%s6" % column] = value
        # Row 7 is left blank between blocks; row 8 has a bad 学号.
        for column, value in zip("CDEFGH", ("17301A", *GOOD_ROWS[1][1:]), strict=True):
            sheet["%s8" % column] = value
        report = self.run_import(_saved(book), dry_run=True)
        self.assertEqual(
            [(p.row, p.column, p.value) for p in report.problems], [(8, "学号", "17301A")]
        )
        self.assertEqual([(o.row, o.student_id) for o in report.new], [(6, "1730101001")])
        self.assertEqual(report.rows, 2)

    def test_the_roster_on_a_later_sheet_is_found(self):
        book = Workbook()
        book.active.title = "说明"
        book.active.append(["本表由教务系统导出，请勿修改表头。"])
        _roster_sheet(book=book, title="学生名单")
        report = self.run_import(_saved(book))
        self.assertIs(report.imported, True)
        self.assertEqual(Student.objects.count(), 3)

    def test_an_excel_error_value_in_a_required_cell_is_a_problem(self):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER)
        sheet.append(["1730101001", "张三", "#N/A", "会计1171", "", "男"])
        sheet["C2"].data_type = "e"  # what a failed VLOOKUP leaves behind
        report = self.run_import(_saved(book))
        self.assertEqual([(p.row, p.column) for p in report.problems], [(2, "身份证号码")])
        self.assertIn("1 个单元格是公式错误", report.warnings[0].message)
        self.assertEqual(Student.objects.count(), 0)

    @override_settings(ROSTER_IMPORT_MAX_ROWS=2)
    def test_more_students_than_the_row_limit_are_refused_and_nothing_is_written(self):
        with self.assertRaises(RosterFileError) as caught:
            self.run_import(xlsx(GOOD_ROWS))
        self.assertIn("超过 2 行学生数据的上限", str(caught.exception))
        self.assertEqual(Student.objects.count(), 0)

    @override_settings(ROSTER_IMPORT_MAX_ROWS=5)
    def test_blank_rows_and_a_stray_space_far_below_do_not_count(self):
        book, sheet = _roster_sheet()
        sheet["A300"] = " "  # typed by accident, invisible
        report = self.run_import(_saved(book))
        self.assertIs(report.imported, True)
        self.assertEqual(report.rows, 3)

    def test_a_stray_cell_at_the_sheets_far_corner_is_refused_before_reading(self):
        # The reader would allocate every cell of A1:XFD1048576 (512 GB) and abort the
        # process: the file is refused first, with the cell to delete.
        book, sheet = _roster_sheet(GOOD_ROWS[:1])
        sheet["XFD1048576"] = " "
        with self.assertRaises(RosterFileError) as caught:
            table_read(_saved(book), "名单.xlsx")
        self.assertIn("XFD1048576", str(caught.exception))
        self.assertIn("删除名单下方和右侧多余的行与列", str(caught.exception))

    def test_a_far_cell_the_quick_checks_miss_is_refused_not_fatal(self):
        # Written with single-quoted attributes (valid XML the quick checks do not
        # parse): the reader's child process hits its memory ceiling and dies; this
        # process refuses the file and carries on.
        book, sheet = _roster_sheet(GOOD_ROWS[:1])
        sheet["XFD1048576"] = "x"
        source = zipfile.ZipFile(io.BytesIO(_saved(book)))
        members = {name: source.read(name) for name in source.namelist()}
        members["xl/worksheets/sheet1.xml"] = (
            members["xl/worksheets/sheet1.xml"]
            .replace(b'r="XFD1048576"', b"r='XFD1048576'")
            .replace(b'<row r="1048576"', b"<row r='1048576'")
        )
        with self.assertRaises(RosterFileError) as caught:
            table_read(_zip(members), "名单.xlsx")
        self.assertIn("范围异常巨大", str(caught.exception))
        self.assertEqual(table_read(xlsx(GOOD_ROWS), "名单.xlsx").header_row, 2)

    def test_a_far_row_of_formatting_alone_is_no_obstacle(self):
        book, sheet = _roster_sheet(GOOD_ROWS[:1])
        sheet["XFD1048576"].number_format = "@"  # formatted, empty: the reader skips it
        sheet.row_dimensions[1048576].height = 30
        report = self.run_import(_saved(book), dry_run=True)
        self.assertEqual(len(report.new), 1)

    def test_a_stray_value_far_to_the_right_does_not_widen_the_header(self):
        book, sheet = _roster_sheet()
        sheet["IU2"] = "注"  # column 255, past the 200-column limit
        report = self.run_import(_saved(book), dry_run=True)
        self.assertEqual(report.problems, [])
        self.assertEqual(len(report.new), 3)

    def test_a_hidden_sheet_is_passed_over_for_the_visible_roster_and_the_sheet_is_named(self):
        book = Workbook()
        old = book.active
        old.title = "去年名单"
        old.append(HEADER)
        old.append(["1630101001", "旧生", ID_A, "会计1161", "", "男"])
        old.sheet_state = "hidden"
        _roster_sheet(book=book, title="学生名单")
        report = self.run_import(_saved(book), dry_run=True)
        self.assertEqual([o.student_id for o in report.new], [r[0] for r in GOOD_ROWS])
        self.assertIn("名单读自工作表“学生名单”", report.warnings[0].message)

    def test_an_example_sheet_with_only_some_columns_is_passed_over(self):
        book = Workbook()
        example = book.active
        example.title = "填写示例"
        example.append(["学号", "姓名", "性别"])
        example.append(["1730100000", "示例", "男"])
        _roster_sheet(book=book, title="名单")
        report = self.run_import(_saved(book), dry_run=True)
        self.assertEqual(len(report.new), 3)
        # With no complete header anywhere, the message names what the first one lacks.
        del book["名单"]
        with self.assertRaises(RosterFileError) as caught:
            table_read(_saved(book), "名单.xlsx")
        self.assertIn("缺少必需的列：身份证号", str(caught.exception))

    def test_a_first_student_is_never_taken_for_the_lower_half_of_a_header(self):
        # 说明 holds 类别 in the first row: it names a column, but the row has a 学号.
        header = ["学号", "姓名", "身份证号", "说明"]
        rows = [("1730101001", "张三", ID_A, "类别"), ("1730101002", "李四", ID_B, "往届生")]
        with self.assertRaises(RosterFileError) as caught:
            table_read(xlsx(rows, header=header, title=None), "名单.xlsx")
        self.assertIn("缺少必需的列：班级", str(caught.exception))

    def test_invisible_characters_in_a_header_do_not_hide_it(self):
        header = ["学号\u200b", "\ufeff姓名", "身份证号", "班级"]
        report = self.run_import(xlsx([GOOD_ROWS[0][:4]], header=header), dry_run=True)
        self.assertEqual(len(report.new), 1)

    def test_a_header_over_two_rows_with_merged_cells_is_understood(self):
        book = Workbook()
        sheet = book.active
        sheet.append(["学号", "姓名", "证件信息", None, "班级"])
        sheet.append([None, None, "证件类型", "身份证号", None])
        sheet.merge_cells("C1:D1")
        for column in "ABE":
            sheet.merge_cells("%s1:%s2" % (column, column))
        sheet.append(["1730101001", "张三", "居民身份证", ID_A, "会计1171"])
        report = self.run_import(_saved(book), dry_run=True)
        self.assertEqual(report.problems, [])
        self.assertEqual([(o.row, o.student_id) for o in report.new], [(3, "1730101001")])
        self.assertEqual(report.columns["身份证号"], "身份证号")

    def test_imported_students_get_the_model_defaults_for_what_the_file_lacks(self):
        self.run_import(xlsx(GOOD_ROWS))
        imported = Student.objects.get(student_id="1730101002")
        # As if saved one by one through the model: a fresh account must change its
        # password, and no login is attached yet.
        self.assertIs(imported.must_change_password, True)
        self.assertIsNone(imported.user_id)
        self.assertEqual(imported.category, StudentCategory.CURRENT)
        self.assertEqual(imported.education_type, Student().education_type)
        self.assertEqual(imported.school_type, Student().school_type)
        self.assertEqual(imported.gender, "F")
        self.assertEqual(imported.campaign, self.campaign)
        self.assertEqual(imported.school_class, self.accounting)


class ExportQuirksTests(RosterImportTestCase):
    """What academic systems and Excel put in files beyond the plain values."""

    def test_excel_text_wrappers_and_invisible_characters_are_removed(self):
        header = ["学号", "姓名", "身份证号", "班级"]
        text = "\r\n".join(
            [
                ",".join(header),
                '1730101001,张三,"=""%s""",会计1171' % ID_A,  # ="..." keeps Excel's hands off
                "'1730101002,欧阳娜娜,'%s,会计1171" % ID_B,  # a leading apostrophe
                "1730201001\u200b,王堃,\ufeff%s\u200b,会计1171" % ID_C,  # copied from a web page
            ]
        )
        report = self.run_import(text.encode("utf-8"), "名单.csv")
        self.assertEqual(report.problems, [])
        self.assertEqual(
            dict(Student.objects.values_list("student_id", "id_number")),
            {"1730101001": ID_A, "1730101002": ID_B, "1730201001": ID_C},
        )

    def test_csv_rows_are_numbered_as_excel_shows_them_despite_line_breaks_in_cells(self):
        text = (
            '学号,姓名,"身份证\n号码",班级,备注\r\n'
            '1730101001,张三,%s,会计1171,"第一行\n第二行"\r\n'
            "17301A,李四,%s,会计1171,\r\n" % (ID_A, ID_B)
        )
        report = self.run_import(text.encode("utf-8"), "名单.csv", dry_run=True)
        self.assertEqual([(p.row, p.column) for p in report.problems], [(3, "学号")])
        self.assertEqual(report.new[0].row, 2)

    def test_the_header_repeated_above_each_class_block_is_skipped(self):
        rows = [GOOD_ROWS[0], (), HEADER, GOOD_ROWS[2]]
        report = self.run_import(xlsx(rows), dry_run=True)
        self.assertEqual(report.problems, [])
        self.assertEqual(report.rows, 2)

    def test_registration_number_and_bracketed_header_notes_are_understood(self):
        header = ["学号（文本）", "学籍号", "姓名", "身份证号码(18位)", "班级", "性别", "学历层次"]
        rows = [("1730101001", "G" + ID_A, "张三", ID_A, "会计1171", "男性", "大专")]
        report = self.run_import(xlsx(rows, header=header))
        self.assertEqual(report.problems, [])
        self.assertEqual(report.columns["学号"], "学号（文本）")
        self.assertIn("学籍号", report.ignored_columns)
        student = Student.objects.get()
        self.assertEqual((student.id_number, student.gender), (ID_A, "M"))


class LegacyXlsTests(RosterImportTestCase):
    def test_a_legacy_xls_from_the_academic_system_is_imported(self):
        # tests/data/roster-legacy.xls: a BIFF8 workbook as academic systems export
        # it, with a merged title row and 学号 in row 3 stored as a number.
        report = self.run_import((DATA / "roster-legacy.xls").read_bytes(), "名单.xls")
        self.assertEqual(report.kind, "xls")
        self.assertEqual(report.problems, [])
        self.assertIs(report.imported, True)
        self.assertEqual(report.ignored_columns, ["专业"])
        self.assertEqual(
            list(Student.objects.order_by("student_id").values_list("student_id", "name")),
            [("1730101001", "张三"), ("1730101002", "欧阳娜娜"), ("1730201001", "王堃")],
        )
        self.assertEqual(Student.objects.get(student_id="1730201001").id_number, ID_C)
        self.assertIn("数字格式", report.warnings[0].message)


class ReimportTests(RosterImportTestCase):
    def test_importing_the_same_file_again_changes_nothing(self):
        data = xlsx(GOOD_ROWS)
        self.run_import(data)
        before = list(Student.objects.order_by("pk").values())
        report = self.run_import(data)
        self.assertEqual((len(report.new), len(report.changed)), (0, 0))
        self.assertEqual(len(report.unchanged), 3)
        self.assertEqual(list(Student.objects.order_by("pk").values()), before)
        self.assertEqual(SchoolClass.objects.filter(name="市营1171").count(), 1)

    def test_a_changed_row_updates_the_student_by_student_id_and_the_preview_says_what(self):
        self.run_import(xlsx(GOOD_ROWS))
        pk = Student.objects.get(student_id="1730101001").pk
        changed = list(GOOD_ROWS)
        changed[0] = ("1730101001", "张珊", ID_A, "市营1171", "经济管理学院", "男")
        preview = self.run_import(xlsx(changed), dry_run=True)
        self.assertEqual(len(preview.changed), 1)
        changes = {c.label: (c.old, c.new) for c in preview.changed[0].changes}
        self.assertEqual(changes, {"姓名": ("张三", "张珊"), "班级": ("会计1171", "市营1171")})
        self.assertEqual(Student.objects.get(pk=pk).name, "张三")
        self.run_import(xlsx(changed))
        student = Student.objects.get(pk=pk)
        self.assertEqual((student.name, student.school_class.name), ("张珊", "市营1171"))

    def test_students_missing_from_the_file_are_kept(self):
        self.run_import(xlsx(GOOD_ROWS))
        report = self.run_import(xlsx(GOOD_ROWS[:1]))
        self.assertEqual(report.not_in_file, 2)
        self.assertEqual(Student.objects.count(), 3)


class BadRowTests(RosterImportTestCase):
    def test_every_problem_of_every_row_is_reported_and_nothing_is_written(self):
        make_student(self.accounting, student_id="1730109999", id_number=ID_C)
        rows = [
            ("1730101001", "张三", ID_A, "会计1171", "", "男"),  # good
            ("17301A", "李四", ID_B, "会计1171", "", "女"),  # bad 学号
            ("1730101003", "Tom", ID_A[:17] + "0", "会计1171", "", "男"),  # name and checksum
            ("1730101001", "王五", ID_B, "会计1171", "", "女"),  # 学号 twice
            ("1730101005", "赵六", ID_A, "", "", "男"),  # no class; ID of row 2 again
            ("1730101006", "钱七", ID_C, "会计1171", "", "女"),  # ID of another student
            ("1730101007", "孙八", ID_B, "会计1171", "", "男"),  # gender contradicts the ID
            ("1730101008", "周九", "4301021999", "会计1171", "", "火星"),  # short ID, gender
        ]
        header = ["学号", "姓名", "身份证号", "班级", "学院", "性别"]
        report = self.run_import(xlsx(rows, header=header))
        self.assertIs(report.imported, False)
        found = {(p.row, p.column) for p in report.problems}
        # Rows count from the sheet's top: a title row, the header, then data from row 3.
        expected = {
            (4, "学号"),
            (5, "姓名"),
            (5, "身份证号"),
            (6, "学号"),
            (7, "班级"),
            (7, "身份证号"),
            (8, "身份证号"),
            (9, "性别"),
            (10, "身份证号"),
            (10, "性别"),
        }
        self.assertEqual(expected - found, set())
        self.assertNotIn(3, {p.row for p in report.problems})
        duplicate = next(p for p in report.problems if p.row == 6)
        self.assertIn("第 3 行", duplicate.message)
        self.assertEqual(duplicate.value, "1730101001")
        owner = next(p for p in report.problems if p.row == 8 and p.column == "身份证号")
        self.assertIn("1730109999", owner.message)
        self.assertEqual(Student.objects.count(), 1)

    def test_an_id_stored_as_a_number_is_reported_never_guessed(self):
        rows = [
            ("1730101001", "张三", 430102199901011230, "会计1171", "", "男"),
            ("1730101002", "李四", "4.30102E+17", "会计1171", "", "女"),
            ("1730101003", "王五", "430102199901011000", "会计1171", "", "男"),
        ]
        report = self.run_import(xlsx(rows))
        by_row = report.problems_by_row()
        self.assertIn("15 位有效数字", by_row[3][0].message)
        self.assertEqual(by_row[3][0].value, "4.30102199901011E+17")
        self.assertIn("科学计数法", by_row[4][0].message)
        self.assertIn("末三位是 000", by_row[5][0].message)
        self.assertEqual(Student.objects.count(), 0)

    def test_an_old_15_digit_id_typed_as_a_number_asks_for_the_18_digit_one(self):
        rows = [("1730101001", "张三", 430102990101123, "会计1171", "", "男")]
        report = self.run_import(xlsx(rows))
        self.assertEqual(report.problems[0].value, "430102990101123")
        self.assertIn("15 位的旧身份证号", report.problems[0].message)
        self.assertNotIn("已丢失", report.problems[0].message)

    def test_a_student_id_mangled_by_excel_is_reported(self):
        rows = [
            (1.7301010011e19, "张三", ID_A, "会计1171", "", "男"),
            ("1.73010E+09", "李四", ID_B, "会计1171", "", "女"),
        ]
        report = self.run_import(xlsx(rows))
        self.assertEqual([(p.row, p.column) for p in report.problems], [(3, "学号"), (4, "学号")])

    def test_a_student_id_of_another_campaign_is_refused(self):
        other = make_campaign(title="2019届")
        make_student(make_class(other), student_id="1730101001")
        report = self.run_import(xlsx(GOOD_ROWS[:1]))
        self.assertIn("2019届", report.problems[0].message)
        self.assertEqual(Student.objects.filter(campaign=self.campaign).count(), 0)

    def test_an_education_type_against_the_category_rule_is_an_error(self):
        header = ["学号", "姓名", "身份证号", "班级", "学历类别"]
        report = self.run_import(
            xlsx([("1730101001", "张三", ID_A, "会计1171", "普通本科")], header=header)
        )
        self.assertEqual(report.problems[0].column, "学历类别")
        self.assertIn("普通专科", report.problems[0].message)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class BadFileTests(TestCase):
    def assertRefused(self, data, filename, text):
        with self.assertRaises(RosterFileError) as caught:
            table_read(data, filename)
        self.assertIn(text, str(caught.exception))

    def test_a_pdf_or_picture_is_not_a_spreadsheet(self):
        self.assertRefused(b"%PDF-1.7 ...", "名单.xlsx", "PDF")
        self.assertRefused(b"\x89PNG\r\n\x1a\n....", "名单.csv", "图片")
        self.assertRefused(b"\x00\x01\x02binary" * 10, "名单.csv", "不是表格")

    def test_an_encrypted_workbook_asks_for_the_password_to_be_removed(self):
        ole = (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 100
            + "EncryptionInfo".encode("utf-16-le")
        )
        self.assertRefused(ole, "名单.xlsx", "加密")

    def test_a_legacy_xls_reaching_its_last_cell_is_refused_before_reading(self):
        # tests/data/roster-far-cell.xls: one roster row and a space typed into IV65536,
        # which would make the reader hold 16 million cells (about 1 GB).
        data = (DATA / "roster-far-cell.xls").read_bytes()
        self.assertRefused(data, "名单.xls", "IV65536")

    def test_a_damaged_legacy_xls_asks_to_be_saved_again(self):
        damaged = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
        self.assertRefused(damaged, "a.xls", "另存为” .xlsx 或 CSV")
        legacy = (DATA / "roster-legacy.xls").read_bytes()
        self.assertRefused(legacy[:2000], "a.xls", "旧版 Excel（.xls）")

    def test_a_corrupt_workbook_is_refused(self):
        good = xlsx(GOOD_ROWS)
        self.assertRefused(good[: len(good) // 2], "名单.xlsx", "损坏")
        broken = _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<not xml",
            }
        )
        self.assertRefused(broken, "名单.xlsx", "损坏")

    def test_other_spreadsheet_formats_are_named_and_asked_to_be_saved_as_xlsx(self):
        html = "<html><body><table><tr><td>学号</td><td>姓名</td></tr></table></body></html>"
        self.assertRefused(html.encode("utf-8"), "名单.xls", "网页格式的表格")
        xml = (
            '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
            "</Workbook>"
        )
        self.assertRefused(xml.encode("utf-8"), "名单.xls", "Excel 2003 的 XML 表格")
        ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
        self.assertRefused(ods, "名单.ods", "OpenDocument（.ods）")

    def test_a_zip_that_is_not_a_workbook_is_refused(self):
        self.assertRefused(_zip({"a.txt": b"hello"}), "名单.xlsx", "不是 Excel")

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self):
        bomb = _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/worksheets/sheet1.xml": b"\x00" * (20 * 1024 * 1024),
            }
        )
        self.assertLess(len(bomb), 1024 * 1024)
        self.assertRefused(bomb, "名单.xlsx", "疑似恶意")

    def test_a_missing_required_column_is_one_clear_message(self):
        data = xlsx(GOOD_ROWS, header=["学号", "姓名", "班级", "学院", "性别", "备注"])
        self.assertRefused(data, "名单.xlsx", "缺少必需的列：身份证号")

    def test_a_file_without_a_header_says_what_it_looks_for(self):
        self.assertRefused(csv_bytes([], header=["a", "b"]), "x.csv", "没有找到表头")

    @override_settings(ROSTER_IMPORT_MAX_UPLOAD_BYTES=1000)
    def test_a_file_over_the_size_limit_is_refused(self):
        self.assertRefused(b"x" * 1001, "x.csv", "超过")


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
JOBS = override_settings(ROSTER_IMPORT_DIR=tempfile.mkdtemp(prefix="roster-jobs-"))


@JOBS
class ImportPageTests(RosterImportTestCase):
    def setUp(self):
        super().setUp()
        self.staff = make_staff()
        self.url = reverse("schedule:roster_import", args=[self.campaign.pk])

    def upload(self, data, name="名单.xlsx"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(self.url, {"file": SimpleUploadedFile(name, data)})

    def test_an_outsider_and_a_student_are_refused(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.upload(xlsx(GOOD_ROWS)).status_code, 403)
        self.assertEqual(Student.objects.count(), 0)

    def test_staff_upload_preview_then_confirm(self):
        self.client.force_login(self.staff)
        response = self.upload(xlsx(GOOD_ROWS))
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, "检查通过，尚未写入")
        self.assertContains(page, "欧阳娜娜")
        self.assertContains(page, "市营1171")
        self.assertEqual(Student.objects.count(), 0)
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        confirm = self.client.post(reverse("schedule:roster_import_confirm", args=[token]))
        self.assertEqual(Student.objects.count(), 3)
        done = self.client.get(confirm["Location"])
        self.assertContains(done, "已导入")
        # Confirming twice does not import twice.
        self.client.post(reverse("schedule:roster_import_confirm", args=[token]))
        self.assertEqual(Student.objects.count(), 3)

    def test_a_file_with_problems_lists_them_and_gives_back_an_error_file(self):
        self.client.force_login(self.staff)
        rows = [
            *GOOD_ROWS,
            ("1730101009", "李四", "4.30102E+17", "会计1171", "", "女"),
            (1730101010, "王五", 430102199901011230, "会计1171", "", "男"),  # numbers
        ]
        response = self.upload(xlsx(rows))
        page = self.client.get(response["Location"])
        self.assertContains(page, "整份名单都未导入")
        self.assertContains(page, "科学计数法")
        self.assertNotContains(page, "确认导入")
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        refused = self.client.post(reverse("schedule:roster_import_confirm", args=[token]))
        self.assertEqual(refused.status_code, 302)
        self.assertEqual(Student.objects.count(), 0)
        errors = self.client.get(reverse("schedule:roster_import_errors", args=[token]))
        sheet = load_workbook(io.BytesIO(errors.content)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        header = values[1]
        self.assertEqual(header, [*HEADER, "错误原因"])
        self.assertEqual(values[2][0], "1730101001")
        self.assertIsNone(values[2][-1])
        self.assertEqual(values[5][2], "4.30102E+17")
        self.assertIn("科学计数法", values[5][-1])
        # Numbers go back as Excel showed them, as text in the text columns.
        self.assertEqual(values[6][0], "1730101010")
        self.assertEqual(values[6][2], "4.30102199901011E+17")
        self.assertIn("15 位有效数字", values[6][-1])
        # The error file, corrected, reads as a roster again.
        self.assertEqual(table_read(errors.content, "e.xlsx").columns["student_id"], 0)

    def test_notes_about_the_file_are_shown_above_the_counts(self):
        self.client.force_login(self.staff)
        book = Workbook()
        book.active.title = "说明"
        sheet = book.create_sheet("学生名单")
        sheet.append(HEADER)
        sheet.append(["1730101001", "张三", "#N/A", "会计1171", "", "男"])
        sheet["C2"].data_type = "e"
        response = self.upload(_saved(book))
        page = self.client.get(response["Location"])
        notes = page.content.decode().split('id="import-notes"')[1].split("</ul>")[0]
        self.assertIn("1 个单元格是公式错误", notes)
        self.assertIn("名单读自工作表“学生名单”", notes)
        self.assertNotContains(page, "提醒（")  # no row-level notes to fold away

    def test_another_staff_member_cannot_open_the_job(self):
        self.client.force_login(self.staff)
        response = self.upload(xlsx(GOOD_ROWS))
        self.client.force_login(make_staff())
        self.assertEqual(self.client.get(response["Location"]).status_code, 404)
        self.assertEqual(
            self.client.get(
                reverse("schedule:roster_import_job", args=["..%2F..%2Fetc"])
            ).status_code,
            404,
        )

    def test_not_a_spreadsheet_is_a_clear_message_and_nothing_is_written(self):
        self.client.force_login(self.staff)
        response = self.upload(b"%PDF-1.4 whatever", "名单.xlsx")
        self.assertContains(response, "PDF 文件", status_code=400)
        self.assertEqual(Student.objects.count(), 0)

    @override_settings(ROSTER_IMPORT_MAX_UPLOAD_BYTES=2000)
    def test_an_upload_over_the_limit_is_refused(self):
        self.client.force_login(self.staff)
        response = self.upload(b"x" * 3000, "a.csv")
        self.assertContains(response, "超过", status_code=400)

    def test_the_status_of_a_job_is_json_for_the_progress_bar(self):
        self.client.force_login(self.staff)
        response = self.upload(xlsx(GOOD_ROWS))
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        status = self.client.get(reverse("schedule:roster_import_status", args=[token])).json()
        self.assertEqual(status["state"], "preview")
        self.assertEqual(status["done"], 3)


class CollegeTests(RosterImportTestCase):
    def test_an_existing_college_is_reused(self):
        College.objects.create(name="经济管理学院")
        self.run_import(xlsx(GOOD_ROWS))
        self.assertEqual(College.objects.filter(name="经济管理学院").count(), 1)


@JOBS
@override_settings(ROSTER_IMPORT_INLINE_ROWS=1)
class LongImportTests(TransactionTestCase):
    """A file of more rows than are checked within the request runs in a thread."""

    def test_the_page_reports_progress_until_the_check_and_the_import_are_done(self):
        campaign = make_campaign()
        make_class(campaign, make_slot(campaign), name="会计1171")
        self.client.force_login(make_staff())
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(
            reverse("schedule:roster_import", args=[campaign.pk]),
            {"file": SimpleUploadedFile("名单.xlsx", xlsx(GOOD_ROWS))},
        )
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        status_url = reverse("schedule:roster_import_status", args=[token])

        def wait(state):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                status = self.client.get(status_url).json()
                if status["state"] == state:
                    return status
                time.sleep(0.1)
            self.fail("the job never reached %s: %s" % (state, status))

        self.assertEqual(wait("preview")["done"], 3)
        self.client.post(reverse("schedule:roster_import_confirm", args=[token]))
        wait("imported")
        self.assertEqual(Student.objects.count(), 3)
