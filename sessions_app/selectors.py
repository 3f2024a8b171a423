"""Reads of the schedule and roster. Each function fixes its own queries, so a page
costs the same few queries whatever the number of classes and students."""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from sessions_app.models import (
    Campaign,
    CategoryRule,
    SchoolClass,
    Student,
    StudentCategory,
    TimeSlot,
)


def campaign_current() -> Campaign | None:
    """Return the campaign the public pages show: the newest published one."""
    return Campaign.objects.filter(published=True).order_by("-graduation_year", "-id").first()


def campaign_latest() -> Campaign | None:
    """Return the newest campaign, published or not (the staff's default)."""
    return Campaign.objects.order_by("-graduation_year", "-id").first()


@dataclass
class SlotRow:
    slot: TimeSlot
    classes: list[SchoolClass]
    groups: list[CategoryRule]
    headcount: int = 0

    @property
    def capacity(self) -> int:
        return self.slot.capacity

    @property
    def over_capacity(self) -> bool:
        return self.headcount > self.capacity

    @property
    def load_percent(self) -> int:
        if not self.capacity:
            return 100
        return round(100 * self.headcount / self.capacity)

    @property
    def entries(self) -> list[str]:
        """Return the names as the notice lists them: classes in order, then groups."""
        return [c.name for c in self.classes] + [g.label for g in self.groups]


@dataclass
class Schedule:
    campaign: Campaign
    rows: list[SlotRow]
    deferred: list[SchoolClass]
    unassigned: list[SchoolClass] = field(default_factory=list)
    unassigned_groups: list[CategoryRule] = field(default_factory=list)

    @property
    def dates(self) -> list:
        return sorted({row.slot.date for row in self.rows})

    @property
    def venues(self) -> list:
        seen = {}
        for row in self.rows:
            seen.setdefault(row.slot.venue_id, row.slot.venue)
        return list(seen.values())


def schedule_for_campaign(*, campaign: Campaign) -> Schedule:
    """Return the campaign's slots with their classes, groups and headcounts."""
    classes = (
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("college")
        .annotate(student_count=Count("students"))
        .order_by("position", "name")
    )
    slots = list(
        TimeSlot.objects.filter(campaign=campaign)
        .select_related("venue")
        .prefetch_related(
            Prefetch("classes", queryset=classes, to_attr="ordered_classes"),
            Prefetch(
                "category_rules",
                queryset=CategoryRule.objects.order_by("position", "id"),
                to_attr="ordered_groups",
            ),
        )
        .order_by("date", "start", "venue_id")
    )
    # Individuals without a class are counted by category: one grouped query.
    loose = dict(
        Student.objects.filter(campaign=campaign, school_class__isnull=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    rows = []
    for slot in slots:
        row = SlotRow(slot=slot, classes=slot.ordered_classes, groups=slot.ordered_groups)
        row.headcount = sum(c.student_count for c in row.classes) + sum(
            loose.get(g.category, 0) for g in row.groups
        )
        rows.append(row)
    others = [c for c in classes if c.slot_id is None]
    deferred = [c for c in others if c.status == SchoolClass.Status.DEFERRED]
    unassigned = [c for c in others if c.status != SchoolClass.Status.DEFERRED]
    # 应届在校生 come with their class; the other categories need a slot of their own.
    unassigned_groups = list(
        CategoryRule.objects.filter(campaign=campaign, slot__isnull=True).exclude(
            category=StudentCategory.CURRENT
        )
    )
    return Schedule(
        campaign=campaign,
        rows=rows,
        deferred=deferred,
        unassigned=unassigned,
        unassigned_groups=unassigned_groups,
    )


@dataclass(frozen=True)
class StudentSlot:
    """Where and when one student is shot."""

    slot: TimeSlot | None
    school_class: SchoolClass | None
    group_label: str
    position: int | None
    class_count: int
    deferred: bool = False

    @property
    def found(self) -> bool:
        return self.slot is not None


def slot_for_student(*, student: Student) -> StudentSlot:
    """Return the student's slot: the class's, or for an individual, the category's."""
    school_class = student.school_class
    if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
        return StudentSlot(None, school_class, "", None, 0, deferred=True)
    if school_class is not None and school_class.slot_id is not None:
        slot = TimeSlot.objects.select_related("venue").get(pk=school_class.slot_id)
        class_count = slot.classes.count()
        return StudentSlot(
            slot, school_class, school_class.name, school_class.position, class_count
        )
    if student.category != StudentCategory.CURRENT or school_class is None:
        rule = (
            CategoryRule.objects.filter(campaign_id=student.campaign_id, category=student.category)
            .select_related("slot__venue")
            .first()
        )
        if rule is not None and rule.slot is not None:
            class_count = rule.slot.classes.count()
            return StudentSlot(rule.slot, school_class, rule.label, None, class_count)
    return StudentSlot(None, school_class, "", None, 0)


def normalise_name(value: str) -> str:
    """Return a name as compared on lookup: NFKC, no whitespace of any width."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def student_lookup(*, campaign: Campaign, student_id: str, name: str) -> Student | None:
    """Return the student with this 学号 and 姓名 in the campaign, or None.

    Both must match: a wrong name answers exactly as an unknown 学号 does, so the
    lookup cannot be used to find out which 学号 exist.
    """
    student_id = normalise_name(student_id)
    student = (
        Student.objects.filter(campaign=campaign, student_id=student_id)
        .select_related("school_class")
        .first()
    )
    if student is None or normalise_name(student.name) != normalise_name(name):
        return None
    return student


@dataclass(frozen=True)
class RosterRow:
    """A student of a class with where their card and their fee stand."""

    student: Student
    card: object  # cards_app.selectors.CardState
    payment: object  # payments_app.selectors.PaymentState


def class_readiness(*, school_class: SchoolClass) -> list[RosterRow]:
    """Return the class roster with card and payment states, in three queries."""
    # Imported here: both apps build on this one's models.
    from cards_app.selectors import card_state_by_student
    from payments_app.selectors import payment_state_by_student

    students = list(class_roster(school_class=school_class))
    cards = card_state_by_student(students=students)
    payments = payment_state_by_student(students=students)
    return [RosterRow(s, cards[s.pk], payments[s.pk]) for s in students]


def class_roster(*, school_class: SchoolClass) -> QuerySet[Student]:
    return (
        Student.objects.filter(school_class=school_class)
        .select_related("user")
        .order_by("student_id")
    )


def classes_for_campaign(*, campaign: Campaign) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("college", "slot__venue", "monitor")
        .annotate(student_count=Count("students"))
        .order_by("slot__date", "slot__start", "position", "name")
    )


@dataclass(frozen=True)
class QueueEntry:
    name: str
    students: int
    expected_start: datetime.time


def queue_for_slot(*, slot: TimeSlot) -> list[QueueEntry]:
    """Return the slot's classes in order with the time each is expected to start.

    The estimate spreads the slot's students at the venue's hourly rate; the shoot
    day measures the real pace.
    """
    classes = (
        SchoolClass.objects.filter(slot=slot)
        .annotate(student_count=Count("students"))
        .order_by("position")
    )
    rate = slot.venue.shots_per_hour
    start = datetime.datetime.combine(slot.date, slot.start)
    entries, before = [], 0
    for school_class in classes:
        expected = start + datetime.timedelta(minutes=before * 60 / rate)
        entries.append(QueueEntry(school_class.name, school_class.student_count, expected.time()))
        before += school_class.student_count
    return entries
