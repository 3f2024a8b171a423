"""The queue of the day: each slot's classes and groups in shooting order with their
progress, the board at the door, where a monitor's class stands, and the slot the desk
works on."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import SchoolClass, ShootPace, Shot, StudentCategory, TimeSlot, Venue
from sessions_app.shootday import rules
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.selectors import tally_rows


def _slot_entries(slots: list[TimeSlot]) -> list[rules.QueueEntry]:
    """Return the entries of the slots in shooting order, with their progress (from the
    tallies) and planned starts. The slots come with their venue and category rules. A
    few queries whatever the number of students."""
    if not slots:
        return []
    campaign_id = slots[0].campaign_id
    slot_ids = [s.pk for s in slots]
    by_pk = {s.pk: s for s in slots}
    classes = list(
        SchoolClass.objects.filter(slot_id__in=slot_ids)
        .select_related("shoot_close")
        .order_by("position")
    )
    groups = [(slot, rule) for slot in slots for rule in slot.category_rules.all()]
    # Individuals: students without a class, and those of another category in a class
    # of no slot (sessions_app/selectors.individuals_q).
    loose = set(
        SchoolClass.objects.filter(campaign_id=campaign_id, slot__isnull=True)
        .exclude(status=SchoolClass.Status.DEFERRED)
        .values_list("pk", flat=True)
    )
    rows = tally_rows(campaign_id=campaign_id, owns=[0, *loose, *(c.pk for c in classes)])
    by_class: dict = {}
    by_category: dict = {}
    group_categories = {rule.category for _slot, rule in groups}
    for (home, own, category), counts in rows.items():
        if home != own:
            continue
        if own and own not in loose:
            summary_rules.add_into(by_class, {own: counts})
        elif category in group_categories and (not own or category != StudentCategory.CURRENT):
            summary_rules.add_into(by_category, {category: counts})
    entries = [
        _entry(
            key="class-%d" % school_class.pk,
            name=school_class.name,
            slot=by_pk[school_class.slot_id],
            position=school_class.position,
            school_class=school_class,
            counts=by_class.get(school_class.pk, {}),
            closed=hasattr(school_class, "shoot_close"),
        )
        for school_class in classes
    ]
    entries += [
        _entry(
            key="group-%s" % rule.category,
            category=rule.category,
            name=rule.label,
            slot=slot,
            position=1000 + rule.position,
            school_class=None,
            counts=by_category.get(rule.category, {}),
        )
        for slot, rule in groups
    ]
    order = {s.pk: i for i, s in enumerate(slots)}
    entries.sort(key=lambda e: (order[e.slot.pk], e.position, e.name))
    rules.plan_entry_starts(entries)
    return entries


def _entry(*, counts: dict, **fields) -> rules.QueueEntry:
    return rules.QueueEntry(
        total=counts.get(summary_rules.MEMBERS, 0),
        photographed=counts.get(summary_rules.PHOTOGRAPHED, 0),
        numbered=counts.get(summary_rules.NUMBERED, 0),
        absent=counts.get(summary_rules.ABSENT, 0),
        last_activity=summary_rules.from_epoch_ms(counts.get(summary_rules.LAST_ACTIVITY)),
        **fields,
    )


def slot_queue(*, slot: TimeSlot) -> list[rules.QueueEntry]:
    """Return the slot's classes and groups in order with their progress."""
    slot = (
        TimeSlot.objects.select_related("venue").prefetch_related("category_rules").get(pk=slot.pk)
    )
    return _slot_entries([slot])


def board_slots(*, campaign, venue=None, now: datetime.datetime) -> tuple[object, list]:
    """Return the venue and its slots of the day the board shows: today's, or else the
    next day with slots (the days before the shoot), or else the last one."""
    slots = TimeSlot.objects.filter(campaign=campaign).select_related("venue")
    if venue is not None:
        slots = slots.filter(venue=venue)
    slots = list(slots.prefetch_related("category_rules").order_by("date", "start", "venue_id"))
    if not slots:
        return venue, []
    today = timezone.localdate(now)
    days = sorted({s.date for s in slots})
    day = next((d for d in days if d >= today), days[-1])
    if venue is None:
        # The venue whose slot is on now, else the one with the next or first slot.
        moment = timezone.localtime(now).time()
        of_day = [s for s in slots if s.date == day]
        running = [s for s in of_day if s.start <= moment < s.end] if day == today else []
        later = [s for s in of_day if s.start > moment] if day == today else of_day
        venue = (running or later or of_day)[0].venue
    return venue, [s for s in slots if s.date == day and s.venue_id == venue.pk]


