"""Reads of the shoot day: the desk, the queue board, class close, make-up, 学信网 check.

The arithmetic of time and the choices of the day are in shootday/rules.py; these
functions load what the rules need. Each fixes its own queries: a slot costs the same
few queries whatever the number of its students.
"""

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import reduce

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal import cache
from cards_app import rules as card_rules
from cards_app.rules import normalise_text
from cards_app.selectors import (
    STATUS_PROBLEM,
    CardState,
    card_check_current,
    card_state_by_student,
)
from payments_app.rules import STATE_UNPAID, ClassMoney
from payments_app.selectors import ClassLedger, PaymentState, class_ledger, payment_state_by_student
from sessions_app import rules as schedule_rules
from sessions_app.codemode import selectors as code_selectors
from sessions_app.models import (
    CardCorrection,
    ChsiCheck,
    ClassClose,
    College,
    MakeupRoute,
    SchoolClass,
    Shot,
    ShotCounter,
    Student,
    TimeSlot,
    Venue,
    schedule_order,
)
from sessions_app.selectors import individuals_q, name_contains_q, student_place
from sessions_app.shootday import rules
from sessions_app.shootday.status import ended_slot_count, shoot_status_by_student, slot_end

# The queue ---------------------------------------------------------------------------------


# How long the board and the students' pages may show the queue behind the desks: each
# photo changes the queue, and recomputing a 20,000-student day for every one of them
# would cost more than the phones watching it need. The desk itself is never behind.
QUEUE_LAG_SECONDS = 3


def _slot_entries(slots: list[TimeSlot], *, lag: float = 0) -> list[rules.QueueEntry]:
    """Return the entries of the slots in shooting order, with their students, progress
    and planned starts. The slots come with their venue and category rules. Cached
    until a photo, an absence, the roster or the schedule changes: the board, the
    desk, the monitor's and the student's pages of the day all read it."""
    if not slots:
        return []
    return cache.remember_lagging(
        "entries",
        slots[0].campaign_id,
        (cache.SCHEDULE, cache.ROSTER),
        (cache.DAY,),
        lambda: _slot_entries_of(slots),
        seconds=lag,
        extra=tuple(s.pk for s in slots),
    )


def _slot_entries_of(slots: list[TimeSlot]) -> list[rules.QueueEntry]:
    slot_ids = [s.pk for s in slots]
    by_pk = {s.pk: s for s in slots}
    classes = list(
        SchoolClass.objects.filter(slot_id__in=slot_ids)
        .select_related("shoot_close")
        .order_by("position")
    )
    groups = [(slot, rule) for slot in slots for rule in slot.category_rules.all()]
    students = Student.objects.filter(campaign_id=slots[0].campaign_id).filter(
        Q(school_class__slot_id__in=slot_ids)
        | (individuals_q() & Q(category__in=[r.category for _, r in groups]))
    )
    by_class: dict[int, list[int]] = defaultdict(list)
    by_category: dict[str, list[int]] = defaultdict(list)
    rows = students.order_by().values_list(
        "pk", "school_class_id", "school_class__slot_id", "category"
    )
    for pk, class_id, class_slot_id, category in rows:
        if class_slot_id in by_pk:
            by_class[class_id].append(pk)
        else:
            by_category[category].append(pk)
    entries = [
        rules.QueueEntry(
            key="class-%d" % school_class.pk,
            name=school_class.name,
            slot=by_pk[school_class.slot_id],
            position=school_class.position,
            school_class=school_class,
            student_ids=by_class.get(school_class.pk, []),
            closed=hasattr(school_class, "shoot_close"),
        )
        for school_class in classes
    ]
    entries += [
        rules.QueueEntry(
            key="group-%s" % rule.category,
            name=rule.label,
            slot=slot,
            position=1000 + rule.position,
            school_class=None,
            student_ids=by_category.get(rule.category, []),
        )
        for slot, rule in groups
    ]
    order = {s.pk: i for i, s in enumerate(slots)}
    entries.sort(key=lambda e: (order[e.slot.pk], e.position, e.name))
    # Twenty thousand students' shots are read without their times (turning each into a
    # datetime is most of the cost); each entry's latest activity comes from the
    # database, one row per class and category.
    statuses = shoot_status_by_student(students=students, light=True, times=False)
    rules.count_progress(entries, statuses, _last_activity(students, by_pk))
    rules.plan_entry_starts(entries)
    return entries


