"""Reads of the fee ledger. Every figure comes from payments_app/rules.py: the selectors
build MoneyLines from the database and the rules total them, so every page and export
agrees to the fen. Each function fixes its own queries: a page or an export costs the
same few queries whatever the number of students."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal import cache
from payments_app.models import Handover, HandoverAdjustment, Payment, PaymentStatus
from payments_app.rules import (
    STATE_ELSEWHERE,
    STATE_MAKEUP,
    STATE_PAID,
    STATE_REFUND,
    ClassMoney,
    MoneyLine,
    Totals,
    class_money,
    handed_over,
    pays_at_makeup_centre,
)
from sessions_app.models import (
    Campaign,
    College,
    SchoolClass,
    Student,
    StudentCategory,
    schedule_order,
)
from sessions_app.shootday.status import (
    ended_slot_count,
    shoot_outcome_of,
    shoot_status_by_student,
)

# Lines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paid:
    pk: int
    class_id: int | None
    amount: Decimal
    recorded_at: datetime.datetime | None  # loaded only for lists that print it
    carried: bool


def _active_payments(students: QuerySet, *, times: bool) -> dict[int, _Paid]:
    """Return the active payment of each student, keyed by student pk (one at most)."""
    rows = Payment.objects.filter(
        student__in=students.order_by().values("pk"),
        status=PaymentStatus.ACTIVE,
        campaign=F("student__campaign"),
    ).values_list(
        "student_id",
        "pk",
        "school_class_id",
        "amount",
        "recorded_at" if times else "pk",
        "carry",
    )
    return {
        student_id: _Paid(pk, class_id, amount, when if times else None, carry is not None)
        for student_id, pk, class_id, amount, when, carry in rows
    }


@dataclass(frozen=True)
class _ClassFacts:
    status: str
    day: datetime.date | None
    end: datetime.time | None
    close_id: int | None


def _class_facts(students: QuerySet) -> dict[int, _ClassFacts]:
    """Return what a line needs of every class of the students' campaigns: a few
    hundred rows at most, rather than a join per student."""
    rows = (
        SchoolClass.objects.filter(campaign__in=students.order_by().values("campaign"))
        .order_by()
        .values_list("pk", "status", "slot__date", "slot__end", "shoot_close")
    )
    return {pk: _ClassFacts(*facts) for pk, *facts in rows}


@dataclass(frozen=True)
class _Line:
    class_id: int
    line: MoneyLine
    payment: _Paid | None


def _lines(
    students: QuerySet, *, now=None, seen: set | None = None, times: bool = False
) -> list[_Line]:
    """Return every student's line: in the class holding their payment, else their own
    class; with a second line in their own class for one who paid in another. Five
    queries whatever the number of students; ``seen`` collects every student's pk;
    ``times`` loads when each payment was recorded."""
    now = now or timezone.now()
    paid = _active_payments(students, times=times)
    shoot = shoot_status_by_student(students=students, light=True, times=False)
    classes = _class_facts(students)
    no_class = _ClassFacts("", None, None, None)
    result = []
    for pk, class_id, category in students.order_by().values_list(
        "pk", "school_class_id", "category"
    ):
        if seen is not None:
            seen.add(pk)
        own = classes.get(class_id, no_class)
        outcome = shoot_outcome_of(shoot[pk], own.day, own.end, own.close_id, now=now)
        payment = paid.get(pk)
        home = payment.class_id if payment is not None else class_id
        if home is not None:
            line = MoneyLine(
                student_id=pk,
                pays_with_class=not pays_at_makeup_centre(
                    category=category, class_status=classes[home].status
                ),
                member=home == class_id,
                shoot=outcome,
                paid=payment.amount if payment is not None else None,
                carried=payment is not None and payment.carried,
            )
            result.append(_Line(home, line, payment))
        if class_id is not None and home != class_id:
            line = MoneyLine(
                student_id=pk,
                pays_with_class=not pays_at_makeup_centre(
                    category=category, class_status=own.status
                ),
                member=True,
                shoot=outcome,
                paid_elsewhere=True,
            )
            result.append(_Line(class_id, line, None))
    return result


def _students_of_classes(class_ids) -> QuerySet:
    """Return the students of the classes and those whose payment one of them holds."""
    payers = Payment.objects.filter(school_class_id__in=class_ids, status=PaymentStatus.ACTIVE)
    return Student.objects.filter(
        Q(school_class_id__in=class_ids) | Q(pk__in=payers.values("student_id"))
    )


def _handovers(class_ids) -> dict[int, Handover]:
    return {
        h.school_class_id: h
        for h in Handover.objects.filter(school_class_id__in=class_ids).annotate(
            adj_n=Sum("adjustments__student_count"), adj_total=Sum("adjustments__amount")
        )
    }


def _handed(handover: Handover | None) -> tuple[int, Decimal] | None:
    if handover is None:
        return None
    return handed_over(
        count=handover.student_count,
        amount=handover.amount,
        adjustments=[(handover.adj_n, handover.adj_total)],
    )


@dataclass(frozen=True)
class ListedLine:
    """A line of a 缴费名单: the student, their line and their active payment's time."""

    student_id: str
    name: str
    id_number: str
    line: MoneyLine
    recorded_at: datetime.datetime | None


