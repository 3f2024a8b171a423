import re
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from payments_app.models import Handover, Payment, PaymentReversal
from payments_app.services import handover_confirm, payment_record
from tests.factories import make_crew, make_staff, make_student, make_student_user
from tests.payments_app.factories import make_class_world, make_day, make_handover, make_payments
from tests.personas import Personas
from tests.sessions_app.shootday.factories import make_photographed


class PaymentViewTestCase(TestCase):
    def setUp(self):
        self.world = make_class_world(4)
        self.cls = self.world.school_class
        self.other = make_class_world(2, campaign=self.world.campaign)
        self.staff = make_staff()
        self.student_user = make_student_user(self.world.students[1])

    def url(self, name, *args):
        return reverse("payments:%s" % name, args=args)

    def as_monitor(self):
        self.client.force_login(self.world.monitor_user)

    def messages(self, response):
        return [str(m) for m in response.context["messages"]]


class ClassPageTests(PaymentViewTestCase):
    def test_anonymous_is_sent_to_log_in(self):
        response = self.client.get(self.url("class", self.cls.pk))

        self.assertRedirects(
            response,
            "/accounts/login/?next=%s" % self.url("class", self.cls.pk),
            fetch_redirect_response=False,
        )

    def test_an_unknown_class_is_not_found(self):
        self.client.force_login(self.staff)

        self.assertEqual(self.client.get(self.url("class", 99999)).status_code, 404)

    def test_the_monitor_sees_paid_unpaid_and_totals(self):
        make_payments(self.world.students[:2], self.world.monitor_user)
        self.as_monitor()

        response = self.client.get(self.url("class", self.cls.pk))

        self.assertContains(response, 'id="paid-count">2<')
        self.assertContains(response, 'id="collected">40.00<')
        self.assertContains(response, 'aria-valuenow="50"')
        unpaid = response.content.decode().split('id="unpaid-names"')[1].split("</p>")[0]
        self.assertIn(self.world.students[2].name, unpaid)
        self.assertIn(self.world.students[3].name, unpaid)
        self.assertNotIn(self.world.students[0].name, unpaid)

    def test_staff_see_any_class(self):
        self.client.force_login(self.staff)

        self.assertEqual(
            self.client.get(self.url("class", self.other.school_class.pk)).status_code, 200
        )

    def test_its_queries_do_not_grow_with_the_class(self):
        make_payments(self.world.students[:1], self.world.monitor_user)
        self.as_monitor()
        self.client.get(self.url("class", self.cls.pk))  # warm the session
        with self.assertNumQueries(17) as first:
            self.client.get(self.url("class", self.cls.pk))
        added = [make_student(self.cls) for _ in range(10)]
        make_payments(added[:5], self.world.monitor_user)
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(self.url("class", self.cls.pk))

    def test_home_sends_each_role_to_its_page(self):
        self.as_monitor()
        self.assertRedirects(self.client.get(self.url("home")), self.url("class", self.cls.pk))
        self.client.force_login(self.staff)
        self.assertRedirects(self.client.get(self.url("home")), self.url("overview"))
        self.client.force_login(self.student_user)
        self.assertRedirects(self.client.get(self.url("home")), self.url("mine"))


