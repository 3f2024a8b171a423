"""Reads of the shoot day: the desk, the queue board, class close, make-up, 学信网 check.

The time arithmetic (working-day deadline, measured pace, expected starts) is in pure
functions that take ``now`` and plain values, so it is tested without a database or a
frozen clock. The selectors fix their own queries: a slot costs the same few queries
whatever the number of its students.
"""

import datetime
import math
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import chinese_calendar
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import (
    CardCorrection,
    ChsiCheck,
    ClassClose,
    SchoolClass,
    Shot,
    ShotAbsence,
    ShotCounter,
    Student,
    StudentCategory,
    TimeSlot,
)

# Pure rules ----------------------------------------------------------------------------


def is_working_day(day: datetime.date) -> bool:
    """Return whether ``day`` is a working day in mainland China.

    chinese_calendar knows the State Council's holidays and the adjusted working
    Saturdays and Sundays (调休) of the years it was published for; outside them only
    weekends count as days off.
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def calendar_knows(day: datetime.date) -> bool:
    """Return whether the holiday calendar covers ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def chsi_deadline(*, shoot_date: datetime.date, working_days: int) -> datetime.date:
    """Return the last day to check the photo on chsi.com.cn: the ``working_days``-th
    working day after the shoot (the shoot day itself does not count)."""
    day, counted = shoot_date, 0
    while counted < working_days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


# A pause longer than this between two photos is a break (lunch, the gap between
# slots), not slow work: it is left out of the pace.
BREAK_MINUTES = 10
# Fewer measured photos than this and the venue's planned rate is used instead.
MIN_MEASURED_PHOTOS = 5


@dataclass(frozen=True)
class Pace:
    per_minute: float
    measured: bool
    photos: int = 0

    @property
    def label(self) -> str:
        if self.measured:
            return _("实测每分钟 %(rate).1f 人（按已拍 %(n)d 人计）") % {
                "rate": self.per_minute,
                "n": self.photos,
            }
        return _("按计划每分钟 %(rate).1f 人估算") % {"rate": self.per_minute}


def measured_pace(
    *, photo_times: list[datetime.datetime], now: datetime.datetime, planned_per_hour: int
) -> Pace:
    """Return students per minute so far, from the times photos were taken.

    Each interval between consecutive photos counts as working time unless it is a
    break (longer than BREAK_MINUTES); so does the time since the last photo, so a desk
    that has stalled slows the estimate at once. With too few photos the venue's
    planned rate is returned instead.
    """
    planned = Pace(per_minute=planned_per_hour / 60, measured=False)
    times = sorted(t for t in photo_times if t <= now)
    if len(times) < MIN_MEASURED_PHOTOS:
        return planned
    limit = datetime.timedelta(minutes=BREAK_MINUTES)
    working = datetime.timedelta()
    intervals = 0
    for before, after in zip(times, times[1:], strict=False):
        if after - before <= limit:
            working += after - before
            intervals += 1
    since_last = now - times[-1]
    if since_last <= limit:
        working += since_last
    minutes = working.total_seconds() / 60
    if intervals < MIN_MEASURED_PHOTOS - 1 or minutes <= 0:
        return planned
    return Pace(per_minute=intervals / minutes, measured=True, photos=len(times))


def minutes_for(students: int, pace: Pace) -> datetime.timedelta:
    return datetime.timedelta(minutes=students / pace.per_minute)


def delay_minutes(expected: datetime.datetime, planned: datetime.datetime) -> int:
    """Return how many whole minutes ``expected`` is after ``planned`` (negative: ahead)."""
    seconds = (expected - planned).total_seconds()
    return int(math.copysign(math.floor(abs(seconds) / 60 + 0.5), seconds))


def _duration(minutes: int) -> str:
    if minutes < 60:
        return _("%d 分钟") % minutes
    hours, rest = divmod(minutes, 60)
    if not rest:
        return _("%d 小时") % hours
    return _("%(h)d 小时 %(m)d 分钟") % {"h": hours, "m": rest}


