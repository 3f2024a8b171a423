"""Writes to the fee ledger.

Every function is one transaction and raises PaymentError with a message for the user;
nothing is half-saved when it does. Two monitors, a double click or a reloaded page may
act on one class at once, so each write first locks the class row: payments of a class
and its hand-over are then serialised, and the partial unique index on Payment is the
last word if anything slips past.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.formats import yuan
from capture_portal.services import ServiceError, names_summary
from payments_app.models import (
    Handover,
    HandoverAdjustment,
    Payment,
    PaymentCarry,
    PaymentMethod,
    PaymentReversal,
    PaymentStatus,
)
from payments_app.rules import money, pays_at_makeup_centre
from payments_app.selectors import (
    class_ledger,
    handover_totals,
    money_of_class,
    student_line_in,
)
from sessions_app.models import Campaign, SchoolClass, Student, TimeSlot
from sessions_app.roles import is_crew, is_staff_member, may_act_for_class
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.services import students_restate

REASON_MAX_LENGTH = PaymentReversal._meta.get_field("reason").max_length
RECEIVER_MAX_LENGTH = Handover._meta.get_field("receiver_name").max_length


class PaymentError(ServiceError):
    """A ledger change that cannot be made; the message is for the user."""


@dataclass
class RecordResult:
    """What payments_record did with each student it was given."""

    recorded: list[Payment] = field(default_factory=list)
    already_paid: list[Student] = field(default_factory=list)


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise PaymentError(_("原因最多 %(n)d 个字。") % {"n": REASON_MAX_LENGTH})
    return reason


def _lock_class(school_class_id: int) -> SchoolClass:
    return SchoolClass.objects.select_for_update().get(pk=school_class_id)


def _authorise(*, by, school_class: SchoolClass) -> bool:
    """Refuse anyone but staff and the class's monitor; return whether ``by`` is staff."""
    if not may_act_for_class(by, school_class):
        raise PaymentError(
            _("只有本班班长或教务处可以登记 %(name)s 的缴费。") % {"name": school_class}
        )
    return is_staff_member(by)


def _handover_of(school_class: SchoolClass) -> Handover | None:
    return Handover.objects.filter(school_class=school_class).first()


def _check_lock(*, school_class: SchoolClass, staff: bool, reason: str) -> bool:
    """Refuse changes to a handed-over class except by staff with a reason.

    Return whether the class has handed over (the change is then a discrepancy).
    """
    handover = _handover_of(school_class)
    if handover is None:
        return False
    if not staff:
        raise PaymentError(
            _("%(name)s 已于 %(when)s 向拍摄组交接，缴费记录已锁定；如需更改请联系教务处。")
            % {
                "name": school_class,
                "when": timezone.localtime(handover.handed_over_at).strftime("%m-%d %H:%M"),
            }
        )
    if not reason:
        raise PaymentError(_("%(name)s 已交接，教务处更改须填写原因。") % {"name": school_class})
    return True


def payments_record(
    *,
    students: Iterable[Student],
    by,
    method: str = PaymentMethod.CASH,
    reason: str = "",
) -> RecordResult:
    """Record a payment of the current fee for each student, all of one class.

    Students who already have an active payment are skipped and reported, so a double
    click or a reloaded form never pays twice. A make-up student or a student of another
    class refuses the whole batch.
    """
    students = list(students)
    if not students:
        raise PaymentError(_("请选择要登记缴费的学生。"))
    if method not in PaymentMethod.values:
        raise PaymentError(_("未知的缴费方式。"))
    reason = _clean_reason(reason)
    class_id = _one_class(students)
    with transaction.atomic():
        school_class = _lock_class(class_id)
        staff = _authorise(by=by, school_class=school_class)
        after_handover = _check_lock(school_class=school_class, staff=staff, reason=reason)
        fresh = _payers_locked(students, school_class)
        fee = Campaign.objects.values_list("fee", flat=True).get(pk=school_class.campaign_id)
        paid_ids = set(
            Payment.objects.filter(
                campaign_id=school_class.campaign_id,
                student__in=fresh,
                status=PaymentStatus.ACTIVE,
            ).values_list("student_id", flat=True)
        )
        result = RecordResult()
        now = timezone.now()
        paying = []
        for student in fresh:
            payment = Payment(
                campaign_id=school_class.campaign_id,
                student=student,
                school_class=school_class,
                amount=fee,
                method=method,
                recorded_by=by,
                recorded_at=now,
                after_handover=after_handover,
                note=reason,
            )
            if student.pk not in paid_ids and _saved(payment):
                result.recorded.append(payment)
                paying.append(student)
            else:
                result.already_paid.append(student)
        students_restate(
            students=paying,
            paid_fen=summary_rules.to_fen(fee),
            paid_class_id=school_class.pk,
            paid_carried=False,
        )
    return result


