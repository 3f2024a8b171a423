"""Reads of card checks and the bulk check of the roster.

Each function fixes its own queries: a list costs the same few queries whatever the
number of students.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cards_app import rules
from cards_app.models import CardCheck, RosterFinding
from sessions_app.models import CategoryRule, SchoolClass, Student, schedule_order
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.selectors import member_counts, tally_rows

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


def _state_counts(counts: dict) -> dict[str, int]:
    ok, problem = counts.get("card_" + STATUS_OK, 0), counts.get("card_" + STATUS_PROBLEM, 0)
    return {
        STATUS_UNCHECKED: counts.get(summary_rules.MEMBERS, 0) - ok - problem,
        STATUS_OK: ok,
        STATUS_PROBLEM: problem,
    }


def card_state_counts(*, campaign) -> dict[str, int]:
    """Return how many of the campaign's students are unchecked, OK or with a problem,
    from its tallies."""
    total: dict = {}
    for (home, own, _category), counts in tally_rows(campaign_id=campaign.pk).items():
        if home == own:
            for name, value in counts.items():
                total[name] = total.get(name, 0) + value
    return _state_counts(total)


def class_card_counts(*, school_class) -> dict[str, int]:
    """Return how many of the class are unchecked, OK or with a problem; one query."""
    rows = tally_rows(campaign_id=school_class.campaign_id, homes=[school_class.pk])
    return _state_counts(member_counts(rows, own=school_class.pk))


def card_rows(students) -> list[tuple[Student, CardState]]:
    """Return the loaded students with their card states; one query."""
    states = card_state_by_student(students=students)
    return [(s, states[s.pk]) for s in students]


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


NO_CLASS = "（无班级）"
ROSTER_FIELDS = (
    "pk",
    "student_id",
    "name",
    "id_number",
    "education_type",
    "school_type",
    "category",
    "school_class__name",
)


def roster_rows(*, campaign=None, students=None) -> Iterable[tuple]:
    """Return the campaign's roster (or the ``students`` queryset) as plain tuples in
    the schedule's order, streamed."""
    if students is None:
        students = Student.objects.filter(campaign=campaign)
    return (
        students.order_by(*schedule_order("school_class__"), "student_id")
        .values_list(*ROSTER_FIELDS)
        .iterator(chunk_size=2000)
    )


def expected_types(*, campaign) -> dict[str, tuple[str, str]]:
    """Return the 学历类别 and 所在校别 each category's card must carry."""
    return {
        rule.category: (rule.education_type, rule.school_type)
        for rule in CategoryRule.objects.filter(campaign_id=campaign.pk)
    }


