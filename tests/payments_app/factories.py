"""Factories for the fee ledger tests, on top of tests/factories.py."""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from payments_app.models import Payment
from payments_app.selectors import money_of_class
from payments_app.services import handover_record, payments_record
from sessions_app.models import Campaign, SchoolClass, Student
from sessions_app.shootday.services import shot_mark_absent
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_monitor,
    make_slot,
    make_student,
)
from tests.sessions_app.shootday.factories import make_photographed

ONE_MONTH = datetime.timedelta(days=30)
_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
_GIVEN = "一二三四五六七八九十"
_names = itertools.count()


def _name() -> str:
    """Return a distinct two-character name, so messages can be checked by name."""
    n = next(_names)
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)]


@dataclass
class ClassWorld:
    campaign: Campaign
    school_class: SchoolClass
    monitor: Student
    monitor_user: User
    students: list[Student]  # the monitor first, then the classmates in 学号 order


def make_class_world(n_students: int = 4, campaign=None, **class_fields) -> ClassWorld:
    """Return a scheduled class with a monitor account and ``n_students`` in all."""
    campaign = campaign or make_campaign()
    if "slot" in class_fields:
        slot = class_fields.pop("slot")
    elif class_fields.get("status") == SchoolClass.Status.DEFERRED:
        slot = None
    else:
        # Ahead of today: until the tests photograph or mark them, students still owe.
        slot = make_slot(campaign, date=(timezone.localdate() + ONE_MONTH).isoformat())
    school_class = make_class(campaign, slot=slot, **class_fields)
    monitor, user = make_monitor(school_class)
    others = [make_student(school_class, name=_name()) for _ in range(n_students - 1)]
    return ClassWorld(
        campaign=campaign,
        school_class=school_class,
        monitor=monitor,
        monitor_user=user,
        students=[monitor, *others],
    )


def make_payments(students, by) -> list[Payment]:
    return payments_record(students=list(students), by=by).recorded


def make_day(world: ClassWorld, photographed=(), absent=None, *, crew=None):
    """Photograph ``photographed`` and mark ``absent`` absent (default: every other
    student of the class), as the crew does at the desk."""
    crew = crew or make_crew()
    taken = {s.pk for s in photographed}
    absent = [s for s in world.students if s.pk not in taken] if absent is None else absent
    for student in photographed:
        make_photographed(student, by=crew, when=timezone.now())
    for student in absent:
        shot_mark_absent(student=student, by=crew)
    return crew


def make_handover(world: ClassWorld, students=None, receiver="李师傅"):
    """Pay for ``students`` (default all) by the monitor, photograph them, mark the rest
    absent and record the monitor's hand-over of what the class owes the crew."""
    students = list(students if students is not None else world.students)
    recorded = make_payments(students, world.monitor_user)
    make_day(world, students)
    total = sum(p.amount for p in recorded)
    handover = handover_record(
        school_class=world.school_class,
        by=world.monitor_user,
        student_count=len(recorded),
        amount=total,
        receiver_name=receiver,
    )
    return recorded, handover


def collected(school_class) -> tuple[int, Decimal]:
    """Return how many payments the class holds and their sum."""
    money = money_of_class(school_class=school_class)
    return money.paid_count, money.collected
