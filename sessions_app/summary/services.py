"""Writes of the campaign's figures: each student's standing and the tallies it adds to
(sessions_app/summary/rules.py), and the measured pace of each venue's day.

The services that change a standing (a payment, a number, a photo, a card check, a
code, a first login, a 学信网 answer …) call ``students_restate`` inside their own
transaction, on the student rows they have locked: the standing, the difference it makes
to the tallies and the write itself commit together or not at all. A tally row is
changed by one statement that adds the differences (``INSERT … ON CONFLICT DO UPDATE``,
the same on SQLite and PostgreSQL), so two desks photographing two students of one class
at once both count: the database adds under its row lock, nobody reads and writes back.

Writes too large to follow one by one (a roster import, the demo, the admin's edits)
call ``summaries_rebuild``, which recomputes every standing and tally of the campaign
from the ledger and the day's records; ``summaries_drift`` says what a rebuild would
change, which is nothing when every write kept the figures.

Lock order, always: the rows the service decides on (the campaign's counter, the class,
the students), then the tally rows in key order, then the pace.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F

from sessions_app.models import (
    CaptureCode,
    ChsiCheck,
    ShootPace,
    Shot,
    ShotAbsence,
    Student,
    TallyCell,
    TimeSlot,
)
from sessions_app.summary import rules

# The standing's columns on Student, as rules.Standing names them.
COLUMNS = {
    "shoot": "shoot_state",
    "paid_fen": "paid_fen",
    "paid_class_id": "paid_class_id",
    "carried": "paid_carried",
    "card": "card_state",
    "code": "code_state",
    "chsi": "chsi_state",
}


def standing_of(student: Student, *, activity: datetime.datetime | None = None):
    """Return the standing kept on the student's row (``activity``: a desk action on
    the student that the tallies' latest activity must take in)."""
    return rules.Standing(
        class_id=student.school_class_id,
        category=student.category,
        shoot=student.shoot_state,
        paid_fen=student.paid_fen,
        paid_class_id=student.paid_class_id,
        carried=student.paid_carried,
        card=student.card_state,
        code=student.code_state,
        chsi=student.chsi_state,
        activated=bool(student.user_id) and not student.must_change_password,
        last_activity=rules.epoch_ms(activity),
    )


def students_restate(
    *, students: Iterable[Student], activity: datetime.datetime | None = None, **fields
) -> None:
    """Set the standing ``fields`` (Student column names) of the students, which the
    caller has locked, and add the difference to the tallies.

    One UPDATE of the students and one of the tally rows, whatever their number: one
    statement on PostgreSQL (tally_add's ``along``)."""
    students = list(students)
    if not students:
        return
    delta: dict = {}
    for student in students:
        before = standing_of(student)
        for name, value in fields.items():
            setattr(student, name, value)
        rules.add_into(delta, rules.difference(before, standing_of(student, activity=activity)))
    update = _students_update(students, fields) if fields else None
    tally_add(campaign_id=students[0].campaign_id, delta=rules.prune(delta), along=update)


def _students_update(students: list[Student], fields: dict) -> tuple[str, list]:
    """Return the UPDATE of the students' standing columns as one plain statement: what
    ``QuerySet.update`` would send, without building a query on every desk action."""
    qn = connection.ops.quote_name
    assignments, params = [], []
    for name, value in fields.items():
        field = Student._meta.get_field(name)
        assignments.append("%s = %%s" % qn(field.column))
        params.append(field.get_db_prep_save(value, connection))
    sql = "UPDATE %s SET %s WHERE %s IN (%s)" % (
        qn(Student._meta.db_table),
        ", ".join(assignments),
        qn(Student._meta.pk.column),
        ", ".join(["%s"] * len(students)),
    )
    return sql, [*params, *(s.pk for s in students)]


def tally_move(*, campaign_id: int, changes) -> None:
    """Add to the tallies what ``changes`` (pairs of standings before and after a write
    the caller made itself; None: not counted) make of them, in one statement."""
    delta: dict = {}
    for before, after in changes:
        rules.add_into(delta, rules.difference(before, after))
    tally_add(campaign_id=campaign_id, delta=rules.prune(delta))


def card_restate(*, student: Student) -> None:
    """Restate the card of a locked student from their current check."""
    from cards_app.models import CardCheck

    check = (
        CardCheck.objects.filter(student_id=student.pk, is_current=True)
        .values_list("errors", "mismatch_fields", "resolved_at")
        .first()
    )
    students_restate(students=[student], card_state=rules.card_state(check))