def _last_activity(students, slots_by_pk) -> dict[str, datetime.datetime]:
    """Return the latest number or photo of each queue entry, by entry key: a class of
    the slots, or a category group of individuals."""
    rows = (
        Shot.objects.filter(student__in=students.order_by().values("pk"))
        .values("student__school_class_id", "student__school_class__slot_id", "student__category")
        .annotate(assigned=Max("assigned_at"), photographed=Max("photographed_at"))
        .order_by()
    )
    latest: dict[str, datetime.datetime] = {}
    for row in rows:
        if row["student__school_class__slot_id"] in slots_by_pk:
            key = "class-%d" % row["student__school_class_id"]
        else:
            key = "group-%s" % row["student__category"]
        when = max(t for t in (row["assigned"], row["photographed"]) if t is not None)
        if key not in latest or when > latest[key]:
            latest[key] = when
    return latest


def slot_queue(*, slot: TimeSlot, lag: float = 0) -> list[rules.QueueEntry]:
    """Return the slot's classes and groups in order with their progress (at most
    ``lag`` seconds behind the desks)."""
    slot = (
        TimeSlot.objects.select_related("venue").prefetch_related("category_rules").get(pk=slot.pk)
    )
    return _slot_entries([slot], lag=lag)


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


def queue_board(
    *, campaign, venue=None, now: datetime.datetime | None = None, lag: float = 0
) -> rules.Board:
    """Return the class being shot, those still to come with their expected start from
    the pace measured so far, and how far the day runs from the notice's times (at most
    ``lag`` seconds behind the desks)."""
    now = now or timezone.now()
    venue, slots = board_slots(campaign=campaign, venue=venue, now=now)
    if not slots:
        return rules.Board(venue, None, None, None, [], [], None, now)
    entries = _slot_entries(slots, lag=lag)
    if entries and entries[0].slot.date < timezone.localdate(now):
        # The day is over: nothing is waiting any more, whatever was not shot.
        day, last = entries[0].slot.date, entries[-1].slot
        return rules.Board(venue, day, last, None, [], entries, None, now)
    photo_times = list(
        Shot.objects.filter(
            slot__in=slots, status=Shot.Status.PHOTOGRAPHED, photographed_at__isnull=False
        )
        .order_by()
        .values_list("photographed_at", flat=True)
    )
    pace = rules.measured_pace(
        photo_times=photo_times, now=now, planned_per_hour=venue.shots_per_hour
    )
    return rules.board_from_entries(entries=entries, pace=pace, now=now, venue=venue)


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
    board = queue_board(
        campaign=school_class.campaign, venue=slot.venue, now=now, lag=QUEUE_LAG_SECONDS
    )
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
    # Which slot is being shot moves with the clock and whole classes, not with one
    # photo: the lagging board tells it as well as a fresh one.
    return queue_board(campaign=campaign, now=now, lag=QUEUE_LAG_SECONDS).slot


def student_search(*, campaign, query: str, limit: int = 20) -> list[Student]:
    """Return students whose 学号 starts with, or whose name contains, the query; a
    name in simplified or traditional form finds either. One query."""
    query = normalise_text(query)
    if not query:
        return []
    students = Student.objects.filter(campaign=campaign).select_related("school_class")
    if query.isascii() and query.isalnum():
        students = students.filter(student_id__startswith=query)
    else:
        students = students.filter(name_contains_q(query))
    return list(students.order_by("student_id")[:limit])


