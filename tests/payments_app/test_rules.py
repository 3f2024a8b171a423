"""The money of one student and of a class, as payments_app/rules.py defines it.

Each test is one situation a monitor, the crew or 教务处 meets, with what the class
owes (应收), owes the crew (应交), must give back (待退) and what the student is shown.
"""

from decimal import Decimal

from django.test import SimpleTestCase

from capture_portal.services import names_summary
from payments_app.rules import (
    PROBLEM_DISCREPANCY,
    PROBLEM_NOT_HANDED,
    PROBLEM_REFUND,
    PROBLEM_UNCONFIRMED,
    PROBLEM_UNPAID,
    STATE_CARRIED,
    STATE_ELSEWHERE,
    STATE_MAKEUP,
    STATE_PAID,
    STATE_REFUND,
    STATE_UNPAID,
    MoneyLine,
    Totals,
    class_money,
    handed_over,
    pays_at_makeup_centre,
    progress_percent,
)
from sessions_app.models import SchoolClass, StudentCategory
from sessions_app.shootday.rules import SHOOT_NOT_SHOT, SHOOT_PENDING, SHOOT_PHOTOGRAPHED

FEE = Decimal("20.00")
PAID = Decimal("20.00")


def line(shoot=SHOOT_PENDING, paid=None, **fields) -> MoneyLine:
    values = {"student_id": 1, "pays_with_class": True, "member": True}
    values.update(fields)
    return MoneyLine(shoot=shoot, paid=paid, **values)


def facts(one: MoneyLine) -> tuple:
    return (one.state, one.owes, one.to_crew, one.unpaid, one.refund_due)


class MoneyLineTests(SimpleTestCase):
    """One student, every way the day and the ledger can leave them."""

    def test_before_the_day_a_payer_owes_and_is_paid(self):
        self.assertEqual(facts(line(paid=PAID)), (STATE_PAID, True, False, False, False))

    def test_before_the_day_a_non_payer_is_unpaid(self):
        self.assertEqual(facts(line()), (STATE_UNPAID, True, False, True, False))

    def test_a_photographed_payer_is_owed_to_the_crew(self):
        one = line(SHOOT_PHOTOGRAPHED, PAID)
        self.assertEqual(facts(one), (STATE_PAID, True, True, False, False))
        self.assertEqual(one.label, "已缴")

    def test_a_photographed_non_payer_still_owes_and_the_class_owes_the_crew(self):
        one = line(SHOOT_PHOTOGRAPHED)
        self.assertEqual(facts(one), (STATE_UNPAID, True, True, True, False))
        self.assertEqual(one.label, "未缴")

    def test_an_absent_payer_is_to_be_given_back(self):
        one = line(SHOOT_NOT_SHOT, PAID)
        self.assertEqual(facts(one), (STATE_REFUND, False, False, False, True))
        self.assertEqual(one.label, "待退款")

    def test_an_absent_non_payer_owes_nothing_here_and_pays_the_make_up(self):
        one = line(SHOOT_NOT_SHOT)
        self.assertEqual(facts(one), (STATE_MAKEUP, False, False, False, False))
        self.assertEqual(one.label, "补拍自缴")

    def test_a_carried_payment_is_neither_owed_nor_to_be_given_back(self):
        one = line(SHOOT_NOT_SHOT, PAID, carried=True)
        self.assertEqual(facts(one), (STATE_CARRIED, False, False, False, False))
        self.assertEqual(one.label, "转补拍")

    def test_a_payer_become_an_individual_is_to_be_given_back(self):
        one = line(paid=PAID, pays_with_class=False)
        self.assertEqual(facts(one), (STATE_REFUND, False, False, False, True))

    def test_an_individual_without_a_payment_pays_the_make_up_centre(self):
        self.assertEqual(line(pays_with_class=False).state, STATE_MAKEUP)

    def test_a_payment_that_stayed_in_the_old_class_is_counted_there(self):
        old = line(SHOOT_PHOTOGRAPHED, PAID, member=False)
        new = line(SHOOT_PHOTOGRAPHED, paid_elsewhere=True)
        self.assertEqual(facts(old), (STATE_PAID, True, True, False, False))
        self.assertEqual(facts(new), (STATE_ELSEWHERE, False, False, False, False))
        self.assertEqual(new.label, "已在原班缴费")


class PaysAtMakeupCentreTests(SimpleTestCase):
    def test_only_current_students_of_a_class_shot_this_time_pay_with_it(self):
        scheduled = SchoolClass.Status.SCHEDULED
        deferred = SchoolClass.Status.DEFERRED
        current = StudentCategory.CURRENT
        self.assertFalse(pays_at_makeup_centre(category=current, class_status=scheduled))
        self.assertTrue(pays_at_makeup_centre(category=current, class_status=deferred))
        self.assertTrue(pays_at_makeup_centre(category=current, class_status=None))
        for other in (StudentCategory.ALUMNI, StudentCategory.ADULT):
            self.assertTrue(pays_at_makeup_centre(category=other, class_status=scheduled))


