from decimal import Decimal

from django.test import TestCase

from payments_app.models import Handover, HandoverAdjustment, Payment, PaymentReversal
from payments_app.selectors import class_collected
from payments_app.services import (
    PaymentError,
    handover_record,
    handover_settle,
    payment_record,
    payment_reverse,
    payments_record,
)
from sessions_app.models import SchoolClass, StudentCategory
from tests.factories import make_staff, make_student, make_student_user
from tests.payments_app.factories import make_class_world, make_handover, make_payments


class PaymentRecordTests(TestCase):
    def setUp(self):
        self.world = make_class_world(4)
        self.student = self.world.students[1]

    def test_it_records_the_campaign_fee_with_its_author(self):
        payment = payment_record(student=self.student, by=self.world.monitor_user)

        payment.refresh_from_db()
        self.assertEqual(payment.amount, Decimal("20.00"))
        self.assertEqual(payment.recorded_by, self.world.monitor_user)
        self.assertEqual(payment.school_class, self.world.school_class)
        self.assertEqual(payment.method, "cash")
        self.assertIs(payment.is_active, True)

    def test_it_keeps_the_fee_of_the_moment_when_the_fee_changes_later(self):
        payment = payment_record(student=self.student, by=self.world.monitor_user)
        self.world.campaign.fee = Decimal("25.00")
        self.world.campaign.save()

        payment.refresh_from_db()
        self.assertEqual(payment.amount, Decimal("20.00"))
        later = payment_record(student=self.world.students[2], by=self.world.monitor_user)
        self.assertEqual(later.amount, Decimal("25.00"))

    def test_it_rejects_a_second_payment(self):
        payment_record(student=self.student, by=self.world.monitor_user)

        with self.assertRaisesMessage(PaymentError, "已缴费，未重复登记"):
            payment_record(student=self.student, by=self.world.monitor_user)
        self.assertEqual(Payment.objects.filter(student=self.student).count(), 1)

    def test_a_batch_skips_students_who_already_paid(self):
        payment_record(student=self.student, by=self.world.monitor_user)

        result = payments_record(students=self.world.students, by=self.world.monitor_user)

        self.assertEqual(len(result.recorded), 3)
        self.assertEqual([s.pk for s in result.already_paid], [self.student.pk])
        self.assertEqual(Payment.objects.count(), 4)

    def test_a_monitor_of_another_class_is_refused(self):
        other = make_class_world(2, campaign=self.world.campaign)

        with self.assertRaisesMessage(PaymentError, "只有本班班长或教务处"):
            payment_record(student=self.student, by=other.monitor_user)
        self.assertEqual(Payment.objects.count(), 0)

    def test_a_plain_student_is_refused(self):
        user = make_student_user(self.world.students[2])

        with self.assertRaises(PaymentError):
            payment_record(student=self.student, by=user)
        self.assertEqual(Payment.objects.count(), 0)

    def test_staff_may_record_for_any_class(self):
        payment = payment_record(student=self.student, by=make_staff())

        self.assertIs(payment.is_active, True)

    def test_a_make_up_student_in_a_class_is_refused(self):
        alumnus = make_student(self.world.school_class, category=StudentCategory.ALUMNI)

        with self.assertRaisesMessage(PaymentError, "补拍中心自行缴费"):
            payments_record(students=[self.student, alumnus], by=self.world.monitor_user)
        self.assertEqual(Payment.objects.count(), 0)

    def test_an_individual_without_a_class_is_refused(self):
        individual = make_student(campaign=self.world.campaign, category=StudentCategory.ADULT)

        with self.assertRaisesMessage(PaymentError, "没有班级"):
            payment_record(student=individual, by=make_staff())

    def test_students_of_a_deferred_class_are_refused(self):
        deferred = make_class_world(2, status=SchoolClass.Status.DEFERRED)

        with self.assertRaisesMessage(PaymentError, "补拍中心自行缴费"):
            payment_record(student=deferred.students[1], by=make_staff())

    def test_students_of_two_classes_in_one_batch_are_refused(self):
        other = make_class_world(2, campaign=self.world.campaign)

        with self.assertRaisesMessage(PaymentError, "同一个班级"):
            payments_record(students=[self.student, other.students[1]], by=make_staff())

    def test_an_unknown_method_is_refused(self):
        with self.assertRaisesMessage(PaymentError, "未知的缴费方式"):
            payment_record(student=self.student, by=self.world.monitor_user, method="bitcoin")

    def test_an_empty_batch_is_refused(self):
        with self.assertRaisesMessage(PaymentError, "请选择"):
            payments_record(students=[], by=self.world.monitor_user)