def delay_label(minutes: int) -> str:
    if minutes > 0:
        return _("比通知时间晚约 %s") % _duration(minutes)
    if minutes < 0:
        return _("比通知时间早约 %s") % _duration(-minutes)
    return _("与通知时间一致")


# Shoot status of students ----------------------------------------------------------------

STATE_PENDING = "pending"
STATE_NUMBERED = "numbered"
STATE_PHOTOGRAPHED = "photographed"
STATE_ABSENT = "absent"

STATE_LABELS = {
    STATE_PENDING: _("未拍摄"),
    STATE_NUMBERED: _("已取号待拍"),
    STATE_PHOTOGRAPHED: _("已拍摄"),
    STATE_ABSENT: _("缺席"),
}


@dataclass
class ShootStatus:
    """Where one student stands on the day, from their numbers and absences."""

    shots: list[Shot] = field(default_factory=list)
    absent: ShotAbsence | None = None

    @property
    def photographed_shots(self) -> list[Shot]:
        return [s for s in self.shots if s.status == Shot.Status.PHOTOGRAPHED]

    @property
    def open_shot(self) -> Shot | None:
        return next((s for s in self.shots if s.status == Shot.Status.ASSIGNED), None)

    @property
    def state(self) -> str:
        if self.photographed_shots:
            return STATE_PHOTOGRAPHED
        if self.open_shot is not None:
            return STATE_NUMBERED
        if self.absent is not None:
            return STATE_ABSENT
        return STATE_PENDING

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def photographed_twice(self) -> bool:
        return len(self.photographed_shots) > 1

    @property
    def last_photographed_at(self):
        times = [s.photographed_at for s in self.photographed_shots]
        return max(times) if times else None

    @property
    def numbers(self) -> str:
        return "、".join(str(s.number) for s in self.shots if s.status != Shot.Status.VOID)


def shoot_status_by_student(*, students) -> dict[int, ShootStatus]:
    """Return each student's ShootStatus keyed by pk; two queries for any number."""
    if isinstance(students, QuerySet):
        ids = students.order_by().values("pk")
        pks = None
    else:
        pks = [s if isinstance(s, int) else s.pk for s in students]
        ids = pks
    statuses: dict[int, ShootStatus] = defaultdict(ShootStatus)
    for shot in Shot.objects.filter(student_id__in=ids).order_by("number"):
        statuses[shot.student_id].shots.append(shot)
    for absence in ShotAbsence.objects.filter(student_id__in=ids, withdrawn_at__isnull=True):
        statuses[absence.student_id].absent = absence
    if pks is not None:
        return {pk: statuses[pk] for pk in pks}
    return statuses


# The queue: slots and their entries ------------------------------------------------------