def lines_of_classes(*, class_ids, now=None) -> dict[int, list[ListedLine]]:
    """Return each class's lines with the students' 学号, names and ID numbers, in 学号
    order; five queries for any number of classes and students."""
    students = _students_of_classes(class_ids)
    people = {
        pk: (student_id, name, id_number)
        for pk, student_id, name, id_number in students.order_by().values_list(
            "pk", "student_id", "name", "id_number"
        )
    }
    result: dict[int, list[ListedLine]] = {pk: [] for pk in class_ids}
    for item in _lines(students, now=now, times=True):
        if item.class_id in result:
            when = item.payment.recorded_at if item.payment else None
            result[item.class_id].append(ListedLine(*people[item.line.student_id], item.line, when))
    for lines in result.values():
        lines.sort(key=lambda listed: listed.student_id)
    return result


def money_of_classes(*, classes, now=None) -> dict[int, ClassMoney]:
    """Return the money of each class (rules.class_money) keyed by class pk; a fixed
    handful of queries for any number of classes and students."""
    class_ids = [c.pk for c in classes]
    lines: dict[int, list[MoneyLine]] = {pk: [] for pk in class_ids}
    for item in _lines(_students_of_classes(class_ids), now=now):
        if item.class_id in lines:
            lines[item.class_id].append(item.line)
    return _moneys(lines)


def money_of_listed(*, listed: dict[int, list[ListedLine]]) -> dict[int, ClassMoney]:
    """Return the money of the classes whose lines lines_of_classes returned."""
    return _moneys({pk: [x.line for x in lines] for pk, lines in listed.items()})


def _moneys(lines: dict[int, list[MoneyLine]]) -> dict[int, ClassMoney]:
    fees = dict(SchoolClass.objects.filter(pk__in=list(lines)).values_list("pk", "campaign__fee"))
    handovers = _handovers(list(lines))
    return {
        pk: class_money(
            fee=fees[pk],
            lines=class_lines,
            handover=_handed(handovers.get(pk)),
            confirmed=pk in handovers and handovers[pk].confirmed_at is not None,
        )
        for pk, class_lines in lines.items()
    }


def money_of_class(*, school_class: SchoolClass, now=None) -> ClassMoney:
    return money_of_classes(classes=[school_class], now=now)[school_class.pk]


def handover_totals(*, handover: Handover) -> tuple[int, Decimal]:
    """Return the students and money the class has handed over, adjustments included."""
    adjustments = handover.adjustments.values_list("student_count", "amount")
    return handed_over(
        count=handover.student_count, amount=handover.amount, adjustments=adjustments
    )


# A student's state ---------------------------------------------------------------------

STATE_CSS = {
    STATE_PAID: "text-bg-success",
    STATE_REFUND: "text-bg-warning",
    STATE_MAKEUP: "text-bg-secondary",
}


@dataclass(frozen=True)
class PaymentState:
    """A student's place in the ledger of their campaign (their MoneyLine, told)."""

    state: str
    label: str
    paid: bool = False  # holds an active payment (owed, to be refunded or carried)
    amount: Decimal | None = None
    payment_id: int | None = None
    recorded_at: object = None

    @property
    def makeup(self) -> bool:
        """Return whether the student pays the make-up centre, outside any class."""
        return self.state == STATE_MAKEUP

    @property
    def settled(self) -> bool:
        """Return whether nothing is expected of the student now: paid what they owe,
        or owe nothing."""
        return self.state in (STATE_PAID, STATE_MAKEUP, STATE_ELSEWHERE)

    @property
    def css_class(self) -> str:
        return STATE_CSS.get(self.state, "text-bg-light border")