class RecordViewTests(PaymentViewTestCase):
    def test_one_tap_records_one_payment(self):
        self.as_monitor()
        student = self.world.students[2]

        response = self.client.post(
            self.url("record", self.cls.pk), {"one": student.pk, "method": "cash"}, follow=True
        )

        self.assertEqual(Payment.objects.get().student, student)
        self.assertIn("已登记 %s 缴费 20.00 元。" % student.name, self.messages(response))

    def test_one_tap_ignores_ticked_boxes(self):
        self.as_monitor()

        self.client.post(
            self.url("record", self.cls.pk),
            {
                "one": self.world.students[1].pk,
                "students": [self.world.students[2].pk],
                "method": "cash",
            },
        )

        self.assertEqual(
            list(Payment.objects.values_list("student", flat=True)), [self.world.students[1].pk]
        )

    def test_several_at_once_are_recorded(self):
        self.as_monitor()
        chosen = [s.pk for s in self.world.students[1:]]

        response = self.client.post(
            self.url("record", self.cls.pk), {"students": chosen, "method": "cash"}, follow=True
        )

        self.assertEqual(Payment.objects.count(), 3)
        self.assertIn("已登记 3 人缴费，共 60.00 元。", self.messages(response))

    def test_a_double_click_never_pays_twice(self):
        self.as_monitor()
        data = {"one": self.world.students[1].pk, "method": "cash"}

        self.client.post(self.url("record", self.cls.pk), data)
        response = self.client.post(self.url("record", self.cls.pk), data, follow=True)

        self.assertEqual(Payment.objects.count(), 1)
        self.assertIn(
            "%s 此前已缴费，未重复登记。" % self.world.students[1].name, self.messages(response)
        )

    def test_a_student_of_another_class_is_refused(self):
        self.as_monitor()

        response = self.client.post(
            self.url("record", self.cls.pk),
            {"one": self.other.students[1].pk, "method": "cash"},
            follow=True,
        )

        self.assertFalse(Payment.objects.exists())
        self.assertIn("所选学生不在本班名单中，请刷新页面后重试。", self.messages(response))

    def test_nothing_chosen_is_refused(self):
        self.as_monitor()

        response = self.client.post(
            self.url("record", self.cls.pk), {"method": "cash"}, follow=True
        )

        self.assertIn("请先勾选要登记缴费的学生。", self.messages(response))

    def test_garbage_input_is_refused_without_a_server_error(self):
        self.as_monitor()

        for data in (
            {"one": "abc", "method": "cash"},
            {"students": ["x"], "method": "cash"},
            {"one": self.world.students[1].pk, "method": "gold"},
        ):
            response = self.client.post(self.url("record", self.cls.pk), data, follow=True)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(self.messages(response), data)
        self.assertFalse(Payment.objects.exists())

    def test_get_is_not_allowed(self):
        self.as_monitor()

        self.assertEqual(self.client.get(self.url("record", self.cls.pk)).status_code, 405)

    def test_a_handed_over_class_refuses_the_monitor_with_a_message(self):
        make_handover(self.world, self.world.students[:2])
        self.as_monitor()

        response = self.client.post(
            self.url("record", self.cls.pk),
            {"one": self.world.students[3].pk, "method": "cash"},
            follow=True,
        )

        self.assertEqual(Payment.objects.count(), 2)
        self.assertIn("缴费记录已锁定", " ".join(self.messages(response)))


class ReverseViewTests(PaymentViewTestCase):
    def setUp(self):
        super().setUp()
        self.payment = payment_record(student=self.world.students[1], by=self.world.monitor_user)
        self.reverse_url = self.url("reverse", self.cls.pk, self.payment.pk)

    def test_the_monitor_reverses_with_a_reason(self):
        self.as_monitor()

        response = self.client.post(self.reverse_url, {"reason": "点错了人"}, follow=True)

        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, "reversed")
        self.assertEqual(PaymentReversal.objects.get().reason, "点错了人")
        self.assertIn(
            "已撤销 %s 的缴费 20.00 元。" % self.world.students[1].name, self.messages(response)
        )

    def test_a_blank_reason_is_refused(self):
        self.as_monitor()

        response = self.client.post(self.reverse_url, {"reason": "  "})

        self.assertContains(response, "请填写原因。")
        self.assertFalse(PaymentReversal.objects.exists())

    def test_a_payment_of_another_class_is_not_found_under_this_one(self):
        theirs = payment_record(student=self.other.students[1], by=self.other.monitor_user)
        self.as_monitor()

        response = self.client.post(self.url("reverse", self.cls.pk, theirs.pk), {"reason": "x"})

        self.assertEqual(response.status_code, 404)
        self.assertFalse(PaymentReversal.objects.exists())


