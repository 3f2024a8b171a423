"""Importing a clean roster: new students, classes and colleges; re-imports that change
only what changed."""

from sessions_app.models import College, SchoolClass, Student, StudentCategory
from tests.sessions_app.roster.support import (
    GOOD_ROWS,
    ID_A,
    ID_C,
    RosterImportTestCase,
    csv_bytes,
    xlsx,
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


class CollegeTests(RosterImportTestCase):
    def test_an_existing_college_is_reused(self):
        College.objects.create(name="经济管理学院")
        self.run_import(xlsx(GOOD_ROWS))
        self.assertEqual(College.objects.filter(name="经济管理学院").count(), 1)
