"""Reads of the fee ledger. Each function fixes its own queries: a page or an export
costs the same few queries whatever the number of students."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from payments_app.models import (
    Handover,
    HandoverAdjustment,
    Payment,
    PaymentReversal,
    PaymentStatus,
)
from payments_app.rules import (
    expected_amount,
    handed_over,
    money,
    pays_at_makeup_centre,
    progress_percent,
)
from sessions_app.models import Campaign, College, SchoolClass, Student, StudentCategory

LABEL_PAID = "已缴"
LABEL_UNPAID = "未缴"
LABEL_MAKEUP = "补拍自缴"


@dataclass(frozen=True)
class PaymentState:
    """A student's place in the ledger of their campaign."""

    paid: bool
    label: str
    amount: Decimal | None = None
    makeup: bool = False  # pays the make-up centre, never counted in a class total
    payment_id: int | None = None
    recorded_at: object = None


def _student_ids(students) -> QuerySet | list[int]:
    if isinstance(students, QuerySet):
        return students.order_by().values("pk")
    return [s if isinstance(s, int) else s.pk for s in students]


def payment_state_by_student(*, students) -> dict[int, PaymentState]:
    """Return the payment state of each student, keyed by the student's pk.

    ``students`` is a Student queryset or an iterable of students (or pks); one query
    answers for any number of them.
    """
    rows = (
        Student.objects.filter(pk__in=_student_ids(students))
        .annotate(
            active_payment=FilteredRelation(
                "payments",
                condition=Q(payments__status=PaymentStatus.ACTIVE)
                & Q(payments__campaign=F("campaign")),
            )
        )
        .values_list(
            "pk",
            "category",
            "school_class__status",
            "active_payment__id",
            "active_payment__amount",
            "active_payment__recorded_at",
        )
        .order_by()
    )
    states = {}
    for pk, category, class_status, payment_id, amount, recorded_at in rows:
        makeup = pays_at_makeup_centre(category=category, class_status=class_status)
        if payment_id is not None:
            # A payment stands even if the student has since become a make-up case:
            # the cash is with the monitor until staff reverse it.
            states[pk] = PaymentState(
                paid=True,
                label=LABEL_PAID,
                amount=amount,
                makeup=makeup,
                payment_id=payment_id,
                recorded_at=recorded_at,
            )
        elif makeup:
            states[pk] = PaymentState(paid=False, label=LABEL_MAKEUP, makeup=True)
        else:
            states[pk] = PaymentState(paid=False, label=LABEL_UNPAID)
    return states


def class_payments(*, school_class: SchoolClass):
    """Return the active payments that count in the class's total.

    Make-up students pay the centre themselves and never count, even if a payment was
    recorded before their category changed; staff reverse such a payment.
    """
    return Payment.objects.filter(
        school_class=school_class,
        status=PaymentStatus.ACTIVE,
        student__category=StudentCategory.CURRENT,
    )


def class_collected(*, school_class: SchoolClass) -> tuple[int, Decimal]:
    """Return the number and sum of the class's counted payments."""
    totals = class_payments(school_class=school_class).aggregate(n=Count("id"), total=Sum("amount"))
    return totals["n"], money(totals["total"])


def handover_totals(*, handover: Handover) -> tuple[int, Decimal]:
    """Return the students and money the class has handed over, adjustments included."""
    adjustments = handover.adjustments.values_list("student_count", "amount")
    return handed_over(
        count=handover.student_count, amount=handover.amount, adjustments=adjustments
    )


# A class's ledger ---------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    student: Student
    state: PaymentState


@dataclass
class ClassLedger:
    """One class's money: every student with a state, the totals and the hand-over."""

    school_class: SchoolClass
    fee: Decimal
    rows: list[LedgerRow]
    paid_count: int
    collected: Decimal
    handover: Handover | None
    adjustments: list[HandoverAdjustment]

    @property
    def payers(self) -> list[LedgerRow]:
        """Return the rows of students who pay with the class."""
        return [row for row in self.rows if not row.state.makeup]

    @property
    def makeup(self) -> list[LedgerRow]:
        return [row for row in self.rows if row.state.makeup]

    @property
    def unpaid(self) -> list[LedgerRow]:
        return [row for row in self.payers if not row.state.paid]

    @property
    def expected_count(self) -> int:
        return len(self.payers)

    @property
    def expected(self) -> Decimal:
        return expected_amount(fee=self.fee, count=self.expected_count)

    @property
    def missing(self) -> Decimal:
        return expected_amount(fee=self.fee, count=len(self.unpaid))

    @property
    def percent(self) -> int:
        return progress_percent(self.paid_count, self.expected_count)

    @property
    def locked(self) -> bool:
        return self.handover is not None

    @property
    def _handed(self) -> tuple[int, Decimal]:
        if self.handover is None:
            return 0, Decimal("0.00")
        return handed_over(
            count=self.handover.student_count,
            amount=self.handover.amount,
            adjustments=[(a.student_count, a.amount) for a in self.adjustments],
        )

    @property
    def handed_count(self) -> int:
        return self._handed[0]

    @property
    def handed_amount(self) -> Decimal:
        return self._handed[1]

    @property
    def discrepancy(self) -> Decimal:
        """Return collected minus handed over, once the class has handed over."""
        if self.handover is None:
            return Decimal("0.00")
        return self.collected - self.handed_amount

    @property
    def discrepancy_count(self) -> int:
        if self.handover is None:
            return 0
        return self.paid_count - self.handed_count