class HandoverViewTests(PaymentViewTestCase):
    def setUp(self):
        super().setUp()
        make_payments(self.world.students[:3], self.world.monitor_user)
        self.crew = make_day(self.world, self.world.students[:3])  # the fourth is absent

    def test_the_monitor_hands_over_what_the_photographed_owe(self):
        from sessions_app.models import TimeSlot

        # The notice's day, so that a hand-over at 10:40 that day is within the campaign.
        TimeSlot.objects.filter(campaign=self.cls.campaign).update(date="2018-11-11")
        self.as_monitor()
        page = self.client.get(self.url("handover", self.cls.pk))
        self.assertContains(
            page, "已拍摄 <strong>3</strong> 人 × 20.00 元 = <strong>60.00</strong> 元"
        )

        response = self.client.post(
            self.url("handover", self.cls.pk),
            {
                "student_count": "3",
                "amount": "60",
                "receiver_name": "李师傅",
                "handed_over_at": "2018-11-11T10:40",
            },
        )

        self.assertRedirects(response, self.url("class", self.cls.pk))
        handover = Handover.objects.get()
        self.assertEqual(handover.amount, Decimal("60.00"))
        self.assertEqual(handover.handed_over_at.isoformat()[:16], "2018-11-11T02:40")  # UTC
        self.assertIsNone(handover.confirmed_at, "the crew still has to confirm receipt")
        self.assertContains(self.client.get(self.url("class", self.cls.pk)), "待拍摄组确认收款")

    def test_the_crew_confirms_receipt_and_lands_back_on_the_close(self):
        self.as_monitor()
        self.client.post(
            self.url("handover", self.cls.pk),
            {"student_count": "3", "amount": "60", "receiver_name": "李师傅"},
        )
        self.client.force_login(self.crew)

        response = self.client.post(self.url("handover_confirm", self.cls.pk), follow=True)

        self.assertRedirects(response, reverse("shootday:class_close", args=[self.cls.pk]))
        self.assertIn("已确认收到 %s 的交接。" % self.cls.name, self.messages(response))
        self.assertEqual(Handover.objects.get().confirmed_by, self.crew)

    def test_the_crew_records_receipt_themselves(self):
        self.client.force_login(self.crew)

        response = self.client.post(
            self.url("handover", self.cls.pk), {"student_count": "3", "amount": "60.00"}
        )

        self.assertRedirects(response, reverse("shootday:class_close", args=[self.cls.pk]))
        handover = Handover.objects.get()
        self.assertEqual(handover.confirmed_by, self.crew)
        self.assertEqual(handover.receiver_name, self.crew.username)

    def test_a_difference_is_refused_with_who_and_how_many(self):
        self.as_monitor()

        response = self.client.post(
            self.url("handover", self.cls.pk),
            {"student_count": "4", "amount": "80", "receiver_name": "李师傅"},
        )

        self.assertContains(response, "交接人数 4 人与已拍摄应交的 3 人不符（应交 60.00 元）")
        self.assertFalse(Handover.objects.exists())

    def test_money_of_an_absent_payer_is_named_as_not_for_the_crew(self):
        payment_record(student=self.world.students[3], by=self.world.monitor_user)
        self.as_monitor()

        response = self.client.post(
            self.url("handover", self.cls.pk),
            {"student_count": "4", "amount": "80", "receiver_name": "李师傅"},
        )

        self.assertContains(
            response, "已缴费但未拍摄的 1 人（%s）不交拍摄组" % self.world.students[3].name
        )
        self.assertFalse(Handover.objects.exists())

    def test_bad_numbers_are_refused_in_chinese(self):
        self.as_monitor()

        response = self.client.post(
            self.url("handover", self.cls.pk),
            {"student_count": "三", "amount": "-5", "receiver_name": "", "handed_over_at": "明天"},
        )

        for text in ("人数须为整数。", "金额不能为负数。", "时间格式不对"):
            self.assertContains(response, text)
        self.assertFalse(Handover.objects.exists())

    def test_the_monitor_must_name_who_received_the_cash(self):
        self.as_monitor()

        response = self.client.post(
            self.url("handover", self.cls.pk),
            {"student_count": "3", "amount": "60", "receiver_name": "  "},
        )

        self.assertContains(response, "请填写收款人姓名。", count=1)
        self.assertFalse(Handover.objects.exists())


