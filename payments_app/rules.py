"""The money of a class, defined once. Pure: no ORM, no I/O.

Every page and list that shows a class's money — the monitor's page, the hand-over,
the class close at the desk, the staff overview, every 缴费名单 — builds MoneyLines
for its students and reads the totals of ``class_money``; none counts on its own.

A line is one student as a class's ledger sees them:

- a student of the class who pays with it (应届在校生 of a class shot this time) owes
  the fee (应收) until the day shows they were not photographed (absent, or not shot
  when the class closed or its slot ended): they go to the make-up and pay there;
- the class owes the crew (应交) the fee of each such student photographed;
- a payment stays in the class that recorded it, where the cash is: a student who
  moved class after paying is counted there, not in the new class;
- money collected from a student who does not owe it (not photographed, become an
  individual, class deferred) is to be given back (待退) unless staff refund it (a
  reversal of kind refund) or carry it to the make-up round (转补拍).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from sessions_app.models import SchoolClass, StudentCategory
from sessions_app.shootday.rules import SHOOT_NOT_SHOT, SHOOT_PHOTOGRAPHED

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def pays_at_makeup_centre(*, category: str, class_status: str | None) -> bool:
    """Return whether a student pays the make-up centre directly, outside any class total.

    Individuals (earlier unshot students, alumni, adult students) come without a class
    slot and students of a class deferred to next year are not shot this time: neither
    hands cash to a monitor.
    """
    if category != StudentCategory.CURRENT:
        return True
    return class_status is None or class_status == SchoolClass.Status.DEFERRED


def money(value) -> Decimal:
    """Return an amount with two decimal places. SQLite sums decimals as floats turned
    Decimal ("40"); every total is kept to the fen."""
    return Decimal(value or 0).quantize(CENT)


def expected_amount(*, fee: Decimal, count: int) -> Decimal:
    return money(fee * count)


def class_hands_over_cash(*, payment_way: str) -> bool:
    """Return whether a class collects the fee and hands it to the crew.

    Only when the monitor collects (the 2018 notice's way, and code mode's "monitor
    collects"): then the hand-over is the fee × the number actually photographed
    (``ClassMoney.owed``). When each student pays the studio's mini-program, or the
    college pays one transfer after the studio's summary, no class holds any cash.
    """
    from sessions_app.models import PaymentWay

    return payment_way == PaymentWay.MONITOR


def handed_over(
    *, count: int, amount: Decimal, adjustments: Iterable[tuple[int, Decimal]] = ()
) -> tuple[int, Decimal]:
    """Return the students and money a class has handed over: the hand-over itself and
    every adjustment staff recorded after it, as (count, amount) pairs."""
    total_count, total_amount = count, Decimal(amount)
    for extra_count, extra_amount in adjustments:
        total_count += extra_count or 0
        total_amount += extra_amount or 0
    return total_count, money(total_amount)


# One student's line ------------------------------------------------------------------

STATE_PAID = "paid"
STATE_UNPAID = "unpaid"
STATE_MAKEUP = "makeup"  # pays the make-up centre, never money of the class
STATE_REFUND = "refund"  # paid, owes nothing: to be given back or carried
STATE_CARRIED = "carried"  # paid, carried to the make-up round by staff
STATE_ELSEWHERE = "elsewhere"  # paid in the class they were in before

STATE_LABELS = {
    STATE_PAID: "已缴",
    STATE_UNPAID: "未缴",
    STATE_MAKEUP: "补拍自缴",
    STATE_REFUND: "待退款",
    STATE_CARRIED: "转补拍",
    STATE_ELSEWHERE: "已在原班缴费",
}


@dataclass(frozen=True)
class MoneyLine:
    """One student as a class's ledger counts them."""

    student_id: int | None  # None for a line standing for ``count`` alike students
    pays_with_class: bool  # 应届在校生 of a class shot this time
    member: bool  # still a student of this class (else: their payment stayed here)
    shoot: str  # SHOOT_PENDING, SHOOT_PHOTOGRAPHED or SHOOT_NOT_SHOT
    paid: Decimal | None = None  # the active payment(s) recorded by this class
    paid_elsewhere: bool = False  # an active payment recorded by another class
    carried: bool = False  # staff carried the payment to the make-up round
    # How many students the line stands for (a class's tally row counts alike students
    # once); ``paid`` is then what they paid together.
    count: int = 1

    @property
    def owes(self) -> bool:
        """Return whether the student's fee counts in the class's 应收."""
        if not self.pays_with_class or self.shoot == SHOOT_NOT_SHOT or self.carried:
            return False
        return self.paid is not None or (self.member and not self.paid_elsewhere)

    @property
    def to_crew(self) -> bool:
        """Return whether the class owes the crew this student's fee (应交)."""
        return self.owes and self.shoot == SHOOT_PHOTOGRAPHED

    @property
    def unpaid(self) -> bool:
        return self.owes and self.paid is None

    @property
    def refund_due(self) -> bool:
        """Return whether the class holds money this student does not owe."""
        return self.paid is not None and not self.owes and not self.carried

    @property
    def state(self) -> str:
        if self.carried:
            return STATE_CARRIED
        if self.refund_due:
            return STATE_REFUND
        if self.paid is not None:
            return STATE_PAID
        if self.paid_elsewhere and self.pays_with_class:
            return STATE_ELSEWHERE
        if self.unpaid:
            return STATE_UNPAID
        return STATE_MAKEUP

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


# A class's totals ---------------------------------------------------------------------

PROBLEM_DISCREPANCY = "交接与应交不符，待结清"
PROBLEM_REFUND = "有待退款"
PROBLEM_NOT_HANDED = "已拍完未交接"
PROBLEM_UNCONFIRMED = "交接待拍摄组确认"
PROBLEM_UNPAID = "有未缴"
PROBLEMS = (
    PROBLEM_DISCREPANCY,
    PROBLEM_REFUND,
    PROBLEM_NOT_HANDED,
    PROBLEM_UNCONFIRMED,
    PROBLEM_UNPAID,
)


def _sum(lines: list[MoneyLine]) -> Decimal:
    return money(sum((line.paid for line in lines if line.paid is not None), ZERO))


def _count(lines: Iterable[MoneyLine]) -> int:
    return sum(line.count for line in lines)


@dataclass
class ClassMoney:
    """A class's money: what it owes, collected, owes the crew, must give back."""

    fee: Decimal
    lines: list[MoneyLine] = field(default_factory=list)
    handover_recorded: bool = False
    handover_confirmed: bool = False
    handed_count: int = 0
    handed: Decimal = ZERO

    def _with(self, name: str) -> list[MoneyLine]:
        return [line for line in self.lines if getattr(line, name)]

    @cached_property
    def expected_count(self) -> int:
        return _count(self._with("owes"))

    @cached_property
    def expected(self) -> Decimal:
        """应收: the fee of every student who owes it."""
        return expected_amount(fee=self.fee, count=self.expected_count)

    @cached_property
    def paid_count(self) -> int:
        return _count(line for line in self.lines if line.paid is not None)

    @cached_property
    def collected(self) -> Decimal:
        """已收: every active payment the class recorded, whatever became of it."""
        return _sum(self.lines)

    @cached_property
    def unpaid_count(self) -> int:
        return _count(self._with("unpaid"))

    @cached_property
    def missing(self) -> Decimal:
        """未收: the fee of those who owe it and have not paid."""
        return expected_amount(fee=self.fee, count=self.unpaid_count)

    @cached_property
    def crew_count(self) -> int:
        return _count(self._with("to_crew"))

    @cached_property
    def owed(self) -> Decimal:
        """应交: the fee of every student photographed who owes it."""
        return expected_amount(fee=self.fee, count=self.crew_count)

    @cached_property
    def to_hand_over(self) -> tuple[int, Decimal]:
        """Return what the monitor holds for the photographed: (students, money)."""
        paid = [line for line in self._with("to_crew") if line.paid is not None]
        return _count(paid), _sum(paid)

    @cached_property
    def refund_count(self) -> int:
        return _count(self._with("refund_due"))

    @cached_property
    def refund_due(self) -> Decimal:
        """待退: money collected from students who do not owe it."""
        return _sum(self._with("refund_due"))

    @cached_property
    def carried_count(self) -> int:
        return _count(self._with("carried"))

    @cached_property
    def carried(self) -> Decimal:
        return _sum(self._with("carried"))

    @cached_property
    def pending_count(self) -> int:
        """Return those who owe and have not been photographed yet (nor marked absent)."""
        return _count(line for line in self.lines if line.owes and not line.to_crew)

    @cached_property
    def unpaid_crew_count(self) -> int:
        """Return those photographed who owe the fee and have not paid it yet."""
        return _count(line for line in self.lines if line.to_crew and line.paid is None)

    @cached_property
    def ready_to_hand_over(self) -> bool:
        """Return whether the class can hand over: someone photographed, nobody left to
        shoot or mark absent, and every photographed student's fee collected."""
        return bool(self.crew_count) and not self.pending_count and not self.unpaid_crew_count

    @cached_property
    def discrepancy(self) -> Decimal:
        """Return handed over minus owed to the crew, once the class has handed over."""
        return money(self.handed - self.owed) if self.handover_recorded else ZERO

    @cached_property
    def discrepancy_count(self) -> int:
        return self.handed_count - self.crew_count if self.handover_recorded else 0

    @cached_property
    def paid_owing_count(self) -> int:
        """Return those who owe the fee and have paid it."""
        return _count(line for line in self.lines if line.owes and line.paid is not None)

    @cached_property
    def percent(self) -> int:
        return progress_percent(self.paid_owing_count, self.expected_count)

    @cached_property
    def problems(self) -> list[str]:
        problems = []
        if self.handover_recorded and (self.discrepancy or self.discrepancy_count):
            problems.append(PROBLEM_DISCREPANCY)
        if self.refund_count:
            problems.append(PROBLEM_REFUND)
        done = self.crew_count and not self.pending_count
        if not self.handover_recorded and done:
            problems.append(PROBLEM_NOT_HANDED)
        if self.handover_recorded and not self.handover_confirmed:
            problems.append(PROBLEM_UNCONFIRMED)
        if self.unpaid_count:
            problems.append(PROBLEM_UNPAID)
        return problems

    @cached_property
    def severity(self) -> int:
        problems = self.problems
        return next((rank for rank, p in enumerate(PROBLEMS) if p in problems), len(PROBLEMS))

    def summary(self) -> "ClassMoney":
        """Return this money with every figure worked out and the lines left out: what an
        overview of every class keeps in the cache (20,000 students' lines take longer
        to unpickle on each request than the page takes to render)."""
        figures = {
            name: getattr(self, name)
            for name, attr in vars(ClassMoney).items()
            if isinstance(attr, cached_property)
        }
        kept = replace(self, lines=[])
        kept.__dict__.update(figures)
        return kept


def class_money(
    *,
    fee: Decimal,
    lines: Iterable[MoneyLine],
    handover: tuple[int, Decimal] | None = None,
    confirmed: bool = False,
) -> ClassMoney:
    """Return the money of a class from its lines and its hand-over (students, money,
    adjustments included), if any."""
    result = ClassMoney(fee=fee, lines=list(lines))
    if handover is not None:
        result.handover_recorded = True
        result.handover_confirmed = confirmed
        result.handed_count, result.handed = handover[0], money(handover[1])
    return result


# Groups of classes ---------------------------------------------------------------------


@dataclass
class Totals:
    """The money of a group of classes (a college, a slot, everything)."""

    label: str = ""
    expected_count: int = 0
    expected: Decimal = ZERO
    paid_count: int = 0
    paid_owing_count: int = 0
    collected: Decimal = ZERO
    crew_count: int = 0
    owed: Decimal = ZERO
    handed_count: int = 0
    handed: Decimal = ZERO
    unpaid_count: int = 0
    missing: Decimal = ZERO
    refund_count: int = 0
    refund_due: Decimal = ZERO
    carried_count: int = 0
    carried: Decimal = ZERO

    def add(self, part) -> None:
        """Add a ClassMoney or another Totals."""
        for name in (
            "expected_count",
            "expected",
            "paid_count",
            "paid_owing_count",
            "collected",
            "crew_count",
            "owed",
            "handed_count",
            "handed",
            "unpaid_count",
            "missing",
            "refund_count",
            "refund_due",
            "carried_count",
            "carried",
        ):
            setattr(self, name, getattr(self, name) + getattr(part, name))

    @property
    def percent(self) -> int:
        return progress_percent(self.paid_owing_count, self.expected_count)

    @property
    def handed_percent(self) -> int:
        return progress_percent(self.handed_count, self.expected_count)

    @property
    def unhanded_percent(self) -> int:
        """Return the share collected but not yet handed over, for a stacked bar."""
        return max(self.percent - self.handed_percent, 0)


def progress_percent(part: int, whole: int) -> int:
    """Return part of whole as a whole percentage for a progress bar, 0 to 100."""
    if not whole:
        return 0
    return max(0, min(100, round(100 * part / whole)))
