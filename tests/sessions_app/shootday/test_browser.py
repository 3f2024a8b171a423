"""A desk session on a tablet in a real browser: find, verify, number, photograph,
next; the queue board at the door refreshing itself; and the follow-up after the day."""

from django.utils import timezone
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from sessions_app.models import Shot
from sessions_app.shootday import services as shootday
from sessions_app.shootday.views.board import BOARD_SHARED_SECONDS
from tests.browser import BrowserTestCase
from tests.factories import make_staff, make_student_user
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day

# A 10.9-inch tablet in portrait, as the crew holds it at the desk.
TABLET = {"width": 820, "height": 1180, "deviceScaleFactor": 1, "mobile": False}
BIG_SCREEN = {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}


class ShootDayBrowserTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        # The desk and the board follow the clock: the shoot day is today.
        self.day = make_shoot_day(
            sizes=(2, 2),
            names=["会计1171", "会计1172"],
            day=timezone.localdate().isoformat(),
            start="00:00",
            end="23:59",
        )
        self.first, self.second = self.day.roster(0)
        self.first.name, self.first.student_id = "欧阳娜娜", "1730101101"
        self.first.save()
        self.second.name, self.second.student_id = "王堃", "1730101102"
        self.second.save()
        self.day.crew.set_password("crew-browser-2018")
        self.day.crew.save()

    def use_metrics(self, metrics):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


class DeskSessionTests(ShootDayBrowserTestCase):
    def test_the_crew_finds_verifies_numbers_photographs_and_moves_to_the_next(self):
        self.use_metrics(TABLET)
        self.login(self.day.crew.username, "crew-browser-2018")
        self.open("/shoot/desk/")
        self.assertIn("会计1171", self.wait_for("#queue").text)
        self.assertNoHorizontalScroll()
        self.screenshot("shoot-desk-tablet-start", full_page=True)

        # Find by 学号: a single match opens the student's card.
        search = self.find("#id_q")
        self.assertEqual(self.driver.switch_to.active_element, search)
        search.send_keys("1730101101")
        self.submit("#search-form [type=submit]")
        self.wait_for("#student-card")
        self.assertEqual(self.find("#student-name").text, "欧阳娜娜")
        # Verify: the name's 区位码, left to right, and the full ID number, which the
        # crew compare with the card's 18 columns.
        self.assertEqual(
            [code.text for code in self.find_all("#name-codes .font-monospace")],
            ["3723", "4984", "3640", "3640"],
        )
        self.assertEqual(self.find("#desk-id-number").text, self.first.id_number)
        self.assertEqual(self.first.id_number.endswith("X"), bool(self.find_all("#id-x-note")))

        # Number.
        self.submit("#btn-assign")
        self.assertEqual(self.wait_for("#shot-number").text, "1")
        self.assertIn("请 欧阳娜娜 在采集卡上填涂 1", self.find(".alert-success").text)
        self.assertNoHorizontalScroll()
        self.screenshot("shoot-desk-tablet-numbered", full_page=True)

        # Photograph: the desk returns to an empty search, ready for the next student.
        self.submit("#btn-photographed")
        self.assertIn("序号 1 欧阳娜娜 已拍摄", self.wait_for(".alert-success").text)
        self.assertEqual(self.find_all("#student-card"), [])
        self.assertEqual(self.driver.switch_to.active_element.get_attribute("id"), "id_q")
        self.assertIn("已拍 1/2", self.find("#queue").text)

        # Next: the waiting student is one tap away, by name.
        waiting = self.find("#waiting")
        self.assertIn("王堃", waiting.text)
        self.assertNotIn("欧阳娜娜", waiting.text)
        page = self.find("html")
        waiting.find_element(By.PARTIAL_LINK_TEXT, "王堃").click()
        WebDriverWait(self.driver, self.wait_timeout).until(
            lambda d: page != d.find_element(By.TAG_NAME, "html")
        )
        self.assertEqual(self.wait_for("#student-name").text, "王堃")
        self.assertIn("0000", self.find("#name-codes").text)
        self.assertIn("kun", self.find("#name-codes").text)
        self.submit("#btn-assign")
        self.assertEqual(self.wait_for("#shot-number").text, "2")
        self.screenshot("shoot-desk-tablet-next", full_page=True)

        self.assertEqual(
            list(Shot.objects.order_by("number").values_list("number", "student__name", "status")),
            [(1, "欧阳娜娜", "photographed"), (2, "王堃", "assigned")],
        )


class QueueBoardBrowserTests(ShootDayBrowserTestCase):
    def test_the_board_shows_the_class_being_shot_and_refreshes_in_place(self):
        self.use_metrics(BIG_SCREEN)
        self.open("/shoot/board/")
        # The slot has begun: its first class is called in, though nobody is shot yet.
        self.assertIn("会计1171\n已拍 0 / 2 人", self.wait_for("#board-current").text)
        self.assertIn("会计1172", self.find("#board-next").text)
        self.screenshot("shoot-board-before")

        shot = shootday.shot_number_assign(student=self.first, desk="1号台", by=self.day.crew)
        shootday.shot_mark_photographed(shot=shot, by=self.day.crew)

        def refreshed(driver):
            # The board may show the queue up to BOARD_SHARED_SECONDS behind the desks: it
            # is refreshed again until the photo shows, as it refreshes itself every 20 s.
            driver.execute_script("window.shootdayBoardRefresh()")
            return "已拍 1 / 2 人" in driver.find_element(By.ID, "board-current").text

        # The board body is replaced in place: an element read during a swap is stale.
        WebDriverWait(
            self.driver,
            self.wait_timeout + BOARD_SHARED_SECONDS,
            poll_frequency=0.5,
            ignored_exceptions=[StaleElementReferenceException],
        ).until(refreshed)
        body = self.find("body").text
        self.assertIn("正在拍摄\n会计1171\n已拍 1 / 2 人", body)
        self.assertIn("会计1172", body)
        self.assertNotIn("欧阳娜娜", body)
        self.assertNotIn("1730101101", body)
        self.screenshot("shoot-board-shooting")