class HandoverBeforeTheDayTests(PaymentViewTestCase):
    def test_a_class_not_yet_shot_cannot_hand_over(self):
        make_payments(self.world.students, self.world.monitor_user)
        self.as_monitor()

        page = self.client.get(self.url("class", self.cls.pk))
        response = self.client.post(
            self.url("handover", self.cls.pk),
            {"student_count": "4", "amount": "80", "receiver_name": "李师傅"},
        )

        self.assertNotContains(page, 'id="handover-link"')
        self.assertContains(response, "本班还没有已拍摄的学生，拍摄后再交接。")
        self.assertFalse(Handover.objects.exists())


class SettleViewTests(PaymentViewTestCase):
    def test_only_staff_settle_a_discrepancy(self):
        make_handover(self.world, self.world.students[:2])
        late = self.world.students[2]  # marked absent, then came after the hand-over
        make_photographed(late, by=make_crew(), when=timezone.now())
        payment_record(student=late, by=self.staff, reason="迟到补交")
        data = {"reason": "已补交拍摄组"}

        self.as_monitor()
        self.assertEqual(self.client.post(self.url("settle", self.cls.pk), data).status_code, 403)
        self.client.force_login(self.staff)
        page = self.client.get(self.url("class", self.cls.pk))
        self.assertContains(page, "交接与应交不符，待结清")
        self.assertContains(page, "差额 -20.00 元")
        response = self.client.post(self.url("settle", self.cls.pk), data, follow=True)

        self.assertIn("已结清差额：+1 人，20.00 元。", self.messages(response))
        self.assertNotContains(self.client.get(self.url("class", self.cls.pk)), "待结清")

    def test_a_blank_reason_is_refused(self):
        self.client.force_login(self.staff)

        response = self.client.post(self.url("settle", self.cls.pk), {"reason": ""}, follow=True)

        self.assertIn("结清差额须填写原因。", self.messages(response))


class RefundViewTests(PaymentViewTestCase):
    def setUp(self):
        super().setUp()
        self.payments = make_payments(self.world.students, self.world.monitor_user)
        make_day(self.world, self.world.students[:3])  # the fourth paid and was absent
        self.absent = self.world.students[3]
        self.payment = self.payments[3]

    def test_staff_see_the_refund_due_and_record_it(self):
        self.client.force_login(self.staff)
        page = self.client.get(self.url("class", self.cls.pk))
        self.assertContains(page, 'id="refund-due">20.00 元（1 人')

        response = self.client.post(
            self.url("refund", self.cls.pk, self.payment.pk), {"reason": "现金退还"}, follow=True
        )

        self.assertIn("已登记退还 %s 20.00 元。" % self.absent.name, self.messages(response))
        self.assertEqual(PaymentReversal.objects.get().kind, "refund")
        self.assertNotContains(response, 'id="refund-due"')

    def test_staff_carry_the_money_to_the_make_up(self):
        self.client.force_login(self.staff)

        response = self.client.post(
            self.url("carry", self.cls.pk, self.payment.pk), {"reason": ""}, follow=True
        )

        self.assertIn("已把 %s 的 20.00 元转入补拍。" % self.absent.name, self.messages(response))
        self.assertContains(response, "已转补拍")
        self.assertNotContains(response, 'id="refund-due"')

    def test_a_payment_still_owed_cannot_be_refunded(self):
        self.client.force_login(self.staff)

        response = self.client.post(
            self.url("refund", self.cls.pk, self.payments[1].pk), {"reason": "x"}, follow=True
        )

        self.assertEqual(Payment.objects.filter(status="active").count(), 4)
        self.assertIn(
            "%s 应随班缴费，这笔费用不需退还或转补拍。" % self.world.students[1].name,
            self.messages(response),
        )

    def test_the_monitor_cannot_refund_or_carry(self):
        self.as_monitor()

        for name in ("refund", "carry"):
            response = self.client.post(self.url(name, self.cls.pk, self.payment.pk), {})
            self.assertEqual(response.status_code, 403)
        self.assertEqual(Payment.objects.filter(status="active").count(), 4)


