"""Demo shoot day for seed_demo: the notice's day as the crew would have recorded it.

Every class is shot in the notice's order at the venue's pace, a few students are
absent, each class is closed, and part of the photographed students have answered the
学信网 check; of the problems reported, some are handled and some were followed by 无误. Deterministic, through the shoot-day services with the day's times.
"""

import datetime
import zlib

from django.db import transaction
from django.utils import timezone

from sessions_app import selectors
from sessions_app.models import Shot, Student, StudentCategory
from sessions_app.shootday.services import (
    chsi_check_confirm,
    chsi_report_handle,
    class_close,
    shot_mark_absent,
    shot_mark_photographed,
    shot_number_assign,
)

DESKS = ("1号台", "2号台")
ABSENT_ONE_IN = 40
CHSI_ANSWERED_ONE_IN = 3
CHSI_PROBLEM_ONE_IN = 50


def _bucket(student: Student, modulo: int) -> int:
    return zlib.crc32(student.student_id.encode("ascii", "replace")) % modulo


def _shoot(students, *, start, seconds_each, by, desk) -> datetime.datetime:
    """Shoot the students one after another from ``start``; return when the last left."""
    now = start
    for student in students:
        if _bucket(student, ABSENT_ONE_IN) == 0:
            shot_mark_absent(student=student, by=by, now=now)
            continue
        shot = shot_number_assign(student=student, desk=desk, by=by, now=now)
        now += datetime.timedelta(seconds=seconds_each)
        shot_mark_photographed(shot=shot, by=by, now=now)
    return now


@transaction.atomic
def seed_demo_shoot(campaign, *, by, answers_by, keep_unanswered=()) -> int:
    """Record the campaign's shoot day unless any shot exists; return the shots made.

    Students in ``keep_unanswered`` (the demo logins) are photographed but have not
    answered the 学信网 check yet, so they can try it; the other answers are recorded by
    ``answers_by``, as 教务处 does for a student who reports by phone.
    """
    if Shot.objects.filter(campaign=campaign).exists():
        return 0
    schedule = selectors.schedule_for_campaign(campaign=campaign)
    for row in schedule.rows:
        slot = row.slot
        seconds_each = 3600 / slot.venue.shots_per_hour
        now = slot.starts_at
        for index, school_class in enumerate(row.classes):
            students = Student.objects.filter(school_class=school_class).order_by("student_id")
            now = _shoot(
                students,
                start=now,
                seconds_each=seconds_each,
                by=by,
                desk=DESKS[index % len(DESKS)],
            )
            class_close(school_class=school_class, by=by, now=now)
        for group in row.groups:
            individuals = Student.objects.filter(
                selectors.individuals_q(), campaign=campaign, category=group.category
            ).order_by("student_id")
            now = _shoot(individuals, start=now, seconds_each=seconds_each, by=by, desk=DESKS[0])

    photographed = (
        Student.objects.filter(shots__status=Shot.Status.PHOTOGRAPHED, campaign=campaign)
        .exclude(pk__in=list(keep_unanswered))
        .exclude(category=StudentCategory.ADULT)
        .order_by("student_id")
    )
    answered_at = timezone.make_aware(
        datetime.datetime.combine(schedule.dates[-1], datetime.time(20))
        + datetime.timedelta(days=4)
    )
    reports = 0
    for student in photographed:
        if _bucket(student, CHSI_ANSWERED_ONE_IN):
            continue
        if _bucket(student, CHSI_PROBLEM_ONE_IN) == 0:
            reports += 1
            report = chsi_check_confirm(
                student=student,
                ok=False,
                problem="毕业年份显示为2019，应为2020",
                by=answers_by,
                now=answered_at,
            )
            # A day later: some reports are handled, some students press 无误 as well
            # (their report stays open), the rest wait.
            follow_up, later = reports % 3, answered_at + datetime.timedelta(days=1)
            if follow_up == 1:
                chsi_report_handle(
                    report=report,
                    note="已向学信网提交勘误，已电话通知学生",
                    by=answers_by,
                    now=later,
                )
            elif follow_up == 2:
                chsi_check_confirm(student=student, ok=True, by=answers_by, now=later)
        else:
            chsi_check_confirm(student=student, ok=True, by=answers_by, now=answered_at)
    return Shot.objects.filter(campaign=campaign).count()
