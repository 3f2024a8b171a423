"""Small factories for tests: build data through models and services, not JSON."""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, User

from cards_app.rules import id_check_character
from cards_app.services import roster_findings_refresh
from sessions_app.models import (
    Campaign,
    CategoryRule,
    SchoolClass,
    Student,
    StudentCategory,
    TimeSlot,
    Venue,
)
from sessions_app.roles import CREW_GROUP, STAFF_GROUP
from sessions_app.summary.services import (
    standing_of,
    students_counted,
    summaries_rebuild,
    tally_move,
)

_seq = itertools.count(1)


def make_id_number(body17: str) -> str:
    """Return a valid 18-character ID number for the first 17 digits."""
    return body17 + id_check_character(body17)


def make_campaign(**fields) -> Campaign:
    defaults = {
        "title": "测试采集%d" % next(_seq),
        "graduation_year": 2020,
        "fee": Decimal("20.00"),
        "makeup_centre_name": "图像采集中心",
        "makeup_centre_address": "长沙市迎宾路175号",
        "makeup_centre_phone": "0731-82250811",
        "published": True,
    }
    defaults.update(fields)
    return Campaign.objects.create(**defaults)


def make_venue(**fields) -> Venue:
    defaults = {"name": "地点%d" % next(_seq), "shots_per_hour": 300}
    defaults.update(fields)
    return Venue.objects.create(**defaults)


def make_slot(campaign, venue=None, start="08:00", end="09:00", date="2018-11-11") -> TimeSlot:
    return TimeSlot.objects.create(
        campaign=campaign,
        venue=venue or make_venue(),
        date=datetime.date.fromisoformat(date),
        start=datetime.time.fromisoformat(start),
        end=datetime.time.fromisoformat(end),
    )


def make_class(campaign, slot=None, position=None, name=None, **fields) -> SchoolClass:
    if slot is not None and position is None:
        position = slot.classes.count() + 1
    return SchoolClass.objects.create(
        campaign=campaign,
        name=name or "会计%d" % (1100 + next(_seq)),
        slot=slot,
        position=position,
        **fields,
    )


def make_student(school_class=None, campaign=None, **fields) -> Student:
    n = next(_seq)
    defaults = {
        "campaign": campaign or school_class.campaign,
        "school_class": school_class,
        "student_id": "17%08d" % n,
        "name": "张三",
        "id_number": make_id_number("43010319990101%03d" % (n % 1000)),
        "gender": "M",
        "category": StudentCategory.CURRENT if school_class else StudentCategory.ALUMNI,
        "must_change_password": False,
    }
    defaults.update(fields)
    student = Student.objects.create(**defaults)
    # As the roster import does, the new student is counted in the campaign's tallies
    # and checked by the card rules.
    students_counted(students=[student])
    roster_findings_refresh(
        campaign=student.campaign, students=Student.objects.filter(pk=student.pk)
    )
    return student


def move_student(student: Student, **fields) -> Student:
    """Move a student to another class or category in bulk, as the roster import (or the
    admin) does, which counts the campaign's figures again from its records."""
    Student.objects.filter(pk=student.pk).update(**fields)
    summaries_rebuild(campaign=student.campaign)
    return Student.objects.get(pk=student.pk)


def make_category_rule(campaign, category, slot=None, label=None) -> CategoryRule:
    rule = CategoryRule.objects.create(
        campaign=campaign,
        category=category,
        label=label or StudentCategory(category).label,
        education_type="regular_junior",
        slot=slot,
    )
    # The category's cards are now held against the rule, as category_rule_set does.
    roster_findings_refresh(
        campaign=campaign, students=Student.objects.filter(campaign=campaign, category=category)
    )
    return rule


def make_user(username=None, groups=(), password="pw-for-tests-123", **fields) -> User:
    user = User.objects.create_user(
        username=username or "user%d" % next(_seq), password=password, **fields
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_staff(**fields) -> User:
    return make_user(groups=[STAFF_GROUP], **fields)


def make_crew(**fields) -> User:
    return make_user(groups=[CREW_GROUP], **fields)


def make_student_user(student: Student, password="pw-for-tests-123") -> User:
    user = make_user(username=student.student_id, password=password)
    before = standing_of(student)
    student.user = user
    student.save(update_fields=["user"])
    tally_move(campaign_id=student.campaign_id, changes=[(before, standing_of(student))])
    return user


def make_monitor(school_class: SchoolClass) -> tuple[Student, User]:
    student = make_student(school_class)
    user = make_student_user(student)
    school_class.monitor = student
    school_class.save(update_fields=["monitor"])
    return student, user
