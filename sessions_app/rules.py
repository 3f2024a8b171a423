"""The schedule's rules: where a student is shot, what a plan of slots may hold, when a
class of a slot is planned to start, what a class name says.

Pure: they take model instances already loaded (or plain values) and never query; the
selectors load what they need and call them, so every page answers alike.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sessions_app.models import SchoolClass, StudentCategory

_CLASS_NAME = re.compile(r"^(?P<major>\D+?)(?P<digits>\d{4})$")


def class_name_parts(name: str) -> tuple[str, int | None]:
    """Return (major, entry year) of a class name such as 会计1171 (entered 2017)."""
    match = _CLASS_NAME.match(name)
    if not match:
        return name, None
    return match["major"], 2000 + int(match["digits"][1:3])


def class_cohort(name: str, major: str = "", entry_year: int | None = None) -> str:
    """Return the cohort a class belongs to, as the notice names it: 会计17级 for
    会计1171 (its major and entry year); a class whose name says neither is its own."""
    parsed_major, parsed_year = class_name_parts(name)
    major = major or (parsed_major if parsed_year is not None else "")
    year = entry_year or parsed_year
    if not major or year is None:
        return name
    return "%s%02d级" % (major, year % 100)


def class_natural_key(name: str) -> tuple:
    """Return the sort key of a class's natural order within its cohort: 会计1171,
    会计1172, …, 会计1710 after 会计179 (by number, not by text)."""
    match = _CLASS_NAME.match(name)
    if not match:
        digits = re.findall(r"\d+", name)
        return (1, int(digits[-1]) if digits else 0, name)
    return (0, int(match["digits"]), name)


@dataclass(frozen=True)
class Place:
    """Where and in what order a student is shot, as far as the schedule says."""

    slot: object | None  # the TimeSlot, or None when there is none (yet)
    label: str  # the class's name, or the label of the student's group of individuals
    position: int | None = None  # the class's place in its slot; None for a group
    deferred: bool = False  # the class is deferred to next year: no slot this time


def shot_as_individual(*, category: str, school_class) -> bool:
    """Return whether a student comes with their category's group of individuals
    rather than with a class: without a class, or not 应届在校生 and in a class that
    has no slot and is not deferred. selectors.individuals_q() is the same rule as a
    query."""
    if school_class is None:
        return True
    if school_class.status == SchoolClass.Status.DEFERRED or school_class.slot_id is not None:
        return False
    return category != StudentCategory.CURRENT


def student_place(*, category: str, school_class, category_rule) -> Place:
    """Return where a student is shot.

    A student of a class deferred to next year is not shot this time. A student of a
    scheduled class is shot with the class. An individual (see shot_as_individual)
    comes in the slot of their category's group, after its classes.
    ``category_rule`` is the CategoryRule of the student's category, or None.
    """
    if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
        return Place(None, school_class.name, deferred=True)
    if school_class is not None and school_class.slot_id is not None:
        return Place(school_class.slot, school_class.name, school_class.position)
    if shot_as_individual(category=category, school_class=school_class) and category_rule:
        return Place(category_rule.slot, category_rule.label)
    return Place(None, school_class.name if school_class is not None else "")


def planned_starts(
    *, start: datetime.datetime, per_hour: int, sizes: Sequence[int]
) -> list[datetime.datetime]:
    """Return when each entry of a slot is planned to start: the slot's start in the
    notice, then the students before it at the venue's hourly rate."""
    starts, before = [], 0
    for size in sizes:
        starts.append(start + datetime.timedelta(minutes=before * 60 / per_hour))
        before += size
    return starts