def waiting_students(*, entry: rules.QueueEntry) -> list[tuple[Student, rules.ShootStatus]]:
    """Return the entry's students not yet photographed nor absent, in 学号 order."""
    students = list(Student.objects.filter(pk__in=entry.waiting_ids).order_by("student_id"))
    statuses = shoot_status_by_student(students=students)
    return [(s, statuses[s.pk]) for s in students]


def desk_search(*, campaign, query: str) -> list[tuple[Student, rules.ShootStatus]]:
    """Return the students found by 学号 or name, each with their shoot status."""
    students = student_search(campaign=campaign, query=query)
    statuses = shoot_status_by_student(students=students)
    return [(s, statuses[s.pk]) for s in students]


def desk_recent_shots(*, campaign, desk: str, limit: int = 8) -> QuerySet[Shot]:
    """Return the last numbers this desk gave, newest first."""
    return (
        Shot.objects.filter(campaign=campaign, desk=desk)
        .select_related("student__school_class")
        .order_by("-number")[:limit]
    )


@dataclass
class DeskStudent:
    """Everything the desk shows about one student."""

    student: Student
    slot: TimeSlot | None
    group_label: str
    status: rules.ShootStatus
    card: CardState
    payment: PaymentState
    name_check: card_rules.NameCheck  # of the roster name
    corrections: list[CardCorrection]
    deferred: bool
    # Code mode only: whether the student showed the portal a readable 图像采集码.
    code: object = None

    @property
    def id_number_groups(self) -> list[str]:
        """Return the 身份证号 as the card's blocks: region, birth date, sequence and check."""
        number = self.student.id_number
        return [number[:6], number[6:14], number[14:]] if len(number) == 18 else [number]

    @property
    def id_number_ends_in_x(self) -> bool:
        """Return whether the check character is X, which is filled in the letter row."""
        return self.student.id_number.upper().endswith("X")

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
        if self.student.campaign.is_code_mode:
            return notes + self._code_warnings()
        unread = [c.char for c in self.name_check.codes if c.reading_unknown]
        if unread:
            notes.append(
                _(
                    "姓名中%(chars)s的读音无法自动识别：请学生说出读音，写在卡上该字旁，"
                    "并登记“0000 旁的拼音”。"
                )
                % {"chars": "、".join("“%s”" % c for c in unread)}
            )
        if self.card is not None and self.card.status == STATUS_PROBLEM:
            notes.append(_("采集卡预核对有问题：%(label)s") % {"label": self.card.label})
        if self.payment is not None and self.payment.state == STATE_UNPAID:
            notes.append(_("班长处尚未登记缴费。"))
        return notes

    def _code_warnings(self) -> list[str]:
        notes = []
        if self.code is not None and self.code.state == "missing":
            notes.append(
                _(
                    "该生没有在门户核验过可识别的采集码：请在拍摄方扫码器上确认能扫出拍摄号；"
                    "扫不出请学生在学信网重新获取，没有采集码不能拍摄。"
                )
            )
        elif self.code is not None and self.code.state == "duplicate":
            notes.append(
                _("该生上传的采集码与另一名学生的相同（一个学籍只有一个采集码）：请核对身份证。")
            )
        if (
            self.student.campaign.monitor_collects
            and self.payment is not None
            and self.payment.state == STATE_UNPAID
        ):
            notes.append(_("班长处尚未登记缴费。"))
        return notes


def _known_name_pinyin(student: Student, corrections: list[CardCorrection]) -> str | None:
    """Return the readings of the roster name's 0000 characters as last given: logged
    at the desk, else in the student's own saved check of that same name."""
    for correction in corrections:  # newest first
        if correction.field == CardCorrection.Field.NAME_PINYIN:
            return correction.value
    check = card_check_current(student=student)
    if check is not None and normalise_text(check.name) == normalise_text(student.name):
        return check.name_pinyin or None
    return None