def class_ledger(*, school_class: SchoolClass) -> ClassLedger:
    """Return the class's ledger in 学号 order; a handful of queries for any class size."""
    school_class = SchoolClass.objects.select_related(
        "campaign", "college", "slot__venue", "monitor"
    ).get(pk=school_class.pk)
    students = list(Student.objects.filter(school_class=school_class).order_by("student_id"))
    states = payment_state_by_student(students=students)
    paid_count, collected = class_collected(school_class=school_class)
    handover = Handover.objects.filter(school_class=school_class).first()
    adjustments = list(handover.adjustments.all()) if handover else []
    return ClassLedger(
        school_class=school_class,
        fee=school_class.campaign.fee,
        rows=[LedgerRow(student=s, state=states[s.pk]) for s in students],
        paid_count=paid_count,
        collected=collected,
        handover=handover,
        adjustments=adjustments,
    )


@dataclass(frozen=True)
class LedgerEntry:
    """A line of the class's history: a payment or its reversal."""

    when: object
    kind: str  # "payment" or "reversal"
    payment: Payment
    reversal: PaymentReversal | None = None


def ledger_entries_for_class(*, school_class: SchoolClass, limit: int = 200) -> list[LedgerEntry]:
    """Return the class's payments and reversals, newest first."""
    payments = list(
        Payment.objects.filter(school_class=school_class)
        .select_related("student", "recorded_by", "reversal__reversed_by")
        .order_by("-recorded_at", "-id")[:limit]
    )
    entries = []
    for payment in payments:
        entries.append(LedgerEntry(when=payment.recorded_at, kind="payment", payment=payment))
        reversal = getattr(payment, "reversal", None) if payment.status == "reversed" else None
        if reversal is not None:
            entries.append(
                LedgerEntry(
                    when=reversal.reversed_at, kind="reversal", payment=payment, reversal=reversal
                )
            )
    entries.sort(key=lambda e: (e.when, e.kind == "reversal"), reverse=True)
    return entries


def payment_of_class(*, school_class: SchoolClass, pk: int) -> Payment | None:
    return (
        Payment.objects.filter(school_class=school_class, pk=pk)
        .select_related("student", "recorded_by")
        .first()
    )


# The staff overview -------------------------------------------------------------------


@dataclass
class Totals:
    """Money of a group of classes (a college, a slot, everything)."""

    label: str = ""
    expected_count: int = 0
    paid_count: int = 0
    handed_count: int = 0
    expected: Decimal = Decimal("0.00")
    collected: Decimal = Decimal("0.00")
    handed: Decimal = Decimal("0.00")

    @property
    def missing(self) -> Decimal:
        return max(self.expected - self.collected, Decimal("0.00"))

    @property
    def unpaid_count(self) -> int:
        return max(self.expected_count - self.paid_count, 0)

    @property
    def percent(self) -> int:
        return progress_percent(self.paid_count, self.expected_count)

    @property
    def handed_percent(self) -> int:
        return progress_percent(self.handed_count, self.expected_count)

    @property
    def unhanded_percent(self) -> int:
        """Return the share collected but not yet handed over, for a stacked bar."""
        return max(self.percent - self.handed_percent, 0)

    def add(self, other: "Totals") -> None:
        self.expected_count += other.expected_count
        self.paid_count += other.paid_count
        self.handed_count += other.handed_count
        self.expected += other.expected
        self.collected += other.collected
        self.handed += other.handed


PROBLEM_DISCREPANCY = "交接后有变动，待结清"
PROBLEM_HANDED_WITH_UNPAID = "已交接，仍有未缴"
PROBLEM_NOT_HANDED = "已收款未交接"
PROBLEM_UNPAID = "有未缴"


