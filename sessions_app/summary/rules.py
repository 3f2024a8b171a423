"""What each student adds to the campaign's tallies. Pure: no ORM, no I/O.

The figures the pages show — per class: students, photographed, absent, cards and codes
ready, logged in, the money expected, collected, to give back, owed to the crew; per
queue entry: its progress — are sums of the students' states. Every student has a
*standing* (where the day, the ledger, the card, the code and the 学信网 check stand,
kept on the student's row by the services that change them) and adds a few counts to a
few *tally rows*; a write that changes a standing adds the difference, in the same
transaction. Reading a class's figures then costs its few tally rows, never its students.

A tally row is keyed by (home, own, category):

- ``own`` is the class the student belongs to (0: none, an individual);
- ``home`` is the class whose ledger holds the student's line: the class that recorded
  the active payment, else their own. The *member row* (own, own) counts the class's
  students; a row (home, own) with home ≠ own holds the lines of students who paid in
  ``home`` and have moved to ``own`` since;
- a student who paid in another class also has a line in their own class, of kind
  ``elsewhere`` (payments_app/rules.py: "已在原班缴费").

What the rows cannot know is read with them: whether the home class is deferred (its
students owe nothing), and whether the own class was closed or its slot has ended (a
student still waiting is then not shot): time alone changes those.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

# A student's state on the day (shootday/rules.py ShootStatus.state).
PENDING = "pending"
NUMBERED = "numbered"
PHOTOGRAPHED = "photographed"
ABSENT = "absent"
SHOOT_STATES = (PENDING, NUMBERED, PHOTOGRAPHED, ABSENT)

# The student's saved card check (cards_app/selectors.py CardState.status).
CARD_UNCHECKED = "unchecked"
CARD_OK = "ok"
CARD_PROBLEM = "problem"
CARD_STATES = (CARD_UNCHECKED, CARD_OK, CARD_PROBLEM)

# The student's 图像采集码 (code mode): none readable, readable, shared with another.
CODE_MISSING = "missing"
CODE_READY = "ready"
CODE_DUPLICATE = "duplicate"
CODE_STATES = (CODE_MISSING, CODE_READY, CODE_DUPLICATE)

# The 学信网 follow-up of a photographed student (chsi_state below).
CHSI_UNANSWERED = "unanswered"
CHSI_OPEN = "open"
CHSI_HANDLED = "handled"
CHSI_OK = "ok"
CHSI_STATES = (CHSI_UNANSWERED, CHSI_OPEN, CHSI_HANDLED, CHSI_OK)


def card_state(check) -> str:
    """Return the card state a current check gives: (errors, mismatch fields, resolved
    at), or None for no check. A rule error, or a difference from the roster nobody has
    resolved yet, is a problem."""
    if check is None:
        return CARD_UNCHECKED
    errors, mismatches, resolved_at = check
    return CARD_PROBLEM if errors or (mismatches and resolved_at is None) else CARD_OK


def chsi_state(*, answers: int, reports: int, open_reports: int) -> str:
    """Return where a photographed student stands in the 学信网 follow-up.

    A reported problem stays open until 教务处 handles it, whatever the student
    answered afterwards ("无误" included): the student may not know the registry is
    still wrong. A student who never reported a problem and answered is OK.
    """
    if open_reports:
        return CHSI_OPEN
    if reports:
        return CHSI_HANDLED
    if answers:
        return CHSI_OK
    return CHSI_UNANSWERED


# The kinds of a ledger line: owes and has not paid, paid here, paid here and carried to
# the make-up round by staff, paid in another class.
DUE = "due"
PAID = "paid"
CARRIED = "carried"
ELSEWHERE = "elsewhere"
KINDS = (DUE, PAID, CARRIED, ELSEWHERE)

# The counters of a tally row. A member row's readiness counters:
MEMBERS = "members"
ACTIVATED = "activated"  # logged in and set their own password
READINESS = (
    MEMBERS,
    NUMBERED,
    PHOTOGRAPHED,
    ABSENT,
    "card_" + CARD_OK,
    "card_" + CARD_PROBLEM,
    "code_" + CODE_READY,
    "code_" + CODE_DUPLICATE,
    ACTIVATED,
    "chsi_" + CHSI_OPEN,
    "chsi_" + CHSI_HANDLED,
    "chsi_" + CHSI_OK,
)
# The latest desk action (a number given, a photo) on a member, in epoch milliseconds:
# the only counter kept as a maximum rather than a sum.
LAST_ACTIVITY = "last_activity"


def line_counter(kind: str, shoot: str) -> str:
    """Return the counter of ledger lines of ``kind`` whose student is in ``shoot``."""
    return "%s_%s" % (kind, shoot)


def fen_counter(kind: str, shoot: str) -> str:
    """Return the counter of the money (in fen) on lines of ``kind`` in ``shoot``."""
    return "%s_fen_%s" % (kind, shoot)


LINE_COUNTERS = tuple(line_counter(k, s) for k in KINDS for s in SHOOT_STATES)
FEN_COUNTERS = tuple(fen_counter(k, s) for k in (PAID, CARRIED) for s in SHOOT_STATES)
COUNTERS = READINESS + LINE_COUNTERS + FEN_COUNTERS + (LAST_ACTIVITY,)


@dataclass(frozen=True)
class Standing:
    """Where one student stands, as the tallies count them."""

    class_id: int | None
    category: str
    shoot: str = PENDING
    paid_fen: int | None = None  # the active payment, in fen; None: none
    paid_class_id: int | None = None  # the class that recorded it
    carried: bool = False  # staff carried the payment to the make-up round
    card: str = CARD_UNCHECKED
    code: str = CODE_MISSING
    chsi: str = CHSI_UNANSWERED
    activated: bool = False
    last_activity: int | None = None  # epoch ms of the latest number or photo


Key = tuple[int, int, str]  # (home, own, category)


def home_of(standing: Standing) -> int | None:
    """Return the class whose ledger holds the student's line, or None."""
    if standing.paid_fen is not None:
        return standing.paid_class_id
    return standing.class_id


