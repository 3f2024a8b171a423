"""The make-up list: who must go to the make-up centre, in the schedule's order, and
the classes deferred to next year."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sessions_app import rules as schedule_rules
from sessions_app.listing import Counted
from sessions_app.models import ClassClose, SchoolClass, Student, schedule_order
from sessions_app.shootday import rules
from sessions_app.shootday.status import slot_over
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.selectors import tally_rows

MAKEUP_PAGE_SIZE = 200
MAKEUP_CHUNK = 2000


@dataclass(frozen=True)
class MakeupRow:
    student: Student
    group: str
    reason: str


@dataclass
class _Reasons:
    """Why a student of the list goes to the make-up, and where they were to be shot:
    one place (and whether its slot has ended) per class and category."""

    classes: dict[int, SchoolClass]  # annotated with ``closed``
    category_rules: dict
    now: object
    places: dict = field(default_factory=dict)

    def place(self, category: str, class_id: int | None):
        key = (category, class_id)
        if key not in self.places:
            place = schedule_rules.student_place(
                category=category,
                school_class=self.classes.get(class_id),
                category_rule=self.category_rules.get(category),
            )
            self.places[key] = (place, slot_over(place.slot, self.now))
        return self.places[key]

    def rows(self, students) -> list[MakeupRow]:
        rows = []
        for student in students:
            place, over = self.place(student.category, student.school_class_id)
            school_class = self.classes.get(student.school_class_id)
            reason = rules.makeup_reason(
                state=student.shoot_state,
                class_closed=school_class is not None and school_class.closed,
                slot_over=over,
            )
            rows.append(MakeupRow(student, place.label, reason))
        return rows


@dataclass
class Makeup:
    """Who must go to the make-up centre, in the schedule's order: how many (from the
    tallies), and the students themselves a page (or, for an export, a chunk) at a
    time."""

    campaign: object
    count: int
    students: QuerySet  # of Student, in the list's order
    deferred: list[tuple[SchoolClass, int]]
    reasons: _Reasons

    def page(self, number) -> Page:
        """Return a page of MakeupRows."""
        page = Paginator(Counted(self.students, self.count), MAKEUP_PAGE_SIZE).get_page(number)
        page.object_list = self.reasons.rows(page.object_list)
        return page

    @property
    def rows(self):
        """Yield every MakeupRow, loading the students chunk by chunk."""
        for start in range(0, self.count, MAKEUP_CHUNK):
            yield from self.reasons.rows(self.students[start : start + MAKEUP_CHUNK])


def makeup_students(*, campaign, now=None) -> Makeup:
    """Return the students who must go to the make-up centre, and the deferred classes.

    A student goes on the list when marked absent, or when not photographed once their
    class was closed or their slot has ended (rules.makeup_reason). Students of a
    deferred class come next year instead and are listed by class only. The count and
    the deferred classes' sizes come from the tallies, the students from one query a
    page: a campaign of 20,000 costs what one of 2,000 does.
    """
    now = now or timezone.now()
    classes = list(
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("slot")
        .annotate(closed=Exists(ClassClose.objects.filter(school_class=OuterRef("pk"))))
        .order_by(*schedule_order())
    )
    by_pk = {c.pk: c for c in classes}
    category_rules = {r.category: r for r in campaign.category_rules.select_related("slot")}
    reasons = _Reasons(by_pk, category_rules, now)
    # Where a student still waiting is not shot any more: the place (class, category)
    # whose class was closed or whose slot has ended.
    ended = Q(pk__in=[])
    count = 0
    deferred_sizes: dict[int, int] = {}
    for (home, own, category), counts in tally_rows(campaign_id=campaign.pk).items():
        if home != own:
            continue
        school_class = by_pk.get(own)
        members = counts.get(summary_rules.MEMBERS, 0)
        if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
            deferred_sizes[own] = deferred_sizes.get(own, 0) + members
            continue
        count += counts.get(summary_rules.ABSENT, 0)
        _place, over = reasons.place(category, own or None)
        if over or (school_class is not None and school_class.closed):
            taken = (summary_rules.NUMBERED, summary_rules.PHOTOGRAPHED, summary_rules.ABSENT)
            count += members - sum(counts.get(state, 0) for state in taken)
            ended |= Q(category=category, school_class_id=own or None)
    students = (
        Student.objects.filter(campaign=campaign)
        .filter(
            Q(shoot_state=summary_rules.ABSENT) | (Q(shoot_state=summary_rules.PENDING) & ended)
        )
        .exclude(school_class__status=SchoolClass.Status.DEFERRED)
        .order_by(*schedule_order("school_class__"), "student_id")
    )
    deferred = [
        (c, deferred_sizes.get(c.pk, 0))
        for c in sorted(
            (c for c in classes if c.status == SchoolClass.Status.DEFERRED), key=lambda c: c.name
        )
    ]
    return Makeup(
        campaign=campaign, count=count, students=students, deferred=deferred, reasons=reasons
    )