@dataclass
class QueueEntry:
    """A class (or a group of individuals) in a slot, with its progress on the day."""

    key: str
    name: str
    slot: TimeSlot
    position: int
    school_class: SchoolClass | None
    student_ids: list[int]
    photographed: int = 0
    absent: int = 0
    numbered: int = 0
    waiting_ids: list[int] = field(default_factory=list)  # not shot, not absent
    closed: bool = False
    last_activity: datetime.datetime | None = None
    planned_start: datetime.datetime | None = None
    expected_start: datetime.datetime | None = None

    @property
    def total(self) -> int:
        return len(self.student_ids)

    @property
    def remaining(self) -> int:
        """Return the students still to be photographed who may yet come."""
        return max(self.total - self.photographed - self.absent, 0)

    @property
    def done(self) -> bool:
        return self.closed or (self.total > 0 and self.remaining == 0)

    @property
    def started(self) -> bool:
        return self.photographed + self.numbered > 0

    @property
    def delay(self) -> int | None:
        if self.expected_start is None or self.planned_start is None:
            return None
        return delay_minutes(self.expected_start, self.planned_start)


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _slot_entries(slots: list[TimeSlot]) -> list[QueueEntry]:
    """Return the entries of the slots in shooting order, with their students and counts."""
    if not slots:
        return []
    slot_ids = [s.pk for s in slots]
    by_pk = {s.pk: s for s in slots}
    classes = list(
        SchoolClass.objects.filter(slot_id__in=slot_ids)
        .select_related("shoot_close")
        .order_by("position")
    )
    rules = []
    for slot in slots:
        rules += [(slot, rule) for rule in slot.category_rules.all()]
    campaign_id = slots[0].campaign_id
    students = Student.objects.filter(campaign_id=campaign_id).filter(
        Q(school_class__slot_id__in=slot_ids)
        | Q(school_class__isnull=True, category__in=[r.category for _, r in rules])
    )
    by_class: dict[int, list[int]] = defaultdict(list)
    by_category: dict[str, list[int]] = defaultdict(list)
    rows = students.order_by().values_list("pk", "school_class_id", "category")
    for pk, class_id, category in rows:
        if class_id is None:
            by_category[category].append(pk)
        else:
            by_class[class_id].append(pk)
    entries = []
    for school_class in classes:
        entries.append(
            QueueEntry(
                key="class-%d" % school_class.pk,
                name=school_class.name,
                slot=by_pk[school_class.slot_id],
                position=school_class.position,
                school_class=school_class,
                student_ids=by_class.get(school_class.pk, []),
                closed=hasattr(school_class, "shoot_close"),
            )
        )
    for slot, rule in rules:
        entries.append(
            QueueEntry(
                key="group-%s" % rule.category,
                name=rule.label,
                slot=slot,
                position=1000 + rule.position,
                school_class=None,
                student_ids=by_category.get(rule.category, []),
            )
        )
    order = {s.pk: i for i, s in enumerate(slots)}
    entries.sort(key=lambda e: (order[e.slot.pk], e.position, e.name))
    _count_progress(entries)
    _plan_starts(entries)
    return entries


def _count_progress(entries: list[QueueEntry]) -> None:
    all_ids = [pk for e in entries for pk in e.student_ids]
    statuses = shoot_status_by_student(students=all_ids)
    for entry in entries:
        for pk in entry.student_ids:
            status = statuses[pk]
            state = status.state
            if state == STATE_PHOTOGRAPHED:
                entry.photographed += 1
            elif state == STATE_NUMBERED:
                entry.numbered += 1
            elif state == STATE_ABSENT:
                entry.absent += 1
            if state in (STATE_PENDING, STATE_NUMBERED):
                entry.waiting_ids.append(pk)
            for shot in status.shots:
                when = shot.photographed_at or shot.assigned_at
                if entry.last_activity is None or when > entry.last_activity:
                    entry.last_activity = when


def _plan_starts(entries: list[QueueEntry]) -> None:
    """Set each entry's planned start: its slot's start in the notice, then the students
    before it at the venue's hourly rate (as the schedule pages estimate)."""
    before: dict[int, int] = defaultdict(int)
    for entry in entries:
        slot = entry.slot
        rate = slot.venue.shots_per_hour
        entry.planned_start = _aware(slot.date, slot.start) + datetime.timedelta(
            minutes=before[slot.pk] * 60 / rate
        )
        before[slot.pk] += entry.total


@dataclass
class Board:
    """The queue at one venue on one day, as the screen at the door shows it."""

    venue: object
    day: datetime.date | None
    slot: TimeSlot | None
    current: QueueEntry | None
    upcoming: list[QueueEntry]
    finished: list[QueueEntry]
    pace: Pace | None
    now: datetime.datetime
    slot_end_expected: datetime.datetime | None = None

    @property
    def delay(self) -> int | None:
        """Return minutes behind (positive) or ahead of the notice, from the next class;
        with no class waiting, from the slot's expected end."""
        for entry in self.upcoming:
            if entry.slot.pk == (self.slot.pk if self.slot else None):
                return entry.delay
        if self.slot_end_expected is not None and self.slot is not None:
            return delay_minutes(self.slot_end_expected, _aware(self.slot.date, self.slot.end))
        return None

    @property
    def delay_label(self) -> str:
        return delay_label(self.delay) if self.delay is not None else ""

    @property
    def started(self) -> bool:
        return self.current is not None or bool(self.finished)

    @property
    def over(self) -> bool:
        return self.day is not None and self.day < timezone.localdate(self.now)


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


