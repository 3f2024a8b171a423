"""Reads of card checks and the bulk check of the roster.

Each function fixes its own queries: a list costs the same few queries whatever the
number of students.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal import cache
from cards_app import rules
from cards_app.models import CardCheck
from sessions_app.models import CategoryRule, Student, schedule_order

STATUS_UNCHECKED = "unchecked"
STATUS_OK = "ok"
STATUS_PROBLEM = "problem"


@dataclass(frozen=True)
class CardState:
    """Where a student's card stands: not checked, checked OK, or a problem with fields."""

    status: str
    fields: tuple[str, ...] = ()
    mismatch_fields: tuple[str, ...] = ()
    checked_at: object = None

    @property
    def label(self) -> str:
        if self.status == STATUS_UNCHECKED:
            return _("未核对")
        if self.status == STATUS_OK:
            return _("核对无误")
        return _("有问题：%s") % rules.field_labels(self.fields)

    @property
    def css_class(self) -> str:
        return {
            STATUS_UNCHECKED: "text-bg-secondary",
            STATUS_OK: "text-bg-success",
            STATUS_PROBLEM: "text-bg-danger",
        }[self.status]


UNCHECKED = CardState(STATUS_UNCHECKED)


def card_state_of(check: CardCheck | None) -> CardState:
    """Return the state a student's current check (or its absence) gives."""
    if check is None:
        return UNCHECKED
    error_fields = [e["field"] for e in check.errors]
    mismatches = tuple(check.mismatch_fields) if check.resolved_at is None else ()
    fields = tuple(dict.fromkeys(error_fields + list(mismatches)))
    return CardState(
        status=STATUS_PROBLEM if fields else STATUS_OK,
        fields=fields,
        mismatch_fields=mismatches,
        checked_at=check.created_at,
    )


def card_state_by_student(*, students: Iterable[Student] | QuerySet) -> dict[int, CardState]:
    """Return the card state of each student, keyed by the student's primary key.

    One query whatever the number of students: a queryset is used as a subquery, a list
    as its primary keys. A student without a saved check is ``UNCHECKED``.
    """
    if isinstance(students, QuerySet):
        ids = None
        checks = CardCheck.objects.filter(is_current=True, student__in=students.values("pk"))
    else:
        ids = [s.pk if isinstance(s, Student) else int(s) for s in students]
        if not ids:
            return {}
        checks = CardCheck.objects.filter(is_current=True, student_id__in=ids)
    checks = checks.only(
        "student_id", "errors", "mismatch_fields", "resolved_at", "created_at"
    ).order_by()
    by_student = {c.student_id: card_state_of(c) for c in checks}
    if ids is None:
        return _DefaultStates(by_student)
    return {pk: by_student.get(pk, UNCHECKED) for pk in ids}


class _DefaultStates(dict):
    """A dict that answers UNCHECKED for a student it does not hold."""

    def __missing__(self, key):
        return UNCHECKED

    def get(self, key, default=UNCHECKED):
        return super().get(key, default)


def card_state_counts(*, campaign) -> dict[str, int]:
    """Return how many of the campaign's students are unchecked, OK or with a problem."""
    open_mismatch = ~Q(mismatch_fields=[]) & Q(resolved_at__isnull=True)
    counts = CardCheck.objects.filter(is_current=True, student__campaign=campaign).aggregate(
        checked=Count("id"),
        problem=Count("id", filter=~Q(errors=[]) | open_mismatch),
    )
    total = Student.objects.filter(campaign=campaign).count()
    return {
        STATUS_UNCHECKED: total - counts["checked"],
        STATUS_OK: counts["checked"] - counts["problem"],
        STATUS_PROBLEM: counts["problem"],
    }


@dataclass
class ClassCards:
    """The card state of every student of a class, and how many are in each state."""

    rows: list[tuple[Student, CardState]]

    @property
    def counts(self) -> dict[str, int]:
        states = [state.status for _, state in self.rows]
        return {s: states.count(s) for s in (STATUS_UNCHECKED, STATUS_OK, STATUS_PROBLEM)}


def class_card_states(*, school_class) -> ClassCards:
    """Return the class's students in 学号 order with their card states; two queries."""
    students = list(Student.objects.filter(school_class=school_class).order_by("student_id"))
    states = card_state_by_student(students=students)
    return ClassCards([(s, states[s.pk]) for s in students])


def roster_card_data(*, student: Student) -> dict:
    """Return what the roster says the student's card holds, in the card rules' fields."""
    return {
        "student_id": student.student_id,
        "name": student.name,
        "id_number": student.id_number,
        "education_type": student.education_type,
        "school_type": student.school_type,
    }


def card_check_current(*, student: Student) -> CardCheck | None:
    return CardCheck.objects.filter(student=student, is_current=True).first()


def card_discrepancies_open(*, campaign=None) -> QuerySet[CardCheck]:
    """Return the current checks whose entry differs from the roster, not yet resolved."""
    checks = CardCheck.objects.filter(is_current=True, resolved_at__isnull=True).exclude(
        mismatch_fields=[]
    )
    if campaign is not None:
        checks = checks.filter(student__campaign=campaign)
    return checks.select_related("student__school_class").order_by("created_at", "id")


def card_discrepancies_resolved(*, campaign=None, limit: int = 50) -> QuerySet[CardCheck]:
    checks = CardCheck.objects.filter(resolved_at__isnull=False).exclude(mismatch_fields=[])
    if campaign is not None:
        checks = checks.filter(student__campaign=campaign)
    return checks.select_related("student__school_class", "resolved_by").order_by("-resolved_at")[
        :limit
    ]


# Bulk check of the roster --------------------------------------------------------------

NAME_NOTE_CODES = ("not_in_gb2312", "handwritten")


