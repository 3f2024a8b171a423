"""Where each student stands on the shoot day, read from the desk's records.

The low layer both the day's pages (shootday/selectors.py) and the money of the day
(payments_app) build on: it reads only the shoot-day models and applies
shootday/rules.py.
"""

import datetime
from collections import defaultdict

from django.db.models import QuerySet

from sessions_app.models import Shot, ShotAbsence
from sessions_app.shootday import rules


def shoot_status_by_student(*, students) -> dict[int, rules.ShootStatus]:
    """Return each student's ShootStatus keyed by pk; two queries for any number.

    ``students`` is a Student queryset, or students or their pks.
    """
    if isinstance(students, QuerySet):
        ids = students.order_by().values("pk")
        pks = None
    else:
        pks = [s if isinstance(s, int) else s.pk for s in students]
        ids = pks
    statuses: dict[int, rules.ShootStatus] = defaultdict(rules.ShootStatus)
    for shot in Shot.objects.filter(student_id__in=ids).order_by("number"):
        statuses[shot.student_id].shots.append(shot)
    for absence in ShotAbsence.objects.filter(student_id__in=ids, withdrawn_at__isnull=True):
        statuses[absence.student_id].absent = absence
    if pks is not None:
        return {pk: statuses[pk] for pk in pks}
    return statuses


# The fields of a Student row that shoot_outcome needs besides the desk's records.
OUTCOME_FIELDS = (
    "school_class__slot__date",
    "school_class__slot__end",
    "school_class__shoot_close",
)


def shoot_outcome_of(
    status: rules.ShootStatus, day, end, close_id, *, now: datetime.datetime
) -> str:
    """Return what the day has made of a student (rules.shoot_outcome): photographed,
    not shot, or still to be shot, from their status and their OUTCOME_FIELDS.

    The slot and the close are those of the student's class: a student without a class
    is an individual, whose money is never a class's."""
    slot_over = day is not None and rules.aware(day, end) <= now
    return rules.shoot_outcome(
        state=status.state, class_closed=close_id is not None, slot_over=slot_over
    )