class MineViewTests(PaymentViewTestCase):
    def test_a_student_sees_their_own_state(self):
        self.client.force_login(self.student_user)
        self.assertContains(self.client.get(self.url("mine")), "未缴")

        payment_record(student=self.world.students[1], by=self.world.monitor_user)

        self.assertContains(self.client.get(self.url("mine")), "已缴</span> 20.00 元")

    def test_a_make_up_student_is_sent_to_the_centre(self):
        alumnus = make_student(campaign=self.world.campaign, category="alumni")
        self.client.force_login(make_student_user(alumnus))

        response = self.client.get(self.url("mine"))

        self.assertContains(response, "补拍自缴")
        self.assertContains(response, self.world.campaign.makeup_centre_phone)

    def test_staff_without_a_roster_entry_are_forbidden(self):
        self.client.force_login(self.staff)

        self.assertEqual(self.client.get(self.url("mine")).status_code, 403)


class OverviewViewTests(PaymentViewTestCase):
    def test_staff_see_problem_classes_first_with_totals(self):
        make_handover(self.other)
        handover_confirm(school_class=self.other.school_class, by=make_crew())
        make_payments(self.world.students[:1], self.world.monitor_user)
        make_day(self.world, self.world.students[:1])
        self.client.force_login(self.staff)

        response = self.client.get(self.url("overview"))

        html = response.content.decode()
        table = html.split('id="class-table"')[1]
        self.assertLess(table.index(self.cls.name), table.index(self.other.school_class.name))
        self.assertEqual(response.context["overview"].overall.collected, Decimal("60.00"))
        self.assertContains(response, "已拍完未交接")

    def test_its_queries_do_not_grow_with_the_campaign(self):
        self.client.force_login(self.staff)
        self.client.get(self.url("overview"))
        with self.assertNumQueries(12) as first:
            self.client.get(self.url("overview"))
        for _ in range(3):
            make_handover(make_class_world(3, campaign=self.world.campaign))
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(self.url("overview"))


