"""Reading roster files: formats, encodings, headers and sheets, and the files refused
with one clear message."""

import io
import zipfile

from django.test import TestCase, override_settings
from openpyxl import Workbook

from sessions_app.models import Student, StudentCategory
from sessions_app.roster.reader import table_read
from sessions_app.roster.table import RosterFileError
from tests.sessions_app.roster.support import (
    DATA,
    GOOD_ROWS,
    HEADER,
    ID_A,
    ID_B,
    ID_C,
    RosterImportTestCase,
    csv_bytes,
    roster_sheet,
    saved,
    xlsx,
    zip_bytes,
)


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
        report = self.run_import(saved(book), dry_run=True)
        self.assertEqual(
            [(p.row, p.column, p.value) for p in report.problems], [(8, "学号", "17301A")]
        )
        self.assertEqual([(o.row, o.student_id) for o in report.new], [(6, "1730101001")])
        self.assertEqual(report.rows, 2)

    def test_the_roster_on_a_later_sheet_is_found(self):
        book = Workbook()
        book.active.title = "说明"
        book.active.append(["本表由教务系统导出，请勿修改表头。"])
        roster_sheet(book=book, title="学生名单")
        report = self.run_import(saved(book))
        self.assertIs(report.imported, True)
        self.assertEqual(Student.objects.count(), 3)

    def test_an_excel_error_value_in_a_required_cell_is_a_problem(self):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER)
        sheet.append(["1730101001", "张三", "#N/A", "会计1171", "", "男"])
        sheet["C2"].data_type = "e"  # what a failed VLOOKUP leaves behind
        report = self.run_import(saved(book))
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
        book, sheet = roster_sheet()
        sheet["A300"] = " "  # typed by accident, invisible
        report = self.run_import(saved(book))
        self.assertIs(report.imported, True)
        self.assertEqual(report.rows, 3)

    def test_a_stray_cell_at_the_sheets_far_corner_is_refused_before_reading(self):
        # The reader would allocate every cell of A1:XFD1048576 (512 GB) and abort the
        # process: the file is refused first, with the cell to delete.
        book, sheet = roster_sheet(GOOD_ROWS[:1])
        sheet["XFD1048576"] = " "
        with self.assertRaises(RosterFileError) as caught:
            table_read(saved(book), "名单.xlsx")
        self.assertIn("XFD1048576", str(caught.exception))
        self.assertIn("删除名单下方和右侧多余的行与列", str(caught.exception))

    def test_a_far_cell_the_quick_checks_miss_is_refused_not_fatal(self):
        # Written with single-quoted attributes (valid XML the quick checks do not
        # parse): the reader's child process hits its memory ceiling and dies; this
        # process refuses the file and carries on.
        book, sheet = roster_sheet(GOOD_ROWS[:1])
        sheet["XFD1048576"] = "x"
        source = zipfile.ZipFile(io.BytesIO(saved(book)))
        members = {name: source.read(name) for name in source.namelist()}
        members["xl/worksheets/sheet1.xml"] = (
            members["xl/worksheets/sheet1.xml"]
            .replace(b'r="XFD1048576"', b"r='XFD1048576'")
            .replace(b'<row r="1048576"', b"<row r='1048576'")
        )
        with self.assertRaises(RosterFileError) as caught:
            table_read(zip_bytes(members), "名单.xlsx")
        self.assertIn("范围异常巨大", str(caught.exception))
        self.assertEqual(table_read(xlsx(GOOD_ROWS), "名单.xlsx").header_row, 2)

    def test_a_far_row_of_formatting_alone_is_no_obstacle(self):
        book, sheet = roster_sheet(GOOD_ROWS[:1])
        sheet["XFD1048576"].number_format = "@"  # formatted, empty: the reader skips it
        sheet.row_dimensions[1048576].height = 30
        report = self.run_import(saved(book), dry_run=True)
        self.assertEqual(len(report.new), 1)

    def test_a_stray_value_far_to_the_right_does_not_widen_the_header(self):
        book, sheet = roster_sheet()
        sheet["IU2"] = "注"  # column 255, past the 200-column limit
        report = self.run_import(saved(book), dry_run=True)
        self.assertEqual(report.problems, [])
        self.assertEqual(len(report.new), 3)

    def test_a_hidden_sheet_is_passed_over_for_the_visible_roster_and_the_sheet_is_named(self):
        book = Workbook()
        old = book.active
        old.title = "去年名单"
        old.append(HEADER)
        old.append(["1630101001", "旧生", ID_A, "会计1161", "", "男"])
        old.sheet_state = "hidden"
        roster_sheet(book=book, title="学生名单")
        report = self.run_import(saved(book), dry_run=True)
        self.assertEqual([o.student_id for o in report.new], [r[0] for r in GOOD_ROWS])
        self.assertIn("名单读自工作表“学生名单”", report.warnings[0].message)

    def test_an_example_sheet_with_only_some_columns_is_passed_over(self):
        book = Workbook()
        example = book.active
        example.title = "填写示例"
        example.append(["学号", "姓名", "性别"])
        example.append(["1730100000", "示例", "男"])
        roster_sheet(book=book, title="名单")
        report = self.run_import(saved(book), dry_run=True)
        self.assertEqual(len(report.new), 3)
        # With no complete header anywhere, the message names what the first one lacks.
        del book["名单"]
        with self.assertRaises(RosterFileError) as caught:
            table_read(saved(book), "名单.xlsx")
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
        report = self.run_import(saved(book), dry_run=True)
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
        broken = zip_bytes(
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
        ods = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
        self.assertRefused(ods, "名单.ods", "OpenDocument（.ods）")

    def test_a_zip_that_is_not_a_workbook_is_refused(self):
        self.assertRefused(zip_bytes({"a.txt": b"hello"}), "名单.xlsx", "不是 Excel")

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self):
        bomb = zip_bytes(
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