@dataclass
class ClassTotals(Totals):
    school_class: SchoolClass | None = None
    handed_over: bool = False

    @property
    def discrepancy(self) -> Decimal:
        return self.collected - self.handed if self.handed_over else Decimal("0.00")

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.handed_over and (self.discrepancy or self.paid_count != self.handed_count):
            problems.append(PROBLEM_DISCREPANCY)
        if self.handed_over and self.unpaid_count:
            problems.append(PROBLEM_HANDED_WITH_UNPAID)
        if not self.handed_over and self.paid_count:
            problems.append(PROBLEM_NOT_HANDED)
        if not self.handed_over and self.unpaid_count:
            problems.append(PROBLEM_UNPAID)
        return problems

    @property
    def severity(self) -> int:
        order = [
            PROBLEM_DISCREPANCY,
            PROBLEM_HANDED_WITH_UNPAID,
            PROBLEM_NOT_HANDED,
            PROBLEM_UNPAID,
        ]
        problems = self.problems
        for rank, problem in enumerate(order):
            if problem in problems:
                return rank
        return len(order)


@dataclass
class Overview:
    campaign: Campaign
    classes: list[ClassTotals]
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


def payments_overview(*, campaign: Campaign) -> Overview:
    """Return expected, collected and handed over per class, college and slot.

    Classes with problems come first (a discrepancy to settle before anything else),
    then in schedule order. Six queries whatever the size of the campaign.
    """
    rows = _class_totals(campaign)
    colleges: dict[str, Totals] = {}
    slots: dict[object, Totals] = {}
    overall = Totals(label=_("全部"))
    for row in rows:
        school_class = row.school_class
        college = school_class.college.name if school_class.college else _("（未设学院）")
        colleges.setdefault(college, Totals(label=college)).add(row)
        slot_key = school_class.slot_id
        if slot_key not in slots:
            slot = school_class.slot
            label = "%s %s" % (slot, slot.venue) if slot else _("（未安排时段）")
            slots[slot_key] = Totals(label=label)
        slots[slot_key].add(row)
        overall.add(row)
    rows.sort(key=lambda row: row.severity)  # stable: schedule order within a rank
    return Overview(
        campaign=campaign,
        classes=rows,
        colleges=sorted(colleges.values(), key=lambda t: t.label),
        slots=list(slots.values()),
        overall=overall,
        makeup_count=Student.objects.filter(makeup_payers_q(), campaign=campaign).count(),
    )


def _class_totals(campaign: Campaign) -> list[ClassTotals]:
    """Return the money of each scheduled class of the campaign, in schedule order."""
    classes = list(
        SchoolClass.objects.filter(campaign=campaign, status=SchoolClass.Status.SCHEDULED)
        .select_related("college", "slot__venue")
        .order_by(
            F("slot__date").asc(nulls_last=True),
            F("slot__start").asc(nulls_last=True),
            "slot__venue_id",
            "position",
            "name",
        )
    )
    heads = dict(
        Student.objects.filter(
            campaign=campaign,
            category=StudentCategory.CURRENT,
            school_class__status=SchoolClass.Status.SCHEDULED,
        )
        .values("school_class")
        .annotate(n=Count("id"))
        .values_list("school_class", "n")
    )
    collected = {
        row["school_class"]: row
        for row in Payment.objects.filter(
            campaign=campaign,
            status=PaymentStatus.ACTIVE,
            student__category=StudentCategory.CURRENT,
            school_class__isnull=False,
        )
        .values("school_class")
        .annotate(n=Count("id"), total=Sum("amount"))
    }
    handovers = {
        h.school_class_id: h
        for h in Handover.objects.filter(campaign=campaign).annotate(
            adj_n=Sum("adjustments__student_count"), adj_total=Sum("adjustments__amount")
        )
    }
    rows = []
    for school_class in classes:
        paid = collected.get(school_class.pk, {})
        handover = handovers.get(school_class.pk)
        n = heads.get(school_class.pk, 0)
        row = ClassTotals(
            label=school_class.name,
            school_class=school_class,
            expected_count=n,
            expected=expected_amount(fee=campaign.fee, count=n),
            paid_count=paid.get("n", 0),
            collected=money(paid.get("total")),
            handed_over=handover is not None,
        )
        if handover is not None:
            row.handed_count, row.handed = handed_over(
                count=handover.student_count,
                amount=handover.amount,
                adjustments=[(handover.adj_n, handover.adj_total)],
            )
        rows.append(row)
    return rows


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