@dataclass(frozen=True)
class RosterRow:
    """A roster entry the bulk check has something to say about."""

    pk: int
    student_id: str
    name: str
    id_number: str
    class_name: str
    errors: tuple[rules.Issue, ...]
    warnings: tuple[rules.Issue, ...]
    name_codes: tuple[rules.NameCode, ...]
    name_mode: str

    @property
    def problems(self) -> tuple[rules.Issue, ...]:
        """Return the errors and the warnings that are not about filling the name."""
        return self.errors + tuple(w for w in self.warnings if w.code not in NAME_NOTE_CODES)

    @property
    def needs_name_note(self) -> bool:
        return self.name_mode == rules.NAME_MODE_HANDWRITTEN or any(
            c.code == rules.UNKNOWN_CODE for c in self.name_codes
        )

    @property
    def name_note(self) -> str:
        """Return what the centre must be told about the name, in Chinese."""
        if self.name_mode == rules.NAME_MODE_HANDWRITTEN:
            return _("超过四个汉字：正楷手写全名")
        return _("填 0000 并写拼音：%s") % "，".join(
            c.pinyin_note for c in self.name_codes if c.code == rules.UNKNOWN_CODE
        )


@dataclass
class ClassCount:
    class_name: str
    students: int = 0
    with_problems: int = 0
    name_notes: int = 0


@dataclass
class BulkCheck:
    total: int = 0
    problem_rows: list[RosterRow] = field(default_factory=list)
    name_rows: list[RosterRow] = field(default_factory=list)
    by_type: Counter = field(default_factory=Counter)  # (field, code, level) -> students
    by_class: dict[str, ClassCount] = field(default_factory=dict)

    @property
    def with_problems(self) -> int:
        return len(self.problem_rows)

    def type_counts(self) -> list[tuple[str, str, str, str, int]]:
        """Return (field, code, level, title, count) rows, the most frequent first."""
        return [
            (f, code, level, rules.issue_title(f, code), n)
            for (f, code, level), n in sorted(self.by_type.items(), key=lambda item: -item[1])
        ]

    def class_counts(self) -> list[ClassCount]:
        return sorted(
            self.by_class.values(), key=lambda c: (-c.with_problems, c.class_name or "\uffff")
        )

    def filtered(self, *, problem: str = "", class_name: str = "") -> list[RosterRow]:
        """Return the problem rows, optionally only one type ("field:code") or one class."""
        rows = self.problem_rows
        if class_name:
            rows = [r for r in rows if r.class_name == class_name]
        if problem:
            rows = [
                r for r in rows if any("%s:%s" % (i.field, i.code) == problem for i in r.problems)
            ]
        return rows


NO_CLASS = "（无班级）"


def roster_rows(*, campaign) -> Iterable[tuple]:
    """Return the campaign's roster as plain tuples, in 学号 order, streamed."""
    return (
        Student.objects.filter(campaign=campaign)
        .order_by(*schedule_order("school_class__"), "student_id")
        .values_list(
            "pk",
            "student_id",
            "name",
            "id_number",
            "education_type",
            "school_type",
            "category",
            "school_class__name",
        )
        .iterator(chunk_size=2000)
    )


def roster_bulk_check(*, campaign, student_id_pattern: str | None = None, today=None) -> BulkCheck:
    """Check every roster entry of the campaign with the card rules.

    学历类别 and 所在校别 are held against the category's rule (a 成教生 is not 普通专科).
    Two queries: the category rules, then the roster streamed in chunks; cached until
    the roster or the schedule changes (and for the day: an ID's age depends on it).
    """
    pattern = student_id_pattern or settings.STUDENT_ID_PATTERN
    today = today or timezone.localdate()
    return cache.remember(
        "bulk-check",
        campaign.pk,
        (cache.SCHEDULE, cache.ROSTER),
        lambda: _roster_bulk_check(campaign, pattern, today),
        extra=(pattern, today.isoformat()),
    )


def _roster_bulk_check(campaign, pattern: str, today) -> BulkCheck:
    expected = {
        rule.category: (rule.education_type, rule.school_type)
        for rule in CategoryRule.objects.filter(campaign=campaign)
    }
    result = BulkCheck()
    check_card = rules.check_card
    for pk, student_id, name, id_number, education, school, category, class_name in roster_rows(
        campaign=campaign
    ):
        expected_education, expected_school = expected.get(category, (None, None))
        card = check_card(
            student_id=student_id,
            name=name,
            id_number=id_number,
            education_type=education,
            school_type=school,
            expected_education_type=expected_education,
            expected_school_type=expected_school,
            student_id_pattern=pattern,
            today=today,
        )
        class_name = class_name or NO_CLASS
        counts = result.by_class.get(class_name)
        if counts is None:
            counts = result.by_class[class_name] = ClassCount(class_name)
        counts.students += 1
        result.total += 1
        if card.ok and not card.warnings:
            continue
        name_codes = card.card["name_codes"]
        if not name_codes and any(i.code == rules.READING_UNKNOWN for i in card.errors):
            # The card withholds the codes until every 0000 character has a reading;
            # the centre's list still needs them, with the missing reading marked.
            name_codes = rules.check_name(name).codes
        row = RosterRow(
            pk=pk,
            student_id=student_id,
            name=name,
            id_number=id_number,
            class_name=class_name,
            errors=card.errors,
            warnings=card.warnings,
            name_codes=tuple(name_codes),
            name_mode=card.card["name_mode"],
        )
        problems = row.problems
        if problems:
            result.problem_rows.append(row)
            counts.with_problems += 1
            for key in dict.fromkeys((i.field, i.code, i.level) for i in problems):
                result.by_type[key] += 1
        if row.needs_name_note:
            result.name_rows.append(row)
            counts.name_notes += 1
    return result