def queue_board(*, campaign, venue=None, now: datetime.datetime | None = None) -> Board:
    """Return the class being shot, those still to come with their expected start from
    the pace measured so far, and how far the day runs from the notice's times."""
    now = now or timezone.now()
    venue, slots = board_slots(campaign=campaign, venue=venue, now=now)
    if not slots:
        return Board(venue, None, None, None, [], [], None, now)
    entries = _slot_entries(slots)
    if entries and entries[0].slot.date < timezone.localdate(now):
        # The day is over: nothing is waiting any more, whatever was not shot.
        return Board(venue, entries[0].slot.date, entries[-1].slot, None, [], entries, None, now)
    photo_times = list(
        Shot.objects.filter(
            slot__in=slots, status=Shot.Status.PHOTOGRAPHED, photographed_at__isnull=False
        )
        .order_by()
        .values_list("photographed_at", flat=True)
    )
    pace = measured_pace(photo_times=photo_times, now=now, planned_per_hour=venue.shots_per_hour)
    return board_from_entries(entries=entries, pace=pace, now=now, venue=venue)


def board_from_entries(*, entries: list[QueueEntry], pace: Pace, now, venue) -> Board:
    """Pick the current entry and project the start of those still waiting.

    The current entry is the one with the latest desk activity that is not done, else
    the first not done in order. A waiting class starts when the students before it are
    shot at ``pace``, but never before its own slot's start in the notice.
    """
    open_entries = [e for e in entries if not e.done]
    finished = [e for e in entries if e.done]
    active = [e for e in open_entries if e.last_activity is not None]
    current = max(active, key=lambda e: e.last_activity) if active else None
    if current is None and open_entries:
        first = open_entries[0]
        if now >= _aware(first.slot.date, first.slot.start):
            current = first
    upcoming = [e for e in open_entries if e is not current]
    cursor = now
    if current is not None:
        current.expected_start = current.last_activity or now
        cursor = now + minutes_for(current.remaining - current.numbered, pace)
    for entry in upcoming:
        slot_start = _aware(entry.slot.date, entry.slot.start)
        cursor = max(cursor, slot_start)
        entry.expected_start = cursor
        cursor = cursor + minutes_for(entry.remaining, pace)
    slot = current.slot if current is not None else (upcoming[0].slot if upcoming else None)
    if slot is None and entries:
        slot = entries[-1].slot
    slot_end = None
    if slot is not None:
        in_slot = [e for e in ([current] if current else []) + upcoming if e.slot.pk == slot.pk]
        if in_slot:
            last = in_slot[-1]
            slot_end = (
                now + minutes_for(max(last.remaining - last.numbered, 0), pace)
                if last is current
                else last.expected_start + minutes_for(last.remaining, pace)
            )
    return Board(
        venue=venue,
        day=entries[0].slot.date if entries else None,
        slot=slot,
        current=current,
        upcoming=upcoming,
        finished=finished,
        pace=pace,
        now=now,
        slot_end_expected=slot_end,
    )


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


# The desk ---------------------------------------------------------------------------------


def desk_slot(*, campaign, now=None, slot_id: int | None = None) -> TimeSlot | None:
    """Return the slot the desk works on: the one chosen, else the board's current one."""
    if slot_id is not None:
        return (
            TimeSlot.objects.filter(campaign=campaign, pk=slot_id).select_related("venue").first()
        )
    board = queue_board(campaign=campaign, now=now)
    return board.slot


def slot_queue(*, slot: TimeSlot) -> list[QueueEntry]:
    """Return the slot's classes and groups in order with their progress."""
    slot = (
        TimeSlot.objects.select_related("venue").prefetch_related("category_rules").get(pk=slot.pk)
    )
    return _slot_entries([slot])