def contributions(standing: Standing) -> dict[Key, dict[str, int]]:
    """Return the counts the student adds to each tally row."""
    own = standing.class_id or 0
    member = {MEMBERS: 1}
    if standing.shoot != PENDING:
        member[standing.shoot] = 1
    if standing.card != CARD_UNCHECKED:
        member["card_" + standing.card] = 1
    if standing.code != CODE_MISSING:
        member["code_" + standing.code] = 1
    if standing.activated:
        member[ACTIVATED] = 1
    if standing.shoot == PHOTOGRAPHED and standing.chsi != CHSI_UNANSWERED:
        member["chsi_" + standing.chsi] = 1
    if standing.last_activity is not None:
        member[LAST_ACTIVITY] = standing.last_activity
    rows: dict[Key, dict[str, int]] = defaultdict(dict)
    rows[(own, own, standing.category)].update(member)
    home = home_of(standing)
    if home is not None:
        if standing.paid_fen is None:
            kind = DUE
        else:
            kind = CARRIED if standing.carried else PAID
        line = rows[(home, own, standing.category)]
        line[line_counter(kind, standing.shoot)] = 1
        if kind != DUE:
            line[fen_counter(kind, standing.shoot)] = standing.paid_fen
    if standing.class_id is not None and home != standing.class_id:
        rows[(own, own, standing.category)][line_counter(ELSEWHERE, standing.shoot)] = 1
    return dict(rows)


def add_into(total: dict[Key, dict[str, int]], part: dict[Key, dict[str, int]], sign: int = 1):
    """Add ``part`` (times ``sign``) into ``total``; the latest activity is kept, never
    subtracted: a maximum cannot be taken back."""
    for key, counts in part.items():
        row = total.setdefault(key, {})
        for name, value in counts.items():
            if name == LAST_ACTIVITY:
                if sign > 0 and value > row.get(name, 0):
                    row[name] = value
            else:
                row[name] = row.get(name, 0) + sign * value


