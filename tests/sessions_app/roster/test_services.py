"""Importing a clean roster: new students, classes and colleges; re-imports that change
only what changed. Correcting one student: the card rules, the log, the login, the card
discrepancy it closes."""

from django.test import TestCase, override_settings
from django.urls import reverse

from cards_app.models import CardCheck
from sessions_app.models import College, RosterCorrection, SchoolClass, Student, StudentCategory
from sessions_app.roster.services import RosterError, student_correct
from tests.cards_app.factories import make_card_check
from tests.factories import (
    make_campaign,
    make_class,
    make_id_number,
    make_staff,
    make_student,
    make_student_user,
    make_user,
)
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


# Correcting one student ------------------------------------------------------------------

MALE_ID = make_id_number("43010219990101123")  # 17th digit odd
FEMALE_ID = make_id_number("43010220000202124")  # 17th digit even
OTHER_MALE_ID = make_id_number("43010219990303135")


class CorrectionTestCase(TestCase):
    """A class with 张三 (male, a login named by his 学号) and a classmate, and staff."""

    @classmethod
    def setUpTestData(cls):
        cls.campaign = make_campaign()
        cls.school_class = make_class(cls.campaign, name="会计1171")
        cls.student = make_student(
            cls.school_class, student_id="1730101001", name="张三", id_number=MALE_ID, gender="M"
        )
        cls.classmate = make_student(
            cls.school_class,
            student_id="1730101002",
            name="欧阳娜娜",
            id_number=FEMALE_ID,
            gender="F",
        )
        cls.staff = make_staff()

    def correct(self, reason="已核对身份证原件", **values):
        return student_correct(student=self.student, by=self.staff, reason=reason, **values)

    def assertRefused(self, message, reason="已核对身份证原件", **values):
        """Assert the correction is refused with the message and nothing changed."""
        before = Student.objects.filter(pk=self.student.pk).values().get()
        with self.assertRaisesMessage(RosterError, message):
            self.correct(reason=reason, **values)
        self.assertEqual(Student.objects.filter(pk=self.student.pk).values().get(), before)
        self.assertIs(RosterCorrection.objects.exists(), False)


