"""The 学信网 follow-up for 教务处: every photographed student's answers, in a state,
filtered, counted and paged."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils import timezone

from cards_app.rules import normalise_text
from sessions_app.listing import Counted
from sessions_app.models import ChsiCheck, College, SchoolClass, Student, schedule_order
from sessions_app.shootday import rules
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.selectors import tally_rows

CHSI_PER_PAGE = 50


@dataclass
class ChsiRow:
    """A photographed student in the follow-up list, with every answer they gave."""

    student: Student
    photographed_at: datetime.datetime
    deadline: datetime.date
    checks: list[ChsiCheck]  # newest first

    @property
    def answer(self) -> ChsiCheck | None:
        """Return the student's answer: the newest row."""
        return self.checks[0] if self.checks else None

    @property
    def reports(self) -> list[ChsiCheck]:
        return [c for c in self.checks if c.is_problem]

    @property
    def open_reports(self) -> list[ChsiCheck]:
        return [c for c in self.checks if c.is_open]

    @property
    def state(self) -> str:
        return rules.chsi_state(
            answers=len(self.checks),
            reports=len(self.reports),
            open_reports=len(self.open_reports),
        )

    @property
    def state_label(self) -> str:
        return str(rules.CHSI_STATE_LABELS[self.state])


@dataclass
class ChsiOverview:
    """One page of the follow-up list and the count of each state under the same
    college, class and search."""

    counts: dict[str, int]
    page: Page  # of ChsiRow

    @property
    def rows(self) -> list[ChsiRow]:
        return self.page.object_list


def _chsi_students(*, campaign, college=None, school_class=None, query: str = ""):
    """Return the campaign's photographed students under the filters; each one's
    follow-up state is their standing's ``chsi_state`` (rules.chsi_state)."""
    students = Student.objects.filter(campaign=campaign, shoot_state=summary_rules.PHOTOGRAPHED)
    if college is not None:
        students = students.filter(school_class__college=college)
    if school_class is not None:
        students = students.filter(school_class=school_class)
    query = normalise_text(query or "")
    if query:
        if query.isascii() and query.isalnum():
            students = students.filter(student_id__startswith=query)
        else:
            students = students.filter(name__contains=query)
    return students


CHSI_STATES = [rules.CHSI_OPEN, rules.CHSI_HANDLED, rules.CHSI_UNANSWERED, rules.CHSI_OK]


def chsi_students(
    *, campaign, state: str = "", college=None, school_class=None, query: str = ""
) -> QuerySet[Student]:
    """Return the photographed students in a follow-up state ("" for all), under a
    college or a class and a search by 学号 or name, by class and 学号."""
    students = _chsi_students(
        campaign=campaign, college=college, school_class=school_class, query=query
    )
    if state:
        students = students.filter(chsi_state=state)
    return students.select_related("school_class__college").order_by(
        *schedule_order("school_class__"), "student_id"
    )


def chsi_counts(*, campaign, college=None, school_class=None, query: str = "") -> dict[str, int]:
    """Return how many photographed students are in each follow-up state, and in all:
    from the tallies of the classes under the filters, or, for a search, one query."""
    counts = dict.fromkeys(CHSI_STATES, 0)
    if normalise_text(query or ""):
        students = _chsi_students(
            campaign=campaign, college=college, school_class=school_class, query=query
        )
        for state, n in students.order_by().values_list("chsi_state").annotate(n=Count("pk")):
            counts[state] = n
    else:
        classes = None
        if school_class is not None:
            classes = {school_class.pk}
        elif college is not None:
            classes = set(
                SchoolClass.objects.filter(campaign=campaign, college=college).values_list(
                    "pk", flat=True
                )
            )
        photographed = 0
        for (home, own, _category), row in tally_rows(campaign_id=campaign.pk).items():
            if home != own or (classes is not None and own not in classes):
                continue
            photographed += row.get(summary_rules.PHOTOGRAPHED, 0)
            for state in (rules.CHSI_OPEN, rules.CHSI_HANDLED, rules.CHSI_OK):
                counts[state] += row.get("chsi_" + state, 0)
        counts[rules.CHSI_UNANSWERED] = photographed - sum(counts.values())
    counts["all"] = sum(counts.values())
    return counts


def chsi_rows(*, campaign, students) -> list[ChsiRow]:
    """Return students of chsi_students() as rows: their last photo, the deadline it
    sets and every answer, newest first, with one query for the answers."""
    students = list(students)
    checks: dict[int, list[ChsiCheck]] = defaultdict(list)
    for check in (
        ChsiCheck.objects.filter(student_id__in=[s.pk for s in students])
        .select_related("handled_by")
        .order_by("-created_at", "-id")
    ):
        checks[check.student_id].append(check)
    deadlines: dict[datetime.date, datetime.date] = {}
    rows = []
    for student in students:
        at = student.photographed_at
        day = timezone.localdate(at)
        if day not in deadlines:
            deadlines[day] = rules.chsi_deadline(
                shoot_date=day, working_days=campaign.chsi_check_working_days
            )
        rows.append(ChsiRow(student, at, deadlines[day], checks.get(student.pk, [])))
    return rows


def chsi_overview(
    *,
    campaign,
    state: str = "",
    college=None,
    school_class=None,
    query: str = "",
    page=None,
    per_page: int = CHSI_PER_PAGE,
) -> ChsiOverview:
    """Return one page of the follow-up list and the counts of its states."""
    filters = {"college": college, "school_class": school_class, "query": query}
    counts = chsi_counts(campaign=campaign, **filters)
    students = chsi_students(campaign=campaign, state=state, **filters)
    # Without a search the list's length is one of the counts (from the tallies).
    known = None if query else counts.get(state or "all")
    paginator = Paginator(students if known is None else Counted(students, known), per_page)
    current = paginator.get_page(page)
    current.object_list = chsi_rows(campaign=campaign, students=current.object_list)
    return ChsiOverview(counts=counts, page=current)


def chsi_filter_choices(*, campaign) -> tuple[list[College], list[SchoolClass]]:
    """Return the colleges with a class in the campaign and the campaign's classes, by
    name, for the follow-up list's filters."""
    colleges = College.objects.filter(classes__campaign=campaign).distinct().order_by("name")
    classes = SchoolClass.objects.filter(campaign=campaign).order_by(*schedule_order())
    return list(colleges), list(classes)