def queue_board(*, campaign, venue=None, now: datetime.datetime | None = None) -> rules.Board:
    """Return the class being shot, those still to come with their expected start from
    the pace measured so far, and how far the day runs from the notice's times."""
    now = now or timezone.now()
    venue, slots = board_slots(campaign=campaign, venue=venue, now=now)
    if not slots:
        return rules.Board(venue, None, None, None, [], [], None, now)
    entries = _slot_entries(slots)
    if entries and entries[0].slot.date < timezone.localdate(now):
        # The day is over: nothing is waiting any more, whatever was not shot.
        day, last = entries[0].slot.date, entries[-1].slot
        return rules.Board(venue, day, last, None, [], entries, None, now)
    pace = venue_day_pace(campaign=campaign, venue=venue, day=slots[0].date, now=now)
    return rules.board_from_entries(entries=entries, pace=pace, now=now, venue=venue)


def venue_day_pace(*, campaign, venue, day: datetime.date, now: datetime.datetime) -> rules.Pace:
    """Return the pace of the venue's day so far, from its kept sums (one row); asked
    about a moment before the latest photo, from the photos up to it."""
    sums = (
        ShootPace.objects.filter(campaign=campaign, venue=venue, date=day)
        .values_list("photos", "intervals", "working_ms", "last_ms")
        .first()
    )
    sums = summary_rules.PaceSums(*sums) if sums else summary_rules.PaceSums()
    if sums.last_ms is not None and sums.last_ms > summary_rules.epoch_ms(now):
        photo_times = list(
            Shot.objects.filter(
                campaign=campaign,
                slot__venue=venue,
                slot__date=day,
                status=Shot.Status.PHOTOGRAPHED,
                photographed_at__isnull=False,
            )
            .order_by()
            .values_list("photographed_at", flat=True)
        )
        return rules.measured_pace(
            photo_times=photo_times, now=now, planned_per_hour=venue.shots_per_hour
        )
    return rules.pace_of(sums=sums, now=now, planned_per_hour=venue.shots_per_hour)


def board_venues(*, campaign, day: datetime.date | None) -> QuerySet[Venue]:
    """Return the venues with a slot of the campaign on the day the board shows."""
    if day is None:
        return Venue.objects.none()
    return Venue.objects.filter(slots__campaign=campaign, slots__date=day).distinct()


@dataclass(frozen=True)
class ClassQueueStatus:
    """What a class monitor needs to know on the day: is the class next?"""

    state: str  # deferred, unscheduled, done, shooting, next, waiting, later
    message: str
    classes_ahead: int = 0
    expected_start: datetime.datetime | None = None
    photographed: int = 0
    total: int = 0


def class_queue_status(*, school_class: SchoolClass, now=None) -> ClassQueueStatus:
    """Return where the class stands in the day's queue, for the monitor's page."""
    now = now or timezone.now()
    if school_class.status == SchoolClass.Status.DEFERRED:
        return ClassQueueStatus("deferred", _("本班推迟至下一年参加图像采集。"))
    if school_class.slot_id is None:
        return ClassQueueStatus("unscheduled", _("本班尚未安排拍摄时段。"))
    slot = TimeSlot.objects.select_related("venue").get(pk=school_class.slot_id)
    if timezone.localdate(now) < slot.date:
        return ClassQueueStatus(
            "later",
            _("本班于 %(day)s %(start)s 在 %(venue)s 拍摄。")
            % {
                "day": slot.date.strftime("%Y-%m-%d"),
                "start": slot.start.strftime("%H:%M"),
                "venue": slot.venue.name,
            },
        )
    board = queue_board(campaign=school_class.campaign, venue=slot.venue, now=now)
    key = "class-%d" % school_class.pk
    if board.current is not None and board.current.key == key:
        entry = board.current
        return ClassQueueStatus(
            "shooting",
            _("本班正在拍摄：已拍 %(done)d / %(total)d 人。")
            % {"done": entry.photographed, "total": entry.total},
            photographed=entry.photographed,
            total=entry.total,
        )
    for index, entry in enumerate(board.upcoming):
        if entry.key != key:
            continue
        when = timezone.localtime(entry.expected_start).strftime("%H:%M")
        if index == 0:
            message = _("下一个就是本班！预计 %(when)s 开始，请带好采集卡到门口排队。") % {
                "when": when
            }
            state = "next"
        else:
            message = _("前面还有 %(n)d 个班，预计 %(when)s 开始。") % {"n": index, "when": when}
            state = "waiting"
        return ClassQueueStatus(
            state, message, index, entry.expected_start, entry.photographed, entry.total
        )
    for entry in board.finished:
        if entry.key == key:
            return ClassQueueStatus(
                "done",
                _("本班拍摄已结束：已拍 %(done)d / %(total)d 人，缺席 %(absent)d 人。")
                % {"done": entry.photographed, "total": entry.total, "absent": entry.absent},
                photographed=entry.photographed,
                total=entry.total,
            )
    return ClassQueueStatus("unscheduled", _("本班今天不在此地点的队列中。"))


def desk_slot(*, campaign, now=None, slot_id: int | None = None) -> TimeSlot | None:
    """Return the slot the desk works on: the one chosen, else the board's current one."""
    if slot_id is not None:
        return (
            TimeSlot.objects.filter(campaign=campaign, pk=slot_id).select_related("venue").first()
        )
    return queue_board(campaign=campaign, now=now).slot
