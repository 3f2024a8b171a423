"""Reads of code mode: who has a readable 图像采集码, who shares one, readiness by
college, class and slot, and finding a student by a scanned code."""

import dataclasses
import datetime

from django.db.models import Count, QuerySet

from sessions_app.codemode import rules
from sessions_app.codemode.services import digest_of
from sessions_app.models import CaptureCode, MakeupRoute, SchoolClass, Student, schedule_order

READY = "ready"
MISSING = "missing"
DUPLICATE = "duplicate"
LABELS = {
    READY: ("已上传可识别的采集码", "text-bg-success"),
    MISSING: ("还没有可识别的采集码", "text-bg-warning"),
    DUPLICATE: ("与他人的采集码相同", "text-bg-danger"),
}


@dataclasses.dataclass(frozen=True)
class CodeState:
    state: str
    checked_at: datetime.datetime | None = None

    @property
    def label(self) -> str:
        return LABELS[self.state][0]

    @property
    def css_class(self) -> str:
        return LABELS[self.state][1]

    @property
    def ready(self) -> bool:
        return self.state == READY


def _duplicate_digests(campaign_id: int) -> set[str]:
    return set(
        CaptureCode.objects.filter(campaign_id=campaign_id)
        .values("digest")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("digest", flat=True)
    )


def code_state_by_student(*, campaign, students) -> dict[int, CodeState]:
    """Return each student's code state, keyed by primary key. Two queries.

    Two students showing one code are both DUPLICATE: one 学籍 has one code, so one
    of them shows someone else's.
    """
    if isinstance(students, QuerySet):
        ids = list(students.values_list("pk", flat=True))
        codes_qs = CaptureCode.objects.filter(campaign=campaign)
    else:
        ids = [s.pk for s in students]
        codes_qs = CaptureCode.objects.filter(student_id__in=ids)
    codes = {c.student_id: c for c in codes_qs.only("student_id", "digest", "checked_at")}
    duplicates = _duplicate_digests(campaign.pk) if codes else set()
    states = {}
    for pk in ids:
        code = codes.get(pk)
        if code is None:
            states[pk] = CodeState(MISSING)
        elif code.digest in duplicates:
            states[pk] = CodeState(DUPLICATE, code.checked_at)
        else:
            states[pk] = CodeState(READY, code.checked_at)
    return states


def student_code_state(*, student: Student) -> CodeState:
    return code_state_by_student(campaign=student.campaign, students=[student])[student.pk]


@dataclasses.dataclass(frozen=True)
class ReadinessRow:
    student: Student
    code: CodeState


@dataclasses.dataclass(frozen=True)
class ReadinessGroup:
    label: str
    total: int
    ready: int

    @property
    def not_ready(self) -> int:
        return self.total - self.ready


@dataclasses.dataclass(frozen=True)
class Readiness:
    rows: list[ReadinessRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def ready(self) -> int:
        return sum(1 for r in self.rows if r.code.ready)

    @property
    def not_ready_rows(self) -> list[ReadinessRow]:
        return [r for r in self.rows if not r.code.ready]

    def _groups(self, key) -> list[ReadinessGroup]:
        groups: dict[str, list[int]] = {}
        for row in self.rows:
            counts = groups.setdefault(key(row.student), [0, 0])
            counts[0] += 1
            counts[1] += row.code.ready
        return [ReadinessGroup(label, total, ready) for label, (total, ready) in groups.items()]

    @property
    def by_college(self) -> list[ReadinessGroup]:
        return self._groups(
            lambda s: (
                s.school_class.college.name if s.school_class and s.school_class.college else "—"
            )
        )

    @property
    def by_class(self) -> list[ReadinessGroup]:
        return self._groups(
            lambda s: s.school_class.name if s.school_class else s.get_category_display()
        )

    @property
    def by_slot(self) -> list[ReadinessGroup]:
        return self._groups(
            lambda s: (
                "%s %s" % (s.school_class.slot, s.school_class.slot.venue)
                if s.school_class and s.school_class.slot
                else "未安排时段"
            )
        )


def _students(campaign) -> QuerySet[Student]:
    return (
        Student.objects.filter(campaign=campaign)
        .exclude(school_class__status="deferred")
        .order_by(*schedule_order("school_class__"), "student_id")
    )


def _with_classes(students: list[Student], campaign) -> list[Student]:
    """Give each student their class, its college, slot and venue from one query of the
    campaign's classes: select_related would build those four objects again for every
    one of 20,000 students (three seconds of the staff page)."""
    classes = SchoolClass.objects.filter(campaign=campaign).select_related("college", "slot__venue")
    by_pk = {c.pk: c for c in classes}
    for student in students:
        student._state.fields_cache["school_class"] = by_pk.get(student.school_class_id)
    return students


def campaign_readiness(
    *, campaign, college_id: int | None = None, class_id: int | None = None
) -> Readiness:
    """Return every student not deferred with the code state, in schedule order."""
    students = _students(campaign)
    if college_id:
        students = students.filter(school_class__college_id=college_id)
    if class_id:
        students = students.filter(school_class_id=class_id)
    students = _with_classes(list(students), campaign)
    states = code_state_by_student(campaign=campaign, students=students)
    return Readiness([ReadinessRow(s, states[s.pk]) for s in students])


def class_code_readiness(*, school_class) -> Readiness:
    students = list(Student.objects.filter(school_class=school_class).order_by("student_id"))
    states = code_state_by_student(campaign=school_class.campaign, students=students)
    return Readiness([ReadinessRow(s, states[s.pk]) for s in students])


def students_by_code(*, campaign, content: bytes) -> list[Student]:
    """Return the students whose stored code has this content (two if shared)."""
    digest = digest_of(content)
    return list(
        Student.objects.filter(campaign=campaign, capture_code__digest=digest)
        .select_related("school_class")
        .order_by("student_id")
    )


def fetch_countdown(*, student: Student, today: datetime.date) -> rules.Countdown | None:
    slot = student.school_class.slot if student.school_class else None
    return rules.fetch_countdown(shoot_day=slot.date if slot else None, today=today)


def reminder_text(*, school_class, readiness: Readiness) -> str:
    """Return the message a monitor sends to the classmates without a readable code."""
    missing = [row.student.name for row in readiness.not_ready_rows]
    if not missing:
        return ""
    slot = school_class.slot
    when = "%s月%s日" % (slot.date.month, slot.date.day) if slot else "拍摄日"
    return (
        "%(names)s 同学：我班 %(when)s 拍摄毕业图像，请在学信网（微信公众号、学信网 App 或学信档案）"
        "→ 学籍 → 获取图像采集码，长按二维码保存图片（不要截屏），再登录门户“我的采集码”上传核验。"
        "请至少在拍摄前 3 天完成，没有采集码当天无法拍摄。"
    ) % {"names": "、".join(missing), "when": when}


def makeup_routes(*, students) -> dict[int, "MakeupRoute"]:
    """Return the make-up route of each student that has one, by primary key. One query."""
    return {
        r.student_id: r for r in MakeupRoute.objects.filter(student_id__in=[s.pk for s in students])
    }
