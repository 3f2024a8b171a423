from selenium.webdriver.support.ui import WebDriverWait

from payments_app.models import Payment, PaymentReversal
from tests.browser import BrowserTestCase
from tests.factories import make_student
from tests.payments_app.factories import make_class_world

PASSWORD = "pw-for-tests-123"


def _scroll_settled():
    """Wait condition: the page has stopped scrolling (a smooth scroll to #s12 is over)."""
    last = []

    def settled(driver):
        last.append(driver.execute_script("return window.scrollY"))
        return len(last) > 2 and last[-1] == last[-2] == last[-3]

    return settled


class MonitorRecordsPaymentsOnAPhoneTests(BrowserTestCase):
    viewport = "phone"

    def setUp(self):
        super().setUp()
        self.world = make_class_world(1, name="会计1171")
        for name in ("唐梦丹", "吴露", "肖月艳", "胡芳雪"):
            make_student(self.world.school_class, name=name)
        self.students = list(self.world.school_class.students.order_by("student_id"))

    def row(self, student):
        return self.find("#s%d" % student.pk)

    def test_a_monitor_records_one_then_several_then_undoes_one(self):
        self.login(self.world.monitor_user.username, PASSWORD)
        self.open("/payments/")
        self.wait_for("#record-form")
        self.assertNoHorizontalScroll()
        self.screenshot("payments-monitor-phone-start")

        # One tap.
        first = self.students[1]
        self.submit("#s%d button.pay-one" % first.pk)
        self.assertIn("已登记 唐梦丹 缴费 20.00 元。", self.find(".alert-success").text)
        self.assertIn("已缴", self.row(first).text)
        self.assertEqual(self.find("#paid-count").text, "1")

        # Several at once: the button counts the ticked students.
        for student in self.students[2:4]:
            self.find("#c%d" % student.pk).click()
        self.assertEqual(self.find("#selected-count").text, "2")
        self.submit("#record-selected")
        self.assertIn("已登记 2 人缴费，共 40.00 元。", self.find(".alert-success").text)
        self.assertEqual(self.find("#paid-count").text, "3")
        self.assertEqual(self.find("#collected").text, "60.00")
        unpaid = self.find("#unpaid-names").text
        self.assertIn("胡芳雪", unpaid)
        self.assertNotIn("吴露", unpaid)
        self.assertNoHorizontalScroll()
        self.screenshot("payments-monitor-phone-recorded")

        # Undo by a reversal with a reason.
        self.find("#s%d a.btn-outline-danger" % first.pk).click()
        self.wait_for("#id_reason").send_keys("点错了人")
        self.submit("form button.btn-danger")
        self.assertIn("已撤销 唐梦丹 的缴费 20.00 元。", self.find(".alert-success").text)
        self.assertEqual(self.find("#paid-count").text, "2")

        self.assertEqual(Payment.objects.filter(status="active").count(), 2)
        self.assertEqual(PaymentReversal.objects.get().reason, "点错了人")
        self.screenshot("payments-monitor-phone-reversed", full_page=True)

    def test_the_message_after_a_tap_far_down_the_list_is_in_view(self):
        for i in range(25):
            make_student(self.world.school_class, name="学生%02d" % i)
        last = self.world.school_class.students.order_by("student_id").last()
        self.login(self.world.monitor_user.username, PASSWORD)
        self.open("/payments/")
        self.wait_for("#record-form")

        self.submit("#s%d button.pay-one" % last.pk)

        WebDriverWait(self.driver, 5).until(_scroll_settled())
        message = self.find(".alert-success")
        self.assertIn("已登记 %s 缴费 20.00 元。" % last.name, message.text)
        top, bottom, height = self.driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight];",
            message,
        )
        self.assertGreaterEqual(top, 0)
        self.assertLessEqual(bottom, height)
        self.assertIn("已缴", self.row(last).text)
        # The page comes back scrolled (smoothly) to the row: both it and the message show.
        WebDriverWait(self.driver, 5).until(_scroll_settled())
        row_top, row_bottom = self.driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom];",
            self.row(last),
        )
        self.assertGreaterEqual(row_top, bottom, "the row is below the message, not under it")
        self.assertLessEqual(row_bottom, height)
        self.screenshot("payments-monitor-phone-message-in-view")
