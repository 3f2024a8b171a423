"""Reads of the fee ledger. Every figure comes from payments_app/rules.py.

A class's money is its tally rows (sessions_app/summary/) turned into MoneyLines, one
line per kind of student it counts, and totalled by the rules; one student's line comes
from their standing the same way. The tallies hold what the rows cannot know only as
counts: whether the class is deferred, closed, or past its slot's end is read with them
(ClassFacts). So every page and export agrees to the fen, and a class, or the whole
campaign's overview, costs a few rows per class, never a row per student.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments_app.models import Handover, HandoverAdjustment, Payment, PaymentStatus
from payments_app.rules import (
    CENT,
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
    ClassClose,
    College,
    SchoolClass,
    Student,
    StudentCategory,
    schedule_order,
)
from sessions_app.shootday.rules import shoot_outcome
from sessions_app.summary import rules as summary
from sessions_app.summary.selectors import tally_rows

# What a line needs of a class -------------------------------------------------------------


@dataclass(frozen=True)
class ClassFacts:
    """What a class's tally rows cannot know: whether it is deferred, closed at the desk,
    and when its slot ends."""

    status: str
    closed: bool
    ends_at: datetime.datetime | None

    def over(self, now: datetime.datetime) -> bool:
        return self.ends_at is not None and self.ends_at <= now


NO_CLASS = ClassFacts(status="", closed=False, ends_at=None)


def class_facts(*, class_ids=None, campaign_id=None) -> dict[int, ClassFacts]:
    """Return the facts of the classes (or of every class of the campaign), keyed by
    pk; one query."""
    classes = (
        SchoolClass.objects.filter(campaign_id=campaign_id)
        if campaign_id is not None
        else SchoolClass.objects.filter(pk__in=set(class_ids))
    )
    rows = (
        classes.annotate(closed=Exists(ClassClose.objects.filter(school_class=OuterRef("pk"))))
        .select_related("slot")
        .only("pk", "status", "slot__date", "slot__end")
    )
    return {c.pk: ClassFacts(c.status, c.closed, c.slot.ends_at if c.slot else None) for c in rows}


def _outcome(shoot: str, own: ClassFacts, now) -> str:
    return shoot_outcome(state=shoot, class_closed=own.closed, slot_over=own.over(now))


def lines_of_rows(rows: dict, facts: dict[int, ClassFacts], *, now) -> dict[int, list[MoneyLine]]:
    """Return the MoneyLines of tally rows ({(home, own, category): counts}) by home
    class: one line per kind and day state, standing for as many students as counted."""
    lines: dict[int, list[MoneyLine]] = {}
    for (home, own, category), counts in rows.items():
        if not home:
            continue
        own_facts = facts.get(own, NO_CLASS)
        pays = not pays_at_makeup_centre(
            category=category, class_status=facts.get(home, NO_CLASS).status or None
        )
        for kind in summary.KINDS:
            for shoot in summary.SHOOT_STATES:
                count = counts.get(summary.line_counter(kind, shoot))
                if not count:
                    continue
                paid = None
                if kind in (summary.PAID, summary.CARRIED):
                    fen = counts.get(summary.fen_counter(kind, shoot), 0)
                    paid = (Decimal(fen) / 100).quantize(CENT)
                lines.setdefault(home, []).append(
                    MoneyLine(
                        student_id=None,
                        pays_with_class=pays,
                        member=own == home,
                        shoot=_outcome(shoot, own_facts, now),
                        paid=paid,
                        paid_elsewhere=kind == summary.ELSEWHERE,
                        carried=kind == summary.CARRIED,
                        count=count,
                    )
                )
    return lines


# What a student's lines depend on: the money part of their standing. Students alike in
# it have alike lines (but for the student_id), so a list works them out once for each
# such standing — a few hundred for 20,000 students — not once per student.
MONEY_FIELDS = (
    "school_class_id",
    "category",
    "shoot_state",
    "paid_fen",
    "paid_class_id",
    "paid_carried",
)


def money_key(student) -> tuple:
    """Return the money part of the student's standing, in the order of MONEY_FIELDS."""
    return (
        student.school_class_id,
        student.category,
        student.shoot_state,
        student.paid_fen,
        student.paid_class_id,
        student.paid_carried,
    )