def _one_class(students: list[Student]) -> int:
    """Return the class all the students belong to; refuse students without a class
    (they pay the make-up centre) and students of several classes."""
    class_ids = {s.school_class_id for s in students}
    if len(class_ids) == 1 and None not in class_ids:
        return class_ids.pop()
    makeup = [s for s in students if s.school_class_id is None]
    if makeup:
        raise PaymentError(
            _("%(names)s 没有班级，须到补拍中心自行缴费，不能由班长登记。")
            % {"names": names_summary([s.name for s in makeup])}
        )
    raise PaymentError(_("一次只能登记同一个班级的学生。"))


def _payers_locked(students: list[Student], school_class: SchoolClass) -> list[Student]:
    """Return the students locked and read again, once each is known to still be of the
    class and to pay with it: category and class may have changed since the page loaded."""
    fresh = list(
        Student.objects.select_for_update()
        .filter(pk__in=[s.pk for s in students])
        .order_by("student_id")
    )
    moved = [s for s in fresh if s.school_class_id != school_class.pk]
    if moved or len(fresh) != len({s.pk for s in students}):
        raise PaymentError(_("名单已变动，请刷新页面后重试。"))
    makeup = [
        s
        for s in fresh
        if pays_at_makeup_centre(category=s.category, class_status=school_class.status)
    ]
    if makeup:
        raise PaymentError(
            _("%(names)s 属于补拍人员（或班级已推迟），须到补拍中心自行缴费，不计入班级。")
            % {"names": names_summary([s.name for s in makeup])}
        )
    return fresh


def _saved(payment: Payment) -> bool:
    """Save a payment; False if another transaction won the race for the student (the
    partial unique index held)."""
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        return False
    return True


def payment_record(
    *, student: Student, by, method: str = PaymentMethod.CASH, reason: str = ""
) -> Payment:
    """Record the student's payment of the current fee; refuse a second one."""
    result = payments_record(students=[student], by=by, method=method, reason=reason)
    if not result.recorded:
        raise PaymentError(_("%(name)s 已缴费，未重复登记。") % {"name": student.name})
    return result.recorded[0]


def payment_reverse(*, payment: Payment, by, reason: str) -> PaymentReversal:
    """Undo a payment recorded by mistake; the payment itself keeps its amount and author."""
    reason = _clean_reason(reason)
    if not reason:
        raise PaymentError(_("撤销缴费须填写原因。"))
    with transaction.atomic():
        school_class = _class_of_payment(payment)
        staff = _authorise(by=by, school_class=school_class)
        after_handover = _check_lock(school_class=school_class, staff=staff, reason=reason)
        locked = _active_locked(payment)
        return _reversal(locked, by, reason, PaymentReversal.Kind.MISTAKE, after_handover)


def payment_refund(*, payment: Payment, by, reason: str = "") -> PaymentReversal:
    """Record that the money of a student who owes nothing (not photographed, deferred,
    no longer paying with the class) was given back: a reversal of kind refund. Staff
    only; allowed after the hand-over, since this money is never the crew's."""
    if not is_staff_member(by):
        raise PaymentError(_("只有教务处可以登记退款。"))
    reason = _clean_reason(reason) or _("未拍摄，费用已退还本人")
    with transaction.atomic():
        school_class = _class_of_payment(payment)
        locked = _active_locked(payment)
        _check_refund_due(locked, school_class)
        return _reversal(locked, by, reason, PaymentReversal.Kind.REFUND, False)


def payment_carry(*, payment: Payment, by, note: str = "") -> PaymentCarry:
    """Record that staff carried the money of a student who was not photographed to the
    make-up round (the payment stays; the class no longer owes it back)."""
    if not is_staff_member(by):
        raise PaymentError(_("只有教务处可以把缴费转入补拍。"))
    note = _clean_reason(note)
    with transaction.atomic():
        school_class = _class_of_payment(payment)
        locked = _active_locked(payment)
        _check_refund_due(locked, school_class)
        carry = PaymentCarry.objects.create(
            payment=locked, note=note, carried_by=by, carried_at=timezone.now()
        )
        students_restate(students=[locked.student], paid_carried=True)
        return carry


def _class_of_payment(payment: Payment) -> SchoolClass:
    if payment.school_class_id is None:
        raise PaymentError(_("这笔缴费不属于任何班级，只能由教务处在后台处理。"))
    return _lock_class(payment.school_class_id)


def _active_locked(payment: Payment) -> Payment:
    # The student too: their standing changes with the payment.
    locked = (
        Payment.objects.select_for_update(of=("self", "student"))
        .select_related("student")
        .get(pk=payment.pk)
    )
    if locked.status != PaymentStatus.ACTIVE:
        raise PaymentError(
            _("%(name)s 的这笔缴费已撤销或退款，不能再处理。") % {"name": locked.student.name}
        )
    return locked


