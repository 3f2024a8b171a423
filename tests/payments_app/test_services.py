from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from payments_app.models import Handover, HandoverAdjustment, Payment, PaymentReversal
from payments_app.selectors import money_of_class, payment_state_by_student
from payments_app.services import (
    PaymentError,
    handover_confirm,
    handover_record,
    handover_settle,
    payment_carry,
    payment_record,
    payment_refund,
    payment_reverse,
    payments_record,
)
from sessions_app.models import SchoolClass, StudentCategory
from tests.factories import make_crew, make_staff, make_student, make_student_user
from tests.payments_app.factories import (
    collected,
    make_class_world,
    make_day,
    make_handover,
    make_payments,
)
from tests.sessions_app.shootday.factories import make_photographed


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
        self.assertEqual(collected(self.world.school_class), (0, Decimal("0")))

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

        with self.assertRaisesMessage(PaymentError, "已撤销或退款，不能再处理"):
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
    """Five students: three paid and were photographed, two were absent."""

    def setUp(self):
        self.world = make_class_world(5)
        self.paid = self.world.students[:3]
        make_payments(self.paid, self.world.monitor_user)
        self.crew = make_day(self.world, self.paid)

    def _handover(self, count, amount, **kwargs):
        return handover_record(
            school_class=self.world.school_class,
            by=kwargs.pop("by", self.world.monitor_user),
            student_count=count,
            amount=Decimal(amount),
            receiver_name=kwargs.pop("receiver_name", "李师傅"),
            **kwargs,
        )

    def test_a_hand_over_time_in_the_future_or_before_the_shoot_day_is_refused(self):
        import datetime

        from django.utils import timezone

        from payments_app.models import Handover

        late = timezone.now() + datetime.timedelta(days=30000)
        with self.assertRaisesMessage(PaymentError, "晚于现在"):
            self._handover(3, "60.00", handed_over_at=late)
        from sessions_app.models import TimeSlot

        TimeSlot.objects.filter(campaign=self.world.school_class.campaign).update(date="2018-11-11")
        first_day = datetime.date(2018, 11, 11)
        early = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(8)))
        with self.assertRaisesMessage(PaymentError, "早于本次采集的拍摄日"):
            self._handover(3, "60.00", handed_over_at=early - datetime.timedelta(days=1))
        self.assertFalse(Handover.objects.exists())
        handover = self._handover(3, "60.00", handed_over_at=early + datetime.timedelta(hours=4))
        self.assertEqual(handover.handed_over_at, early + datetime.timedelta(hours=4))

    def test_it_records_a_hand_over_of_the_photographed_awaiting_the_crews_receipt(self):
        handover = self._handover(3, "60.00")

        self.assertEqual((handover.student_count, handover.amount), (3, Decimal("60.00")))
        self.assertEqual(handover.receiver_name, "李师傅")
        self.assertIsNone(handover.confirmed_at)
        confirmed = handover_confirm(school_class=self.world.school_class, by=self.crew)
        self.assertEqual(confirmed.confirmed_by, self.crew)
        with self.assertRaisesMessage(PaymentError, "交接已确认"):
            handover_confirm(school_class=self.world.school_class, by=self.crew)

    def test_the_monitor_cannot_confirm_the_receipt(self):
        self._handover(3, "60.00")
        with self.assertRaisesMessage(PaymentError, "只有拍摄组或教务处"):
            handover_confirm(school_class=self.world.school_class, by=self.world.monitor_user)

    def test_the_crew_records_it_directly_as_received(self):
        handover = self._handover(3, "60.00", by=self.crew, receiver_name="")

        self.assertEqual(handover.confirmed_by, self.crew)
        self.assertEqual(handover.receiver_name, self.crew.username)

    def test_a_photographed_student_who_has_not_paid_stops_the_hand_over(self):
        late = self.world.students[3]
        make_photographed(late, by=self.crew, when=timezone.now())

        with self.assertRaises(PaymentError) as caught:
            self._handover(3, "60.00")
        self.assertIn("已拍摄但未缴费 1 人", str(caught.exception))
        self.assertIn(late.name, str(caught.exception))
        self.assertFalse(Handover.objects.exists())

    def test_a_class_still_being_shot_cannot_hand_over(self):
        world = make_class_world(3)
        make_payments(world.students, world.monitor_user)
        make_day(world, world.students[:1], absent=[])

        with self.assertRaisesMessage(PaymentError, "还有 2 人未拍摄也未登记缺席"):
            handover_record(
                school_class=world.school_class,
                by=world.monitor_user,
                student_count=1,
                amount=Decimal("20"),
                receiver_name="李师傅",
            )

    def test_a_paid_absentee_is_not_handed_over_and_the_message_says_why(self):
        absentee = self.world.students[3]
        payment_record(student=absentee, by=self.world.monitor_user)

        with self.assertRaises(PaymentError) as caught:
            self._handover(4, "80.00")
        message = str(caught.exception)
        self.assertIn("与已拍摄应交的 3 人不符", message)
        self.assertIn(absentee.name, message)
        self._handover(3, "60.00")

    def test_fewer_students_than_photographed_is_refused(self):
        with self.assertRaisesMessage(PaymentError, "交接人数 2 人与已拍摄应交的 3 人不符"):
            self._handover(2, "40.00")
        self.assertFalse(Handover.objects.exists())

    def test_a_wrong_amount_is_refused_with_the_difference(self):
        with self.assertRaisesMessage(PaymentError, "相差 1.00 元"):
            self._handover(3, "59.00")
        self.assertFalse(Handover.objects.exists())

    def test_a_blank_receiver_is_refused_from_the_monitor(self):
        with self.assertRaisesMessage(PaymentError, "收款人"):
            self._handover(3, "60.00", receiver_name="  ")

    def test_a_second_hand_over_is_refused(self):
        self._handover(3, "60.00")

        with self.assertRaisesMessage(PaymentError, "不能重复交接"):
            self._handover(3, "60.00")
        self.assertEqual(Handover.objects.count(), 1)

    def test_make_up_students_never_count_in_the_class_total(self):
        make_student(self.world.school_class, category=StudentCategory.EARLIER_UNSHOT)

        self.assertEqual(collected(self.world.school_class)[0], 3)
        self._handover(3, "60.00")

    def test_a_class_nobody_of_which_was_photographed_has_nothing_to_hand_over(self):
        empty = make_class_world(2)

        with self.assertRaisesMessage(PaymentError, "还没有已拍摄的学生"):
            handover_record(
                school_class=empty.school_class,
                by=empty.monitor_user,
                student_count=0,
                amount=Decimal("0"),
                receiver_name="李师傅",
            )