def _normalise(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split())


def student_search(*, campaign, query: str, limit: int = 20) -> list[Student]:
    """Return students whose 学号 starts with, or whose name contains, the query."""
    query = _normalise(query)
    if not query:
        return []
    students = Student.objects.filter(campaign=campaign).select_related("school_class")
    if query.isascii() and query.isalnum():
        students = students.filter(student_id__startswith=query)
    else:
        students = students.filter(name__contains=query)
    return list(students.order_by("student_id")[:limit])


def desk_current_entry(entries: list[QueueEntry]) -> QueueEntry | None:
    """Return the entry the desk is working on: the latest active one not done."""
    active = [e for e in entries if not e.done and e.last_activity is not None]
    if active:
        return max(active, key=lambda e: e.last_activity)
    return next((e for e in entries if not e.done), None)


def waiting_students(*, entry: QueueEntry) -> list[tuple[Student, "ShootStatus"]]:
    """Return the entry's students not yet photographed nor absent, in 学号 order."""
    students = list(Student.objects.filter(pk__in=entry.waiting_ids).order_by("student_id"))
    statuses = shoot_status_by_student(students=students)
    return [(s, statuses[s.pk]) for s in students]


def desk_search(*, campaign, query: str) -> list[tuple[Student, "ShootStatus"]]:
    """Return the students found by 学号 or name, each with their shoot status."""
    students = student_search(campaign=campaign, query=query)
    statuses = shoot_status_by_student(students=students)
    return [(s, statuses[s.pk]) for s in students]


@dataclass
class DeskStudent:
    """Everything the desk shows about one student."""

    student: Student
    slot: TimeSlot | None
    group_label: str
    status: ShootStatus
    card: object  # cards_app CardState
    payment: object  # payments_app PaymentState
    name_check: object  # cards_app NameCheck of the roster name
    corrections: list[CardCorrection]
    deferred: bool

    @property
    def warnings(self) -> list[str]:
        notes = []
        if self.deferred:
            notes.append(_("该生所在班级已推迟至下一年，今天不拍摄。"))
        if self.status.photographed_twice:
            notes.append(
                _("该生已拍摄 %(n)d 次（序号 %(numbers)s），以最后一次为准。")
                % {"n": len(self.status.photographed_shots), "numbers": self.status.numbers}
            )
        if self.card is not None and self.card.status == "problem":
            notes.append(_("采集卡预核对有问题：%(label)s") % {"label": self.card.label})
        if self.payment is not None and not self.payment.paid and not self.payment.makeup:
            notes.append(_("班长处尚未登记缴费。"))
        return notes


def desk_student(*, student: Student) -> DeskStudent:
    from cards_app import rules as card_rules
    from cards_app.selectors import card_state_by_student
    from payments_app.selectors import payment_state_by_student

    student = Student.objects.select_related("school_class__slot__venue", "campaign").get(
        pk=student.pk
    )
    school_class = student.school_class
    deferred = school_class is not None and school_class.status == SchoolClass.Status.DEFERRED
    slot, group = _student_slot(student)
    return DeskStudent(
        student=student,
        slot=slot,
        group_label=group,
        status=shoot_status_by_student(students=[student])[student.pk],
        card=card_state_by_student(students=[student]).get(student.pk),
        payment=payment_state_by_student(students=[student]).get(student.pk),
        name_check=card_rules.check_name(student.name),
        corrections=list(
            CardCorrection.objects.filter(student=student).select_related("recorded_by")
        ),
        deferred=deferred,
    )


def _student_slot(student: Student) -> tuple[TimeSlot | None, str]:
    school_class = student.school_class
    if school_class is not None and school_class.slot_id is not None:
        return school_class.slot, school_class.name
    if school_class is None or student.category != StudentCategory.CURRENT:
        rule = (
            student.campaign.category_rules.filter(category=student.category)
            .select_related("slot__venue")
            .first()
        )
        if rule is not None:
            return rule.slot, rule.label
    return None, school_class.name if school_class else ""