def _check_refund_due(payment: Payment, school_class: SchoolClass) -> None:
    line = student_line_in(student=payment.student, school_class=school_class)
    if line is None or not line.refund_due:
        raise PaymentError(
            _("%(name)s 应随班缴费，这笔费用不需退还或转补拍。") % {"name": payment.student.name}
        )


def _reversal(payment: Payment, by, reason: str, kind: str, after_handover: bool):
    reversal = PaymentReversal.objects.create(
        payment=payment,
        kind=kind,
        reason=reason,
        reversed_by=by,
        reversed_at=timezone.now(),
        after_handover=after_handover,
    )
    # The only change a payment ever sees: its status, next to the reversal entry.
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REVERSED)
    payment.status = PaymentStatus.REVERSED
    students_restate(
        students=[payment.student], paid_fen=None, paid_class_id=None, paid_carried=False
    )
    return reversal


# A clock a few minutes fast on the crew's phone is not a hand-over in the future.
HANDOVER_CLOCK_SLACK = datetime.timedelta(minutes=10)


def _check_handover_time(when: datetime.datetime, *, campaign_id: int) -> None:
    """Refuse a hand-over time before the campaign's first shoot day or in the future."""
    now = timezone.now()
    if when > now + HANDOVER_CLOCK_SLACK:
        raise PaymentError(
            _("交接时间 %(when)s 晚于现在，请填写实际交接的时间（留空则为现在）。")
            % {"when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")}
        )
    first_day = TimeSlot.objects.filter(campaign_id=campaign_id).aggregate(day=Min("date"))["day"]
    if first_day is not None and timezone.localtime(when).date() < first_day:
        raise PaymentError(
            _("交接时间 %(when)s 早于本次采集的拍摄日 %(day)s，请检查日期。")
            % {
                "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                "day": first_day.strftime("%Y-%m-%d"),
            }
        )


def handover_record(
    *,
    school_class: SchoolClass,
    by,
    student_count: int,
    amount: Decimal,
    receiver_name: str = "",
    handed_over_at: datetime.datetime | None = None,
) -> Handover:
    """Record the hand-over of the class's cash to the crew, which must reconcile.

    It comes once the class is shot: the count must be the students photographed who
    pay with the class (all of whom have paid) and the amount their payments; a
    difference is refused with who and how many. Recorded by the crew or staff, it is
    confirmed at once; recorded by the monitor, a crew member confirms receipt. The
    class's payments are locked afterwards.
    """
    receiver_name = " ".join((receiver_name or "").split())
    crew = is_crew(by)
    if crew:
        receiver_name = receiver_name or by.get_full_name() or by.first_name or by.username
    if not receiver_name:
        raise PaymentError(_("请填写收款人姓名。"))
    if len(receiver_name) > RECEIVER_MAX_LENGTH:
        raise PaymentError(_("收款人姓名最多 %(n)d 个字。") % {"n": RECEIVER_MAX_LENGTH})
    if student_count is None or student_count < 0:
        raise PaymentError(_("人数必须是不小于 0 的整数。"))
    if amount is None or amount < 0:
        raise PaymentError(_("金额必须是不小于 0 的数。"))
    amount = money(amount)
    if handed_over_at is not None:
        _check_handover_time(handed_over_at, campaign_id=school_class.campaign_id)
    with transaction.atomic():
        school_class = _lock_class(school_class.pk)
        if not crew:
            _authorise(by=by, school_class=school_class)
        _check_can_hand_over(school_class)
        ledger = class_ledger(school_class=school_class)
        _check_class_done(ledger)
        count, due = ledger.money.to_hand_over
        if student_count != count:
            raise PaymentError(_count_mismatch(ledger, student_count, count))
        if amount != due:
            raise PaymentError(
                _(
                    "交接金额 %(amount)s 元与应交不符：已拍摄 %(paid)d 人，应交 %(due)s 元，"
                    "相差 %(diff)s 元。"
                )
                % {
                    "amount": yuan(amount),
                    "paid": count,
                    "due": yuan(due),
                    "diff": yuan(abs(due - amount)),
                }
            )
        now = timezone.now()
        handover = Handover(
            campaign_id=school_class.campaign_id,
            school_class=school_class,
            student_count=student_count,
            amount=amount,
            receiver_name=receiver_name,
            handed_over_at=handed_over_at or now,
            recorded_by=by,
            recorded_at=now,
            confirmed_by=by if crew else None,
            confirmed_at=now if crew else None,
        )
        try:
            with transaction.atomic():
                handover.save()
        except IntegrityError:
            raise PaymentError(
                _("%(name)s 已交接，不能重复交接。") % {"name": school_class}
            ) from None
    return handover


