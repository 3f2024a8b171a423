"""Checking roster rows: every problem of every row is reported, nothing is written."""

from sessions_app.models import Student
from tests.factories import (
    make_campaign,
    make_class,
    make_student,
)
from tests.sessions_app.roster.support import (
    GOOD_ROWS,
    ID_A,
    ID_B,
    ID_C,
    RosterImportTestCase,
    xlsx,
)


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

    def test_a_name_whose_reading_is_unknown_is_imported_with_a_warning(self):
        # The roster holds no pinyin: the student gives the reading of 𠮷 when checking
        # the card. Astral characters are stored as they are.
        rows = [("1730101001", "王𠮷", ID_A, "会计1171", "", "男")]
        report = self.run_import(xlsx(rows))
        self.assertEqual(report.problems, [])
        self.assertIs(report.imported, True)
        self.assertEqual(Student.objects.get().name, "王𠮷")
        [warning] = [w for w in report.warnings if "无法自动识别" in w.message]
        self.assertEqual((warning.row, warning.column, warning.value), (3, "姓名", "王𠮷"))
        self.assertIn("“𠮷”", warning.message)

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