class FollowUpBrowserTests(BrowserTestCase):
    """After the day: 教务处 follow up the 学信网 answers, the crew read the number
    log, a student reads the deadline; on a desktop and on a phone."""

    def setUp(self):
        super().setUp()
        self.day = make_shoot_day(sizes=(4, 3), names=["会计1171", "工程造价1172"])
        crew = self.day.crew
        students = self.day.roster(0) + self.day.roster(1)
        for index, student in enumerate(students):
            make_photographed(student, by=crew, when=at("2018-11-11", "08:%02d" % (10 + index)))
        self.reporter, self.silent = students[0], students[1]
        self.reporter.name, self.reporter.student_id = "买买提·艾力", "1730101101"
        self.reporter.id_number = "430103200105121038"
        self.reporter.save()
        shootday.chsi_check_confirm(
            student=self.reporter,
            ok=False,
            problem="毕业年份显示为2019，应为2020；照片是别人的",
            by=crew,
            now=at("2018-11-13", "20:15"),
        )
        shootday.chsi_check_confirm(
            student=self.reporter, ok=True, by=crew, now=at("2018-11-14", "08:30")
        )
        for student in students[2:5]:
            shootday.chsi_check_confirm(student=student, ok=True, by=crew)
        self.staff = make_staff(first_name="刘老师")
        self.staff.set_password("staff-browser-2018")
        self.staff.save()
        crew.set_password("crew-browser-2018")
        crew.save()

    def test_staff_follow_up_a_report_the_student_later_called_ok(self):
        for viewport in ("desktop", "phone"):
            with self.subTest(viewport=viewport):
                self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
                self.use_phone() if viewport == "phone" else self.use_desktop()
                self.login(self.staff.username, "staff-browser-2018")
                self.open("/shoot/chsi/?state=open")
                row = self.wait_for("#student-%d" % self.reporter.pk)
                self.assertIn("毕业年份显示为2019", row.text)
                self.assertIn("无误", row.text)
                self.assertIn("有问题待处理 1", self.find("#chsi-states").text)
                self.assertNoHorizontalScroll()
                self.screenshot("followup-chsi-open-%s" % viewport, full_page=True)
        row.find_element(By.NAME, "note").send_keys("已提交勘误，已电话通知学生")
        self.submit("#student-%d .chsi-handle-form [type=submit]" % self.reporter.pk)
        # Back on the open list, which the handled report has left.
        self.assertIn("已标记为已处理", self.wait_for(".alert-success").text)
        self.assertIn("有问题待处理 0", self.find("#chsi-states").text)
        self.assertEqual(self.find_all("#student-%d" % self.reporter.pk), [])
        self.submit("#state-handled")
        row = self.wait_for("#student-%d" % self.reporter.pk)
        self.assertIn("已处理 · 刘老师", row.text)
        self.assertIn("已提交勘误，已电话通知学生", row.text)
        self.assertNoHorizontalScroll()
        self.screenshot("followup-chsi-handled-phone", full_page=True)
        self.use_desktop()
        self.open("/shoot/chsi/")
        self.assertNoHorizontalScroll()
        self.screenshot("followup-chsi-all-desktop", full_page=True)

    def test_the_crew_land_on_the_desk_and_search_the_number_log(self):
        self.use_phone()
        self.login(self.day.crew.username, "crew-browser-2018")
        self.assertTrue(self.driver.current_url.endswith("/shoot/desk/"))
        self.open("/shoot/numbers/")
        self.assertIn("2018-11-11 08:10:00", self.wait_for("#numbers").text)
        self.assertNoHorizontalScroll()
        self.screenshot("followup-numbers-phone", full_page=True)
        self.find("#id_q").send_keys("买买提")
        self.submit("#numbers-search [type=submit]")
        table = self.wait_for("#numbers")
        self.assertIn("1730101101", table.text)
        self.assertEqual(len(self.find_all("#numbers tbody tr")), 1)
        self.use_desktop()
        self.open("/shoot/numbers/")
        self.assertNoHorizontalScroll()
        self.screenshot("followup-numbers-desktop", full_page=True)

    def test_a_student_reads_that_the_deadline_has_passed(self):
        user = make_student_user(self.silent, password="student-browser-2018")
        self.use_phone()
        self.login(user.username, "student-browser-2018")
        self.open("/me/")
        deadline = self.wait_for("#chsi-deadline")
        self.assertIn("核对期限 2018年11月15日 已过，请尽快登录", deadline.text)
        self.assertNoHorizontalScroll()
        self.screenshot("followup-student-panel-overdue-phone", full_page=True)

    def test_the_crew_read_the_full_id_number_at_the_desk_on_a_phone(self):
        self.silent.id_number = "43010320010512102X"
        self.silent.save()
        self.use_phone()
        self.login(self.day.crew.username, "crew-browser-2018")
        self.open("/shoot/desk/?student=%d" % self.silent.pk)
        self.assertEqual(self.wait_for("#desk-id-number").text, "43010320010512102X")
        self.assertEqual(self.find("#id-x-note").text, "X 涂在字母处")
        self.assertNoHorizontalScroll()
        self.screenshot("followup-desk-id-phone", full_page=True)
        self.open("/shoot/desk/?student=%d" % self.reporter.pk)
        self.assertEqual(self.wait_for("#desk-id-number").text, self.reporter.id_number)
        self.assertEqual(self.find_all("#id-x-note"), [])