class AlikeLines:
    """The lines, as (class, line) with no student_id, of a money key: worked out from
    the tally rows the standing adds (summary.contributions), once per key."""

    def __init__(self, facts: dict[int, ClassFacts], *, now):
        self.facts = facts
        self.now = now
        self._lines: dict[tuple, list[tuple[int, MoneyLine]]] = {}

    def of(self, key: tuple) -> list[tuple[int, MoneyLine]]:
        try:
            return self._lines[key]
        except KeyError:
            pass
        class_id, category, shoot, paid_fen, paid_class_id, carried = key
        standing = summary.Standing(
            class_id=class_id,
            category=category,
            shoot=shoot,
            paid_fen=paid_fen,
            paid_class_id=paid_class_id,
            carried=carried,
        )
        rows = summary.contributions(standing)
        lines = [
            (home, line)
            for home, home_lines in lines_of_rows(rows, self.facts, now=self.now).items()
            for line in home_lines
        ]
        # The line in the class holding the payment first, as payment_state_by_student reads.
        lines.sort(key=lambda item: item[1].paid_elsewhere)
        self._lines[key] = lines
        return lines


def student_lines(
    student: Student, facts: dict[int, ClassFacts], *, now, alike: AlikeLines | None = None
) -> list[tuple[int, MoneyLine]]:
    """Return the student's lines as (class, line): in the class holding their payment
    (else their own class) and, if they paid in another, in their own class.
    ``alike`` (built on the same facts) spares working out the lines of a standing
    seen before."""
    alike = alike or AlikeLines(facts, now=now)
    return [(home, _with_student(line, student.pk)) for home, line in alike.of(money_key(student))]


def _with_student(line: MoneyLine, pk: int) -> MoneyLine:
    return MoneyLine(
        student_id=pk,
        pays_with_class=line.pays_with_class,
        member=line.member,
        shoot=line.shoot,
        paid=line.paid,
        paid_elsewhere=line.paid_elsewhere,
        carried=line.carried,
    )


def _facts_for_students(students) -> dict[int, ClassFacts]:
    ids = set()
    for student in students:
        ids.update(filter(None, (student.school_class_id, student.paid_class_id)))
    return class_facts(class_ids=ids)


# The money of classes -------------------------------------------------------------------


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


def money_of_classes(*, classes, now=None, rows=None, facts=None) -> dict[int, ClassMoney]:
    """Return the money of each class (rules.class_money) keyed by class pk: the classes'
    tally rows and facts (``rows`` and ``facts``, when the caller has read them) and
    their hand-overs, four queries for any number."""
    now = now or timezone.now()
    classes = list(classes)
    if not classes:
        return {}
    class_ids = [c.pk for c in classes]
    if rows is None:
        rows = tally_rows(campaign_id=classes[0].campaign_id, homes=class_ids)
    if facts is None:
        facts = class_facts(class_ids={*class_ids, *(own for _h, own, _c in rows if own)})
    lines = lines_of_rows(rows, facts, now=now)
    fees = dict(SchoolClass.objects.filter(pk__in=class_ids).values_list("pk", "campaign__fee"))
    handovers = _handovers(class_ids)
    return {
        pk: class_money(
            fee=fees[pk],
            lines=lines.get(pk, []),
            handover=_handed(handovers.get(pk)),
            confirmed=pk in handovers and handovers[pk].confirmed_at is not None,
        )
        for pk in class_ids
    }


def _counted(lines: list[MoneyLine]) -> list[MoneyLine]:
    """Return the lines merged into one per kind, each counting its students and their
    money together, as a tally row does: the rules then total a few lines, not
    hundreds, and the sums are the same (each figure adds counts and amounts)."""
    merged: dict[tuple, list] = {}
    for line in lines:
        key = (
            line.pays_with_class,
            line.member,
            line.shoot,
            line.paid is not None,
            line.paid_elsewhere,
            line.carried,
        )
        if key in merged:
            total = merged[key]
            total[0] += line.count
            if line.paid is not None:
                total[1] += line.paid
        else:
            merged[key] = [line.count, line.paid]
    return [
        MoneyLine(
            student_id=None,
            pays_with_class=pays,
            member=member,
            shoot=shoot,
            paid=paid,
            paid_elsewhere=elsewhere,
            carried=carried,
            count=count,
        )
        for (pays, member, shoot, _paid, elsewhere, carried), (count, paid) in merged.items()
    ]