class PermissionTests(Personas):
    """Only the class's monitor and staff act for a class; the overview is staff's."""

    def url(self, name, *args):
        return reverse("payments:%s" % name, args=args)

    def outsiders(self):
        return (self.student_user, self.other_monitor_user, self.other_student_user, self.crew)

    def test_only_the_monitor_and_staff_open_the_class_page(self):
        url = self.url("class", self.school_class.pk)
        self.assertEqual(self.client.get(url).status_code, 302)
        for user in self.outsiders():
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        for user in (self.monitor_user, self.staff):
            self.client.force_login(user)
            self.assertContains(self.client.get(url), self.student.name)

    def test_outsiders_cannot_record_reverse_or_hand_over(self):
        payment = payment_record(student=self.monitor, by=self.monitor_user)
        posts = [
            (self.url("record", self.school_class.pk), {"one": self.student.pk, "method": "cash"}),
            (self.url("reverse", self.school_class.pk, payment.pk), {"reason": "x"}),
            (
                self.url("handover", self.school_class.pk),
                {"student_count": "1", "amount": "20", "receiver_name": "李师傅"},
            ),
            (self.url("settle", self.school_class.pk), {"reason": "x"}),
        ]
        for url, data in posts:
            response = self.client.post(url, data)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/accounts/login/", response["Location"])
            for user in self.outsiders():
                if user == self.crew and "handover" in url:
                    continue  # the crew receives hand-overs: see the next test
                self.client.force_login(user)
                self.assertEqual(self.client.post(url, data).status_code, 403, url)
            self.client.logout()
        self.client.force_login(self.monitor_user)
        self.assertEqual(self.client.post(*posts[3]).status_code, 403)
        self.assertEqual(Payment.objects.count(), 1)
        self.assertFalse(PaymentReversal.objects.exists())
        self.assertFalse(Handover.objects.exists())

    def test_the_crew_opens_a_hand_over_but_cannot_take_one_before_the_day(self):
        payment_record(student=self.monitor, by=self.monitor_user)
        self.client.force_login(self.crew)
        url = self.url("handover", self.school_class.pk)

        self.assertContains(self.client.get(url), "拍摄组收款")
        response = self.client.post(url, {"student_count": "1", "amount": "20"})

        self.assertContains(response, "本班还没有已拍摄的学生")
        self.assertFalse(Handover.objects.exists())
        self.assertEqual(self.client.get(self.url("class", self.school_class.pk)).status_code, 403)

    def test_only_staff_see_the_overview(self):
        self.assertEqual(self.client.get(self.url("overview")).status_code, 302)
        for user in (self.student_user, self.monitor_user, self.crew, self.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url("overview")).status_code, 403)
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(self.url("overview")), self.school_class.name)


class LongClassTests(PaymentViewTestCase):
    """A class of hundreds: the page lists a hundred at a time, filtered and searched,
    and a payment brings the monitor back to the page they were on."""

    def setUp(self):
        super().setUp()
        for i in range(126):
            make_student(self.cls, name="学生%03d" % i)
        make_student(self.cls, name="張偉")
        self.as_monitor()

    def rows(self, response):
        return re.findall(
            r'class="list-group-item pay-row[^"]*" id="s(\d+)"', response.content.decode()
        )

    def test_a_hundred_at_a_time_with_every_total_over_the_whole_class(self):
        first = self.client.get(self.url("class", self.cls.pk))
        second = self.client.get(self.url("class", self.cls.pk), {"page": "2"})

        self.assertEqual((len(self.rows(first)), len(self.rows(second))), (100, 31))
        self.assertContains(first, "已缴 / 应缴 131 人")
        self.assertContains(first, "共 131 条 · 第 1 / 2 页")
        self.assertFalse(set(self.rows(first)) & set(self.rows(second)))
        self.assertLess(len(first.content), 300_000)

    def test_filters_and_search_in_either_script(self):
        paid = self.world.students[1]
        make_payments([paid], self.world.monitor_user)

        only_paid = self.client.get(self.url("class", self.cls.pk), {"show": "paid"})
        by_id = self.client.get(self.url("class", self.cls.pk), {"q": paid.student_id})
        by_name = self.client.get(self.url("class", self.cls.pk), {"q": "张伟"})
        hostile = self.client.get(
            self.url("class", self.cls.pk), {"show": "<x>", "page": "²", "q": "x" * 500}
        )

        self.assertEqual(self.rows(only_paid), [str(paid.pk)])
        self.assertEqual(self.rows(by_id), [str(paid.pk)])
        self.assertContains(by_name, "張偉")
        self.assertEqual(len(self.rows(by_name)), 1)
        self.assertEqual(hostile.status_code, 200)
        self.assertContains(hostile, "没有符合条件的学生。")

    def test_a_tap_on_page_two_comes_back_to_page_two(self):
        page = self.client.get(self.url("class", self.cls.pk), {"page": "2"})
        student_pk = int(self.rows(page)[0])

        response = self.client.post(
            self.url("record", self.cls.pk),
            {"one": student_pk, "method": "cash", "back": "page=2&evil=1&show=all"},
        )

        self.assertEqual(
            response["Location"], self.url("class", self.cls.pk) + "?page=2#s%d" % student_pk
        )