def _state(item: _Line) -> PaymentState:
    payment = item.payment if item.line.paid is not None else None
    return PaymentState(
        state=item.line.state,
        label=item.line.label,
        paid=payment is not None,
        amount=payment.amount if payment else None,
        payment_id=payment.pk if payment else None,
        recorded_at=payment.recorded_at if payment else None,
    )


def payment_state_by_student(*, students, now=None) -> dict[int, PaymentState]:
    """Return the payment state of each student, keyed by pk; four queries for any
    number. ``students`` is a Student queryset or an iterable of students (or pks)."""
    if not isinstance(students, QuerySet):
        pks = [s if isinstance(s, int) else s.pk for s in students]
        students = Student.objects.filter(pk__in=pks)
    states = {}
    seen: set[int] = set()
    for item in _lines(students, now=now, seen=seen, times=True):
        if item.line.student_id in states and item.line.paid_elsewhere:
            continue  # the line of the class holding the payment says it
        states[item.line.student_id] = _state(item)
    makeup = PaymentState(state=STATE_MAKEUP, label=_("补拍自缴"))
    for pk in seen:
        states.setdefault(pk, makeup)  # no class, no payment: an individual
    return states


# A class's ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    student: Student
    line: MoneyLine
    state: PaymentState


@dataclass
class ClassLedger:
    """One class's money: every student's line with its state, and the totals."""

    school_class: SchoolClass
    money: ClassMoney
    rows: list[LedgerRow]
    handover: Handover | None
    adjustments: list[HandoverAdjustment] = field(default_factory=list)

    @property
    def fee(self) -> Decimal:
        return self.money.fee

    @property
    def locked(self) -> bool:
        return self.handover is not None

    def _rows(self, name) -> list[LedgerRow]:
        return [r for r in self.rows if getattr(r.line, name)]

    @property
    def unpaid(self) -> list[LedgerRow]:
        return self._rows("unpaid")

    @property
    def refunds(self) -> list[LedgerRow]:
        return self._rows("refund_due")

    @property
    def unpaid_photographed(self) -> list[LedgerRow]:
        return [r for r in self.unpaid if r.line.to_crew]


def class_ledger(*, school_class: SchoolClass, now=None) -> ClassLedger:
    """Return the class's ledger in 学号 order; a handful of queries for any class size."""
    school_class = SchoolClass.objects.select_related(
        "campaign", "college", "slot__venue", "monitor"
    ).get(pk=school_class.pk)
    students = _students_of_classes([school_class.pk])
    lines = {
        item.line.student_id: item
        for item in _lines(students, now=now, times=True)
        if item.class_id == school_class.pk
    }
    handover = (
        Handover.objects.filter(school_class=school_class)
        .select_related("recorded_by", "confirmed_by")
        .first()
    )
    adjustments = list(handover.adjustments.all()) if handover else []
    handed = None
    if handover is not None:
        handed = handed_over(
            count=handover.student_count,
            amount=handover.amount,
            adjustments=[(a.student_count, a.amount) for a in adjustments],
        )
    rows = [
        LedgerRow(student, lines[student.pk].line, _state(lines[student.pk]))
        for student in students.order_by("student_id")
        if student.pk in lines
    ]
    return ClassLedger(
        school_class=school_class,
        money=class_money(
            fee=school_class.campaign.fee,
            lines=[r.line for r in rows],
            handover=handed,
            confirmed=handover is not None and handover.confirmed_at is not None,
        ),
        rows=rows,
        handover=handover,
        adjustments=adjustments,
    )


@dataclass(frozen=True)
class LedgerEntry:
    """A line of the class's history: a payment, its reversal or refund, its carry."""

    when: object
    kind: str  # "payment", "reversal", "refund" or "carry"
    payment: Payment
    by: object = None
    text: str = ""


def ledger_entries_for_class(*, school_class: SchoolClass, limit: int = 200) -> list[LedgerEntry]:
    """Return the class's payments, reversals, refunds and carries, newest first."""
    payments = list(
        Payment.objects.filter(school_class=school_class)
        .select_related("student", "recorded_by", "reversal__reversed_by", "carry__carried_by")
        .order_by("-recorded_at", "-id")[:limit]
    )
    entries = []
    for payment in payments:
        entries.append(
            LedgerEntry(payment.recorded_at, "payment", payment, payment.recorded_by, payment.note)
        )
        reversal = getattr(payment, "reversal", None) if payment.status == "reversed" else None
        if reversal is not None:
            entries.append(
                LedgerEntry(
                    reversal.reversed_at,
                    reversal.kind,
                    payment,
                    reversal.reversed_by,
                    reversal.reason,
                )
            )
        carry = getattr(payment, "carry", None)
        if carry is not None:
            entries.append(
                LedgerEntry(carry.carried_at, "carry", payment, carry.carried_by, carry.note)
            )
    entries.sort(key=lambda e: (e.when, e.kind != "payment"), reverse=True)
    return entries