def money_of_listed(*, listed: dict[int, list["ListedLine"]]) -> dict[int, ClassMoney]:
    """Return the money of the classes whose lines lines_of_classes returned, from those
    lines (a list that prints every student totals what it prints)."""
    fees = dict(SchoolClass.objects.filter(pk__in=list(listed)).values_list("pk", "campaign__fee"))
    handovers = _handovers(list(listed))
    return {
        pk: class_money(
            fee=fees[pk],
            lines=_counted([item.line for item in lines]),
            handover=_handed(handovers.get(pk)),
            confirmed=pk in handovers and handovers[pk].confirmed_at is not None,
        )
        for pk, lines in listed.items()
    }


def money_of_class(*, school_class: SchoolClass, now=None, facts=None) -> ClassMoney:
    return money_of_classes(classes=[school_class], now=now, facts=facts)[school_class.pk]


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


@dataclass(frozen=True)
class _Paid:
    pk: int
    amount: Decimal
    recorded_at: datetime.datetime


def _active_payments(students) -> dict[int, _Paid]:
    """Return the active payment of each of the students, by student pk; one query."""
    ids = [s.pk for s in students if s.paid_fen is not None]
    if not ids:
        return {}
    rows = Payment.objects.filter(
        student_id__in=ids, status=PaymentStatus.ACTIVE, campaign=F("student__campaign")
    ).values_list("student_id", "pk", "amount", "recorded_at")
    return {student_id: _Paid(pk, amount, when) for student_id, pk, amount, when in rows}


def _state(line: MoneyLine, payment: _Paid | None) -> PaymentState:
    payment = payment if line.paid is not None else None
    return PaymentState(
        state=line.state,
        label=line.label,
        paid=payment is not None,
        amount=payment.amount if payment else None,
        payment_id=payment.pk if payment else None,
        recorded_at=payment.recorded_at if payment else None,
    )


MAKEUP_STATE = PaymentState(state=STATE_MAKEUP, label="补拍自缴")


def payment_states(students, *, now=None) -> dict[int, PaymentState]:
    """Return the payment state of each of the students just loaded (their standing as
    read), keyed by pk: their line in the class holding their payment (else their own
    class), or the make-up centre's for a student with no line. Two queries for any
    number."""
    now = now or timezone.now()
    students = list(students)
    alike = AlikeLines(_facts_for_students(students), now=now)
    payments = _active_payments(students)
    states = {}
    for student in students:
        lines = alike.of(money_key(student))
        if lines:
            states[student.pk] = _state(lines[0][1], payments.get(student.pk))
        else:
            states[student.pk] = MAKEUP_STATE  # no class, no payment: an individual
    return states


def payment_label_reader(*, campaign_id: int, now=None):
    """Return a function giving the label of a student's payment state
    (``PaymentState.label``) from the money part of their standing (a tuple in the
    order of MONEY_FIELDS): for a list that reads its students' columns itself. One
    query, for the facts of the campaign's classes."""
    alike = AlikeLines(class_facts(campaign_id=campaign_id), now=now or timezone.now())

    def label(key: tuple) -> str:
        lines = alike.of(key)
        return lines[0][1].label if lines else MAKEUP_STATE.label

    return label


def payment_state_by_student(*, students, now=None) -> dict[int, PaymentState]:
    """Return the payment state of each student, keyed by pk, as the database has it
    now. ``students`` is a Student queryset or an iterable of students (or pks); three
    queries for any number."""
    if not isinstance(students, QuerySet):
        pks = [s if isinstance(s, int) else s.pk for s in students]
        states = payment_states(Student.objects.filter(pk__in=pks), now=now)
        return {pk: states[pk] for pk in pks if pk in states}
    return payment_states(students, now=now)


