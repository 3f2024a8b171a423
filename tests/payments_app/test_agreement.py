"""One class with every money situation at once; every page and list that shows its
money must say the same figures to the fen.

The class (fee 20 元), after its day:

=====  ==========================================  =============================
who    what happened                               the class's ledger says
=====  ==========================================  =============================
A, B   paid, photographed                          应交 (handed to the crew)
C      paid, absent                                待退
D      did not pay, absent                         补拍自缴 (pays the centre)
E      did not pay, photographed                   未缴, and the class owes for E
F      paid, still queued when the list was taken   已缴, not yet owed to the crew
G      paid here, then moved to another class,     paid here: 应交 here
       photographed there
H      paid, then found to be 往届生                 待退
I      paid, absent, carried to the make-up        转补拍
J      paid, absent, refunded by staff             补拍自缴
=====  ==========================================  =============================

So: 应收 5 人 100 元 (A B E F G), 已收 7 笔 140 元 (A B C F G H I), 未收 1 人 20 元 (E),
应交 4 人 80 元 (A B E G) of which the monitor holds 60 元 (A B G), 待退 2 人 40 元 (C H),
转补拍 1 人 20 元 (I).
"""

import io
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from payments_app.exports import payment_list_export
from payments_app.models import Payment
from payments_app.services import payment_carry, payment_refund
from sessions_app.models import SchoolClass, Student, StudentCategory
from sessions_app.shootday.services import shot_mark_absent, shot_number_assign
from tests.factories import make_crew, make_staff, make_student_user, move_student
from tests.payments_app.factories import make_class_world, make_payments
from tests.payments_app.test_exports import pdf_text
from tests.sessions_app.shootday.factories import make_photographed


class EveryPageAgreesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = make_class_world(10, name="会计1171")
        cls.school_class = cls.world.school_class
        cls.other = make_class_world(1, campaign=cls.world.campaign, name="造价1171")
        cls.staff = make_staff()
        cls.crew = make_crew()
        a, b, c, d, e, f, g, h, i, j = cls.who = cls.world.students
        payments = make_payments([a, b, c, f, g, h, i, j], cls.world.monitor_user)
        by_student = {p.student_id: p for p in payments}
        now = timezone.now()
        for student in (a, b, e):
            make_photographed(student, by=cls.crew, when=now)
        for student in (c, d, i, j):
            shot_mark_absent(student=student, by=cls.crew)
        shot_number_assign(student=f, desk="1号台", by=cls.crew)  # queued
        make_photographed(
            move_student(g, school_class=cls.other.school_class), by=cls.crew, when=now
        )
        move_student(h, category=StudentCategory.ALUMNI)
        payment_carry(payment=by_student[i.pk], by=cls.staff, note="补拍时抵扣")
        payment_refund(payment=by_student[j.pk], by=cls.staff, reason="现金退还")

    def name(self, letter: str) -> str:
        return self.who["ABCDEFGHIJ".index(letter)].name

    def test_the_staff_overview(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("payments:overview"))

        row = next(r for r in response.context["overview"].classes if r.label == "会计1171")
        m = row.money
        self.assertEqual((m.expected_count, m.expected), (5, Decimal("100.00")))
        self.assertEqual((m.paid_count, m.collected), (7, Decimal("140.00")))
        self.assertEqual((m.unpaid_count, m.missing), (1, Decimal("20.00")))
        self.assertEqual((m.crew_count, m.owed), (4, Decimal("80.00")))
        self.assertEqual((m.refund_count, m.refund_due), (2, Decimal("40.00")))
        html = response.content.decode()
        cells = html.split('data-class="会计1171"')[1].split("</tr>")[0]
        for figure in ("100.00", "140.00", "80.00", "20.00", "40.00"):
            self.assertIn(figure, cells)
        self.assertIn("待退款 40.00 元（2 人", html)
        self.assertIn("已转补拍 20.00 元（1 人）", html)

    def test_the_class_page(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("payments:class", args=[self.school_class.pk]))

        self.assertContains(response, 'id="paid-count">4<')  # A B F G of the 5 who owe
        self.assertContains(response, "已缴 / 应缴 5 人")
        self.assertContains(response, 'id="collected">140.00<')
        self.assertContains(response, 'id="unpaid-count">1<')
        self.assertContains(response, "差 20.00 元")
        self.assertContains(response, 'id="owed">80.00 元（已拍摄 4 人）')
        self.assertContains(response, 'id="refund-due">40.00 元（2 人')
        self.assertContains(response, '已转补拍</dt><dd class="col-7">20.00 元（1 人）')
        unpaid = response.content.decode().split('id="unpaid-names"')[1].split("</p>")[0]
        self.assertIn(self.name("E"), unpaid)
        self.assertNotIn(self.name("D"), unpaid)

    def test_the_hand_over_page(self):
        self.client.force_login(self.world.monitor_user)
        response = self.client.get(reverse("payments:handover", args=[self.school_class.pk]))

        self.assertContains(
            response, "已拍摄 <strong>4</strong> 人 × 20.00 元 = <strong>80.00</strong> 元"
        )
        self.assertContains(response, "已拍摄但未缴费 1 人：%s" % self.name("E"))
        self.assertContains(response, "还有 1 人未拍摄也未登记缺席")
        self.assertContains(response, "另有 2 人已缴费但未拍摄（40.00 元）")

    def test_the_class_close_at_the_desk(self):
        self.client.force_login(self.crew)
        response = self.client.get(reverse("shootday:class_close", args=[self.school_class.pk]))

        self.assertContains(response, '<strong class="fs-4">80.00 元</strong>')
        self.assertContains(response, "20.00 元 × 已拍摄 4 人")
        refunds = response.content.decode().split('id="paid-not-shot"')[1].split("</table>")[0]
        for letter in "CH":
            self.assertIn(self.name(letter), refunds)
        for letter in "ABIJ":
            self.assertNotIn(self.name(letter), refunds)

    def test_the_lists_in_excel_and_pdf(self):
        classes = SchoolClass.objects.filter(pk=self.school_class.pk)
        _, _, xlsx = payment_list_export(
            campaign=self.world.campaign, fmt="xlsx", classes=classes, scope_label="会计1171"
        )
        rows = [
            list(r)
            for r in load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows(values_only=True)
        ]
        totals = next(r for r in rows if r[0] == "合计")
        self.assertEqual(totals[1:5], ["应缴 5 人", "已缴 4 人", "未缴 1 人", "待退 2 人"])
        self.assertEqual(Decimal(str(totals[5])), Decimal("140"))
        flat = " ".join(str(c) for r in rows for c in r if c is not None)
        self.assertIn("应交拍摄组 80.00 元（已拍摄 4 人）；待退款 40.00 元（2 人）", flat)
        self.assertIn("已转补拍 20.00 元（1 人）", flat)
        by_name = {r[2]: r[4] for r in rows if isinstance(r[0], int)}
        self.assertEqual(by_name[self.name("C")], "待退款")
        self.assertEqual(by_name[self.name("H")], "待退款")
        self.assertEqual(by_name[self.name("I")], "转补拍")
        self.assertEqual(by_name[self.name("E")], "未缴")
        self.assertEqual(by_name[self.name("G")], "✓ 已缴")
        self.assertEqual(by_name[self.name("J")], "补拍自缴")

        _, _, pdf = payment_list_export(campaign=self.world.campaign, fmt="pdf", classes=classes)
        text = pdf_text(pdf)
        for words in ("应缴 5 人", "已缴 4 人", "未缴 1 人", "待退 2 人", "140.00", "80.00 元"):
            self.assertIn(words, text)

        unpaid = payment_list_export(
            campaign=self.world.campaign, fmt="xlsx", classes=classes, unpaid_only=True
        )[2]
        listed = [
            r[2]
            for r in load_workbook(io.BytesIO(unpaid)).worksheets[0].iter_rows(values_only=True)
            if isinstance(r[0], int)
        ]
        self.assertEqual(listed, [self.name("E")])

    def test_each_student_sees_their_own_line(self):
        expected = {
            "A": "已缴",
            "C": "待退款",
            "D": "补拍自缴",
            "E": "未缴",
            "G": "已缴",
            "H": "待退款",
            "I": "转补拍",
        }
        for letter, label in expected.items():
            student = Student.objects.get(pk=self.who["ABCDEFGHIJ".index(letter)].pk)
            user = student.user or make_student_user(student)
            self.client.force_login(user)
            page = self.client.get(reverse("payments:mine"))
            self.assertEqual(page.context["state"].label, label, letter)
            self.assertContains(page, label)

    def test_the_new_class_of_a_moved_payer_does_not_count_them_again(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("payments:class", args=[self.other.school_class.pk]))

        self.assertContains(response, "已在原班缴费")
        ledger = response.context["ledger"]
        self.assertEqual(ledger.money.collected, Decimal("0.00"))
        self.assertEqual(ledger.money.expected_count, 1)  # its own monitor only
        self.assertEqual(Payment.objects.filter(school_class=self.other.school_class).count(), 0)


class ThousandsTests(TestCase):
    def test_amounts_of_a_thousand_and_more_have_separators(self):
        world = make_class_world(60, name="大班1171")
        make_payments(world.students, world.monitor_user)
        self.client.force_login(make_staff())

        page = self.client.get(reverse("payments:class", args=[world.school_class.pk]))
        overview = self.client.get(reverse("payments:overview"))

        self.assertContains(page, 'id="collected">1,200.00<')
        self.assertContains(overview, "1,200.00")
        self.assertNotContains(overview, "1200.00")