def desk_student(*, student: Student) -> DeskStudent:
    student = Student.objects.select_related("school_class", "campaign").get(pk=student.pk)
    place = student_place(student=student)
    corrections = list(CardCorrection.objects.filter(student=student).select_related("recorded_by"))
    name_check = card_rules.check_name(student.name)
    if name_check.needs_pinyin:
        # The reading pypinyin gives may be wrong, or missing (𠮷): the student's own
        # counts. One that does not fit the name leaves pypinyin's.
        given = card_rules.check_name(student.name, pinyin=_known_name_pinyin(student, corrections))
        if not any(i.field == card_rules.NAME_PINYIN for i in given.issues):
            name_check = given
    return DeskStudent(
        student=student,
        slot=place.slot,
        group_label=place.label,
        status=shoot_status_by_student(students=[student])[student.pk],
        card=card_state_by_student(students=[student]).get(student.pk),
        payment=payment_state_by_student(students=[student]).get(student.pk),
        name_check=name_check,
        corrections=corrections,
        deferred=place.deferred,
        code=(
            code_selectors.student_code_state(student=student)
            if student.campaign.is_code_mode
            else None
        ),
    )


# The number log ---------------------------------------------------------------------------

NUMBERS_PER_PAGE = 200


def number_log(
    *, campaign, query: str = "", page=None, per_page: int = NUMBERS_PER_PAGE
) -> rules.NumberLog:
    """Return one page of the campaign's numbers, each with what became of it, and the
    problems and students photographed twice among all of them.

    Without a query the page runs over every number from 1 to the last one given,
    gaps included; with one it holds the numbers found as rules.number_search reads
    the query: by 序号, by the student's 学号 prefix or by part of the name. A few
    queries whatever the number of shots: only the page's shots are loaded.
    """
    shots = Shot.objects.filter(campaign=campaign)
    stats = shots.aggregate(
        count=Count("pk"),
        top=Max("number"),
        void=Count("pk", filter=Q(status=Shot.Status.VOID)),
        last_photographed=Max("number", filter=Q(status=Shot.Status.PHOTOGRAPHED)),
    )
    counter = ShotCounter.objects.filter(campaign=campaign).values_list("last_number", flat=True)
    last = max(counter.first() or 0, stats["top"] or 0)
    last_photographed = stats["last_photographed"] or 0
    loaded = shots.select_related(
        "student__school_class", "assigned_by", "photographed_by", "voided_by"
    ).order_by("number")

    # Numbers are unique and positive: as many shots as the last number means no gap.
    missing = (
        []
        if stats["count"] == last
        else rules.missing_numbers(last=last, given=shots.values_list("number", flat=True))
    )
    late = {
        s.number: s
        for s in loaded.filter(status=Shot.Status.ASSIGNED, number__lt=last_photographed)
    }
    problems = rules.number_rows(
        numbers=sorted([*missing, *late]), shots=late, last_photographed=last_photographed
    )

    query = normalise_text(query or "")
    if query:
        current, numbers, found = _numbers_found(shots, loaded, query, last, page, per_page)
    else:
        current = Paginator(range(1, last + 1), per_page).get_page(page)
        numbers = current.object_list
        found = (
            {s.number: s for s in loaded.filter(number__gte=numbers.start, number__lt=numbers.stop)}
            if numbers
            else {}
        )
    current.object_list = rules.number_rows(
        numbers=numbers, shots=found, last_photographed=last_photographed
    )
    return rules.NumberLog(
        last_number=last,
        rows=current.object_list,
        twice=_photographed_twice(shots),
        problems=problems,
        void_count=stats["void"],
        page=current,
        query=query,
    )


def _numbers_found(shots, loaded, query: str, last: int, page, per_page: int):
    """Return the page of numbers a search finds, the numbers on it and their shots."""
    search = rules.number_search(query)
    terms = []
    if search.number is not None:
        terms.append(Q(number=search.number))
    if search.student_id_prefix:
        terms.append(Q(student__student_id__startswith=search.student_id_prefix))
    if search.name:
        terms.append(Q(student__name__contains=search.name))
    current = Paginator(loaded.filter(reduce(operator.or_, terms)), per_page).get_page(page)
    found = {s.number: s for s in current.object_list}
    numbers = list(found)
    number = search.number
    if number is not None and 0 < number <= last and current.number == 1:
        if number not in found and not shots.filter(number=number).exists():
            numbers = sorted([*numbers, number])  # a gap, found by its number
    return current, numbers, found