class HandedOverClassTests(TestCase):
    """Four students: three paid, were photographed and handed over; one was absent."""

    def setUp(self):
        self.world = make_class_world(4)
        self.payments, self.handover = make_handover(self.world, self.world.students[:3])
        self.staff = make_staff()
        self.late = self.world.students[3]

    def test_the_monitor_can_no_longer_record(self):
        with self.assertRaisesMessage(PaymentError, "已锁定"):
            payment_record(student=self.late, by=self.world.monitor_user)

    def test_the_monitor_can_no_longer_reverse(self):
        with self.assertRaisesMessage(PaymentError, "已锁定"):
            payment_reverse(payment=self.payments[0], by=self.world.monitor_user, reason="x")
        self.payments[0].refresh_from_db()
        self.assertIs(self.payments[0].is_active, True)

    def test_staff_need_a_reason_to_change_it(self):
        with self.assertRaisesMessage(PaymentError, "须填写原因"):
            payment_record(student=self.late, by=self.staff)
        self.assertEqual(Payment.objects.count(), 3)

    def test_a_late_photo_shows_as_a_discrepancy_until_settled(self):
        make_photographed(self.late, by=make_crew(), when=timezone.now())
        late = payment_record(student=self.late, by=self.staff, reason="当天补交")

        self.assertIs(late.after_handover, True)
        self.assertEqual(late.note, "当天补交")
        money = money_of_class(school_class=self.world.school_class)
        self.assertEqual((money.owed, money.handed, money.discrepancy), (80, 60, -20))
        adjustment = handover_settle(
            school_class=self.world.school_class, by=self.staff, reason="已补交拍摄组"
        )
        self.assertEqual(adjustment.student_count, 1)
        self.assertEqual(adjustment.amount, Decimal("20.00"))
        with self.assertRaisesMessage(PaymentError, "没有待结清的差额"):
            handover_settle(school_class=self.world.school_class, by=self.staff, reason="再次")

    def test_only_staff_settle(self):
        with self.assertRaisesMessage(PaymentError, "只有教务处"):
            handover_settle(
                school_class=self.world.school_class, by=self.world.monitor_user, reason="x"
            )
        self.assertFalse(HandoverAdjustment.objects.exists())


class RefundAndCarryTests(TestCase):
    """A student who paid and was absent: staff refund the money or carry it."""

    def setUp(self):
        self.world = make_class_world(3)
        self.absentee = self.world.students[2]
        paid = make_payments(self.world.students, self.world.monitor_user)
        self.payment = paid[2]
        make_day(self.world, self.world.students[:2])
        self.staff = make_staff()

    def test_the_paid_absentee_is_money_to_give_back_not_to_hand_over(self):
        money = money_of_class(school_class=self.world.school_class)

        self.assertEqual((money.expected_count, money.collected), (2, Decimal("60.00")))
        self.assertEqual((money.owed, money.refund_due, money.refund_count), (40, 20, 1))

    def test_staff_record_the_refund_as_a_reversal_with_who_and_when(self):
        reversal = payment_refund(payment=self.payment, by=self.staff)

        self.assertEqual(reversal.kind, PaymentReversal.Kind.REFUND)
        self.assertEqual(reversal.reversed_by, self.staff)
        self.assertEqual(reversal.reason, "未拍摄，费用已退还本人")
        money = money_of_class(school_class=self.world.school_class)
        self.assertEqual((money.refund_due, money.collected), (0, Decimal("40.00")))

    def test_staff_carry_it_to_the_make_up_round(self):
        carry = payment_carry(payment=self.payment, by=self.staff, note="补拍时抵扣")

        self.assertEqual(carry.carried_by, self.staff)
        money = money_of_class(school_class=self.world.school_class)
        self.assertEqual((money.refund_due, money.carried, money.carried_count), (0, 20, 1))
        state = payment_state_by_student(students=[self.absentee])[self.absentee.pk]
        self.assertEqual(state.label, "转补拍")

    def test_only_the_money_of_a_student_who_owes_nothing_is_refunded(self):
        for call in (payment_refund, payment_carry):
            with self.subTest(call=call.__name__):
                with self.assertRaisesMessage(PaymentError, "不需退还或转补拍"):
                    call(payment=Payment.objects.get(student=self.world.students[1]), by=self.staff)

    def test_the_monitor_cannot_refund_or_carry(self):
        for call in (payment_refund, payment_carry):
            with self.subTest(call=call.__name__):
                with self.assertRaisesMessage(PaymentError, "只有教务处"):
                    call(payment=self.payment, by=self.world.monitor_user)
        self.assertIs(Payment.objects.get(pk=self.payment.pk).is_active, True)