def difference(before: Standing | None, after: Standing | None) -> dict[Key, dict[str, int]]:
    """Return what changes in the tallies when a standing goes from ``before`` to
    ``after`` (None: the student is not counted), zero counts left out."""
    total: dict[Key, dict[str, int]] = {}
    if before is not None:
        add_into(total, contributions(before), -1)
    if after is not None:
        add_into(total, contributions(after), 1)
    return prune(total)


def prune(rows: dict[Key, dict[str, int]]) -> dict[Key, dict[str, int]]:
    """Return the rows without their zero counts, and without rows left empty."""
    kept = {}
    for key, counts in rows.items():
        counts = {name: value for name, value in counts.items() if value}
        if counts:
            kept[key] = counts
    return kept


def tally_of(standings) -> dict[Key, dict[str, int]]:
    """Return the tally rows of a whole set of standings (the rebuild from scratch)."""
    total: dict[Key, dict[str, int]] = {}
    for standing in standings:
        add_into(total, contributions(standing))
    return prune(total)


# Money in the tallies is in fen: integers add exactly on every database.


def to_fen(amount) -> int:
    return int((amount * 100).to_integral_value())


def epoch_ms(moment: datetime.datetime | None) -> int | None:
    if moment is None:
        return None
    return int(moment.timestamp() * 1000)


def from_epoch_ms(value: int | None) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)


# The measured pace of a venue's day, kept as photos arrive -------------------------------

# A pause longer than this between two photos is a break (lunch, the gap between
# slots), not slow work: it is left out of the pace (shootday/rules.py measured_pace).
BREAK_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class PaceSums:
    """What the pace of a venue's day is made of: photos, the working intervals between
    consecutive ones (each at most BREAK_MS) and their length, and the latest photo."""

    photos: int = 0
    intervals: int = 0
    working_ms: int = 0
    last_ms: int | None = None


def pace_sums(times_ms) -> PaceSums:
    """Return the sums of photo times (epoch ms), in any order."""
    times = sorted(times_ms)
    intervals = working = 0
    for before, after in zip(times, times[1:], strict=False):
        if after - before <= BREAK_MS:
            intervals += 1
            working += after - before
    return PaceSums(len(times), intervals, working, times[-1] if times else None)


def _gap_sums(gap: int) -> tuple[int, int]:
    """Return what one gap between consecutive photos adds: (intervals, working ms)."""
    return (1, gap) if gap <= BREAK_MS else (0, 0)


def pace_between(sums: PaceSums, photo_ms: int, before_ms: int | None, after_ms: int) -> PaceSums:
    """Return the sums with one more photo taken before the latest one, between the
    day's photos at ``before_ms`` (None: it is the day's first) and ``after_ms``, its
    neighbours in time: the gap between them gives way to the two gaps around it."""
    intervals, working = sums.intervals, sums.working_ms
    if before_ms is not None:
        lost = _gap_sums(after_ms - before_ms)
        gained = _gap_sums(photo_ms - before_ms)
        intervals += gained[0] - lost[0]
        working += gained[1] - lost[1]
    gained = _gap_sums(after_ms - photo_ms)
    return PaceSums(sums.photos + 1, intervals + gained[0], working + gained[1], sums.last_ms)


def pace_after(sums: PaceSums, photo_ms: int) -> PaceSums | None:
    """Return the sums with one more photo taken at or after the latest one; None if it
    was taken before (the sums must then be read again from every photo)."""
    if sums.last_ms is None:
        return PaceSums(sums.photos + 1, sums.intervals, sums.working_ms, photo_ms)
    gap = photo_ms - sums.last_ms
    if gap < 0:
        return None
    working = gap <= BREAK_MS
    return PaceSums(
        sums.photos + 1,
        sums.intervals + working,
        sums.working_ms + (gap if working else 0),
        photo_ms,
    )