def _photographed_twice(shots: QuerySet[Shot]) -> list[tuple[Student, list[Shot]]]:
    """Return the students photographed more than once, with their photographed shots."""
    photographed = shots.filter(status=Shot.Status.PHOTOGRAPHED)
    twice_ids = (
        photographed.order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("student_id")
    )
    by_student: dict[int, list[Shot]] = defaultdict(list)
    for shot in (
        photographed.filter(student_id__in=twice_ids).select_related("student").order_by("number")
    ):
        by_student[shot.student_id].append(shot)
    twice = [(group[0].student, group) for group in by_student.values()]
    twice.sort(key=lambda item: item[1][0].number)
    return twice


# Class close ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseRow:
    student: Student
    status: rules.ShootStatus
    payment: PaymentState


@dataclass
class ClassCloseSummary:
    """The class's day at the desk: who was photographed, absent or not shot, and its
    money (payments_app's ledger: the same figures as every money page)."""

    school_class: SchoolClass
    rows: list[CloseRow]
    ledger: ClassLedger
    close: ClassClose | None

    def _with(self, state) -> list[CloseRow]:
        return [r for r in self.rows if r.status.state == state]

    @property
    def photographed(self) -> list[CloseRow]:
        return self._with(rules.STATE_PHOTOGRAPHED)

    @property
    def absent(self) -> list[CloseRow]:
        return self._with(rules.STATE_ABSENT)

    @property
    def not_shot(self) -> list[CloseRow]:
        """Return the students not photographed, absent or not."""
        return [r for r in self.rows if r.status.state != rules.STATE_PHOTOGRAPHED]

    @property
    def numbered(self) -> list[CloseRow]:
        return self._with(rules.STATE_NUMBERED)

    @property
    def money(self) -> ClassMoney:
        return self.ledger.money

    @property
    def handover(self):
        return self.ledger.handover


def class_close_summary(*, school_class: SchoolClass, now=None) -> ClassCloseSummary:
    """Return the class's day: who was photographed, absent or not shot, and its money."""
    school_class = SchoolClass.objects.select_related("campaign", "slot__venue", "monitor").get(
        pk=school_class.pk
    )
    students = list(Student.objects.filter(school_class=school_class).order_by("student_id"))
    statuses = shoot_status_by_student(students=students)
    ledger = class_ledger(school_class=school_class, now=now)
    states = {row.student.pk: row.state for row in ledger.rows}
    return ClassCloseSummary(
        school_class=school_class,
        rows=[CloseRow(s, statuses[s.pk], states.get(s.pk)) for s in students],
        ledger=ledger,
        close=ClassClose.objects.filter(school_class=school_class)
        .select_related("closed_by")
        .first(),
    )


# Make-up ----------------------------------------------------------------------------------


MAKEUP_PAGE_SIZE = 200
MAKEUP_CHUNK = 2000


@dataclass(frozen=True)
class MakeupRow:
    student: Student
    group: str
    reason: str


@dataclass
class Makeup:
    """Who must go to the make-up centre, in the schedule's order: ``entries`` are
    (student pk, group, reason); the students themselves are loaded a page (or, for an
    export, a chunk) at a time."""

    campaign: object
    entries: list[tuple[int, str, str]]
    deferred: list[tuple[SchoolClass, int]]

    @property
    def count(self) -> int:
        return len(self.entries)

    def page(self, number) -> Page:
        """Return a page of MakeupRows."""
        page = Paginator(self.entries, MAKEUP_PAGE_SIZE).get_page(number)
        page.object_list = _makeup_rows(page.object_list)
        return page

    @property
    def rows(self):
        """Yield every MakeupRow, loading the students chunk by chunk."""
        for start in range(0, len(self.entries), MAKEUP_CHUNK):
            yield from _makeup_rows(self.entries[start : start + MAKEUP_CHUNK])


