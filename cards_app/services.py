"""Writes of card checks: a student saves a check; staff resolve a discrepancy, or it
closes itself when the card or the roster is corrected to agree."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.services import ServiceError
from cards_app import rules
from cards_app.models import CardCheck, RosterFinding
from cards_app.selectors import expected_types, roster_findings_of, roster_row, roster_rows
from sessions_app.models import CardCorrection, Student
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.services import card_restate, students_restate

# Fields compared with the roster held by 教务处. 学历类别 and 所在校别 are already
# errors of the rules when they differ from the student's roster entry.
ROSTER_FIELDS = (rules.STUDENT_ID, rules.NAME, rules.ID_NUMBER)


class CardCheckError(ServiceError):
    """A card check cannot be saved or resolved; the message is for the user."""


def _fit(field_name: str, value: str) -> str:
    """Return the value cut to its column's length. An over-long entry is already an
    error of the rules; what is kept is enough to show it."""
    return value[: CardCheck._meta.get_field(field_name).max_length]


def card_check_run(*, student: Student | None, data: dict) -> rules.CardResult:
    """Judge what was entered, held against the student's roster category if known."""
    return rules.check_card(
        student_id=data.get("student_id"),
        name=data.get("name"),
        id_number=data.get("id_number"),
        education_type=data.get("education_type"),
        school_type=data.get("school_type"),
        expected_education_type=student.education_type if student else None,
        expected_school_type=student.school_type if student else None,
        student_id_pattern=settings.STUDENT_ID_PATTERN,
        name_pinyin=data.get("name_pinyin"),
        today=timezone.localdate(),
    )


def roster_mismatches(*, student: Student, card: dict) -> list[str]:
    """Return the fields where the normalised entry differs from the roster.

    Only the field names: the roster's values are never shown to the one who typed.
    """
    roster = {
        rules.STUDENT_ID: rules.normalise_text(student.student_id),
        rules.NAME: rules.normalise_text(student.name),
        rules.ID_NUMBER: rules.normalise_id_number(student.id_number),
    }
    return [f for f in ROSTER_FIELDS if card.get(f) and card[f] != roster[f]]


def card_check_build(*, student: Student, data: dict, by) -> CardCheck:
    """Return an unsaved current check of the entered data, judged and compared."""
    result = card_check_run(student=student, data=data)
    missing = [i.field for i in result.errors if i.code == "required"]
    if missing:
        raise CardCheckError(_("请先填写%s再保存。") % rules.field_labels(missing))
    card = result.card
    return CardCheck(
        student=student,
        created_by=by,
        created_at=timezone.now(),
        card_student_id=_fit("card_student_id", card["student_id"]),
        name=_fit("name", card["name"]),
        name_pinyin=_fit("name_pinyin", (data.get("name_pinyin") or "").strip()),
        id_number=_fit("id_number", card["id_number"]),
        education_type=card["education_type"] or "",
        school_type=card["school_type"] or "",
        ok=result.ok,
        errors=[i.as_dict() for i in result.errors],
        warnings=[i.as_dict() for i in result.warnings],
        name_mode=card["name_mode"],
        name_codes=[c.as_dict() for c in card["name_codes"]],
        mismatch_fields=roster_mismatches(student=student, card=card),
    )


def card_check_save(*, student: Student, data: dict, by) -> CardCheck:
    """Save a student's check as their current one; the previous ones stay as history.

    A check with rule errors is saved too (the monitor then sees the problem), but not
    one with a field left empty.
    """
    check = card_check_build(student=student, data=data, by=by)
    with transaction.atomic():
        # Two tabs saving at once must not leave two current checks.
        locked = Student.objects.select_for_update().get(pk=student.pk)
        CardCheck.objects.filter(student=student, is_current=True).update(is_current=False)
        check.save()
        students_restate(
            students=[locked],
            card_state=summary_rules.card_state(
                (check.errors, check.mismatch_fields, check.resolved_at)
            ),
        )
    return check


def card_discrepancy_resolve(*, check: CardCheck, by, note: str) -> CardCheck:
    """Close a discrepancy case with a note saying what was done."""
    note = (note or "").strip()
    if not note:
        raise CardCheckError(_("请写明处理结果（例如：名册已更正、学生已按身份证改正）。"))
    with transaction.atomic():
        # The student first, as a student saving a new check locks them: then the check.
        student = Student.objects.select_for_update().get(pk=check.student_id)
        check = CardCheck.objects.select_for_update().get(pk=check.pk)
        if not check.mismatch_fields:
            raise CardCheckError(_("这条核对记录与名册一致，无需处理。"))
        if check.resolved_at is not None:
            raise CardCheckError(_("这条不一致已经处理过了。"))
        if not check.is_current:
            raise CardCheckError(_("学生已重新核对，这条记录已不是当前记录。"))
        check.resolved_at = timezone.now()
        check.resolved_by = by
        check.resolution_note = _fit("resolution_note", note)
        check.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
        card_restate(student=student)
    return check


