"""The number log: every 拍摄序号 of the campaign with what became of it."""

import operator
from collections import defaultdict
from functools import reduce

from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet

from cards_app.rules import normalise_text
from sessions_app.models import Shot, ShotCounter, Student
from sessions_app.shootday import rules

NUMBERS_PER_PAGE = 100


def number_log(
    *, campaign, query: str = "", page=None, per_page: int = NUMBERS_PER_PAGE
) -> rules.NumberLog:
    """Return one page of the campaign's numbers, each with what became of it, and the
    problems and students photographed twice among all of them.

    Without a query the page runs over every number from 1 to the last one given,
    gaps included; with one it holds the numbers found as rules.number_search reads
    the query: by 序号, by the student's 学号 prefix or by part of the name. A few
    queries whatever the number of shots: only the page's shots are loaded.
    """
    shots = Shot.objects.filter(campaign=campaign)
    stats = shots.aggregate(
        count=Count("pk"),
        top=Max("number"),
        void=Count("pk", filter=Q(status=Shot.Status.VOID)),
        last_photographed=Max("number", filter=Q(status=Shot.Status.PHOTOGRAPHED)),
    )
    counter = ShotCounter.objects.filter(campaign=campaign).values_list("last_number", flat=True)
    last = max(counter.first() or 0, stats["top"] or 0)
    last_photographed = stats["last_photographed"] or 0
    loaded = shots.select_related(
        "student__school_class", "assigned_by", "photographed_by", "voided_by"
    ).order_by("number")

    # Numbers are unique and positive: as many shots as the last number means no gap.
    missing = (
        []
        if stats["count"] == last
        else rules.missing_numbers(last=last, given=shots.values_list("number", flat=True))
    )
    late = {
        s.number: s
        for s in loaded.filter(status=Shot.Status.ASSIGNED, number__lt=last_photographed)
    }
    problems = rules.number_rows(
        numbers=sorted([*missing, *late]), shots=late, last_photographed=last_photographed
    )

    query = normalise_text(query or "")
    if query:
        current, numbers, found = _numbers_found(shots, loaded, query, last, page, per_page)
    else:
        current = Paginator(range(1, last + 1), per_page).get_page(page)
        numbers = current.object_list
        found = (
            {s.number: s for s in loaded.filter(number__gte=numbers.start, number__lt=numbers.stop)}
            if numbers
            else {}
        )
    current.object_list = rules.number_rows(
        numbers=numbers, shots=found, last_photographed=last_photographed
    )
    return rules.NumberLog(
        last_number=last,
        rows=current.object_list,
        twice=_photographed_twice(shots),
        problems=problems,
        void_count=stats["void"],
        page=current,
        query=query,
    )


def _numbers_found(shots, loaded, query: str, last: int, page, per_page: int):
    """Return the page of numbers a search finds, the numbers on it and their shots."""
    search = rules.number_search(query)
    terms = []
    if search.number is not None:
        terms.append(Q(number=search.number))
    if search.student_id_prefix:
        terms.append(Q(student__student_id__startswith=search.student_id_prefix))
    if search.name:
        terms.append(Q(student__name__contains=search.name))
    current = Paginator(loaded.filter(reduce(operator.or_, terms)), per_page).get_page(page)
    found = {s.number: s for s in current.object_list}
    numbers = list(found)
    number = search.number
    if number is not None and 0 < number <= last and current.number == 1:
        if number not in found and not shots.filter(number=number).exists():
            numbers = sorted([*numbers, number])  # a gap, found by its number
    return current, numbers, found


def _photographed_twice(shots: QuerySet[Shot]) -> list[tuple[Student, list[Shot]]]:
    """Return the students photographed more than once, with their photographed shots."""
    photographed = shots.filter(status=Shot.Status.PHOTOGRAPHED)
    twice_ids = (
        photographed.order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("student_id")
    )
    by_student: dict[int, list[Shot]] = defaultdict(list)
    for shot in (
        photographed.filter(student_id__in=twice_ids).select_related("student").order_by("number")
    ):
        by_student[shot.student_id].append(shot)
    twice = [(group[0].student, group) for group in by_student.values()]
    twice.sort(key=lambda item: item[1][0].number)
    return twice