def _makeup_rows(entries) -> list[MakeupRow]:
    students = Student.objects.in_bulk([pk for pk, _group, _reason in entries])
    return [MakeupRow(students[pk], group, reason) for pk, group, reason in entries]


def makeup_students(*, campaign, now=None) -> Makeup:
    """Return the make-up list (_makeup_students), cached until a photo, an absence,
    the roster or the schedule changes, or a slot ends."""
    now = now or timezone.now()
    return cache.remember(
        "makeup",
        campaign.pk,
        (cache.SCHEDULE, cache.ROSTER, cache.DAY),
        lambda: _makeup_students(campaign=campaign, now=now),
        extra=ended_slot_count(campaign_id=campaign.pk, now=now),
    )


def _makeup_students(*, campaign, now) -> Makeup:
    """Return the students who must go to the make-up centre, and the deferred classes.

    A student goes on the list when marked absent, or when not photographed once their
    class was closed or their slot has ended (rules.makeup_reason). Students of a
    deferred class come next year instead and are listed by class only. A handful of
    queries on plain rows: a campaign of 20,000 costs no model instance per student.
    """
    now = now or timezone.now()
    classes = list(
        SchoolClass.objects.filter(campaign=campaign)
        .select_related("slot")
        .annotate(closed=Exists(ClassClose.objects.filter(school_class=OuterRef("pk"))))
        .order_by(*schedule_order())
    )
    rank = {c.pk: i for i, c in enumerate(classes)}
    by_pk = {c.pk: c for c in classes}
    category_rules = {r.category: r for r in campaign.category_rules.select_related("slot")}
    statuses = shoot_status_by_student(
        students=Student.objects.filter(campaign=campaign), light=True, times=False
    )
    places = {}
    found = []
    rows = (
        Student.objects.filter(campaign=campaign)
        .order_by()
        .values_list("pk", "student_id", "category", "school_class_id")
    )
    for pk, student_id, category, class_id in rows:
        school_class = by_pk.get(class_id)
        if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
            continue
        key = (category, class_id)
        if key not in places:
            places[key] = schedule_rules.student_place(
                category=category,
                school_class=school_class,
                category_rule=category_rules.get(category),
            )
        place = places[key]
        reason = rules.makeup_reason(
            state=statuses[pk].state,
            class_closed=school_class is not None and school_class.closed,
            slot_over=_slot_over(place.slot, now),
        )
        if reason:
            found.append((rank.get(class_id, len(rank)), student_id, pk, place.label, reason))
    found.sort()
    deferred = [
        (c, c.n)
        for c in SchoolClass.objects.filter(campaign=campaign, status=SchoolClass.Status.DEFERRED)
        .annotate(n=Count("students"))
        .order_by("name")
    ]
    return Makeup(
        campaign=campaign,
        entries=[(pk, label, reason) for _rank, _sid, pk, label, reason in found],
        deferred=deferred,
    )


def _slot_over(slot: TimeSlot | None, now: datetime.datetime) -> bool:
    return slot is not None and slot_end(slot.date, slot.end) <= now


# After the shoot: the 学信网 check ---------------------------------------------------------


@dataclass
class StudentShootPanel:
    """What a student sees about the day and after it on their own page."""

    student: Student
    status: rules.ShootStatus
    deferred: bool
    deadline: datetime.date | None
    deadline_exact: bool
    chsi: ChsiCheck | None
    makeup: bool
    slot_over: bool
    today: datetime.date
    reports: list[ChsiCheck] = dataclass_field(default_factory=list)  # newest first
    route: MakeupRoute | None = None  # code mode: the make-up route staff set

    @property
    def campaign(self):
        return self.student.campaign

    @property
    def photographed(self) -> bool:
        return self.status.state == rules.STATE_PHOTOGRAPHED

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.today > self.deadline

    @property
    def overdue(self) -> bool:
        """Return whether the deadline has passed without an answer from the student."""
        return self.deadline_passed and self.chsi is None


