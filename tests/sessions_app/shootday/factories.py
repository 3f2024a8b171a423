"""Factories for the shoot-day tests: a day with a slot, classes and students, and
numbers given and photographed through the services."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from sessions_app.models import Campaign, SchoolClass, Student, TimeSlot
from sessions_app.shootday import services as shootday
from tests.factories import make_campaign, make_class, make_crew, make_slot, make_student


def at(day: str, time: str) -> datetime.datetime:
    """Return an aware datetime in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(
        datetime.datetime.combine(
            datetime.date.fromisoformat(day), datetime.time.fromisoformat(time)
        )
    )


@dataclass
class ShootDay:
    campaign: Campaign
    slot: TimeSlot
    classes: list[SchoolClass]
    students: dict[int, list[Student]]
    crew: object

    def roster(self, index: int) -> list[Student]:
        return self.students[self.classes[index].pk]


def make_shoot_day(
    *, sizes=(3, 3), day="2018-11-11", start="08:00", end="09:00", names=None, **campaign_fields
) -> ShootDay:
    """Return a campaign with one slot holding classes of the given sizes, in order."""
    campaign = make_campaign(**campaign_fields)
    slot = make_slot(campaign, start=start, end=end, date=day)
    classes, students = [], {}
    for index, size in enumerate(sizes):
        name = names[index] if names else None
        school_class = make_class(campaign, slot=slot, name=name)
        classes.append(school_class)
        students[school_class.pk] = [make_student(school_class) for _ in range(size)]
    return ShootDay(campaign, slot, classes, students, make_crew())


def make_photographed(student: Student, *, by, when: datetime.datetime, desk="1号台", seconds=20):
    """Give the student a number at ``when`` and photograph them ``seconds`` later."""
    shot = shootday.shot_number_assign(student=student, desk=desk, by=by, now=when)
    return shootday.shot_mark_photographed(
        shot=shot, by=by, now=when + datetime.timedelta(seconds=seconds)
    )