# A class's ledger ----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    student: Student
    line: MoneyLine
    state: PaymentState


class LineFilters:
    """The lines of one class as queries of its students (those of the class and those
    whose payment it holds): what rules.MoneyLine says of a line, asked of the standing
    columns, so a list of 500 is filtered and paged by the database. The agreement
    tests hold each one to the rules."""

    def __init__(self, school_class: SchoolClass, *, now=None, facts=None):
        now = now or timezone.now()
        if facts is None:
            facts = class_facts(campaign_id=school_class.campaign_id)
        self.school_class = school_class
        pk = school_class.pk
        self.here = Q(paid_class_id=pk, paid_fen__isnull=False)
        self.due = Q(school_class_id=pk, paid_fen__isnull=True)
        scheduled = school_class.status == SchoolClass.Status.SCHEDULED
        self.pays = Q(category=StudentCategory.CURRENT) if scheduled else Q(pk__in=[])
        # Classes closed at the desk or past their slot's end: their students still
        # waiting are not shot (rules.shoot_outcome).
        ended = [pk for pk, f in facts.items() if f.closed or f.over(now)]
        self.not_shot = Q(shoot_state=summary.ABSENT) | Q(
            shoot_state=summary.PENDING, school_class_id__in=ended
        )
        self.photographed = Q(shoot_state=summary.PHOTOGRAPHED)
        self.owes = self.pays & ~self.not_shot & ~Q(paid_carried=True) & (self.here | self.due)
        self.unpaid = self.owes & self.due
        self.to_crew = self.owes & self.photographed
        self.refund_due = self.here & ~Q(paid_carried=True) & ~self.owes

    def holders(self) -> QuerySet[Student]:
        """Return the students with a line in the class, in 学号 order."""
        pk = self.school_class.pk
        return Student.objects.filter(
            Q(school_class_id=pk) | Q(paid_class_id=pk, paid_fen__isnull=False)
        ).order_by("student_id")


def ledger_rows(students, school_class: SchoolClass, *, now=None, facts=None) -> list[LedgerRow]:
    """Return the loaded students' lines in the class, with their states; two queries
    (one, given the facts of the campaign's classes)."""
    now = now or timezone.now()
    students = list(students)
    if facts is None:
        facts = _facts_for_students(students)
        facts.update(class_facts(class_ids=[school_class.pk]))
    payments = _active_payments(students)
    alike = AlikeLines(facts, now=now)
    rows = []
    for student in students:
        for home, line in student_lines(student, facts, now=now, alike=alike):
            if home == school_class.pk:
                payment = payments.get(student.pk) if line.paid is not None else None
                rows.append(LedgerRow(student, line, _state(line, payment)))
                break
    return rows


NAMES_SHOWN = 30


@dataclass
class ClassLedger:
    """One class's money: the totals, the hand-over, and its students' lines a page (or
    a filter) at a time."""

    school_class: SchoolClass
    money: ClassMoney
    handover: Handover | None
    filters: LineFilters
    adjustments: list[HandoverAdjustment] = field(default_factory=list)
    now: datetime.datetime | None = None
    facts: dict | None = None  # of every class of the campaign

    @property
    def fee(self) -> Decimal:
        return self.money.fee

    @property
    def locked(self) -> bool:
        return self.handover is not None

    def students(self, condition: Q | None = None) -> QuerySet[Student]:
        holders = self.filters.holders()
        return holders.filter(condition) if condition is not None else holders

    def rows(self, students) -> list[LedgerRow]:
        return ledger_rows(students, self.school_class, now=self.now, facts=self.facts)

    def _names(self, condition: Q, limit: int | None = NAMES_SHOWN) -> list[LedgerRow]:
        students = self.students(condition)
        return self.rows(students[:limit] if limit else students)

    @cached_property
    def unpaid(self) -> list[LedgerRow]:
        """Return the first NAMES_SHOWN students who owe and have not paid
        (``money.unpaid_count`` says how many in all)."""
        return self._names(self.filters.unpaid)

    @cached_property
    def refunds(self) -> list[LedgerRow]:
        return self._names(self.filters.refund_due)

    @cached_property
    def unpaid_photographed(self) -> list[LedgerRow]:
        return self._names(self.filters.to_crew & self.filters.due)

    @cached_property
    def pending(self) -> list[LedgerRow]:
        """Return those who owe and are neither photographed nor marked absent yet."""
        return self._names(self.filters.owes & ~self.filters.photographed)