def student_shoot_panel(*, student: Student, now=None) -> StudentShootPanel:
    """Return the student's shoot status, 学信网 deadline, answer and reported problems,
    or make-up advice."""
    now = now or timezone.now()
    student = Student.objects.select_related("campaign", "school_class__shoot_close").get(
        pk=student.pk
    )
    status = shoot_status_by_student(students=[student])[student.pk]
    school_class = student.school_class
    deadline, exact = None, True
    if status.last_photographed_at is not None:
        shoot_date = timezone.localdate(status.last_photographed_at)
        deadline = rules.chsi_deadline(
            shoot_date=shoot_date, working_days=student.campaign.chsi_check_working_days
        )
        exact = rules.calendar_knows(shoot_date) and rules.calendar_knows(deadline)
    place = student_place(student=student)
    slot_over = _slot_over(place.slot, now)
    reason = rules.makeup_reason(
        state=status.state,
        class_closed=school_class is not None and hasattr(school_class, "shoot_close"),
        slot_over=slot_over,
    )
    checks = list(ChsiCheck.objects.filter(student=student).order_by("-created_at", "-id"))
    makeup = bool(reason) and not place.deferred
    route = None
    if makeup and student.campaign.is_code_mode:
        route = MakeupRoute.objects.filter(student=student).first()
    return StudentShootPanel(
        student=student,
        status=status,
        deferred=place.deferred,
        deadline=deadline,
        deadline_exact=exact,
        chsi=checks[0] if checks else None,
        makeup=makeup,
        slot_over=slot_over,
        today=timezone.localdate(now),
        reports=[c for c in checks if c.is_problem],
        route=route,
    )


CHSI_PER_PAGE = 50


@dataclass
class ChsiRow:
    """A photographed student in the follow-up list, with every answer they gave."""

    student: Student
    photographed_at: datetime.datetime
    deadline: datetime.date
    checks: list[ChsiCheck]  # newest first

    @property
    def answer(self) -> ChsiCheck | None:
        """Return the student's answer: the newest row."""
        return self.checks[0] if self.checks else None

    @property
    def reports(self) -> list[ChsiCheck]:
        return [c for c in self.checks if c.is_problem]

    @property
    def open_reports(self) -> list[ChsiCheck]:
        return [c for c in self.checks if c.is_open]

    @property
    def state(self) -> str:
        return rules.chsi_state(
            answers=len(self.checks),
            reports=len(self.reports),
            open_reports=len(self.open_reports),
        )

    @property
    def state_label(self) -> str:
        return str(rules.CHSI_STATE_LABELS[self.state])


@dataclass
class ChsiOverview:
    """One page of the follow-up list and the count of each state under the same
    college, class and search."""

    counts: dict[str, int]
    page: Page  # of ChsiRow

    @property
    def rows(self) -> list[ChsiRow]:
        return self.page.object_list


def _chsi_students(*, campaign, college=None, school_class=None, query: str = ""):
    """Return the campaign's photographed students under the filters, with the facts
    the follow-up states are made of as aliases (see rules.chsi_state)."""
    checks = ChsiCheck.objects.filter(student=OuterRef("pk"))
    problems = checks.filter(result=ChsiCheck.Result.PROBLEM)
    students = (
        Student.objects.filter(campaign=campaign)
        .alias(
            photographed=Exists(
                Shot.objects.filter(student=OuterRef("pk"), status=Shot.Status.PHOTOGRAPHED)
            ),
            answered=Exists(checks),
            reported=Exists(problems),
            open=Exists(problems.filter(handled_at__isnull=True)),
        )
        .filter(photographed=True)
    )
    if college is not None:
        students = students.filter(school_class__college=college)
    if school_class is not None:
        students = students.filter(school_class=school_class)
    query = normalise_text(query or "")
    if query:
        if query.isascii() and query.isalnum():
            students = students.filter(student_id__startswith=query)
        else:
            students = students.filter(name__contains=query)
    return students