def chsi_restate(*, student: Student) -> None:
    """Restate the 学信网 follow-up of a locked student from their answers."""
    answers = reports = open_reports = 0
    for result, handled_at in ChsiCheck.objects.filter(student_id=student.pk).values_list(
        "result", "handled_at"
    ):
        answers += 1
        if result == ChsiCheck.Result.PROBLEM:
            reports += 1
            open_reports += handled_at is None
    state = rules.chsi_state(answers=answers, reports=reports, open_reports=open_reports)
    students_restate(students=[student], chsi_state=state)


def codes_restate(*, campaign_id: int, digests) -> None:
    """Restate the codes of every student of the campaign holding one of ``digests``
    (a code shown by two students makes both of them duplicates), locking them."""
    holders = list(
        Student.objects.select_for_update(of=("self",))
        .filter(campaign_id=campaign_id, capture_code__digest__in=set(digests))
        .order_by("pk")
    )
    with_digest = dict(
        CaptureCode.objects.filter(student__in=holders).values_list("student_id", "digest")
    )
    shared = {d for d, n in Counter(with_digest.values()).items() if n > 1}
    for state in (rules.CODE_READY, rules.CODE_DUPLICATE):
        students = [
            s
            for s in holders
            if (with_digest[s.pk] in shared) == (state == rules.CODE_DUPLICATE)
            and s.code_state != state
        ]
        students_restate(students=students, code_state=state)


def students_counted(*, students: Iterable[Student], sign: int = 1) -> None:
    """Add new students to the tallies as their rows stand (``sign`` -1: take them out,
    before they are deleted)."""
    by_campaign: dict[int, dict] = defaultdict(dict)
    for student in students:
        rules.add_into(
            by_campaign[student.campaign_id], rules.contributions(standing_of(student)), sign
        )
    for campaign_id, delta in by_campaign.items():
        tally_add(campaign_id=campaign_id, delta=rules.prune(delta))


def tally_add(*, campaign_id: int, delta: dict, along: tuple[str, list] | None = None) -> None:
    """Add ``delta`` ({(home, own, category): {counter: value}}) to the tally rows in one
    statement; the latest activity is raised, never lowered.

    ``along``: a statement (sql, params) of the same write on another table, sent with
    it: inside it on PostgreSQL (a data-modifying WITH, one round trip), just before it
    elsewhere."""
    if along is not None and (not delta or connection.vendor != "postgresql"):
        with connection.cursor() as cursor:
            cursor.execute(*along)
        along = None
    if not delta:
        return
    rows = sorted(
        (home, own, category, counter, value)
        for (home, own, category), counts in delta.items()
        for counter, value in counts.items()
    )
    qn = connection.ops.quote_name
    table = qn(TallyCell._meta.db_table)
    keys = ", ".join(qn(c) for c in ("campaign_id", "home_key", "own_key", "category", "counter"))
    value, current = qn("value"), "%s.%s" % (table, qn("value"))
    sql = (
        "INSERT INTO %(table)s (%(keys)s, %(value)s) VALUES %(rows)s "
        "ON CONFLICT (%(keys)s) DO UPDATE SET %(value)s = CASE "
        "WHEN excluded.%(counter)s = %%s THEN "
        "CASE WHEN excluded.%(value)s > %(current)s THEN excluded.%(value)s ELSE %(current)s END "
        "ELSE %(current)s + excluded.%(value)s END"
    ) % {
        "table": table,
        "keys": keys,
        "value": value,
        "current": current,
        "counter": qn("counter"),
        "rows": ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows)),
    }
    params = [p for row in rows for p in (campaign_id, *row)] + [rules.LAST_ACTIVITY]
    if along is not None:
        sql, params = "WITH %s AS (%s) %s" % (qn("along"), along[0], sql), along[1] + params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# The pace ---------------------------------------------------------------------------------


