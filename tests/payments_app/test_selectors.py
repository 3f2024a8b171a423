from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from payments_app.rules import (
    PROBLEM_DISCREPANCY,
    PROBLEM_NOT_HANDED,
    PROBLEM_REFUND,
    PROBLEM_UNCONFIRMED,
    PROBLEM_UNPAID,
)
from payments_app.selectors import (
    class_ledger,
    ledger_entries_for_class,
    payment_state_by_student,
    payments_overview,
)
from payments_app.services import payment_record, payment_reverse
from sessions_app.models import SchoolClass, Student, StudentCategory
from tests.factories import make_staff, make_student
from tests.payments_app.factories import make_class_world, make_day, make_handover, make_payments
from tests.sessions_app.shootday.factories import make_photographed


class PaymentStateByStudentTests(TestCase):
    def setUp(self):
        self.world = make_class_world(3)
        self.paid, self.unpaid = self.world.students[1], self.world.students[2]
        payment_record(student=self.paid, by=self.world.monitor_user)
        self.alumnus = make_student(campaign=self.world.campaign, category=StudentCategory.ALUMNI)

    def test_it_labels_paid_unpaid_and_make_up_students(self):
        states = payment_state_by_student(students=[self.paid, self.unpaid, self.alumnus])

        self.assertEqual(states[self.paid.pk].label, "已缴")
        self.assertIs(states[self.paid.pk].paid, True)
        self.assertEqual(states[self.paid.pk].amount, Decimal("20.00"))
        self.assertEqual(states[self.unpaid.pk].label, "未缴")
        self.assertIs(states[self.unpaid.pk].paid, False)
        self.assertIsNone(states[self.unpaid.pk].amount)
        self.assertEqual(states[self.alumnus.pk].label, "补拍自缴")
        self.assertIs(states[self.alumnus.pk].makeup, True)

    def test_students_of_a_deferred_class_pay_at_the_make_up_centre(self):
        deferred = make_class_world(2, status=SchoolClass.Status.DEFERRED)

        states = payment_state_by_student(students=deferred.students)

        self.assertEqual({s.label for s in states.values()}, {"补拍自缴"})

    def test_a_reversed_payment_leaves_the_student_unpaid(self):
        payment = self.paid.payments.get()
        payment_reverse(payment=payment, by=self.world.monitor_user, reason="误记")

        state = payment_state_by_student(students=[self.paid])[self.paid.pk]

        self.assertIs(state.paid, False)
        self.assertEqual(state.label, "未缴")

    def test_it_answers_for_any_number_of_students_in_one_query(self):
        for _ in range(20):
            make_student(self.world.school_class)

        with self.assertNumQueries(3):
            states = payment_state_by_student(students=Student.objects.all())
        self.assertEqual(len(states), Student.objects.count())
        students = list(Student.objects.all())
        with self.assertNumQueries(3):
            payment_state_by_student(students=students)

    def test_it_accepts_primary_keys(self):
        states = payment_state_by_student(students=[self.paid.pk])

        self.assertEqual(list(states), [self.paid.pk])


class ClassLedgerTests(TestCase):
    def test_it_totals_the_class_and_leaves_make_up_students_out(self):
        world = make_class_world(4)
        make_student(world.school_class, category=StudentCategory.ALUMNI, name="往届生")
        make_payments(world.students[:3], world.monitor_user)

        ledger = class_ledger(school_class=world.school_class)
        rows = ledger.rows(ledger.students())

        self.assertEqual(len(rows), 5)
        money = ledger.money
        self.assertEqual(money.expected_count, 4)
        self.assertEqual(money.paid_count, 3)
        self.assertEqual(money.collected, Decimal("60.00"))
        self.assertEqual(money.missing, Decimal("20.00"))
        self.assertEqual([r.student for r in ledger.unpaid], [world.students[3]])
        self.assertEqual([r.student.name for r in rows if r.state.makeup], ["往届生"])
        self.assertEqual(money.percent, 75)
        self.assertEqual(
            [r.student.student_id for r in rows], sorted(r.student.student_id for r in rows)
        )

    def test_its_queries_do_not_grow_with_the_class(self):
        world = make_class_world(3)
        with self.assertNumQueries(6):
            class_ledger(school_class=world.school_class)
        for _ in range(15):
            make_student(world.school_class)
        make_payments(world.students, world.monitor_user)
        make_day(world, world.students[:2])
        with self.assertNumQueries(6):
            class_ledger(school_class=world.school_class)

    def test_the_history_lists_payments_and_reversals_newest_first(self):
        world = make_class_world(2)
        payment = payment_record(student=world.students[1], by=world.monitor_user)
        payment_reverse(payment=payment, by=world.monitor_user, reason="点错")

        entries = ledger_entries_for_class(school_class=world.school_class)

        self.assertEqual([e.kind for e in entries], ["mistake", "payment"])
        self.assertEqual(entries[0].text, "点错")
        self.assertEqual(entries[0].by, world.monitor_user)