_CHSI_STATE_FILTERS = {
    rules.CHSI_OPEN: Q(open=True),
    rules.CHSI_HANDLED: Q(reported=True, open=False),
    rules.CHSI_UNANSWERED: Q(answered=False),
    rules.CHSI_OK: Q(answered=True, reported=False),
}
CHSI_STATES = list(_CHSI_STATE_FILTERS)


def chsi_students(
    *, campaign, state: str = "", college=None, school_class=None, query: str = ""
) -> QuerySet[Student]:
    """Return the photographed students in a follow-up state ("" for all), under a
    college or a class and a search by 学号 or name, by class and 学号."""
    students = _chsi_students(
        campaign=campaign, college=college, school_class=school_class, query=query
    )
    if state:
        students = students.filter(_CHSI_STATE_FILTERS[state])
    last_photo = (
        Shot.objects.filter(student=OuterRef("pk"), status=Shot.Status.PHOTOGRAPHED)
        .order_by("-photographed_at")
        .values("photographed_at")[:1]
    )
    return (
        students.annotate(last_photographed_at=Subquery(last_photo))
        .select_related("school_class__college")
        .order_by(*schedule_order("school_class__"), "student_id")
    )


def chsi_counts(*, campaign, college=None, school_class=None, query: str = "") -> dict[str, int]:
    """Return how many photographed students are in each follow-up state, and in all,
    in one query."""
    students = _chsi_students(
        campaign=campaign, college=college, school_class=school_class, query=query
    )
    # The same precedence as rules.chsi_state: an open report first.
    state = Case(
        When(open=True, then=Value(rules.CHSI_OPEN)),
        When(reported=True, then=Value(rules.CHSI_HANDLED)),
        When(answered=True, then=Value(rules.CHSI_OK)),
        default=Value(rules.CHSI_UNANSWERED),
    )
    counts = dict.fromkeys(CHSI_STATES, 0)
    for row in students.annotate(state=state).order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    counts["all"] = sum(counts.values())
    return counts


def chsi_rows(*, campaign, students) -> list[ChsiRow]:
    """Return students of chsi_students() as rows: their last photo, the deadline it
    sets and every answer, newest first, with one query for the answers."""
    students = list(students)
    checks: dict[int, list[ChsiCheck]] = defaultdict(list)
    for check in (
        ChsiCheck.objects.filter(student_id__in=[s.pk for s in students])
        .select_related("handled_by")
        .order_by("-created_at", "-id")
    ):
        checks[check.student_id].append(check)
    deadlines: dict[datetime.date, datetime.date] = {}
    rows = []
    for student in students:
        at = student.last_photographed_at
        day = timezone.localdate(at)
        if day not in deadlines:
            deadlines[day] = rules.chsi_deadline(
                shoot_date=day, working_days=campaign.chsi_check_working_days
            )
        rows.append(ChsiRow(student, at, deadlines[day], checks.get(student.pk, [])))
    return rows


def chsi_overview(
    *,
    campaign,
    state: str = "",
    college=None,
    school_class=None,
    query: str = "",
    page=None,
    per_page: int = CHSI_PER_PAGE,
) -> ChsiOverview:
    """Return one page of the follow-up list and the counts of its states."""
    filters = {"college": college, "school_class": school_class, "query": query}
    paginator = Paginator(chsi_students(campaign=campaign, state=state, **filters), per_page)
    current = paginator.get_page(page)
    current.object_list = chsi_rows(campaign=campaign, students=current.object_list)
    return ChsiOverview(counts=chsi_counts(campaign=campaign, **filters), page=current)


def chsi_filter_choices(*, campaign) -> tuple[list[College], list[SchoolClass]]:
    """Return the colleges with a class in the campaign and the campaign's classes, by
    name, for the follow-up list's filters."""
    colleges = College.objects.filter(classes__campaign=campaign).distinct().order_by("name")
    classes = SchoolClass.objects.filter(campaign=campaign).order_by(*schedule_order())
    return list(colleges), list(classes)
