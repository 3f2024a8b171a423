"""A desk session on a tablet in a real browser: find, verify, number, photograph,
next; and the queue board at the door refreshing itself."""

from django.utils import timezone
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from sessions_app.models import Shot
from sessions_app.shootday import services as shootday
from tests.browser import BrowserTestCase
from tests.sessions_app.shootday.factories import make_shoot_day

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
        self.driver.execute_script("window.shootdayBoardRefresh()")
        # The board body is replaced in place: an element read during a swap is stale.
        WebDriverWait(
            self.driver, self.wait_timeout, ignored_exceptions=[StaleElementReferenceException]
        ).until(lambda d: "已拍 1 / 2 人" in d.find_element(By.ID, "board-current").text)
        body = self.find("body").text
        self.assertIn("正在拍摄\n会计1171\n已拍 1 / 2 人", body)
        self.assertIn("会计1172", body)
        self.assertNotIn("欧阳娜娜", body)
        self.assertNotIn("1730101101", body)
        self.screenshot("shoot-board-shooting")