class CorrectionRulesTests(CorrectionTestCase):
    def test_an_id_number_with_a_wrong_check_character_is_refused(self):
        wrong = MALE_ID[:17] + ("1" if MALE_ID[17] != "1" else "2")
        self.assertRefused("身份证号校验位不对", id_number=wrong)

    def test_a_15_digit_or_short_id_number_is_refused(self):
        self.assertRefused("15 位的旧身份证号", id_number="430102990101123")
        self.assertRefused("身份证号应为 18 位", id_number="4301021999")

    def test_an_id_number_with_an_impossible_birth_date_is_refused(self):
        self.assertRefused("不是有效日期", id_number=make_id_number("43010219990231123"))

    def test_a_student_id_off_the_colleges_pattern_is_refused(self):
        self.assertRefused("学号格式不对", student_id="17301A1001")
        self.assertRefused("学号格式不对", student_id="12345")

    @override_settings(STUDENT_ID_PATTERN=r"17\d{8}")
    def test_the_student_id_pattern_is_the_setting(self):
        self.assertRefused("学号格式不对", student_id="1830101001")
        self.correct(student_id="1730101099")
        self.assertEqual(Student.objects.get(pk=self.student.pk).student_id, "1730101099")

    def test_a_student_id_of_a_classmate_is_refused_naming_the_classmate(self):
        self.assertRefused(
            "学号 1730101002 已是 欧阳娜娜（会计1171）的学号", student_id="1730101002"
        )

    def test_a_student_id_of_another_campaigns_student_is_refused(self):
        other = make_campaign(title="2021届毕业生图像采集")
        make_student(campaign=other, student_id="1830101001")
        self.assertRefused("另一次采集“2021届毕业生图像采集”", student_id="1830101001")

    def test_a_student_id_that_is_another_accounts_username_is_refused(self):
        make_user(username="1730101009")
        self.assertRefused("1730101009 已是另一个登录账号的用户名", student_id="1730101009")

    def test_a_name_with_letters_digits_or_symbols_is_refused(self):
        self.assertRefused("姓名只能是汉字", name="张A")
        self.assertRefused("姓名只能是汉字", name="张3")
        self.assertRefused("姓名只能是汉字", name="张★")
        self.assertRefused("请填写姓名", name="  ")

    def test_a_name_outside_gb2312_or_a_minority_name_is_accepted(self):
        self.correct(name="王堃")
        self.assertEqual(Student.objects.get(pk=self.student.pk).name, "王堃")
        self.correct(name="买买提·艾力")
        self.assertEqual(Student.objects.get(pk=self.student.pk).name, "买买提·艾力")

    def test_a_gender_the_id_number_contradicts_is_refused(self):
        self.assertRefused("性别与身份证号不符：身份证号第 17 位表示男", gender="F")

    def test_a_new_id_number_that_contradicts_the_gender_asks_to_correct_both(self):
        self.assertRefused(
            "身份证号第 17 位表示女，请一并更正", id_number=make_id_number("43010219990101144")
        )
        self.correct(id_number=make_id_number("43010219990101144"), gender="F")
        self.assertEqual(Student.objects.get(pk=self.student.pk).gender, "F")

    def test_an_unknown_gender_is_refused(self):
        self.assertRefused("性别只能是", gender="X")

    def test_an_id_number_of_a_classmate_is_refused(self):
        self.assertRefused("身份证号已属于学号 1730101002 的学生", id_number=FEMALE_ID, gender="F")

    def test_a_correction_without_a_reason_is_refused(self):
        self.assertRefused("请写明更正原因", reason="", name="张珊")
        self.assertRefused("请写明更正原因", reason=" \u3000 ", name="张珊")

    def test_a_reason_over_200_characters_is_refused(self):
        self.assertRefused("更正原因最多 200 个字", reason="核" * 201, name="张珊")

    def test_nothing_changed_is_said_so(self):
        self.assertRefused("没有改动", student_id="1730101001", name="张三", gender="M")
        # The card rules' normalisation: full-width digits, spaces, a lowercase x.
        self.assertRefused("没有改动", student_id="１７３０１０１００１ ", name="张 三")

    def test_every_problem_is_reported_at_once(self):
        with self.assertRaises(RosterError) as refused:
            self.correct(student_id="17A", name="张A", id_number="123")
        message = str(refused.exception)
        for part in ("学号格式不对", "姓名只能是汉字", "身份证号应为 18 位"):
            self.assertIn(part, message)

    def test_an_old_value_the_rules_refuse_does_not_block_another_field(self):
        Student.objects.filter(pk=self.student.pk).update(gender="F")  # contradicts the ID
        self.correct(name="张珊")
        self.assertEqual(Student.objects.get(pk=self.student.pk).name, "张珊")