def student_slot(*, student: Student) -> TimeSlot | None:
    return _student_slot(student)[0]


# The number log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberRow:
    number: int
    shot: Shot | None
    explanation: str
    problem: bool


@dataclass
class NumberLog:
    last_number: int
    rows: list[NumberRow]
    twice: list[tuple[Student, list[Shot]]]

    @property
    def problems(self) -> list[NumberRow]:
        return [r for r in self.rows if r.problem]

    @property
    def void_count(self) -> int:
        return sum(1 for r in self.rows if r.shot and r.shot.status == Shot.Status.VOID)

    @property
    def gaps(self) -> list[int]:
        return [r.number for r in self.rows if r.shot is None]


def number_log(*, campaign) -> NumberLog:
    """Return every number from 1 to the last one given, each with what became of it.

    A number never given out (a gap), a number left open while later ones were shot,
    and a student photographed twice are flagged; a voided number shows its reason.
    """
    counter = ShotCounter.objects.filter(campaign=campaign).first()
    last = counter.last_number if counter else 0
    shots = {
        s.number: s
        for s in Shot.objects.filter(campaign=campaign).select_related(
            "student__school_class", "assigned_by", "photographed_by", "voided_by"
        )
    }
    last = max([last, *shots])
    last_photographed = max(
        (n for n, s in shots.items() if s.status == Shot.Status.PHOTOGRAPHED), default=0
    )
    rows = []
    for number in range(1, last + 1):
        shot = shots.get(number)
        if shot is None:
            rows.append(NumberRow(number, None, _("序号缺失：没有发出记录，请核查。"), True))
        elif shot.status == Shot.Status.VOID:
            rows.append(
                NumberRow(number, shot, _("作废（跳号）：%(r)s") % {"r": shot.void_reason}, False)
            )
        elif shot.status == Shot.Status.ASSIGNED:
            late = number < last_photographed
            text = (
                _("已取号但未拍摄，后面的序号已拍：请拍摄或作废并注明原因。")
                if late
                else _("已取号，等待拍摄。")
            )
            rows.append(NumberRow(number, shot, text, late))
        elif shot.retake_reason:
            rows.append(
                NumberRow(number, shot, _("重拍：%(r)s") % {"r": shot.retake_reason}, False)
            )
        else:
            rows.append(NumberRow(number, shot, _("已拍摄。"), False))
    by_student: dict[int, list[Shot]] = defaultdict(list)
    for shot in shots.values():
        if shot.status == Shot.Status.PHOTOGRAPHED:
            by_student[shot.student_id].append(shot)
    twice = [
        (group[0].student, sorted(group, key=lambda s: s.number))
        for group in by_student.values()
        if len(group) > 1
    ]
    twice.sort(key=lambda item: item[1][0].number)
    return NumberLog(last_number=last, rows=rows, twice=twice)


# Class close ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseRow:
    student: Student
    status: ShootStatus
    payment: object


@dataclass
class ClassCloseSummary:
    school_class: SchoolClass
    fee: Decimal
    rows: list[CloseRow]
    handover: object  # payments_app Handover or None
    close: ClassClose | None

    def _with(self, state) -> list[CloseRow]:
        return [r for r in self.rows if r.status.state == state]

    @property
    def photographed(self) -> list[CloseRow]:
        return self._with(STATE_PHOTOGRAPHED)

    @property
    def absent(self) -> list[CloseRow]:
        return self._with(STATE_ABSENT)

    @property
    def not_shot(self) -> list[CloseRow]:
        """Return the students not photographed, absent or not."""
        return [r for r in self.rows if r.status.state != STATE_PHOTOGRAPHED]

    @property
    def numbered(self) -> list[CloseRow]:
        return self._with(STATE_NUMBERED)

    @property
    def paid_photographed(self) -> list[CloseRow]:
        return [r for r in self.photographed if r.payment is not None and r.payment.paid]

    @property
    def unpaid_photographed(self) -> list[CloseRow]:
        return [r for r in self.photographed if r.payment is None or not r.payment.paid]

    @property
    def paid_not_shot(self) -> list[CloseRow]:
        """Return students who paid the monitor but were not photographed: a refund, or
        the make-up (where they pay the centre again)."""
        return [r for r in self.not_shot if r.payment is not None and r.payment.paid]

    @property
    def expected_amount(self) -> Decimal:
        return (self.fee * len(self.paid_photographed)).quantize(Decimal("0.01"))

    @property
    def handover_difference(self) -> Decimal | None:
        if self.handover is None:
            return None
        return self.handover.amount - self.expected_amount

    @property
    def handover_count_difference(self) -> int | None:
        if self.handover is None:
            return None
        return self.handover.student_count - len(self.paid_photographed)