class ClassMoneyTests(SimpleTestCase):
    def setUp(self):
        # 1 photographed & paid, 2 photographed & unpaid, 3 absent & paid, 4 absent &
        # unpaid, 5 pending & paid, 6 carried, 7 moved out after paying here.
        self.lines = [
            line(SHOOT_PHOTOGRAPHED, PAID, student_id=1),
            line(SHOOT_PHOTOGRAPHED, student_id=2),
            line(SHOOT_NOT_SHOT, PAID, student_id=3),
            line(SHOOT_NOT_SHOT, student_id=4),
            line(SHOOT_PENDING, PAID, student_id=5),
            line(SHOOT_NOT_SHOT, PAID, student_id=6, carried=True),
            line(SHOOT_PHOTOGRAPHED, PAID, student_id=7, member=False),
        ]

    def test_every_total_to_the_fen(self):
        money = class_money(fee=FEE, lines=self.lines)

        self.assertEqual((money.expected_count, money.expected), (4, Decimal("80.00")))
        self.assertEqual((money.paid_count, money.collected), (5, Decimal("100.00")))
        self.assertEqual(money.paid_owing_count, 3)
        self.assertEqual((money.unpaid_count, money.missing), (1, Decimal("20.00")))
        self.assertEqual((money.crew_count, money.owed), (3, Decimal("60.00")))
        self.assertEqual(money.to_hand_over, (2, Decimal("40.00")))
        self.assertEqual((money.refund_count, money.refund_due), (1, Decimal("20.00")))
        self.assertEqual((money.carried_count, money.carried), (1, Decimal("20.00")))
        self.assertEqual(money.pending_count, 1)
        self.assertEqual(money.percent, 75)
        # What was collected is what is owed and paid, plus what is to give back or carried.
        self.assertEqual(
            money.collected, money.to_hand_over[1] + PAID + money.refund_due + money.carried
        )

    def test_a_summary_keeps_every_figure_without_the_lines(self):
        import pickle
        from functools import cached_property

        money = class_money(fee=FEE, lines=self.lines, handover=(2, Decimal("40")))
        kept = pickle.loads(pickle.dumps(money.summary()))

        self.assertEqual(kept.lines, [])
        figures = [n for n, a in vars(type(money)).items() if isinstance(a, cached_property)]
        self.assertGreater(len(figures), 15)
        for name in figures:
            self.assertEqual(getattr(kept, name), getattr(money, name), name)
        self.assertLess(len(pickle.dumps(kept)), len(pickle.dumps(money)))

    def test_problems_come_in_order_of_urgency(self):
        money = class_money(fee=FEE, lines=self.lines)
        self.assertEqual(money.problems, [PROBLEM_REFUND, PROBLEM_UNPAID])

        handed = class_money(fee=FEE, lines=self.lines, handover=(2, Decimal("40")))
        self.assertEqual(
            handed.problems,
            [PROBLEM_DISCREPANCY, PROBLEM_REFUND, PROBLEM_UNCONFIRMED, PROBLEM_UNPAID],
        )
        self.assertEqual(handed.discrepancy, Decimal("-20.00"))
        self.assertEqual(handed.discrepancy_count, -1)
        self.assertLess(handed.severity, money.severity)

    def test_a_finished_class_not_yet_handed_over_is_flagged(self):
        done = class_money(
            fee=FEE,
            lines=[line(SHOOT_PHOTOGRAPHED, PAID), line(SHOOT_NOT_SHOT, student_id=2)],
        )
        self.assertEqual(done.problems, [PROBLEM_NOT_HANDED])

        confirmed = class_money(
            fee=FEE,
            lines=[line(SHOOT_PHOTOGRAPHED, PAID)],
            handover=(1, Decimal("20")),
            confirmed=True,
        )
        self.assertEqual((confirmed.problems, confirmed.discrepancy), ([], Decimal("0.00")))

    def test_a_class_before_its_day_has_nothing_to_hand_over(self):
        money = class_money(fee=FEE, lines=[line(paid=PAID), line(student_id=2)])
        self.assertEqual(money.to_hand_over, (0, Decimal("0.00")))
        self.assertEqual(money.problems, [PROBLEM_UNPAID])

    def test_an_empty_class_owes_nothing_and_shows_zero_percent(self):
        money = class_money(fee=FEE, lines=[])
        self.assertEqual((money.expected, money.percent, money.problems), (Decimal("0.00"), 0, []))


class TotalsTests(SimpleTestCase):
    def test_totals_add_classes_and_other_totals(self):
        a = class_money(fee=FEE, lines=[line(SHOOT_PHOTOGRAPHED, PAID)], handover=(1, PAID))
        b = class_money(
            fee=FEE,
            lines=[line(SHOOT_NOT_SHOT, PAID), line(SHOOT_NOT_SHOT, PAID, carried=True)],
        )
        college = Totals(label="会计学院")
        college.add(a)
        college.add(b)
        overall = Totals()
        overall.add(college)

        self.assertEqual(
            (overall.expected_count, overall.collected, overall.owed, overall.handed),
            (1, Decimal("60.00"), Decimal("20.00"), Decimal("20.00")),
        )
        self.assertEqual((overall.refund_count, overall.refund_due), (1, Decimal("20.00")))
        self.assertEqual((overall.carried_count, overall.carried), (1, Decimal("20.00")))
        self.assertEqual((overall.percent, overall.handed_percent), (100, 100))


class SmallRulesTests(SimpleTestCase):
    def test_adjustments_add_to_what_was_handed_over(self):
        self.assertEqual(
            handed_over(
                count=2, amount=Decimal("40"), adjustments=[(1, Decimal("20")), (None, None)]
            ),
            (3, Decimal("60.00")),
        )

    def test_progress_is_a_whole_percentage_within_bounds(self):
        self.assertEqual(
            [progress_percent(1, 3), progress_percent(5, 4), progress_percent(1, 0)], [33, 100, 0]
        )

    def test_long_name_lists_are_cut_with_the_count(self):
        names = ["甲%d" % i for i in range(12)]
        self.assertEqual(names_summary(names[:2]), "甲0、甲1")
        self.assertTrue(names_summary(names).endswith("甲9 等 12 人"))