def roster_row(values: tuple, *, expected: dict, pattern: str, today) -> RosterRow | None:
    """Return what the card rules find in one roster entry (a tuple of ROSTER_FIELDS),
    or None when they find nothing to say. Pure: the bulk check's one rule."""
    pk, student_id, name, id_number, education, school, category, class_name = values
    expected_education, expected_school = expected.get(category, (None, None))
    card = rules.check_card(
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
    if card.ok and not card.warnings:
        return None
    name_codes = card.card["name_codes"]
    if not name_codes and any(i.code == rules.READING_UNKNOWN for i in card.errors):
        # The card withholds the codes until every 0000 character has a reading; the
        # centre's list still needs them, with the missing reading marked.
        name_codes = rules.check_name(name).codes
    return RosterRow(
        pk=pk,
        student_id=student_id,
        name=name,
        id_number=id_number,
        class_name=class_name or NO_CLASS,
        errors=card.errors,
        warnings=card.warnings,
        name_codes=tuple(name_codes),
        name_mode=card.card["name_mode"],
    )


def roster_findings_of(row: RosterRow | None) -> set[tuple[str, str, str]]:
    """Return a row's findings as (field, code, level): its problems, and a name note."""
    if row is None:
        return set()
    found = {(i.field, i.code, i.level) for i in row.problems}
    if row.needs_name_note:
        found.add((rules.NAME, NAME_NOTE, RosterFinding.Level.NAME_NOTE))
    return found


NAME_NOTE = "name_note"
PROBLEM_LEVELS = (RosterFinding.Level.ERROR, RosterFinding.Level.WARNING)
BULK_CHUNK = 2000


@dataclass
class BulkCheck:
    """The bulk check of a campaign's roster, from its stored findings: counts by type
    and by class, and the rows of a list a page (or an export's chunk) at a time, each
    checked again by the rules as it is shown."""

    campaign: object
    total: int
    with_problems: int
    name_note_count: int
    class_sizes: dict[str, int]

    def _findings(self):
        return RosterFinding.objects.filter(campaign=self.campaign)

    def type_counts(self) -> list[tuple[str, str, str, str, int]]:
        """Return (field, code, level, title, count) rows, the most frequent first."""
        rows = (
            self._findings()
            .filter(level__in=PROBLEM_LEVELS)
            .values_list("field", "code", "level")
            .annotate(n=Count("student", distinct=True))
            .order_by("-n", "field", "code")
        )
        return [(f, code, level, rules.issue_title(f, code), n) for f, code, level, n in rows]

    def class_counts(self) -> list[ClassCount]:
        counts = {name: ClassCount(name, students=n) for name, n in self.class_sizes.items()}
        for name, problems, notes in (
            self._findings()
            .values_list("student__school_class__name")
            .annotate(
                problems=Count("student", distinct=True, filter=Q(level__in=PROBLEM_LEVELS)),
                notes=Count(
                    "student", distinct=True, filter=Q(level=RosterFinding.Level.NAME_NOTE)
                ),
            )
            .order_by()
        ):
            count = counts.setdefault(name or NO_CLASS, ClassCount(name or NO_CLASS))
            count.with_problems += problems
            count.name_notes += notes
        return sorted(
            (c for c in counts.values() if c.students),
            key=lambda c: (-c.with_problems, c.class_name or "\uffff"),
        )

    def problem_students(self, *, problem: str = "", class_name: str = ""):
        """Return the students with a problem, of one type ("field:code") or one class,
        in the schedule's order."""
        findings = RosterFinding.objects.filter(student=OuterRef("pk"), level__in=PROBLEM_LEVELS)
        if problem:
            field_name, _sep, code = problem.partition(":")
            findings = findings.filter(field=field_name, code=code)
        students = Student.objects.filter(campaign=self.campaign).filter(Exists(findings))
        if class_name == NO_CLASS:
            students = students.filter(school_class__isnull=True)
        elif class_name:
            students = students.filter(school_class__name=class_name)
        return students

    def name_students(self):
        """Return the students whose name needs 0000 with its pinyin, or handwriting."""
        notes = RosterFinding.objects.filter(
            student=OuterRef("pk"), level=RosterFinding.Level.NAME_NOTE
        )
        return Student.objects.filter(campaign=self.campaign).filter(Exists(notes))

    def rows(self, students) -> list[RosterRow]:
        """Return the rows of the students (a queryset, or a slice of one), in order."""
        expected = expected_types(campaign=self.campaign)
        pattern, today = settings.STUDENT_ID_PATTERN, timezone.localdate()
        found = (roster_row(v, expected=expected, pattern=pattern, today=today) for v in students)
        return [row for row in found if row is not None]

    def ordered(self, students):
        return students.order_by(*schedule_order("school_class__"), "student_id").values_list(
            *ROSTER_FIELDS
        )

    def _all(self, students):
        students = self.ordered(students)
        rows = []
        for start in range(0, students.count(), BULK_CHUNK):
            rows += self.rows(students[start : start + BULK_CHUNK])
        return rows

    def filtered(self, *, problem: str = "", class_name: str = "") -> list[RosterRow]:
        """Return the problem rows, optionally only one type ("field:code") or one class."""
        return self._all(self.problem_students(problem=problem, class_name=class_name))

    @property
    def problem_rows(self) -> list[RosterRow]:
        return self.filtered()

    @property
    def name_rows(self) -> list[RosterRow]:
        return self._all(self.name_students())

    def name_rows_first(self, limit: int) -> list[RosterRow]:
        return self.rows(self.ordered(self.name_students())[:limit])


def roster_bulk_check(*, campaign) -> BulkCheck:
    """Return the bulk check of the campaign's roster: the card rules' findings, stored
    by the writes that change the roster (cards_app/services.py roster_findings_refresh).
    学历类别 and 所在校别 are held against the category's rule (a 成教生 is not 普通专科).
    Two queries; the lists are read a page at a time."""
    names = dict(SchoolClass.objects.filter(campaign=campaign).values_list("pk", "name"))
    by_name: dict[str, int] = {}
    for (home, own, _category), row in tally_rows(campaign_id=campaign.pk).items():
        if home == own:
            name = names.get(own, NO_CLASS)
            by_name[name] = by_name.get(name, 0) + row.get(summary_rules.MEMBERS, 0)
    counts = RosterFinding.objects.filter(campaign=campaign).aggregate(
        problems=Count("student", distinct=True, filter=Q(level__in=PROBLEM_LEVELS)),
        notes=Count("student", distinct=True, filter=Q(level=RosterFinding.Level.NAME_NOTE)),
    )
    return BulkCheck(
        campaign=campaign,
        total=sum(by_name.values()),
        with_problems=counts["problems"],
        name_note_count=counts["notes"],
        class_sizes=by_name,
    )
