"""The class close: a class's day at the desk, and its money."""

from dataclasses import dataclass

from payments_app.rules import ClassMoney
from payments_app.selectors import ClassLedger, PaymentState, class_ledger
from sessions_app.models import ClassClose, SchoolClass, Student
from sessions_app.shootday import rules
from sessions_app.shootday.status import shoot_status_by_student


@dataclass(frozen=True)
class CloseRow:
    student: Student
    status: rules.ShootStatus
    payment: PaymentState


@dataclass
class ClassCloseSummary:
    """The class's day at the desk: who was photographed, absent or not shot, and its
    money (payments_app's ledger: the same figures as every money page)."""

    school_class: SchoolClass
    rows: list[CloseRow]
    ledger: ClassLedger
    close: ClassClose | None

    def _with(self, state) -> list[CloseRow]:
        return [r for r in self.rows if r.status.state == state]

    @property
    def photographed(self) -> list[CloseRow]:
        return self._with(rules.STATE_PHOTOGRAPHED)

    @property
    def absent(self) -> list[CloseRow]:
        return self._with(rules.STATE_ABSENT)

    @property
    def not_shot(self) -> list[CloseRow]:
        """Return the students not photographed, absent or not."""
        return [r for r in self.rows if r.status.state != rules.STATE_PHOTOGRAPHED]

    @property
    def numbered(self) -> list[CloseRow]:
        return self._with(rules.STATE_NUMBERED)

    @property
    def money(self) -> ClassMoney:
        return self.ledger.money

    @property
    def handover(self):
        return self.ledger.handover


def class_close_summary(*, school_class: SchoolClass, now=None) -> ClassCloseSummary:
    """Return the class's day: who was photographed, absent or not shot, and its money."""
    school_class = SchoolClass.objects.select_related("campaign", "slot__venue", "monitor").get(
        pk=school_class.pk
    )
    students = list(Student.objects.filter(school_class=school_class).order_by("student_id"))
    statuses = shoot_status_by_student(students=students)
    ledger = class_ledger(school_class=school_class, now=now)
    states = {row.student.pk: row.state for row in ledger.rows(students)}
    return ClassCloseSummary(
        school_class=school_class,
        rows=[CloseRow(s, statuses[s.pk], states.get(s.pk)) for s in students],
        ledger=ledger,
        close=ClassClose.objects.filter(school_class=school_class)
        .select_related("closed_by")
        .first(),
    )