def card_discrepancy_settle_at_desk(*, student: Student, by, now=None) -> CardCheck | None:
    """Close the student's open discrepancy once the crew has logged, for every field
    that differed, a correction of the paper card to the roster's value.

    Called by the shoot-day desk inside its transaction. Corrections logged before the
    check was saved do not count: the check is newer than what the desk saw. Returns
    the closed check, or None when nothing was closed.
    """
    check = (
        CardCheck.objects.select_for_update()
        .filter(student=student, is_current=True, resolved_at__isnull=True)
        .exclude(mismatch_fields=[])
        .first()
    )
    if check is None:
        return None
    corrected = set(
        CardCorrection.objects.filter(
            student=student,
            matches_roster=True,
            recorded_at__gte=check.created_at,
            field__in=check.mismatch_fields,
        ).values_list("field", flat=True)
    )
    if not set(check.mismatch_fields) <= corrected:
        return None
    labels = "、".join(rules.FIELD_LABELS.get(f, f) for f in check.mismatch_fields)
    check.resolved_at = now or timezone.now()
    check.resolved_by = by
    check.resolution_note = _fit(
        "resolution_note", _("拍摄现场已把采集卡上的%s改为与名册一致。") % labels
    )
    check.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return check


def card_discrepancy_settle_by_roster(*, student: Student, by, now=None) -> CardCheck | None:
    """Close the student's open discrepancy once the roster, corrected by staff, agrees
    with what the student entered on every field.

    Called by the roster correction inside its transaction, with the student as saved.
    Returns the closed check, or None when nothing was closed: no open case, or the
    entry still differs from the roster somewhere.
    """
    check = (
        CardCheck.objects.select_for_update()
        .filter(student=student, is_current=True, resolved_at__isnull=True)
        .exclude(mismatch_fields=[])
        .first()
    )
    if check is None:
        return None
    entered = {
        rules.STUDENT_ID: check.card_student_id,
        rules.NAME: check.name,
        rules.ID_NUMBER: check.id_number,
    }
    if roster_mismatches(student=student, card=entered):
        return None
    check.resolved_at = now or timezone.now()
    check.resolved_by = by
    check.resolution_note = _fit(
        "resolution_note", _("名册已更正：%s") % rules.field_labels(check.mismatch_fields)
    )
    check.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return check


def roster_findings_refresh(*, campaign, students=None) -> None:
    """Check roster entries again with the card rules and keep what they find (the bulk
    check's findings): every student of the campaign, or the ``students`` queryset's.
    Called by the writes that change an entry or what it is held against: the import, a
    correction, a category's rule, the rebuild of the campaign's figures."""
    expected = expected_types(campaign=campaign)
    pattern, today = settings.STUDENT_ID_PATTERN, timezone.localdate()
    target = Student.objects.filter(campaign=campaign)
    if students is not None:
        target = target.filter(pk__in=students.values("pk"))
    with transaction.atomic():
        RosterFinding.objects.filter(campaign=campaign, student__in=target.values("pk")).delete()
        found = [
            RosterFinding(
                campaign=campaign, student_id=values[0], field=field, code=code, level=level
            )
            for values in roster_rows(students=target)
            for field, code, level in roster_findings_of(
                roster_row(values, expected=expected, pattern=pattern, today=today)
            )
        ]
        RosterFinding.objects.bulk_create(found, batch_size=2000)


def roster_findings_drift(*, campaign) -> list[str]:
    """Return what refreshing the campaign's findings would change, one line each."""
    expected = expected_types(campaign=campaign)
    pattern, today = settings.STUDENT_ID_PATTERN, timezone.localdate()
    records = {
        (values[0], *finding)
        for values in roster_rows(campaign=campaign)
        for finding in roster_findings_of(
            roster_row(values, expected=expected, pattern=pattern, today=today)
        )
    }
    kept = set(
        RosterFinding.objects.filter(campaign=campaign).values_list(
            "student_id", "field", "code", "level"
        )
    )
    return ["finding %r: kept %s" % (f, f in kept) for f in sorted(records ^ kept)]
