"""The shoot day's pure rules: the 学信网 deadline in working days, the pace measured
from photo times and the delay it makes, where a student stands, the queue's entries
and which of them is being shot, the number log's explanations, and who goes to the
make-up centre.

They take ``now`` and plain values or loaded records and never query, so they are
tested without a database or a frozen clock; the modules of shootday/selectors/ load and call them.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions_app.models import SchoolClass, Shot, ShotAbsence, Student, TimeSlot
from sessions_app.rules import planned_starts
from sessions_app.summary import rules as summary_rules

# Working days, pace and delay ---------------------------------------------------------


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
BREAK_MINUTES = summary_rules.BREAK_MS // 60000
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
    """Return students per minute so far, from the times photos were taken (up to
    ``now``): see pace_of."""
    times = [summary_rules.epoch_ms(t) for t in photo_times if t <= now]
    return pace_of(sums=summary_rules.pace_sums(times), now=now, planned_per_hour=planned_per_hour)


def pace_of(*, sums: summary_rules.PaceSums, now: datetime.datetime, planned_per_hour: int) -> Pace:
    """Return students per minute so far, from the sums of the photos' times
    (summary_rules.pace_sums: kept as photos are registered, shootday's ShootPace).

    Each interval between consecutive photos counts as working time unless it is a
    break (longer than BREAK_MINUTES); so does the time since the last photo, so a desk
    that has stalled slows the estimate at once. With too few photos the venue's
    planned rate is returned instead.
    """
    planned = Pace(per_minute=planned_per_hour / 60, measured=False)
    if sums.photos < MIN_MEASURED_PHOTOS:
        return planned
    working = sums.working_ms
    since_last = summary_rules.epoch_ms(now) - sums.last_ms
    if 0 <= since_last <= summary_rules.BREAK_MS:
        working += since_last
    minutes = working / 60000
    if sums.intervals < MIN_MEASURED_PHOTOS - 1 or minutes <= 0:
        return planned
    return Pace(per_minute=sums.intervals / minutes, measured=True, photos=sums.photos)


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


# Where a student stands on the day --------------------------------------------------------

STATE_PENDING = "pending"
STATE_NUMBERED = "numbered"
STATE_PHOTOGRAPHED = "photographed"
STATE_ABSENT = "absent"

STATE_LABELS = {
    STATE_PENDING: gettext_lazy("未拍摄"),
    STATE_NUMBERED: gettext_lazy("已取号待拍"),
    STATE_PHOTOGRAPHED: gettext_lazy("已拍摄"),
    STATE_ABSENT: gettext_lazy("缺席"),
}


@dataclass
class ShootStatus:
    """Where one student stands on the day, from their numbers and absences."""

    shots: list[Shot] = field(default_factory=list)
    absent: ShotAbsence | bool | None = None  # the open absence (True when loaded light)

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
        return str(STATE_LABELS[self.state])

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


# The queue: entries of slots ---------------------------------------------------------------


@dataclass
class QueueEntry:
    """A class (or a group of individuals) in a slot, with its progress on the day."""

    key: str
    name: str
    slot: TimeSlot
    position: int
    school_class: SchoolClass | None
    category: str = ""  # a group of individuals: their category
    total: int = 0
    photographed: int = 0
    absent: int = 0
    numbered: int = 0
    closed: bool = False
    last_activity: datetime.datetime | None = None
    planned_start: datetime.datetime | None = None
    expected_start: datetime.datetime | None = None

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


def current_entry(entries: list[QueueEntry], *, now: datetime.datetime) -> QueueEntry | None:
    """Return the entry being shot: of those not done, the one with the latest desk
    activity; with none active, the first once its slot has begun; else None."""
    open_entries = [e for e in entries if not e.done]
    active = [e for e in open_entries if e.last_activity is not None]
    if active:
        return max(active, key=lambda e: e.last_activity)
    if open_entries and now >= open_entries[0].slot.starts_at:
        return open_entries[0]
    return None


def desk_entry(entries: list[QueueEntry], *, now: datetime.datetime) -> QueueEntry | None:
    """Return the entry the desk calls its students from: the one being shot, else the
    next to come."""
    return current_entry(entries, now=now) or next((e for e in entries if not e.done), None)


def plan_entry_starts(entries: list[QueueEntry]) -> None:
    """Set each entry's planned start (entries in shooting order, of one or more slots)."""
    by_slot: dict[int, list[QueueEntry]] = defaultdict(list)
    for entry in entries:
        by_slot[entry.slot.pk].append(entry)
    for slot_entries in by_slot.values():
        slot = slot_entries[0].slot
        starts = planned_starts(
            start=slot.starts_at,
            per_hour=slot.venue.shots_per_hour,
            sizes=[e.total for e in slot_entries],
        )
        for entry, start in zip(slot_entries, starts, strict=True):
            entry.planned_start = start


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
            return delay_minutes(self.slot_end_expected, self.slot.ends_at)
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


def board_from_entries(*, entries: list[QueueEntry], pace: Pace, now, venue) -> Board:
    """Pick the entry being shot and project the start of those still waiting.

    A waiting class starts when the students before it are shot at ``pace``, but
    never before its own slot's start in the notice.
    """
    open_entries = [e for e in entries if not e.done]
    finished = [e for e in entries if e.done]
    current = current_entry(entries, now=now)
    upcoming = [e for e in open_entries if e is not current]
    cursor = now
    if current is not None:
        current.expected_start = current.last_activity or now
        cursor = now + minutes_for(current.remaining - current.numbered, pace)
    for entry in upcoming:
        slot_start = entry.slot.starts_at
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


# The number log ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberRow:
    number: int
    shot: Shot | None
    explanation: str
    problem: bool


@dataclass
class NumberLog:
    """The numbers of a campaign: one page of rows, and what is wrong in all of them.

    ``rows`` is the page asked for (or the numbers a search found); ``problems``,
    ``twice`` and ``void_count`` are about every number of the campaign, so a problem
    is shown whichever page is open.
    """

    last_number: int
    rows: list[NumberRow]
    twice: list[tuple[Student, list[Shot]]]
    problems: list[NumberRow] = field(default_factory=list)
    void_count: int = 0
    page: object = None  # a django Page of the rows, for the page links
    query: str = ""


def number_row(*, number: int, shot: Shot | None, last_photographed: int) -> NumberRow:
    """Return what became of one number.

    A number never given out (a gap) and a number left open while a later one
    (``last_photographed``: the highest number photographed in the campaign) was shot
    are problems; a voided number or a retake shows its reason.
    """
    if shot is None:
        return NumberRow(number, None, _("序号缺失：没有发出记录，请核查。"), True)
    if shot.status == Shot.Status.VOID:
        return NumberRow(number, shot, _("作废（跳号）：%(r)s") % {"r": shot.void_reason}, False)
    if shot.status == Shot.Status.ASSIGNED:
        late = number < last_photographed
        text = (
            _("已取号但未拍摄，后面的序号已拍：请拍摄或作废并注明原因。")
            if late
            else _("已取号，等待拍摄。")
        )
        return NumberRow(number, shot, text, late)
    if shot.retake_reason:
        return NumberRow(number, shot, _("重拍：%(r)s") % {"r": shot.retake_reason}, False)
    return NumberRow(number, shot, _("已拍摄。"), False)


def number_rows(
    *, numbers: Iterable[int], shots: dict[int, Shot], last_photographed: int
) -> list[NumberRow]:
    """Return each of ``numbers`` with what became of it (see number_row); ``shots``
    holds the shots of those numbers, a number without one is a gap."""
    return [
        number_row(number=n, shot=shots.get(n), last_photographed=last_photographed)
        for n in numbers
    ]


def missing_numbers(*, last: int, given: Iterable[int]) -> list[int]:
    """Return the numbers from 1 to ``last`` that were never given out."""
    return sorted(set(range(1, last + 1)).difference(given))


# More digits than any 拍摄序号 (a campaign gives tens of thousands): a 学号, never a number.
NUMBER_QUERY_MAX_DIGITS = 9
# Fewer digits than a 学号 prefix worth searching: a 拍摄序号 only, so "12" finds number 12
# and not every student whose 学号 begins with 12.
STUDENT_ID_PREFIX_MIN_DIGITS = 6


@dataclass(frozen=True)
class NumberSearch:
    """What a search of the number log looks for: a 拍摄序号, a 学号 prefix, a name."""

    number: int | None
    student_id_prefix: str
    name: str


def number_search(query: str) -> NumberSearch:
    """Return what a (normalised) query of the number log means.

    ASCII digits are a 拍摄序号 when short, a 学号 prefix when long, both in between;
    anything else is a 学号 prefix or part of a name. "²" and "٣" are not digits here.
    """
    if query.isascii() and query.isdigit():
        return NumberSearch(
            number=int(query) if len(query) <= NUMBER_QUERY_MAX_DIGITS else None,
            student_id_prefix=query if len(query) >= STUDENT_ID_PREFIX_MIN_DIGITS else "",
            name="",
        )
    return NumberSearch(number=None, student_id_prefix=query, name=query)


# After the day: who goes to the make-up --------------------------------------------------

REASON_ABSENT = gettext_lazy("缺席")
REASON_CLASS_CLOSED = gettext_lazy("未拍摄（班级已结束拍摄）")
REASON_SLOT_OVER = gettext_lazy("未拍摄（时段已结束）")


SHOOT_PENDING = "pending"
SHOOT_PHOTOGRAPHED = "photographed"
SHOOT_NOT_SHOT = "not_shot"


def shoot_outcome(*, state: str, class_closed: bool, slot_over: bool) -> str:
    """Return what the day has made of a student, as far as money is concerned:
    photographed, not shot (they go to the make-up), or still to be shot."""
    if state == STATE_PHOTOGRAPHED:
        return SHOOT_PHOTOGRAPHED
    if makeup_reason(state=state, class_closed=class_closed, slot_over=slot_over):
        return SHOOT_NOT_SHOT
    return SHOOT_PENDING


def makeup_reason(*, state: str, class_closed: bool, slot_over: bool) -> str:
    """Return why a student must go to the make-up centre, or "" if they need not.

    Marked absent at the desk; or never photographed once the class was closed or the
    slot has ended. A student photographed, or holding a number, is not on the list.
    """
    if state == STATE_ABSENT:
        return str(REASON_ABSENT)
    if state != STATE_PENDING:
        return ""
    if class_closed:
        return str(REASON_CLASS_CLOSED)
    if slot_over:
        return str(REASON_SLOT_OVER)
    return ""


# After the day: following up the 学信网 check ---------------------------------------------

# The states and the rule that gives them live with the summaries that count them.
CHSI_UNANSWERED = summary_rules.CHSI_UNANSWERED
CHSI_OPEN = summary_rules.CHSI_OPEN
CHSI_HANDLED = summary_rules.CHSI_HANDLED
CHSI_OK = summary_rules.CHSI_OK
chsi_state = summary_rules.chsi_state

CHSI_STATE_LABELS = {
    CHSI_OPEN: gettext_lazy("有问题待处理"),
    CHSI_HANDLED: gettext_lazy("问题已处理"),
    CHSI_UNANSWERED: gettext_lazy("未答复"),
    CHSI_OK: gettext_lazy("核对无误"),
}


# What a student is told to do about a problem seen on 学信网, by its kind
# (ChsiCheck.Kind): the usual fixes colleges give.
CHSI_FIXES = {
    "identity": (
        "学信网上找不到学籍，或姓名、身份证号与学籍不一致：需要由学院向学信网提交勘误申请。"
        "请尽快联系你所在学院，教务处已收到你的反映。"
    ),
    "photo": (
        "照片没有显示或不是本人：多为采集信息未匹配或重复，需要由教务处联系拍摄方核查。"
        "教务处已收到你的反映，会联系你。"
    ),
    "year": "“毕业年份”不对，毕业证上网将无信息：教务处已收到你的反映，会联系你更正。",
    "other": "教务处已收到你的反映，会联系你。",
}


def chsi_fix(kind: str) -> str:
    return CHSI_FIXES.get(kind or "other", CHSI_FIXES["other"])
