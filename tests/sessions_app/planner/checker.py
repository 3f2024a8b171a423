"""A checker of plans written apart from the planner: it reads the database itself and
says every rule a plan breaks, so a test does not take the solver's word for it."""

import datetime
import re

from sessions_app.models import BusyPeriod, CategoryRule, SchoolClass, Student, TimeSlot


def _minutes(slot) -> int:
    start = datetime.datetime.combine(slot.date, slot.start)
    end = datetime.datetime.combine(slot.date, slot.end)
    return int((end - start).total_seconds() // 60)


def _cohort_and_number(school_class):
    match = re.fullmatch(r"(\D+)(\d)(\d\d)(\d+)", school_class.name)
    if not match:
        return school_class.name, 0
    return "%s/%s" % (match[1], match[3]), int(match[2] + match[3] + match[4])


def plan_broken_rules(campaign, plan: dict[int, list[int]]) -> list[str]:
    """Return every rule ``plan`` (slot pk -> class pks in order) breaks."""
    broken = []
    slots = {s.pk: s for s in TimeSlot.objects.filter(campaign=campaign).select_related("venue")}
    classes = {c.pk: c for c in SchoolClass.objects.filter(campaign=campaign)}
    where = {}
    for slot_pk, pks in plan.items():
        if slot_pk not in slots:
            broken.append("slot %s is not the campaign's" % slot_pk)
        for pk in pks:
            if pk in where:
                broken.append("%s placed twice" % classes[pk].name)
            where[pk] = slot_pk
    for pk, school_class in classes.items():
        if school_class.status == SchoolClass.Status.DEFERRED and pk in where:
            broken.append("%s is deferred but placed" % school_class.name)
    # Capacity, with the individuals of each slot's groups.
    loose = {}
    for student in Student.objects.filter(campaign=campaign, school_class__isnull=True):
        loose[student.category] = loose.get(student.category, 0) + 1
    for slot in slots.values():
        load = Student.objects.filter(school_class_id__in=plan.get(slot.pk, [])).count()
        for rule in CategoryRule.objects.filter(slot=slot):
            load += loose.get(rule.category, 0)
        capacity = _minutes(slot) * slot.venue.shots_per_hour // 60
        if load > capacity:
            broken.append("%s holds %d of %d" % (slot, load, capacity))
    # Venue binding and busy periods.
    for pk, slot_pk in where.items():
        school_class, slot = classes[pk], slots[slot_pk]
        if school_class.venue_id and school_class.venue_id != slot.venue_id:
            broken.append("%s is bound to another venue" % school_class.name)
        if school_class.pinned_slot_id and school_class.pinned_slot_id != slot_pk:
            broken.append("%s is pinned elsewhere" % school_class.name)
        for busy in BusyPeriod.objects.filter(school_class_id=pk, date=slot.date):
            if busy.start < slot.end and slot.start < busy.end:
                broken.append("%s is busy in %s" % (school_class.name, slot))
    # Cohorts: one venue, one day, consecutive slots there, in natural order.
    cohorts = {}
    for pk in where:
        key, number = _cohort_and_number(classes[pk])
        cohorts.setdefault(key, []).append((number, pk))
    for key, members in cohorts.items():
        used = {where[pk] for _n, pk in members}
        venues_days = {(slots[s].venue_id, slots[s].date) for s in used}
        if len(venues_days) > 1:
            broken.append("cohort %s spans venues or days" % key)
            continue
        venue, day = venues_days.pop()
        line = sorted(
            (s for s in slots.values() if s.venue_id == venue and s.date == day),
            key=lambda s: s.start,
        )
        index = {s.pk: i for i, s in enumerate(line)}
        spots = sorted(index[s] for s in used)
        if spots != list(range(spots[0], spots[0] + len(spots))):
            broken.append("cohort %s skips a slot" % key)
        in_order = sorted(members)
        queue = sorted(members, key=lambda m: (index[where[m[1]]], plan[where[m[1]]].index(m[1])))
        if [pk for _n, pk in queue] != [pk for _n, pk in in_order]:
            broken.append("cohort %s is out of its natural order" % key)
    return broken


def plan_of_campaign(campaign) -> dict[int, list[int]]:
    """Return the campaign's schedule as saved, as a plan."""
    plan = {s.pk: [] for s in TimeSlot.objects.filter(campaign=campaign)}
    for c in SchoolClass.objects.filter(campaign=campaign, slot__isnull=False).order_by("position"):
        plan[c.slot_id].append(c.pk)
    return plan