def class_close_summary(*, school_class: SchoolClass) -> ClassCloseSummary:
    """Return the class's day: who was photographed, absent or not shot, the money
    expected from the photographed payers, and the monitor's hand-over."""
    from payments_app.models import Handover
    from payments_app.selectors import payment_state_by_student

    school_class = SchoolClass.objects.select_related("campaign", "slot__venue", "monitor").get(
        pk=school_class.pk
    )
    students = list(Student.objects.filter(school_class=school_class).order_by("student_id"))
    statuses = shoot_status_by_student(students=students)
    payments = payment_state_by_student(students=students)
    return ClassCloseSummary(
        school_class=school_class,
        fee=school_class.campaign.fee,
        rows=[CloseRow(s, statuses[s.pk], payments.get(s.pk)) for s in students],
        handover=Handover.objects.filter(school_class=school_class).first(),
        close=ClassClose.objects.filter(school_class=school_class)
        .select_related("closed_by")
        .first(),
    )


# Make-up ----------------------------------------------------------------------------------

REASON_ABSENT = _("缺席")
REASON_CLASS_CLOSED = _("未拍摄（班级已结束拍摄）")
REASON_SLOT_OVER = _("未拍摄（时段已结束）")


@dataclass(frozen=True)
class MakeupRow:
    student: Student
    group: str
    reason: str


@dataclass
class Makeup:
    campaign: object
    rows: list[MakeupRow]
    deferred: list[tuple[SchoolClass, int]]


def makeup_students(*, campaign, now=None) -> Makeup:
    """Return the students who must go to the make-up centre, and the deferred classes.

    A student goes on the list when marked absent, or when not photographed once their
    class was closed or their slot has ended. Students of a deferred class come next
    year instead and are listed by class only.
    """
    now = now or timezone.now()
    students = list(
        Student.objects.filter(campaign=campaign)
        .exclude(school_class__status=SchoolClass.Status.DEFERRED)
        .select_related("school_class__slot", "school_class__shoot_close")
        .order_by("school_class__name", "student_id")
    )
    statuses = shoot_status_by_student(students=Student.objects.filter(campaign=campaign))
    rules = {r.category: r for r in campaign.category_rules.select_related("slot")}
    rows = []
    for student in students:
        status = statuses[student.pk]
        if status.state in (STATE_PHOTOGRAPHED, STATE_NUMBERED):
            continue
        school_class = student.school_class
        if school_class is not None and school_class.slot_id is not None:
            slot, group = school_class.slot, school_class.name
        else:
            rule = rules.get(student.category)
            slot = rule.slot if rule else None
            group = rule.label if rule else (school_class.name if school_class else "")
        if status.state == STATE_ABSENT:
            reason = REASON_ABSENT
        elif school_class is not None and hasattr(school_class, "shoot_close"):
            reason = REASON_CLASS_CLOSED
        elif slot is not None and _aware(slot.date, slot.end) <= now:
            reason = REASON_SLOT_OVER
        else:
            continue
        rows.append(MakeupRow(student, group, reason))
    deferred = [
        (c, c.n)
        for c in SchoolClass.objects.filter(campaign=campaign, status=SchoolClass.Status.DEFERRED)
        .annotate(n=Count("students"))
        .order_by("name")
    ]
    return Makeup(campaign=campaign, rows=rows, deferred=deferred)


