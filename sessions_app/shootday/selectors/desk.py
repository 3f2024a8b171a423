"""What the desk reads: a student found by 学号 or name, the students of the entry
still waiting, the numbers the desk gave, and everything it shows about one student."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cards_app import rules as card_rules
from cards_app.rules import normalise_text
from cards_app.selectors import STATUS_PROBLEM, CardState, card_check_current, card_state_by_student
from payments_app.rules import STATE_UNPAID
from payments_app.selectors import PaymentState, payment_state_by_student
from sessions_app.codemode import selectors as code_selectors
from sessions_app.models import CardCorrection, Shot, Student, TimeSlot
from sessions_app.selectors import individuals_q, name_contains_q, student_place
from sessions_app.shootday import rules
from sessions_app.shootday.status import shoot_status_by_student
from sessions_app.summary import rules as summary_rules


def student_search(*, campaign, query: str, limit: int = 20) -> list[Student]:
    """Return students whose 学号 starts with, or whose name contains, the query; a
    name in simplified or traditional form finds either. One query."""
    query = normalise_text(query)
    if not query:
        return []
    students = Student.objects.filter(campaign=campaign).select_related("school_class")
    if query.isascii() and query.isalnum():
        students = students.filter(student_id__startswith=query)
    else:
        students = students.filter(name_contains_q(query))
    return list(students.order_by("student_id")[:limit])


# The desk calls the next students by name: the first of the entry's waiting ones; the
# others are found by the search.
WAITING_SHOWN = 60


def waiting_students(
    *, entry: rules.QueueEntry, limit: int = WAITING_SHOWN
) -> list[tuple[Student, rules.ShootStatus]]:
    """Return the first ``limit`` of the entry's students not yet photographed nor
    absent, in 学号 order (``entry.remaining`` says how many there are in all)."""
    if entry.school_class is not None:
        students = Student.objects.filter(school_class=entry.school_class)
    else:
        students = Student.objects.filter(
            individuals_q(), campaign_id=entry.slot.campaign_id, category=entry.category
        )
    students = list(
        students.filter(shoot_state__in=(summary_rules.PENDING, summary_rules.NUMBERED)).order_by(
            "student_id"
        )[:limit]
    )
    statuses = shoot_status_by_student(students=students)
    return [(s, statuses[s.pk]) for s in students]


def desk_search(*, campaign, query: str) -> list[tuple[Student, rules.ShootStatus]]:
    """Return the students found by 学号 or name, each with their shoot status."""
    students = student_search(campaign=campaign, query=query)
    statuses = shoot_status_by_student(students=students)
    return [(s, statuses[s.pk]) for s in students]


def desk_recent_shots(*, campaign, desk: str, limit: int = 8) -> QuerySet[Shot]:
    """Return the last numbers this desk gave, newest first."""
    return (
        Shot.objects.filter(campaign=campaign, desk=desk)
        .select_related("student__school_class")
        .order_by("-number")[:limit]
    )


@dataclass
class DeskStudent:
    """Everything the desk shows about one student."""

    student: Student
    slot: TimeSlot | None
    group_label: str
    status: rules.ShootStatus
    card: CardState
    payment: PaymentState
    name_check: card_rules.NameCheck  # of the roster name
    corrections: list[CardCorrection]
    deferred: bool
    # Code mode only: whether the student showed the portal a readable 图像采集码.
    code: object = None

    @property
    def id_number_groups(self) -> list[str]:
        """Return the 身份证号 as the card's blocks: region, birth date, sequence and check."""
        number = self.student.id_number
        return [number[:6], number[6:14], number[14:]] if len(number) == 18 else [number]

    @property
    def id_number_ends_in_x(self) -> bool:
        """Return whether the check character is X, which is filled in the letter row."""
        return self.student.id_number.upper().endswith("X")

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.deferred:
            notes.append(_("该生所在班级已推迟至下一年，今天不拍摄。"))
        if self.status.photographed_twice:
            notes.append(
                _("该生已拍摄 %(n)d 次（序号 %(numbers)s），以最后一次为准。")
                % {"n": len(self.status.photographed_shots), "numbers": self.status.numbers}
            )
        if self.student.campaign.is_code_mode:
            return notes + self._code_warnings()
        unread = [c.char for c in self.name_check.codes if c.reading_unknown]
        if unread:
            notes.append(
                _(
                    "姓名中%(chars)s的读音无法自动识别：请学生说出读音，写在卡上该字旁，"
                    "并登记“0000 旁的拼音”。"
                )
                % {"chars": "、".join("“%s”" % c for c in unread)}
            )
        if self.card is not None and self.card.status == STATUS_PROBLEM:
            notes.append(_("采集卡预核对有问题：%(label)s") % {"label": self.card.label})
        if self.payment is not None and self.payment.state == STATE_UNPAID:
            notes.append(_("班长处尚未登记缴费。"))
        return notes

    def _code_warnings(self) -> list[str]:
        notes = []
        if self.code is not None and self.code.state == "missing":
            notes.append(
                _(
                    "该生没有在门户核验过可识别的采集码：请在拍摄方扫码器上确认能扫出拍摄号；"
                    "扫不出请学生在学信网重新获取，没有采集码不能拍摄。"
                )
            )
        elif self.code is not None and self.code.state == "duplicate":
            notes.append(
                _("该生上传的采集码与另一名学生的相同（一个学籍只有一个采集码）：请核对身份证。")
            )
        if (
            self.student.campaign.monitor_collects
            and self.payment is not None
            and self.payment.state == STATE_UNPAID
        ):
            notes.append(_("班长处尚未登记缴费。"))
        return notes


def _known_name_pinyin(student: Student, corrections: list[CardCorrection]) -> str | None:
    """Return the readings of the roster name's 0000 characters as last given: logged
    at the desk, else in the student's own saved check of that same name."""
    for correction in corrections:  # newest first
        if correction.field == CardCorrection.Field.NAME_PINYIN:
            return correction.value
    check = card_check_current(student=student)
    if check is not None and normalise_text(check.name) == normalise_text(student.name):
        return check.name_pinyin or None
    return None


def desk_student(*, student: Student) -> DeskStudent:
    student = Student.objects.select_related("school_class", "campaign").get(pk=student.pk)
    place = student_place(student=student)
    corrections = list(CardCorrection.objects.filter(student=student).select_related("recorded_by"))
    name_check = card_rules.check_name(student.name)
    if name_check.needs_pinyin:
        # The reading pypinyin gives may be wrong, or missing (𠮷): the student's own
        # counts. One that does not fit the name leaves pypinyin's.
        given = card_rules.check_name(student.name, pinyin=_known_name_pinyin(student, corrections))
        if not any(i.field == card_rules.NAME_PINYIN for i in given.issues):
            name_check = given
    return DeskStudent(
        student=student,
        slot=place.slot,
        group_label=place.label,
        status=shoot_status_by_student(students=[student])[student.pk],
        card=card_state_by_student(students=[student]).get(student.pk),
        payment=payment_state_by_student(students=[student]).get(student.pk),
        name_check=name_check,
        corrections=corrections,
        deferred=place.deferred,
        code=(
            code_selectors.student_code_state(student=student)
            if student.campaign.is_code_mode
            else None
        ),
    )