class PaymentReverseTests(TestCase):
    def setUp(self):
        self.world = make_class_world(3)
        self.payment = payment_record(student=self.world.students[1], by=self.world.monitor_user)

    def test_it_reverses_with_a_reason_and_keeps_the_payment(self):
        reversal = payment_reverse(
            payment=self.payment, by=self.world.monitor_user, reason="点错了人"
        )

        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, "reversed")
        self.assertEqual(self.payment.amount, Decimal("20.00"))
        self.assertEqual(reversal.reason, "点错了人")
        self.assertEqual(reversal.reversed_by, self.world.monitor_user)
        self.assertEqual(class_collected(school_class=self.world.school_class), (0, Decimal("0")))

    def test_a_reversed_student_can_pay_again(self):
        payment_reverse(payment=self.payment, by=self.world.monitor_user, reason="退还现金")

        again = payment_record(student=self.world.students[1], by=self.world.monitor_user)

        self.assertIs(again.is_active, True)
        self.assertEqual(Payment.objects.filter(student=self.world.students[1]).count(), 2)

    def test_it_refuses_a_blank_reason(self):
        with self.assertRaisesMessage(PaymentError, "须填写原因"):
            payment_reverse(payment=self.payment, by=self.world.monitor_user, reason="   ")
        self.payment.refresh_from_db()
        self.assertIs(self.payment.is_active, True)

    def test_it_refuses_a_second_reversal(self):
        payment_reverse(payment=self.payment, by=self.world.monitor_user, reason="误记")

        with self.assertRaisesMessage(PaymentError, "不能重复撤销"):
            payment_reverse(payment=self.payment, by=self.world.monitor_user, reason="误记")
        self.assertEqual(PaymentReversal.objects.count(), 1)

    def test_a_monitor_of_another_class_cannot_reverse(self):
        other = make_class_world(2, campaign=self.world.campaign)

        with self.assertRaises(PaymentError):
            payment_reverse(payment=self.payment, by=other.monitor_user, reason="x")
        self.assertEqual(PaymentReversal.objects.count(), 0)

    def test_a_reason_over_200_characters_is_refused(self):
        with self.assertRaisesMessage(PaymentError, "最多 200 个字"):
            payment_reverse(payment=self.payment, by=self.world.monitor_user, reason="长" * 201)