def pace_photo_add(*, shot: Shot) -> None:
    """Take a photo just registered into the pace of its venue's day: one statement while
    photos come in order (the venue and the day read from the slot inside it); one that
    comes late (two desks committing out of order) placed between its neighbours in
    time; read again from every photo of the day only when the day has none yet."""
    if shot.slot_id is None or shot.photographed_at is None:
        return
    moment = rules.epoch_ms(shot.photographed_at)
    qn = connection.ops.quote_name
    of_slot = "(SELECT %%s FROM %s WHERE %s = %%%%s)" % (
        qn(TimeSlot._meta.db_table),
        qn(TimeSlot._meta.pk.column),
    )
    last, intervals, working = qn("last_ms"), qn("intervals"), qn("working_ms")
    sql = (
        "UPDATE %(table)s SET %(photos)s = %(photos)s + 1, "
        "%(intervals)s = %(intervals)s + CASE WHEN %%s - %(last)s <= %%s THEN 1 ELSE 0 END, "
        "%(working)s = %(working)s + CASE WHEN %%s - %(last)s <= %%s THEN %%s - %(last)s "
        "ELSE 0 END, %(last)s = %%s "
        "WHERE %(campaign)s = %%s AND %(venue)s = %(slot_venue)s AND %(date)s = %(slot_date)s "
        "AND %(last)s <= %%s"
    ) % {
        "table": qn(ShootPace._meta.db_table),
        "photos": qn("photos"),
        "intervals": intervals,
        "working": working,
        "last": last,
        "campaign": qn("campaign_id"),
        "venue": qn("venue_id"),
        "date": qn("date"),
        "slot_venue": of_slot % qn(TimeSlot._meta.get_field("venue").column),
        "slot_date": of_slot % qn(TimeSlot._meta.get_field("date").column),
    }
    params = [moment, rules.BREAK_MS, moment, rules.BREAK_MS, moment, moment]
    params += [shot.campaign_id, shot.slot_id, shot.slot_id, moment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount:
            return
    slot = TimeSlot.objects.filter(pk=shot.slot_id).values("venue_id", "date").first()
    if slot is None:
        return
    pace = (
        ShootPace.objects.select_for_update()
        .filter(campaign_id=shot.campaign_id, venue_id=slot["venue_id"], date=slot["date"])
        .first()
    )
    if pace is None or pace.last_ms is None:
        pace_recount(campaign_id=shot.campaign_id, venue_id=slot["venue_id"], date=slot["date"])
        return
    # A photo taken before the latest one (a desk that committed late): placed between
    # its two neighbours in time, found by two index lookups, under the row's lock.
    others = _photo_times(shot.campaign_id, slot["venue_id"], slot["date"]).exclude(pk=shot.pk)
    taken = shot.photographed_at
    before = others.filter(photographed_at__lte=taken).order_by("-photographed_at").first()
    after = others.filter(photographed_at__gt=taken).order_by("photographed_at").first()
    if after is None:  # the kept sums are behind the records: read them again
        pace_recount(campaign_id=shot.campaign_id, venue_id=slot["venue_id"], date=slot["date"])
        return
    sums = rules.pace_between(
        rules.PaceSums(pace.photos, pace.intervals, pace.working_ms, pace.last_ms),
        moment,
        rules.epoch_ms(before) if before is not None else None,
        rules.epoch_ms(after),
    )
    pace.photos, pace.intervals, pace.working_ms = sums.photos, sums.intervals, sums.working_ms
    pace.save(update_fields=["photos", "intervals", "working_ms"])


def _photo_times(campaign_id: int, venue_id: int, date: datetime.date):
    return (
        Shot.objects.filter(
            campaign_id=campaign_id,
            slot__venue_id=venue_id,
            slot__date=date,
            status=Shot.Status.PHOTOGRAPHED,
            photographed_at__isnull=False,
        )
        .order_by()
        .values_list("photographed_at", flat=True)
    )


def pace_recount(*, campaign_id: int, venue_id: int, date: datetime.date) -> None:
    """Read the pace of a venue's day again from every photo of it."""
    try:
        with transaction.atomic():
            ShootPace.objects.get_or_create(campaign_id=campaign_id, venue_id=venue_id, date=date)
    except IntegrityError:
        pass  # another desk created it meanwhile
    pace = ShootPace.objects.select_for_update().get(
        campaign_id=campaign_id, venue_id=venue_id, date=date
    )
    sums = rules.pace_sums(rules.epoch_ms(t) for t in _photo_times(campaign_id, venue_id, date))
    pace.photos, pace.intervals = sums.photos, sums.intervals
    pace.working_ms, pace.last_ms = sums.working_ms, sums.last_ms
    pace.save(update_fields=["photos", "intervals", "working_ms", "last_ms"])


# From scratch ----------------------------------------------------------------------------


def standings_from_records(students) -> dict[int, tuple[rules.Standing, dict]]:
    """Return each student's standing as the ledger and the day's records have it, with
    the Student columns that hold it (and ``photographed_at``), keyed by pk.

    A fixed handful of queries for any number of students: the rebuild and the check of
    a 20,000-student campaign read rows, never model instances."""
    from cards_app.models import CardCheck
    from payments_app.models import Payment, PaymentStatus

    ids = students.order_by().values("pk")
    shoot: dict[int, dict] = defaultdict(dict)
    shots = Shot.objects.filter(student_id__in=ids).order_by()
    for student_id, status, assigned, photographed in shots.values_list(
        "student_id", "status", "assigned_at", "photographed_at"
    ):
        facts = shoot[student_id]
        when = max(t for t in (assigned, photographed) if t is not None)
        facts["activity"] = max(facts.get("activity", when), when)
        if status == Shot.Status.PHOTOGRAPHED:
            facts["photographed"] = max(facts.get("photographed", photographed), photographed)
        elif status == Shot.Status.ASSIGNED:
            facts["numbered"] = True
    absent = set(
        ShotAbsence.objects.filter(student_id__in=ids, withdrawn_at__isnull=True).values_list(
            "student_id", flat=True
        )
    )
    payments = {
        student_id: (rules.to_fen(amount), class_id, carry is not None)
        for student_id, amount, class_id, carry in Payment.objects.filter(
            student_id__in=ids, status=PaymentStatus.ACTIVE, campaign=F("student__campaign")
        ).values_list("student_id", "amount", "school_class_id", "carry")
    }
    cards = {}
    for student_id, errors, mismatches, resolved_at in CardCheck.objects.filter(
        student_id__in=ids, is_current=True
    ).values_list("student_id", "errors", "mismatch_fields", "resolved_at"):
        cards[student_id] = rules.card_state((errors, mismatches, resolved_at))
    codes = {
        student_id: (campaign_id, digest)
        for student_id, campaign_id, digest in CaptureCode.objects.filter(
            student_id__in=ids
        ).values_list("student_id", "campaign_id", "digest")
    }
    shared = set(
        CaptureCode.objects.filter(digest__in={digest for _c, digest in codes.values()})
        .values("campaign_id", "digest")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("campaign_id", "digest")
    )
    chsi: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for student_id, result, handled in ChsiCheck.objects.filter(student_id__in=ids).values_list(
        "student_id", "result", "handled_at"
    ):
        counts = chsi[student_id]
        counts[0] += 1
        if result == ChsiCheck.Result.PROBLEM:
            counts[1] += 1
            counts[2] += handled is None
    found = {}
    for pk, class_id, category, user_id, must_change in students.order_by().values_list(
        "pk", "school_class_id", "category", "user_id", "must_change_password"
    ):
        facts = shoot.get(pk, {})
        if "photographed" in facts:
            state = rules.PHOTOGRAPHED
        elif facts.get("numbered"):
            state = rules.NUMBERED
        elif pk in absent:
            state = rules.ABSENT
        else:
            state = rules.PENDING
        paid_fen, paid_class_id, carried = payments.get(pk, (None, None, False))
        digest = codes.get(pk)
        if digest is None:
            code = rules.CODE_MISSING
        else:
            code = rules.CODE_DUPLICATE if digest in shared else rules.CODE_READY
        answers, reports, open_reports = chsi.get(pk, (0, 0, 0))
        chsi_state = rules.chsi_state(answers=answers, reports=reports, open_reports=open_reports)
        standing = rules.Standing(
            class_id=class_id,
            category=category,
            shoot=state,
            paid_fen=paid_fen,
            paid_class_id=paid_class_id,
            carried=carried,
            card=cards.get(pk, rules.CARD_UNCHECKED),
            code=code,
            chsi=chsi_state,
            activated=bool(user_id) and not must_change,
            last_activity=rules.epoch_ms(facts.get("activity")),
        )
        columns = {COLUMNS[name]: getattr(standing, name) for name in COLUMNS}
        columns["photographed_at"] = facts.get("photographed")
        found[pk] = (standing, columns)
    return found


def _stored_columns(students) -> dict[int, dict]:
    names = list(COLUMNS.values()) + ["photographed_at"]
    return {row.pop("pk"): row for row in students.order_by().values("pk", *names)}


def _stored_tally(campaign_id: int) -> dict:
    rows: dict = {}
    for home, own, category, counter, value in TallyCell.objects.filter(
        campaign_id=campaign_id
    ).values_list("home_key", "own_key", "category", "counter", "value"):
        if value:
            rows.setdefault((home, own, category), {})[counter] = value
    return rows


def _stored_pace(campaign_id: int) -> dict:
    return {
        (venue, date): rules.PaceSums(photos, intervals, working, last)
        for venue, date, photos, intervals, working, last in ShootPace.objects.filter(
            campaign_id=campaign_id
        ).values_list("venue_id", "date", "photos", "intervals", "working_ms", "last_ms")
        if photos
    }


def _paces_from_records(campaign_id: int) -> dict:
    times: dict = defaultdict(list)
    for venue, date, moment in (
        Shot.objects.filter(
            campaign_id=campaign_id,
            status=Shot.Status.PHOTOGRAPHED,
            photographed_at__isnull=False,
            slot__isnull=False,
        )
        .order_by()
        .values_list("slot__venue_id", "slot__date", "photographed_at")
    ):
        times[(venue, date)].append(rules.epoch_ms(moment))
    return {key: rules.pace_sums(values) for key, values in times.items()}


def summaries_drift(*, campaign) -> list[str]:
    """Return what a rebuild from the records would change in the campaign's
    standings, tallies and paces, one line each; empty when nothing drifted."""
    students = Student.objects.filter(campaign=campaign)
    found = standings_from_records(students)
    stored = _stored_columns(students)
    lines = []
    for pk, (_standing, columns) in sorted(found.items()):
        if stored.get(pk) != columns:
            lines.append("student %s: kept %r, records %r" % (pk, stored.get(pk), columns))
    tally = rules.tally_of(standing for standing, _columns in found.values())
    kept = _stored_tally(campaign.pk)
    for key in sorted(set(tally) | set(kept)):
        if tally.get(key, {}) != kept.get(key, {}):
            lines.append("tally %s: kept %r, records %r" % (key, kept.get(key), tally.get(key)))
    paces, kept_paces = _paces_from_records(campaign.pk), _stored_pace(campaign.pk)
    for key in sorted(set(paces) | set(kept_paces)):
        if paces.get(key) != kept_paces.get(key):
            lines.append(
                "pace %s: kept %r, records %r" % (key, kept_paces.get(key), paces.get(key))
            )
    from cards_app.services import roster_findings_drift

    return lines + roster_findings_drift(campaign=campaign)


REBUILD_BATCH = 2000


@transaction.atomic
def summaries_rebuild(*, campaign) -> None:
    """Recompute every standing, tally and pace of the campaign from its records, and
    check its roster again (the bulk check's findings).

    For the writes too large to follow one by one (a roster import, the demo) and for
    ``manage.py rebuild_summaries``. The campaign's students are locked meanwhile."""
    students = Student.objects.filter(campaign=campaign)
    list(students.select_for_update().values_list("pk", flat=True))
    found = standings_from_records(students)
    stored = _stored_columns(students)
    changed: dict[tuple, list[int]] = defaultdict(list)
    for pk, (_standing, columns) in found.items():
        if stored.get(pk) != columns:
            changed[tuple(sorted(columns.items(), key=lambda item: item[0]))].append(pk)
    for columns, pks in changed.items():
        for start in range(0, len(pks), REBUILD_BATCH):
            Student.objects.filter(pk__in=pks[start : start + REBUILD_BATCH]).update(
                **dict(columns)
            )
    TallyCell.objects.filter(campaign=campaign).delete()
    tally = rules.tally_of(standing for standing, _columns in found.values())
    TallyCell.objects.bulk_create(
        [
            TallyCell(
                campaign=campaign,
                home_key=home,
                own_key=own,
                category=category,
                counter=counter,
                value=value,
            )
            for (home, own, category), counts in tally.items()
            for counter, value in counts.items()
        ],
        batch_size=REBUILD_BATCH,
    )
    ShootPace.objects.filter(campaign=campaign).delete()
    ShootPace.objects.bulk_create(
        [
            ShootPace(
                campaign=campaign,
                venue_id=venue,
                date=date,
                photos=sums.photos,
                intervals=sums.intervals,
                working_ms=sums.working_ms,
                last_ms=sums.last_ms,
            )
            for (venue, date), sums in _paces_from_records(campaign.pk).items()
        ]
    )
    from cards_app.services import roster_findings_refresh

    roster_findings_refresh(campaign=campaign)