class CorrectionRecordTests(CorrectionTestCase):
    def test_each_changed_field_is_logged_with_old_and_new_value_reason_and_author(self):
        new_id = make_id_number("11010519491231002")  # ends in X
        result = self.correct(
            reason="  已核对身份证原件，名册录入有误 ",
            student_id="1730101001",
            name="张珊",
            id_number=new_id.lower(),
            gender="F",
        )
        student = Student.objects.get(pk=self.student.pk)
        self.assertEqual((student.name, student.id_number, student.gender), ("张珊", new_id, "F"))
        self.assertTrue(student.id_number.endswith("X"))
        rows = list(
            RosterCorrection.objects.order_by("id").values_list(
                "field", "old_value", "new_value", "reason", "corrected_by", "campaign"
            )
        )
        reason = "已核对身份证原件，名册录入有误"
        self.assertEqual(
            rows,
            [
                ("name", "张三", "张珊", reason, self.staff.pk, self.campaign.pk),
                ("id_number", MALE_ID, new_id, reason, self.staff.pk, self.campaign.pk),
                ("gender", "M", "F", reason, self.staff.pk, self.campaign.pk),
            ],
        )
        self.assertEqual(result.field_labels, "姓名、身份证号、性别")
        self.assertEqual(
            [(c.old_display, c.new_display) for c in result.corrections][2], ("男", "女")
        )

    def test_a_new_student_id_renames_the_login_named_by_the_old_one(self):
        user = make_student_user(self.student, password="own-password-2018")
        result = self.correct(student_id="1730101011", name="张珊")
        user.refresh_from_db()
        self.assertIs(result.login_renamed, True)
        self.assertEqual((user.username, user.first_name), ("1730101011", "张珊"))
        # The student signs in with the new 学号 and their own password; the old one is gone.
        login = reverse("login")
        credentials = {"username": "1730101001", "password": "own-password-2018"}
        self.assertEqual(self.client.post(login, credentials).status_code, 200)
        credentials["username"] = "1730101011"
        response = self.client.post(login, credentials)
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)

    def test_a_login_named_otherwise_keeps_its_name(self):
        user = make_user(username="zhangsan")
        Student.objects.filter(pk=self.student.pk).update(user=user)
        result = self.correct(student_id="1730101011")
        user.refresh_from_db()
        self.assertIs(result.login_renamed, False)
        self.assertEqual(user.username, "zhangsan")

    def test_a_student_without_a_login_gets_none(self):
        result = self.correct(student_id="1730101011")
        self.assertIs(result.login_renamed, False)
        self.assertIsNone(Student.objects.get(pk=self.student.pk).user)


class CorrectionSettlesDiscrepancyTests(CorrectionTestCase):
    def test_a_discrepancy_the_corrected_roster_now_agrees_with_is_closed(self):
        # The student typed the ID on their card; the roster had a digit wrong.
        check = make_card_check(self.student, id_number=OTHER_MALE_ID)
        self.assertEqual(check.mismatch_fields, ["id_number"])
        result = self.correct(id_number=OTHER_MALE_ID)
        check.refresh_from_db()
        self.assertEqual(result.settled_check, check)
        self.assertEqual(check.resolution_note, "名册已更正：身份证号")
        self.assertEqual(check.resolved_by, self.staff)
        self.assertEqual(check.resolved_at, result.corrections[0].corrected_at)

    def test_a_discrepancy_left_different_stays_open(self):
        check = make_card_check(self.student, id_number=OTHER_MALE_ID)
        third = make_id_number("43010219990404157")
        result = self.correct(id_number=third)
        check.refresh_from_db()
        self.assertIsNone(result.settled_check)
        self.assertIsNone(check.resolved_at)

    def test_it_closes_only_when_every_field_that_differed_agrees(self):
        check = make_card_check(self.student, name="张珊", id_number=OTHER_MALE_ID)
        self.assertEqual(check.mismatch_fields, ["name", "id_number"])
        self.assertIsNone(self.correct(id_number=OTHER_MALE_ID).settled_check)
        check.refresh_from_db()
        self.assertIsNone(check.resolved_at)
        self.assertEqual(self.correct(name="张珊").settled_check, check)
        check.refresh_from_db()
        self.assertEqual(check.resolution_note, "名册已更正：姓名、身份证号")

    def test_a_correction_that_makes_another_field_differ_does_not_close_it(self):
        check = make_card_check(self.student, id_number=OTHER_MALE_ID)
        self.correct(id_number=OTHER_MALE_ID, name="张珊")
        check.refresh_from_db()
        self.assertIsNone(check.resolved_at)

    def test_a_resolved_or_superseded_check_is_left_alone(self):
        old = make_card_check(self.student, id_number=OTHER_MALE_ID)
        make_card_check(self.student)  # the student checked again, matching the roster
        result = self.correct(id_number=OTHER_MALE_ID)
        old.refresh_from_db()
        self.assertIsNone(result.settled_check)
        self.assertIsNone(old.resolved_at)
        self.assertEqual(CardCheck.objects.filter(resolved_at__isnull=False).count(), 0)