def class_ledger(*, school_class: SchoolClass, now=None) -> ClassLedger:
    """Return the class's ledger: its money from the tallies and its hand-over; a few
    queries for any class size (the lines are read a page at a time)."""
    now = now or timezone.now()
    school_class = SchoolClass.objects.select_related(
        "campaign", "college", "slot__venue", "monitor"
    ).get(pk=school_class.pk)
    handover = (
        Handover.objects.filter(school_class=school_class)
        .select_related("recorded_by", "confirmed_by")
        .first()
    )
    adjustments = list(handover.adjustments.all()) if handover else []
    facts = class_facts(campaign_id=school_class.campaign_id)
    return ClassLedger(
        school_class=school_class,
        money=money_of_class(school_class=school_class, now=now, facts=facts),
        handover=handover,
        filters=LineFilters(school_class, now=now, facts=facts),
        adjustments=adjustments,
        now=now,
        facts=facts,
    )


def student_line_in(*, student: Student, school_class: SchoolClass, now=None) -> MoneyLine | None:
    """Return the student's line in the class, or None."""
    now = now or timezone.now()
    facts = _facts_for_students([student])
    for home, line in student_lines(student, facts, now=now):
        if home == school_class.pk:
            return line
    return None


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
    order: what a 缴费名单 prints. Three queries for any number of students."""
    now = now or timezone.now()
    class_ids = list(class_ids)
    result: dict[int, list[ListedLine]] = {pk: [] for pk in class_ids}
    holders = Student.objects.filter(
        Q(school_class_id__in=class_ids) | Q(paid_class_id__in=class_ids, paid_fen__isnull=False)
    )
    rows = list(
        holders.order_by("student_id").values_list(
            "pk", "student_id", "name", "id_number", *MONEY_FIELDS
        )
    )
    # The classes the holders belong to or paid in, which a list may not name.
    seen = {pk for row in rows for pk in (row[4], row[8]) if pk}
    facts = class_facts(class_ids=seen | set(class_ids))
    recorded = dict(
        Payment.objects.filter(
            student__in=holders.filter(paid_fen__isnull=False).values("pk"),
            status=PaymentStatus.ACTIVE,
            campaign=F("student__campaign"),
        ).values_list("student_id", "recorded_at")
    )
    alike = AlikeLines(facts, now=now)
    for pk, student_id, name, id_number, *money in rows:
        for home, line in alike.of(tuple(money)):
            if home in result:
                result[home].append(
                    ListedLine(
                        student_id,
                        name,
                        id_number,
                        _with_student(line, pk),
                        recorded.get(pk) if line.paid is not None else None,
                    )
                )
    return result


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


def payments_overview(*, campaign: Campaign, now=None) -> Overview:
    """Return each class's money (problems first, then in schedule order) and the totals
    per college, per slot and overall: the campaign's tally rows, a handful of queries
    for any number of students."""
    now = now or timezone.now()
    classes = list(
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("college", "slot__venue")
        .order_by(*schedule_order())
    )
    tally = tally_rows(campaign_id=campaign.pk)
    moneys = money_of_classes(classes=classes, now=now, rows=tally)
    rows = [
        ClassRow(c, moneys[c.pk])
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
        makeup_count=_makeup_payer_count(tally, classes),
    )


def _makeup_payer_count(tally: dict, classes: list[SchoolClass]) -> int:
    """Return how many students pay the make-up centre (makeup_payers_q), from the
    member rows of the tallies."""
    deferred = {c.pk for c in classes if c.status == SchoolClass.Status.DEFERRED}
    count = 0
    for (home, own, category), counts in tally.items():
        if home != own:
            continue
        if category != StudentCategory.CURRENT or not own or own in deferred:
            count += counts.get(summary.MEMBERS, 0)
    return count


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
