"""Writes of the shoot day: 拍摄序号, photographed and absent, card corrections at the
desk, class close, and each student's answer after checking 学信网.

Every function is one transaction and raises ShootDayError with a message for the
user; nothing is half-saved when it does. Two desks work at once, so every write locks
the rows it decides on with select_for_update().
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.http import int_param
from capture_portal.services import ServiceError
from cards_app import rules
from cards_app.services import card_discrepancy_settle_at_desk
from payments_app.rules import class_hands_over_cash
from sessions_app.models import (
    CardCorrection,
    ChsiCheck,
    ClassClose,
    SchoolClass,
    Shot,
    ShotAbsence,
    ShotCounter,
    Student,
)
from sessions_app.selectors import student_place
from sessions_app.shootday.rules import STATE_PHOTOGRAPHED
from sessions_app.shootday.selectors.close import class_close_summary
from sessions_app.shootday.status import shoot_status_by_student
from sessions_app.summary import rules as summary_rules
from sessions_app.summary.services import (
    card_restate,
    chsi_restate,
    pace_photo_add,
    students_restate,
)

DESK_MAX_LENGTH = Shot._meta.get_field("desk").max_length
REASON_MAX_LENGTH = Shot._meta.get_field("void_reason").max_length
STUDIO_NUMBER_MAX_LENGTH = Shot._meta.get_field("studio_number").max_length
VALUE_MAX_LENGTH = CardCorrection._meta.get_field("value").max_length
CHSI_PROBLEM_MAX_LENGTH = ChsiCheck._meta.get_field("problem").max_length


class ShootDayError(ServiceError):
    """A shoot-day action that cannot be done; the message is for the user."""


def _clean_text(value: str, *, max_length: int, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > max_length:
        raise ShootDayError(_("%(what)s最多 %(n)d 个字。") % {"what": what, "n": max_length})
    return value


def _locked_student(student: Student) -> Student:
    # Lock the student row only: the class is a nullable join that PostgreSQL cannot
    # lock, and other desks may read it freely.
    return (
        Student.objects.select_for_update(of=("self",))
        .select_related("school_class")
        .get(pk=student.pk)
    )


def _counter_locked(campaign_id: int) -> ShotCounter:
    # The row is created once per campaign; a second desk racing to create it gets the
    # IntegrityError inside get_or_create, which then reads the winner's row.
    ShotCounter.objects.get_or_create(campaign_id=campaign_id)
    return ShotCounter.objects.select_for_update().get(campaign_id=campaign_id)


def shot_number_assign(
    *,
    student: Student,
    desk: str,
    by,
    retake_reason: str = "",
    studio_number: str = "",
    now=None,
) -> Shot:
    """Give the student the campaign's next 拍摄序号.

    Numbers run 1, 2, 3 … per campaign and are never reused. A student who already
    holds an open number keeps it; a student already photographed gets a second number
    only with a retake reason. An open absence is withdrawn: the student came after all.

    In code mode the studio's reader gives the 拍摄号: the crew types it
    (``studio_number``) and the portal records it beside its own running number; the
    portal never invents one.
    """
    now = now or timezone.now()
    desk = _clean_text(desk, max_length=DESK_MAX_LENGTH, what=_("工作台名称"))
    if not desk:
        raise ShootDayError(_("请先填写本工作台的名称（如“1号台”）。"))
    retake_reason = _clean_text(retake_reason, max_length=REASON_MAX_LENGTH, what=_("重拍原因"))
    studio_number = _clean_text(
        studio_number, max_length=STUDIO_NUMBER_MAX_LENGTH, what=_("拍摄号")
    )
    if student.campaign.is_code_mode and not studio_number:
        raise ShootDayError(_("请填写学生在拍摄方扫码后拿到的拍摄号。"))
    if not student.campaign.is_code_mode:
        studio_number = ""
    with transaction.atomic():
        # Lock order, always: the campaign's counter, then the student.
        counter = _counter_locked(student.campaign_id)
        student = _locked_student(student)
        school_class = student.school_class
        if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
            raise ShootDayError(
                _("%(student)s 所在的 %(name)s 已推迟至下一年，今天不拍摄。")
                % {"student": student, "name": school_class.name}
            )
        status = shoot_status_by_student(students=[student])[student.pk]
        if status.open_shot is not None:
            raise ShootDayError(
                _("%(student)s 已取号 %(number)d，尚未拍摄：请先拍摄或作废该序号。")
                % {"student": student, "number": status.open_shot.number}
            )
        if status.state == STATE_PHOTOGRAPHED and not retake_reason:
            raise ShootDayError(
                _("%(student)s 已拍摄（序号 %(numbers)s）。如需重拍，请填写重拍原因。")
                % {"student": student, "numbers": status.numbers}
            )
        if status.state != STATE_PHOTOGRAPHED:
            retake_reason = ""
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        try:
            with transaction.atomic():
                shot = Shot.objects.create(
                    campaign_id=student.campaign_id,
                    number=counter.last_number,
                    student=student,
                    slot=student_place(student=student).slot,
                    desk=desk,
                    studio_number=studio_number,
                    retake_reason=retake_reason,
                    assigned_by=by,
                    assigned_at=now,
                )
        except IntegrityError:
            # Only reachable if the counter was bypassed; nothing is saved.
            raise ShootDayError(
                _("序号 %(number)d 已被占用，未取号，请重试。") % {"number": counter.last_number}
            ) from None
        ShotAbsence.objects.filter(student=student, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_note=_("已到场取号 %d") % shot.number
        )
        # A retake's number leaves the student photographed.
        state = summary_rules.PHOTOGRAPHED if retake_reason else summary_rules.NUMBERED
        students_restate(students=[student], activity=now, shoot_state=state)
    return shot


def _locked_shot(shot: Shot) -> Shot:
    # The student too: their standing changes with the number.
    return (
        Shot.objects.select_for_update(of=("self", "student"))
        .select_related("student")
        .get(pk=shot.pk)
    )


def shot_mark_photographed(*, shot: Shot, by, now=None) -> Shot:
    """Record that the student holding this number has been photographed."""
    now = now or timezone.now()
    with transaction.atomic():
        shot = _locked_shot(shot)
        if shot.status == Shot.Status.PHOTOGRAPHED:
            raise ShootDayError(
                _("序号 %(number)d 已登记为已拍摄，无需重复登记。") % {"number": shot.number}
            )
        if shot.status == Shot.Status.VOID:
            raise ShootDayError(
                _("序号 %(number)d 已作废，不能登记拍摄：请重新取号。") % {"number": shot.number}
            )
        shot.status = Shot.Status.PHOTOGRAPHED
        shot.photographed_by = by
        shot.photographed_at = now
        shot.save(update_fields=["status", "photographed_by", "photographed_at"])
        photographed_at = max(filter(None, (shot.student.photographed_at, now)))
        students_restate(
            students=[shot.student],
            activity=now,
            shoot_state=summary_rules.PHOTOGRAPHED,
            photographed_at=photographed_at,
        )
        pace_photo_add(shot=shot)
    return shot


def shot_void(*, shot: Shot, by, reason: str, now=None) -> Shot:
    """Void an open number (the student left, the card was spoiled): the number is
    skipped for good, and the reason explains the gap."""
    reason = _clean_text(reason, max_length=REASON_MAX_LENGTH, what=_("作废原因"))
    if not reason:
        raise ShootDayError(_("请填写作废原因：跳过的序号必须能说明。"))
    with transaction.atomic():
        shot = _locked_shot(shot)
        if shot.status != Shot.Status.ASSIGNED:
            raise ShootDayError(
                _("序号 %(number)d 状态为“%(status)s”，只有待拍的序号可以作废。")
                % {"number": shot.number, "status": shot.get_status_display()}
            )
        shot.status = Shot.Status.VOID
        shot.void_reason = reason
        shot.voided_by = by
        shot.voided_at = now or timezone.now()
        shot.save(update_fields=["status", "void_reason", "voided_by", "voided_at"])
        # A retake's number voided leaves the student photographed; else waiting again.
        state = shoot_status_by_student(students=[shot.student])[shot.student_id].state
        students_restate(students=[shot.student], shoot_state=state)
    return shot


def shot_mark_absent(*, student: Student, by, now=None) -> ShotAbsence:
    """Mark a student absent; refused once the student holds a number or is photographed."""
    with transaction.atomic():
        student = _locked_student(student)
        school_class = student.school_class
        if school_class is not None and school_class.status == SchoolClass.Status.DEFERRED:
            raise ShootDayError(
                _("%(name)s 已推迟至下一年，无需登记缺席。") % {"name": school_class.name}
            )
        status = shoot_status_by_student(students=[student])[student.pk]
        if status.state == STATE_PHOTOGRAPHED:
            raise ShootDayError(_("%(student)s 已拍摄，不能登记缺席。") % {"student": student})
        if status.open_shot is not None:
            raise ShootDayError(
                _("%(student)s 已取号 %(number)d：请先作废该序号再登记缺席。")
                % {"student": student, "number": status.open_shot.number}
            )
        if status.absent is not None:
            raise ShootDayError(_("%(student)s 已登记缺席。") % {"student": student})
        absence = ShotAbsence.objects.create(
            campaign_id=student.campaign_id,
            student=student,
            marked_by=by,
            marked_at=now or timezone.now(),
        )
        students_restate(students=[student], shoot_state=summary_rules.ABSENT)
        return absence


def _check_correction(student: Student, field: str, value: str) -> tuple[str, bool]:
    """Return the corrected value as the card rules normalise it, and whether it agrees
    with the roster; raise ShootDayError if the card would still be wrong."""
    Field = CardCorrection.Field
    pattern = settings.STUDENT_ID_PATTERN
    if field == Field.STUDENT_ID:
        issues = rules.check_student_id(value, pattern)
        normalised = rules.normalise_text(value)
        matches = normalised == student.student_id
    elif field == Field.NAME:
        check = rules.check_name(value)
        # A reading pypinyin does not know is logged on its own line (0000 旁的拼音):
        # it does not make the characters on the card wrong.
        issues = [i for i in check.errors if i.code != rules.READING_UNKNOWN]
        codes = " ".join(c.code for c in check.codes)
        normalised = "%s（%s）" % (check.value, codes) if codes else check.value
        matches = check.value == rules.normalise_text(student.name)
    elif field == Field.NAME_PINYIN:
        check = rules.check_name(student.name, pinyin=value)
        issues = [i for i in check.issues if i.level == "error"]
        if not issues and not check.needs_pinyin:
            issues = [rules.Issue(field, "not_needed", _("该生姓名没有 0000 的字，不用写拼音。"))]
        normalised = " ".join(
            c.pinyin or "" for c in check.codes if c.code == rules.UNKNOWN_CODE
        ).strip()
        matches = True
    elif field == Field.ID_NUMBER:
        issues = rules.check_id_number(value)
        normalised = rules.normalise_id_number(value)
        matches = normalised == student.id_number
    elif field == Field.EDUCATION_TYPE:
        issues, key = rules.check_education_type(value, student.education_type)
        normalised = rules.EDUCATION_TYPES.get(key or "", value)
        matches = not issues
    elif field == Field.SCHOOL_TYPE:
        issues, key = rules.check_school_type(value, student.school_type)
        normalised = rules.SCHOOL_TYPES.get(key or "", value)
        matches = not issues
    else:
        normalised = rules.normalise_text(value)
        numbers = {
            s.number
            for s in shoot_status_by_student(students=[student])[student.pk].shots
            if s.status != Shot.Status.VOID
        }
        if int_param(normalised) not in numbers:
            raise ShootDayError(
                _("拍摄序号应改为该生自己的序号（%(numbers)s），不是“%(value)s”。")
                % {"numbers": "、".join(map(str, sorted(numbers))) or _("尚未取号"), "value": value}
            )
        issues, matches = [], True
    errors = [i for i in issues if getattr(i, "level", "error") == "error"]
    if errors:
        raise ShootDayError(
            _("更正后仍不正确，未登记：%(message)s")
            % {"message": " ".join(e.message for e in errors)}
        )
    return normalised, matches


def card_correction_record(
    *, student: Student, field: str, kind: str, value: str, by, note: str = "", now=None
) -> CardCorrection:
    """Log a correction the student made on the card (改填/补填), with who and when.

    The new value is checked by the card rules: a value that is still wrong is refused,
    so the student corrects the card again. A value that differs from the roster is
    logged and flagged for 教务处; one that agrees with it closes the student's open
    card discrepancy once every field that differed has been corrected so (the closed
    check is returned as ``settled_check``, else None).
    """
    if field not in CardCorrection.Field.values:
        raise ShootDayError(_("请选择更正的项目。"))
    if kind not in CardCorrection.Kind.values:
        raise ShootDayError(_("请选择改填或补填。"))
    value = (value or "").strip()
    if not value:
        raise ShootDayError(_("请填写更正后卡上的内容。"))
    if len(value) > VALUE_MAX_LENGTH:
        raise ShootDayError(_("更正内容最多 %(n)d 个字。") % {"n": VALUE_MAX_LENGTH})
    note = _clean_text(note, max_length=REASON_MAX_LENGTH, what=_("说明"))
    with transaction.atomic():
        student = _locked_student(student)
        normalised, matches = _check_correction(student, field, value)
        correction = CardCorrection.objects.create(
            campaign_id=student.campaign_id,
            student=student,
            field=field,
            kind=kind,
            value=normalised,
            matches_roster=matches,
            note=note,
            recorded_by=by,
            recorded_at=now or timezone.now(),
        )
        correction.settled_check = None
        if matches:
            # The card now agrees with the roster: a discrepancy the student's own
            # check raised for this field may be settled.
            correction.settled_check = card_discrepancy_settle_at_desk(
                student=student, by=by, now=correction.recorded_at
            )
            if correction.settled_check is not None:
                card_restate(student=student)
        return correction


def class_close(*, school_class: SchoolClass, by, now=None) -> ClassClose:
    """Close the class at the desk, keeping its counts and the amount expected from the
    monitor: the fee for each photographed student, when the monitor collects; nothing
    when students pay the studio or the college pays."""
    with transaction.atomic():
        school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
        if school_class.status == SchoolClass.Status.DEFERRED:
            raise ShootDayError(
                _("%(name)s 已推迟至下一年，不能结束拍摄。") % {"name": school_class.name}
            )
        if ClassClose.objects.filter(school_class=school_class).exists():
            raise ShootDayError(_("%(name)s 已结束拍摄。") % {"name": school_class.name})
        summary = class_close_summary(school_class=school_class)
        if summary.numbered:
            raise ShootDayError(
                _("%(name)s 还有已取号未拍摄的学生（%(who)s）：请先拍摄或作废。")
                % {
                    "name": school_class.name,
                    "who": "、".join(r.student.name for r in summary.numbered),
                }
            )
        money = summary.money
        hands_over = class_hands_over_cash(payment_way=school_class.campaign.payment_way)
        return ClassClose.objects.create(
            school_class=school_class,
            photographed_count=len(summary.photographed),
            absent_count=len(summary.absent),
            not_shot_count=len(summary.not_shot),
            paid_photographed_count=money.to_hand_over[0] if hands_over else 0,
            expected_amount=money.owed if hands_over else 0,
            closed_by=by,
            closed_at=now or timezone.now(),
        )


def chsi_check_confirm(
    *, student: Student, ok: bool, problem: str = "", kind: str = "", by, now=None
) -> ChsiCheck:
    """Record the student's answer after checking 学信网: all right, or what is wrong
    (with its kind, which says the usual fix)."""
    problem = _clean_text(problem, max_length=CHSI_PROBLEM_MAX_LENGTH, what=_("问题说明"))
    if kind and kind not in ChsiCheck.Kind.values:
        raise ShootDayError(_("请选择问题类别。"))
    if not ok and not problem:
        raise ShootDayError(_("请写明学信网上哪一项有问题（如毕业年份、姓名、照片）。"))
    with transaction.atomic():
        student = _locked_student(student)
        status = shoot_status_by_student(students=[student])[student.pk]
        if status.state != STATE_PHOTOGRAPHED:
            raise ShootDayError(_("拍摄登记之后才能核对学信网信息。"))
        check = ChsiCheck.objects.create(
            student=student,
            result=ChsiCheck.Result.OK if ok else ChsiCheck.Result.PROBLEM,
            problem="" if ok else problem,
            kind="" if ok else kind,
            created_by=by,
            created_at=now or timezone.now(),
        )
        chsi_restate(student=student)
        return check


CHSI_NOTE_MAX_LENGTH = ChsiCheck._meta.get_field("handled_note").max_length


def chsi_report_handle(*, report: ChsiCheck, note: str, by, now=None) -> ChsiCheck:
    """Mark a problem a student reported after checking 学信网 as handled by 教务处.

    The report itself is kept as the student wrote it; the note says what was done
    (勘误 requested, the student told …). Two staff members may answer the same
    report at once: the row is locked, and the second is told who was first.
    """
    note = _clean_text(note, max_length=CHSI_NOTE_MAX_LENGTH, what=_("处理说明"))
    if not note:
        raise ShootDayError(_("请写明处理结果（如已提交勘误、已通知学生）。"))
    with transaction.atomic():
        report = (
            ChsiCheck.objects.select_for_update(of=("self", "student"))
            .select_related("student")
            .get(pk=report.pk)
        )
        if not report.is_problem:
            raise ShootDayError(_("这条记录是“核对无误”，没有要处理的问题。"))
        if report.handled_at is not None:
            raise ShootDayError(
                _("这个问题已由 %(who)s 于 %(when)s 标记为已处理。")
                % {
                    "who": _user_label(report.handled_by),
                    "when": timezone.localtime(report.handled_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        report.handled_at = now or timezone.now()
        report.handled_by = by
        report.handled_note = note
        report.save(update_fields=["handled_at", "handled_by", "handled_note"])
        chsi_restate(student=report.student)
    return report


def _user_label(user) -> str:
    return user.first_name or user.username