def handover_confirm(*, school_class: SchoolClass, by) -> Handover:
    """A crew member (or staff) confirms they received the class's hand-over."""
    if not is_crew(by):
        raise PaymentError(_("只有拍摄组或教务处可以确认收款。"))
    with transaction.atomic():
        school_class = _lock_class(school_class.pk)
        handover = _handover_of(school_class)
        if handover is None:
            raise PaymentError(_("%(name)s 还没有登记交接。") % {"name": school_class})
        if handover.confirmed_at is not None:
            raise PaymentError(_("%(name)s 的交接已确认。") % {"name": school_class})
        handover.confirmed_by = by
        handover.confirmed_at = timezone.now()
        handover.save(update_fields=["confirmed_by", "confirmed_at"])
    return handover


def _check_can_hand_over(school_class: SchoolClass) -> None:
    """Refuse a deferred class and a class that has handed over already."""
    if school_class.status == SchoolClass.Status.DEFERRED:
        raise PaymentError(_("%(name)s 已推迟至下一年，本次不交接。") % {"name": school_class})
    existing = _handover_of(school_class)
    if existing is not None:
        raise PaymentError(
            _("%(name)s 已于 %(when)s 交接（%(n)d 人，%(amount)s 元），不能重复交接。")
            % {
                "name": school_class,
                "when": timezone.localtime(existing.handed_over_at).strftime("%m-%d %H:%M"),
                "n": existing.student_count,
                "amount": yuan(existing.amount),
            }
        )


def _check_class_done(ledger) -> None:
    """Refuse a hand-over before the class is shot, or while a photographed student
    has not paid: the monitor hands over for the whole class at once."""
    money_ = ledger.money
    if not money_.crew_count:
        raise PaymentError(_("本班还没有已拍摄的学生，拍摄后再交接。"))
    if money_.pending_count:
        pending = [r.student.name for r in ledger.pending]
        raise PaymentError(
            _("本班还有 %(n)d 人未拍摄也未登记缺席（%(names)s）：全班拍完后再交接。")
            % {
                "n": money_.pending_count,
                "names": names_summary(pending, total=money_.pending_count),
            }
        )
    if money_.unpaid_crew_count:
        unpaid = [r.student.name for r in ledger.unpaid_photographed]
        raise PaymentError(
            _("已拍摄但未缴费 %(n)d 人（%(names)s）：请先收齐并登记，再交接。")
            % {
                "n": money_.unpaid_crew_count,
                "names": names_summary(unpaid, total=money_.unpaid_crew_count),
            }
        )


def _count_mismatch(ledger, student_count: int, count: int) -> str:
    """Return why a hand-over of ``student_count`` students does not match the
    ``count`` photographed, with what the difference is."""
    refund_count = ledger.money.refund_count
    refunds = [r.student.name for r in ledger.refunds] if refund_count else []
    note = (
        _("已缴费但未拍摄的 %(n)d 人（%(names)s）不交拍摄组，其费用由教务处退还或转补拍。")
        % {"n": refund_count, "names": names_summary(refunds, total=refund_count)}
        if refund_count
        else ""
    )
    return _(
        "交接人数 %(count)d 人与已拍摄应交的 %(due)d 人不符（应交 %(money)s 元）。%(note)s"
    ) % {
        "count": student_count,
        "due": count,
        "money": yuan(ledger.money.to_hand_over[1]),
        "note": note,
    }


def handover_settle(*, school_class: SchoolClass, by, reason: str) -> HandoverAdjustment:
    """Settle the difference between a handed-over class's hand-over and what it owes
    the crew now (a late photo, a late payment …): staff record that the difference
    was passed on to the crew (or given back), with the reason."""
    if not is_staff_member(by):
        raise PaymentError(_("只有教务处可以结清交接差额。"))
    reason = _clean_reason(reason)
    if not reason:
        raise PaymentError(_("结清差额须填写原因。"))
    with transaction.atomic():
        school_class = _lock_class(school_class.pk)
        handover = _handover_of(school_class)
        if handover is None:
            raise PaymentError(_("%(name)s 尚未交接，没有差额可结清。") % {"name": school_class})
        money_ = money_of_class(school_class=school_class)
        handed_count, handed_amount = handover_totals(handover=handover)
        if money_.crew_count == handed_count and money_.owed == handed_amount:
            raise PaymentError(_("%(name)s 没有待结清的差额。") % {"name": school_class})
        return HandoverAdjustment.objects.create(
            handover=handover,
            student_count=money_.crew_count - handed_count,
            amount=money_.owed - handed_amount,
            reason=reason,
            recorded_by=by,
            recorded_at=timezone.now(),
        )
