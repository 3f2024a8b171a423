"""Reads of the campaign, the schedule and the roster. Each function fixes its own
queries, so a page costs the same few queries whatever the number of classes and
students."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from cards_app.rules import name_key, name_parts, name_variants, normalise_text
from cards_app.selectors import STATUS_OK, CardState, card_state_by_student
from payments_app.rules import STATE_PAID
from payments_app.selectors import PaymentState, payment_state_by_student
from sessions_app import rules
from sessions_app.models import (
    Campaign,
    CategoryRule,
    RosterCorrection,
    SchoolClass,
    Student,
    StudentCategory,
    TimeSlot,
    Venue,
)
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.selectors import member_counts, tally_rows

# The campaign --------------------------------------------------------------------------


def campaign_default(
    *, published_only: bool = False, today: datetime.date | None = None
) -> Campaign | None:
    """Return the campaign a page means when none is named: the one shooting today or
    next; failing that, the one shot most recently; failing that, the newest.

    With a second campaign in the database (next year's, or a make-up round) this is
    the one whose day is at hand, never merely the last one created.
    """
    today = today or timezone.localdate()
    return _campaign_default(published_only, today)


def _campaign_default(published_only: bool, today: datetime.date) -> Campaign | None:
    campaigns = Campaign.objects.filter(published=True) if published_only else Campaign.objects
    return (
        campaigns.annotate(
            next_day=Min("slots__date", filter=Q(slots__date__gte=today)),
            last_day=Max("slots__date"),
        )
        .order_by(
            F("next_day").asc(nulls_last=True),
            F("last_day").desc(nulls_last=True),
            "-graduation_year",
            "-id",
        )
        .first()
    )


# The schedule --------------------------------------------------------------------------


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
    def ends_at(self) -> datetime.datetime | None:
        """Return when the campaign's last slot ends, or None without slots."""
        if not self.rows:
            return None
        return max(row.slot.ends_at for row in self.rows)

    @property
    def venues(self) -> list:
        seen = {}
        for row in self.rows:
            seen.setdefault(row.slot.venue_id, row.slot.venue)
        return list(seen.values())


def schedule_for_campaign(*, campaign: Campaign) -> Schedule:
    """Return the campaign's slots with their classes, groups and headcounts (from the
    tallies: a few queries for any number of students)."""
    sizes = class_sizes(campaign=campaign)
    classes = list(
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("college")
        .order_by("position", "name")
    )
    for school_class in classes:
        school_class.student_count = sizes.classes.get(school_class.pk, 0)
    by_slot: dict[int, list[SchoolClass]] = {}
    for school_class in classes:
        by_slot.setdefault(school_class.slot_id, []).append(school_class)
    slots = list(
        TimeSlot.objects.filter(campaign=campaign)
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "category_rules",
                queryset=CategoryRule.objects.order_by("position", "id"),
                to_attr="ordered_groups",
            ),
        )
        .order_by("date", "start", "venue_id")
    )
    rows = []
    for slot in slots:
        row = SlotRow(slot=slot, classes=by_slot.get(slot.pk, []), groups=slot.ordered_groups)
        row.headcount = sum(c.student_count for c in row.classes) + sum(
            sizes.individuals.get(g.category, 0) for g in row.groups
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
class ClassSizes:
    """How many students each class has, and how many individuals each category (those
    shot with their category's group: rules.shot_as_individual)."""

    classes: dict[int, int]
    individuals: dict[str, int]


def class_sizes(*, campaign: Campaign) -> ClassSizes:
    """Return the campaign's class sizes and individuals by category, from the member
    rows of its tallies; two queries for any number of students."""
    classes = {
        pk: (slot_id, status)
        for pk, slot_id, status in SchoolClass.objects.filter(campaign=campaign).values_list(
            "pk", "slot_id", "status"
        )
    }
    sizes: dict[int, int] = {}
    individuals: dict[str, int] = {}
    for (home, own, category), counts in tally_rows(campaign_id=campaign.pk).items():
        if home != own:
            continue
        members = counts.get(summary_rules.MEMBERS, 0)
        if own:
            sizes[own] = sizes.get(own, 0) + members
        slot_id, status = classes.get(own, (None, None))
        individual = not own or (
            category != StudentCategory.CURRENT
            and slot_id is None
            and status != SchoolClass.Status.DEFERRED
        )
        if individual:
            individuals[category] = individuals.get(category, 0) + members
    return ClassSizes(classes=sizes, individuals=individuals)


def venues() -> QuerySet[Venue]:
    """Return every venue, in the order they were created (the notice's order)."""
    return Venue.objects.order_by("id")


def slots_of_campaign(*, campaign: Campaign) -> QuerySet[TimeSlot]:
    """Return the campaign's slots in time order, with their venues."""
    return (
        TimeSlot.objects.filter(campaign=campaign)
        .select_related("venue")
        .order_by("date", "start", "venue_id")
    )


# Where a student is shot ---------------------------------------------------------------


def individuals_q() -> Q:
    """Return the students shot with their category's group rather than a class, as a
    query: rules.shot_as_individual, which the tests hold it to."""
    return Q(school_class__isnull=True) | (
        ~Q(category=StudentCategory.CURRENT)
        & Q(school_class__slot__isnull=True)
        & ~Q(school_class__status=SchoolClass.Status.DEFERRED)
    )


def student_place(*, student: Student) -> rules.Place:
    """Return where and in what order the student is shot (see rules.student_place)."""
    school_class = student.school_class
    if school_class is not None and school_class.slot_id is not None:
        school_class = SchoolClass.objects.select_related("slot__venue").get(pk=school_class.pk)
    rule = None
    if school_class is None or student.category != StudentCategory.CURRENT:
        rule = (
            CategoryRule.objects.filter(campaign_id=student.campaign_id, category=student.category)
            .select_related("slot__venue")
            .first()
        )
    return rules.student_place(
        category=student.category, school_class=school_class, category_rule=rule
    )


def schedule_over(*, schedule: Schedule, now=None) -> bool:
    """Return whether every slot of the schedule has ended."""
    ends_at = schedule.ends_at
    return ends_at is not None and ends_at <= (now or timezone.now())


@dataclass(frozen=True)
class StudentSlot:
    """Where and when one student is shot, as the student's pages show it."""

    slot: TimeSlot | None
    school_class: SchoolClass | None
    group_label: str
    position: int | None
    class_count: int
    deferred: bool = False
    over: bool = False  # the slot has ended

    @property
    def found(self) -> bool:
        return self.slot is not None


def slot_for_student(*, student: Student, now=None) -> StudentSlot:
    """Return the student's slot, the class's position in it, the classes it holds and
    whether it has ended."""
    place = student_place(student=student)
    class_count = place.slot.classes.count() if place.slot is not None else 0
    return StudentSlot(
        slot=place.slot,
        school_class=student.school_class,
        group_label=place.label if place.slot is not None else "",
        position=place.position,
        class_count=class_count,
        deferred=place.deferred,
        over=place.slot is not None and place.slot.ends_at <= (now or timezone.now()),
    )


def student_lookup(*, campaign: Campaign, student_id: str, name: str) -> Student | None:
    """Return the student with this 学号 and 姓名 in the campaign, or None.

    Both must match: a wrong name answers exactly as an unknown 学号 does, so the
    lookup cannot be used to find out which 学号 exist. The name matches however it is
    written (name_key): 张伟 for a roster's 張偉, 买买提艾力 or 买买提•艾力 for 买买提·艾力.
    One query, by the unique 学号; the name is compared on the one row it returns.
    """
    student = (
        Student.objects.filter(campaign=campaign, student_id=normalise_text(student_id))
        .select_related("school_class")
        .first()
    )
    if student is None or name_key(student.name) != name_key(name):
        return None
    return student


def name_contains_q(query: str, *, field: str = "name") -> Q:
    """Return the condition that a name contains the query, written in any script
    (name_variants: 张伟 finds 張偉 and the reverse). Each part between separators
    must be in the name, so 买买提•艾力 finds 买买提·艾力. One SQL condition."""
    parts = name_parts(query)
    if not parts:
        return Q(pk__in=[])
    condition = Q()
    for part in parts:
        any_form = Q()
        for variant in sorted(name_variants(part)):
            any_form |= Q(**{"%s__contains" % field: variant})
        condition &= any_form
    return condition


# The roster ----------------------------------------------------------------------------


def class_roster(*, school_class: SchoolClass) -> QuerySet[Student]:
    return (
        Student.objects.filter(school_class=school_class)
        .select_related("user")
        .order_by("student_id")
    )


def roster_corrections(*, student: Student) -> QuerySet[RosterCorrection]:
    """Return the corrections of a student's roster entry, newest first, with who made them."""
    return (
        RosterCorrection.objects.filter(student=student)
        .select_related("corrected_by")
        .order_by("-corrected_at", "-id")
    )


@dataclass(frozen=True)
class RosterRow:
    """A student of a class with where their card, their fee and their code stand."""

    student: Student
    card: CardState
    payment: PaymentState
    code: object = None  # code mode: codemode.selectors.CodeState


@dataclass(frozen=True)
class ClassReadiness:
    """The monitor's counts of the class, from its tallies."""

    total: int
    activated: int  # logged in and set their own password
    cards_ok: int
    codes_ready: int
    paid: int  # paid what they owe the class


def class_readiness(*, school_class: SchoolClass, now=None) -> ClassReadiness:
    """Return how many of the class are logged in, have a card checked OK or a readable
    code, and have paid; the class's tally rows, three queries for any class size."""
    from payments_app.selectors import class_facts, lines_of_rows

    now = now or timezone.now()
    rows = tally_rows(
        campaign_id=school_class.campaign_id, homes=[school_class.pk], owns=[school_class.pk]
    )
    members = member_counts(rows, own=school_class.pk)
    # A student's own line is in the class holding their payment, else in their class.
    own_rows = {key: counts for key, counts in rows.items() if key[1] == school_class.pk}
    facts = class_facts(class_ids={key[0] for key in own_rows} | {school_class.pk})
    paid = sum(
        line.count
        for lines in lines_of_rows(own_rows, facts, now=now).values()
        for line in lines
        if not line.paid_elsewhere and line.state == STATE_PAID
    )
    return ClassReadiness(
        total=members.get(summary_rules.MEMBERS, 0),
        activated=members.get(summary_rules.ACTIVATED, 0),
        cards_ok=members.get("card_" + summary_rules.CARD_OK, 0),
        codes_ready=members.get("code_" + summary_rules.CODE_READY, 0),
        paid=paid,
    )


def readiness_filters(*, school_class: SchoolClass, code_mode: bool, now=None) -> dict:
    """Return the monitor's roster filters: who still has something to do, as queries."""
    from payments_app.selectors import LineFilters

    ready = Q(code_state=summary_rules.CODE_READY) if code_mode else Q(card_state=STATUS_OK)
    return {
        "card": ~ready,
        "unpaid": LineFilters(school_class, now=now).unpaid,
        "login": Q(user__isnull=True) | Q(must_change_password=True),
    }


def readiness_rows(students, *, code_mode: bool, now=None) -> list[RosterRow]:
    """Return the loaded students with their card, payment and code states; three
    queries for a page of them."""
    from sessions_app.codemode.selectors import code_state_by_student

    students = list(students)
    cards = card_state_by_student(students=students)
    payments = payment_state_by_student(students=students, now=now)
    codes = {}
    if code_mode and students:
        codes = code_state_by_student(campaign=students[0].campaign, students=students)
    return [RosterRow(s, cards[s.pk], payments[s.pk], codes.get(s.pk)) for s in students]


def students_by_place(*, campaign: Campaign) -> tuple[dict[int, list], dict[str, list]]:
    """Return the campaign's students shot with a class, by class pk, and those shot
    as individuals, by category; each list in 学号 order. One query."""
    by_class: dict[int, list] = {}
    individuals: dict[str, list] = {}
    students = (
        Student.objects.filter(campaign=campaign)
        .select_related("school_class")
        .only(
            "pk",
            "student_id",
            "name",
            "gender",
            "category",
            "id_number",
            "school_class__slot_id",
            "school_class__status",
        )
        .order_by("student_id")
    )
    for student in students:
        school_class = student.school_class
        if rules.shot_as_individual(category=student.category, school_class=school_class):
            individuals.setdefault(student.category, []).append(student)
        else:
            by_class.setdefault(school_class.pk, []).append(student)
    return by_class, individuals
