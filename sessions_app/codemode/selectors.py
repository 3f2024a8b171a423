"""Reads of code mode: who has a readable 图像采集码, who shares one, readiness by
college, class and slot, and finding a student by a scanned code."""

import dataclasses
import datetime

from django.db.models import QuerySet

from sessions_app import campaign_texts
from sessions_app.codemode.services import digest_of
from sessions_app.models import (
    CaptureCode,
    MakeupRoute,
    SchoolClass,
    Student,
    StudentCategory,
    schedule_order,
)
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.selectors import tally_rows

READY = summary_rules.CODE_READY
MISSING = summary_rules.CODE_MISSING
DUPLICATE = summary_rules.CODE_DUPLICATE
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


def code_state_by_student(*, campaign, students) -> dict[int, CodeState]:
    """Return each student's code state, keyed by primary key, from their standing (a
    code shown by two students makes both DUPLICATE: one 学籍 has one code, so one of
    them shows someone else's). One query."""
    if isinstance(students, QuerySet):
        rows = students.order_by().values_list("pk", "code_state", "capture_code__checked_at")
    else:
        students = list(students)
        checked = dict(
            CaptureCode.objects.filter(student_id__in=[s.pk for s in students]).values_list(
                "student_id", "checked_at"
            )
        )
        rows = [(s.pk, s.code_state, checked.get(s.pk)) for s in students]
    return {pk: CodeState(state, checked_at) for pk, state, checked_at in rows}


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
    """How many are ready, in all and by college, class and slot (from the tallies)."""

    total: int
    ready: int
    by_college: list[ReadinessGroup]
    by_class: list[ReadinessGroup]
    by_slot: list[ReadinessGroup]

    @property
    def not_ready(self) -> int:
        return self.total - self.ready


def campaign_readiness(
    *, campaign, college_id: int | None = None, class_id: int | None = None
) -> Readiness:
    """Return the readiness of every student not deferred, under a college or a class;
    groups in schedule order, the individuals last. Two queries for any number of
    students."""
    classes = list(
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("college", "slot__venue")
        .order_by(*schedule_order())
    )
    rank = {c.pk: i for i, c in enumerate(classes)}
    by_pk = {c.pk: c for c in classes}
    counts: list[tuple[tuple, SchoolClass | None, str, int, int]] = []
    for (home, own, category), row in tally_rows(campaign_id=campaign.pk).items():
        if home != own:
            continue
        school_class = by_pk.get(own)
        if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
            continue
        if class_id and own != class_id:
            continue
        if college_id and (school_class is None or school_class.college_id != college_id):
            continue
        order = (rank.get(own, len(rank)), category)
        members = row.get(summary_rules.MEMBERS, 0)
        ready = row.get("code_" + summary_rules.CODE_READY, 0)
        counts.append((order, school_class, category, members, ready))
    counts.sort(key=lambda item: item[0])

    def groups(label) -> list[ReadinessGroup]:
        found: dict[str, list[int]] = {}
        for _order, school_class, category, members, ready in counts:
            pair = found.setdefault(label(school_class, category), [0, 0])
            pair[0] += members
            pair[1] += ready
        return [ReadinessGroup(name, total, ready) for name, (total, ready) in found.items()]

    return Readiness(
        total=sum(item[3] for item in counts),
        ready=sum(item[4] for item in counts),
        by_college=groups(lambda c, _cat: c.college.name if c and c.college else "—"),
        by_class=groups(lambda c, cat: c.name if c else StudentCategory(cat).label),
        by_slot=groups(
            lambda c, _cat: "%s %s" % (c.slot, c.slot.venue) if c and c.slot else "未安排时段"
        ),
    )


def not_ready_students(
    *, campaign, college_id: int | None = None, class_id: int | None = None
) -> QuerySet[Student]:
    """Return the students not deferred without a readable code of their own, in
    schedule order, with their class, its college, slot and venue."""
    students = (
        Student.objects.filter(campaign=campaign)
        .exclude(school_class__status=SchoolClass.Status.DEFERRED)
        .exclude(code_state=summary_rules.CODE_READY)
        .select_related("school_class__college", "school_class__slot__venue", "capture_code")
        .order_by(*schedule_order("school_class__"), "student_id")
    )
    if college_id:
        students = students.filter(school_class__college_id=college_id)
    if class_id:
        students = students.filter(school_class_id=class_id)
    return students


def readiness_rows(students) -> list[ReadinessRow]:
    """Return the loaded students (not_ready_students) with their code states."""
    return [
        ReadinessRow(
            s,
            CodeState(s.code_state, getattr(getattr(s, "capture_code", None), "checked_at", None)),
        )
        for s in students
    ]


@dataclasses.dataclass(frozen=True)
class ClassCodes:
    """A class's students with their code states, for the monitor."""

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


def class_code_readiness(*, school_class) -> ClassCodes:
    students = list(
        Student.objects.filter(school_class=school_class)
        .select_related("capture_code")
        .order_by("student_id")
    )
    return ClassCodes(readiness_rows(students))


def students_by_code(*, campaign, content: bytes) -> list[Student]:
    """Return the students whose stored code has this content (two if shared)."""
    digest = digest_of(content)
    return list(
        Student.objects.filter(campaign=campaign, capture_code__digest=digest)
        .select_related("school_class")
        .order_by("student_id")
    )


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
        "请至少在%(before)s完成，没有采集码当天无法拍摄。"
    ) % {"names": "、".join(missing), "when": when, "before": campaign_texts.fetch_before()}


def makeup_routes(*, students) -> dict[int, "MakeupRoute"]:
    """Return the make-up route of each student that has one, by primary key. One query."""
    return {
        r.student_id: r for r in MakeupRoute.objects.filter(student_id__in=[s.pk for s in students])
    }