def payment_of_class(*, school_class: SchoolClass, pk: int) -> Payment | None:
    return (
        Payment.objects.filter(school_class=school_class, pk=pk)
        .select_related("student", "recorded_by")
        .first()
    )


# The staff overview -------------------------------------------------------------------


@dataclass
class ClassRow:
    school_class: SchoolClass
    money: ClassMoney

    @property
    def label(self) -> str:
        return self.school_class.name


@dataclass
class Overview:
    campaign: Campaign
    classes: list[ClassRow]
    colleges: list[Totals]
    slots: list[Totals]
    overall: Totals
    makeup_count: int


def makeup_payers_q() -> Q:
    """Return the students who pay the make-up centre, as a query: rules.pays_at_makeup_centre."""
    return (
        ~Q(category=StudentCategory.CURRENT)
        | Q(school_class__isnull=True)
        | Q(school_class__status=SchoolClass.Status.DEFERRED)
    )


# How far the staff's overview may lag the payments and the photos (payments_overview).
OVERVIEW_LAG_SECONDS = 3


def payments_overview(*, campaign: Campaign, now=None, lag: float = 0) -> Overview:
    """Return each class's money (problems first, then in schedule order) and the totals
    per college, per slot and overall. A handful of queries for any campaign; cached
    until a payment, a photo, the roster or the schedule changes, or a slot ends.

    With ``lag`` a payment or a photo is seen within that many seconds (plus one
    computation) rather than at once: the evening before, monitors record payments
    several times a second, and 20,000 students' money takes most of a second to sum."""
    now = now or timezone.now()
    return cache.remember_lagging(
        "payments-overview",
        campaign.pk,
        (cache.SCHEDULE, cache.ROSTER),
        (cache.DAY, cache.MONEY),
        lambda: _payments_overview(campaign, now),
        seconds=lag,
        extra=ended_slot_count(campaign_id=campaign.pk, now=now),
    )


def _payments_overview(campaign: Campaign, now) -> Overview:
    classes = list(
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("college", "slot__venue")
        .order_by(*schedule_order())
    )
    moneys = money_of_classes(classes=classes, now=now)
    rows = [
        ClassRow(c, moneys[c.pk].summary())
        for c in classes
        if c.status == SchoolClass.Status.SCHEDULED or moneys[c.pk].lines
    ]
    colleges: dict[str, Totals] = {}
    slots: dict[object, Totals] = {}
    overall = Totals(label=_("全部"))
    for row in rows:
        school_class = row.school_class
        college = school_class.college.name if school_class.college else _("（未设学院）")
        colleges.setdefault(college, Totals(label=college)).add(row.money)
        if school_class.slot_id not in slots:
            slot = school_class.slot
            label = "%s %s" % (slot, slot.venue) if slot else _("（未安排时段）")
            slots[school_class.slot_id] = Totals(label=label)
        slots[school_class.slot_id].add(row.money)
        overall.add(row.money)
    rows.sort(key=lambda row: row.money.severity)  # stable: schedule order within a rank
    return Overview(
        campaign=campaign,
        classes=rows,
        colleges=sorted(colleges.values(), key=lambda t: t.label),
        slots=list(slots.values()),
        overall=overall,
        makeup_count=Student.objects.filter(makeup_payers_q(), campaign=campaign).count(),
    )


def colleges_of_campaign(*, campaign: Campaign) -> QuerySet[College]:
    """Return the colleges with a class in the campaign, by name."""
    return College.objects.filter(classes__campaign=campaign).distinct().order_by("name")


def export_scope(
    *, campaign: Campaign, school_class_pk: int | None = None, college_pk: int | None = None
) -> tuple[QuerySet[SchoolClass], str] | None:
    """Return the classes of a 缴费名单 and the label of its scope: one class, one
    college's classes, or every class of the campaign. None if the class or college is
    not the campaign's."""
    classes = SchoolClass.objects.filter(campaign=campaign)
    if school_class_pk:
        school_class = classes.filter(pk=school_class_pk).first()
        if school_class is None:
            return None
        return classes.filter(pk=school_class.pk), school_class.name
    if college_pk:
        college = College.objects.filter(pk=college_pk).first()
        if college is None:
            return None
        return classes.filter(college=college), college.name
    return classes, ""