class HandoverRecordTests(TestCase):
    def setUp(self):
        self.world = make_class_world(5)
        # Three of five paid: the monitor and the next two.
        make_payments(self.world.students[:3], self.world.monitor_user)

    def _handover(self, count, amount, **kwargs):
        return handover_record(
            school_class=self.world.school_class,
            by=kwargs.pop("by", self.world.monitor_user),
            student_count=count,
            amount=Decimal(amount),
            receiver_name=kwargs.pop("receiver_name", "李师傅"),
        )

    def test_it_records_a_hand_over_that_reconciles(self):
        handover = self._handover(3, "60.00")

        self.assertEqual(handover.student_count, 3)
        self.assertEqual(handover.amount, Decimal("60.00"))
        self.assertEqual(handover.receiver_name, "李师傅")

    def test_more_students_than_paid_is_refused_naming_the_unpaid(self):
        unpaid = self.world.students[3:]

        with self.assertRaises(PaymentError) as caught:
            self._handover(5, "100.00")

        message = str(caught.exception)
        self.assertIn("多 2 人", message)
        for student in unpaid:
            self.assertIn(student.name, message)
        self.assertFalse(Handover.objects.exists())

    def test_fewer_students_than_paid_is_refused_with_the_difference(self):
        with self.assertRaisesMessage(PaymentError, "少 1 人（20.00 元）"):
            self._handover(2, "40.00")
        self.assertFalse(Handover.objects.exists())

    def test_a_wrong_amount_is_refused_with_the_difference(self):
        with self.assertRaisesMessage(PaymentError, "相差 1.00 元"):
            self._handover(3, "59.00")
        self.assertFalse(Handover.objects.exists())

    def test_a_blank_receiver_is_refused(self):
        with self.assertRaisesMessage(PaymentError, "收款人"):
            self._handover(3, "60.00", receiver_name="  ")

    def test_a_second_hand_over_is_refused(self):
        self._handover(3, "60.00")

        with self.assertRaisesMessage(PaymentError, "不能重复交接"):
            self._handover(3, "60.00")
        self.assertEqual(Handover.objects.count(), 1)

    def test_make_up_students_never_count_in_the_class_total(self):
        make_student(self.world.school_class, category=StudentCategory.EARLIER_UNSHOT)

        self.assertEqual(class_collected(school_class=self.world.school_class)[0], 3)
        self._handover(3, "60.00")

    def test_a_class_without_payments_has_nothing_to_hand_over(self):
        empty = make_class_world(2)

        with self.assertRaisesMessage(PaymentError, "无需交接"):
            handover_record(
                school_class=empty.school_class,
                by=empty.monitor_user,
                student_count=0,
                amount=Decimal("0"),
                receiver_name="李师傅",
            )


class HandedOverClassTests(TestCase):
    def setUp(self):
        self.world = make_class_world(4)
        self.payments, self.handover = make_handover(self.world, self.world.students[:3])
        self.staff = make_staff()

    def test_the_monitor_can_no_longer_record(self):
        with self.assertRaisesMessage(PaymentError, "已锁定"):
            payment_record(student=self.world.students[3], by=self.world.monitor_user)

    def test_the_monitor_can_no_longer_reverse(self):
        with self.assertRaisesMessage(PaymentError, "已锁定"):
            payment_reverse(payment=self.payments[0], by=self.world.monitor_user, reason="x")
        self.payments[0].refresh_from_db()
        self.assertIs(self.payments[0].is_active, True)

    def test_staff_need_a_reason_to_change_it(self):
        with self.assertRaisesMessage(PaymentError, "须填写原因"):
            payment_record(student=self.world.students[3], by=self.staff)
        self.assertEqual(Payment.objects.count(), 3)

    def test_a_staff_change_shows_as_a_discrepancy_until_settled(self):
        late = payment_record(student=self.world.students[3], by=self.staff, reason="当天补交")

        self.assertIs(late.after_handover, True)
        self.assertEqual(late.note, "当天补交")
        adjustment = handover_settle(
            school_class=self.world.school_class, by=self.staff, reason="已补交拍摄组"
        )
        self.assertEqual(adjustment.student_count, 1)
        self.assertEqual(adjustment.amount, Decimal("20.00"))
        with self.assertRaisesMessage(PaymentError, "没有待结清的差额"):
            handover_settle(school_class=self.world.school_class, by=self.staff, reason="再次")

    def test_a_staff_reversal_after_hand_over_settles_as_a_refund(self):
        payment_reverse(payment=self.payments[1], by=self.staff, reason="重复收取，已退还")

        adjustment = handover_settle(
            school_class=self.world.school_class, by=self.staff, reason="拍摄组退回 20 元"
        )
        self.assertEqual(adjustment.student_count, -1)
        self.assertEqual(adjustment.amount, Decimal("-20.00"))

    def test_only_staff_settle(self):
        with self.assertRaisesMessage(PaymentError, "只有教务处"):
            handover_settle(
                school_class=self.world.school_class, by=self.world.monitor_user, reason="x"
            )
        self.assertFalse(HandoverAdjustment.objects.exists())