# After the shoot: the 学信网 check ---------------------------------------------------------


@dataclass
class StudentShootPanel:
    """What a student sees about the day and after it on their own page."""

    student: Student
    status: ShootStatus
    deferred: bool
    deadline: datetime.date | None
    deadline_exact: bool
    chsi: ChsiCheck | None
    makeup: bool
    slot_over: bool

    @property
    def campaign(self):
        return self.student.campaign

    @property
    def photographed(self) -> bool:
        return self.status.state == STATE_PHOTOGRAPHED

    @property
    def overdue(self) -> bool:
        return (
            self.deadline is not None and self.chsi is None and timezone.localdate() > self.deadline
        )


def student_shoot_panel(*, student: Student, now=None) -> StudentShootPanel:
    """Return the student's shoot status, 学信网 deadline and answer, or make-up advice."""
    now = now or timezone.now()
    student = Student.objects.select_related("campaign", "school_class__shoot_close").get(
        pk=student.pk
    )
    status = shoot_status_by_student(students=[student])[student.pk]
    school_class = student.school_class
    deferred = school_class is not None and school_class.status == SchoolClass.Status.DEFERRED
    deadline, exact = None, True
    if status.last_photographed_at is not None:
        shoot_date = timezone.localdate(status.last_photographed_at)
        deadline = chsi_deadline(
            shoot_date=shoot_date, working_days=student.campaign.chsi_check_working_days
        )
        exact = calendar_knows(shoot_date) and calendar_knows(deadline)
    slot = student_slot(student=student)
    slot_over = slot is not None and _aware(slot.date, slot.end) <= now
    closed = school_class is not None and hasattr(school_class, "shoot_close")
    makeup = not deferred and (
        status.state == STATE_ABSENT or (status.state == STATE_PENDING and (slot_over or closed))
    )
    return StudentShootPanel(
        student=student,
        status=status,
        deferred=deferred,
        deadline=deadline,
        deadline_exact=exact,
        chsi=ChsiCheck.objects.filter(student=student).order_by("-created_at", "-id").first(),
        makeup=makeup,
        slot_over=slot_over,
    )


@dataclass(frozen=True)
class ChsiRow:
    student: Student
    photographed_at: datetime.datetime
    deadline: datetime.date
    check: ChsiCheck | None


@dataclass
class ChsiOverview:
    rows: list[ChsiRow]

    @property
    def confirmed(self) -> list[ChsiRow]:
        return [r for r in self.rows if r.check and r.check.result == ChsiCheck.Result.OK]

    @property
    def problems(self) -> list[ChsiRow]:
        return [r for r in self.rows if r.check and r.check.result == ChsiCheck.Result.PROBLEM]

    @property
    def unconfirmed(self) -> list[ChsiRow]:
        return [r for r in self.rows if r.check is None]


def chsi_overview(*, campaign) -> ChsiOverview:
    """Return every photographed student with the deadline and their latest answer."""
    photographed = {}
    for student_id, at in (
        Shot.objects.filter(campaign=campaign, status=Shot.Status.PHOTOGRAPHED)
        .order_by("photographed_at")
        .values_list("student_id", "photographed_at")
    ):
        photographed[student_id] = at  # the last photo counts
    students = Student.objects.filter(pk__in=list(photographed)).select_related("school_class")
    latest = {}
    for check in ChsiCheck.objects.filter(student__campaign=campaign).order_by("created_at", "id"):
        latest[check.student_id] = check
    deadlines: dict[datetime.date, datetime.date] = {}
    rows = []
    for student in students.order_by("school_class__name", "student_id"):
        day = timezone.localdate(photographed[student.pk])
        if day not in deadlines:
            deadlines[day] = chsi_deadline(
                shoot_date=day, working_days=campaign.chsi_check_working_days
            )
        rows.append(
            ChsiRow(student, photographed[student.pk], deadlines[day], latest.get(student.pk))
        )
    return ChsiOverview(rows=rows)
