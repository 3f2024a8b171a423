"""A student on a phone finds their slot; staff reorder the schedule in a real browser."""

from selenium.webdriver.common.by import By

from sessions_app.models import SchoolClass
from sessions_app.notice.loader import notice_load
from tests.browser import BrowserTestCase
from tests.factories import make_staff, make_student, make_student_user


class StudentOnPhoneTests(BrowserTestCase):
    viewport = "phone"

    def setUp(self):
        super().setUp()
        campaign, _ = notice_load()
        self.accounting = SchoolClass.objects.get(campaign=campaign, name="会计1172")
        self.student = make_student(
            self.accounting, student_id="1703010207", name="王堃", id_number="43010320010512102X"
        )

    def test_a_student_finds_their_slot_from_the_home_page(self):
        self.open("/")
        self.assertIn("2020届毕业生图像采集", self.find("h1").text)
        self.assertNoHorizontalScroll()
        self.screenshot("phone-home", full_page=True)

        self.driver.find_element(By.LINK_TEXT, "用学号和姓名查我的拍摄时间").click()
        self.wait_for('input[name="student_id"]').send_keys("1703010207")
        self.find('input[name="name"]').send_keys("王堃")
        self.submit()

        result = self.wait_for("#lookup-result").text
        self.assertIn("11月11日 10:30—12:00", result)
        self.assertIn("明理楼(南栋)109教室", result)
        self.assertIn("本时段第 4 个班（共 10 个班）", result)
        self.assertNotIn("102X", self.find("body").text)
        self.assertNoHorizontalScroll()
        self.screenshot("phone-lookup-found")

    def test_a_wrong_name_gets_the_not_found_message(self):
        self.open("/lookup/")
        self.find('input[name="student_id"]').send_keys("1703010207")
        self.find('input[name="name"]').send_keys("王五")
        self.submit()
        self.assertIn("没有找到与此学号和姓名相符的记录", self.wait_for("#lookup-result").text)

    def test_a_logged_in_student_sees_the_queue_of_their_slot(self):
        make_student_user(self.student, password="Zq8-kaoshi-2018")
        self.login("1703010207", "Zq8-kaoshi-2018")
        body = self.find("body").text
        self.assertIn("本时段排队顺序", body)
        self.assertIn("会计1172（1 人，预计 10:30 开始） ← 我的班", body)
        self.assertIn("43010320010512102X", body)
        self.assertNoHorizontalScroll()
        self.screenshot("phone-student-home", full_page=True)


class StaffBoardTests(BrowserTestCase):
    def test_staff_move_a_class_up_and_see_the_new_order(self):
        campaign, _ = notice_load()
        make_staff(username="jwc", password="Zq8-jiaowu-2018")
        self.login("jwc", "Zq8-jiaowu-2018")
        self.assertIn("2020届毕业生图像采集", self.find("h1").text)
        self.screenshot("staff-board", full_page=True)
        self.find('button[aria-label="上移 造价1171"]').click()
        self.wait_for("#changed-classes")
        changed = self.find("#changed-classes").text
        self.assertIn("造价1171", changed)
        self.assertIn("第 2 个班", changed)
        self.screenshot("staff-schedule-confirm", full_page=True)
        self.assertEqual(
            SchoolClass.objects.get(campaign=campaign, name="造价1171").position,
            2,
            "nothing is saved before the confirmation",
        )
        self.submit("#confirm-change")
        first = SchoolClass.objects.get(campaign=campaign, name="造价1171")
        self.assertEqual(first.position, 1)
        rows = self.find_all("#slot-%d tbody tr td:nth-child(2)" % first.slot_id)
        self.assertEqual([r.text for r in rows[:2]], ["造价1171", "微电网1171"])

        self.assertIn("调整顺序", self.find("#latest-change").text)

        # Undo from the board: the confirmation shows the way back, then saves it.
        self.submit("#latest-change button")
        self.assertIn("确认调整：撤销调整", self.find("h1").text)
        self.submit("#confirm-change")
        self.assertEqual(SchoolClass.objects.get(pk=first.pk).position, 2)
