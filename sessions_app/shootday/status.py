"""Where each student stands on the shoot day, read from the desk's records.

The low layer both the day's pages (shootday/selectors/) and the money of the day
(payments_app) build on: it reads only the shoot-day models and applies
shootday/rules.py.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from sessions_app.models import Shot, ShotAbsence, TimeSlot
from sessions_app.shootday import rules


@dataclass(frozen=True)
class ShotFacts:
    """What rules.ShootStatus reads of a Shot, for lists of thousands of students:
    loading model instances for a campaign's numbers costs seconds."""

    number: int
    status: str
    photographed_at: datetime.datetime | None
    assigned_at: datetime.datetime


def shoot_status_by_student(
    *, students, light: bool = False, times: bool = True
) -> dict[int, rules.ShootStatus]:
    """Return each student's ShootStatus keyed by pk; two queries for any number.

    ``students`` is a Student queryset, or students or their pks. ``light`` loads each
    shot as ShotFacts and each absence as a flag, for pages over many students; the
    desk and the services, which act on a student's Shot, load the models; without
    ``times`` a light shot has no times (the money of the day needs none).
    """
    if isinstance(students, QuerySet):
        ids = students.order_by().values("pk")
        pks = None
    else:
        pks = [s if isinstance(s, int) else s.pk for s in students]
        ids = pks
    statuses: dict[int, rules.ShootStatus] = defaultdict(rules.ShootStatus)
    shots = Shot.objects.filter(student_id__in=ids).order_by("number")
    absences = ShotAbsence.objects.filter(student_id__in=ids, withdrawn_at__isnull=True)
    if light:
        fields = ("photographed_at", "assigned_at") if times else ()
        rows = shots.values_list("student_id", "number", "status", *fields)
        for student_id, number, status, *when in rows:
            statuses[student_id].shots.append(ShotFacts(number, status, *(when or (None, None))))
        for student_id in absences.values_list("student_id", flat=True):
            statuses[student_id].absent = True
    else:
        for shot in shots:
            statuses[shot.student_id].shots.append(shot)
        for absence in absences:
            statuses[absence.student_id].absent = absence
    if pks is not None:
        return {pk: statuses[pk] for pk in pks}
    return statuses


def shoot_outcome_of(
    status: rules.ShootStatus,
    slot_ends_at: datetime.datetime | None,
    close_id,
    *,
    now: datetime.datetime,
) -> str:
    """Return what the day has made of a student (rules.shoot_outcome): photographed,
    not shot, or still to be shot, from their status and their class's slot (when it
    ends) and close.

    The slot and the close are those of the student's class: a student without a class
    is an individual, whose money is never a class's."""
    slot_over = slot_ends_at is not None and slot_ends_at <= now
    return rules.shoot_outcome(
        state=status.state, class_closed=close_id is not None, slot_over=slot_over
    )


def slot_over(slot: TimeSlot | None, now: datetime.datetime) -> bool:
    """Return whether the slot (a TimeSlot, or None) has ended by ``now``."""
    return slot is not None and slot.ends_at <= now