class PaymentsOverviewTests(TestCase):
    def test_it_puts_classes_with_problems_first_and_totals_every_level(self):
        staff = make_staff()
        quiet = make_class_world(2, name="安静1171")
        campaign = quiet.campaign
        paid = make_class_world(2, campaign=campaign, name="收齐1172")
        make_payments(paid.students, paid.monitor_user)
        crew = make_day(paid, paid.students)
        refund = make_class_world(2, campaign=campaign, name="待退1174")
        make_payments(refund.students, refund.monitor_user)
        make_day(refund, refund.students[:1], crew=crew)
        changed = make_class_world(3, campaign=campaign, name="变动1173")
        make_handover(changed, changed.students[:2])
        late = changed.students[2]  # marked absent, then came after the hand-over
        make_photographed(late, by=crew, when=timezone.now())
        payment_record(student=late, by=staff, reason="迟到补交")

        overview = payments_overview(campaign=campaign)

        self.assertEqual(
            [r.label for r in overview.classes], ["变动1173", "待退1174", "收齐1172", "安静1171"]
        )
        changed_row, refund_row, paid_row, quiet_row = overview.classes
        self.assertEqual(changed_row.money.problems, [PROBLEM_DISCREPANCY, PROBLEM_UNCONFIRMED])
        self.assertEqual(changed_row.money.discrepancy, Decimal("-20.00"))
        self.assertEqual(refund_row.money.problems, [PROBLEM_REFUND, PROBLEM_NOT_HANDED])
        self.assertEqual(paid_row.money.problems, [PROBLEM_NOT_HANDED])
        self.assertEqual(quiet_row.money.problems, [PROBLEM_UNPAID])
        total = overview.overall
        # expected: 2 quiet + 2 paid + 1 photographed of 待退 + 3 changed
        self.assertEqual(total.expected_count, 8)
        self.assertEqual(total.expected, Decimal("160.00"))
        self.assertEqual(total.collected, Decimal("140.00"))
        self.assertEqual(total.owed, Decimal("120.00"))
        self.assertEqual(total.handed, Decimal("40.00"))
        self.assertEqual(total.missing, Decimal("40.00"))
        self.assertEqual((total.refund_count, total.refund_due), (1, Decimal("20.00")))
        self.assertEqual(sum(t.expected_count for t in overview.slots), 8)
        self.assertEqual(sum(t.collected for t in overview.colleges), Decimal("140.00"))

    def test_make_up_students_and_deferred_classes_are_not_expected(self):
        world = make_class_world(2)
        make_student(campaign=world.campaign, category=StudentCategory.ADULT)
        make_class_world(3, campaign=world.campaign, status=SchoolClass.Status.DEFERRED)

        overview = payments_overview(campaign=world.campaign)

        self.assertEqual(overview.overall.expected_count, 2)
        self.assertEqual(overview.makeup_count, 4)

    def test_its_queries_do_not_grow_with_the_campaign(self):
        world = make_class_world(2)
        with self.assertNumQueries(5):
            payments_overview(campaign=world.campaign)
        for _ in range(4):
            make_handover(make_class_world(3, campaign=world.campaign))
        with self.assertNumQueries(5):
            payments_overview(campaign=world.campaign)
