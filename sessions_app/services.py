"""Writes to the schedule and the student accounts.

Every function is one transaction and raises ScheduleError with a message for the
user; nothing is half-saved when it does.
"""

import datetime
import secrets
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from capture_portal.services import ServiceError
from cards_app.services import roster_findings_refresh
from sessions_app.models import Campaign, CategoryRule, SchoolClass, Student, TimeSlot, Venue
from sessions_app.summary.services import standing_of, students_restate, tally_move


class ScheduleError(ServiceError):
    """A schedule change that cannot be made; the message is for the user."""


def _save(instance, fields: dict, *, clash_message: str):
    """Save a model instance with the given field values; a unique constraint broken by a
    concurrent save is refused with ``clash_message``."""
    for name, value in fields.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ScheduleError(clash_message) from None
    return instance


def campaign_touch(*, campaign_ids) -> None:
    """Raise the version of the campaigns whose published schedule a write changes, in
    the write's transaction (Campaign.version): public pages are shared under it."""
    Campaign.objects.filter(pk__in=list(campaign_ids)).update(version=F("version") + 1)


def campaign_save(*, campaign: Campaign | None = None, **fields) -> Campaign:
    """Create a campaign, or change one, with the fields of the campaign form."""
    with transaction.atomic():
        saved = _save(campaign or Campaign(), fields, clash_message=_("采集活动未能保存，请重试。"))
        campaign_touch(campaign_ids=[saved.pk])
    return saved


def venue_save(*, venue: Venue | None = None, **fields) -> Venue:
    """Create a venue, or change one (its name is unique)."""
    with transaction.atomic():
        saved = _save(
            venue or Venue(),
            fields,
            clash_message=_("已有名为“%(name)s”的地点。") % {"name": fields.get("name", "")},
        )
        campaign_touch(campaign_ids=saved.slots.values_list("campaign_id", flat=True).distinct())
    return saved


def class_save(*, campaign: Campaign, school_class: SchoolClass | None = None, **fields):
    """Create a class of the campaign, or change one (its name is unique in the campaign)."""
    with transaction.atomic():
        saved = _save(
            school_class or SchoolClass(campaign=campaign),
            fields,
            clash_message=_("本次采集已有名为“%(name)s”的班级。")
            % {"name": fields.get("name", "")},
        )
        campaign_touch(campaign_ids=[campaign.pk])
    return saved


def _overlapping_slot(*, venue: Venue, date, start, end, exclude_pk=None) -> TimeSlot | None:
    qs = TimeSlot.objects.filter(venue=venue, date=date, start__lt=end, end__gt=start)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("venue").first()


def slot_save(
    *,
    campaign: Campaign,
    date: datetime.date,
    start: datetime.time,
    end: datetime.time,
    venue: Venue,
    slot: TimeSlot | None = None,
) -> TimeSlot:
    """Create or change a slot; refuse an end before the start or an overlap in the venue."""
    if end <= start:
        raise ScheduleError(_("结束时间必须晚于开始时间。"))
    with transaction.atomic():
        # Lock the venue so two staff saving slots at once cannot both pass the check.
        Venue.objects.select_for_update().get(pk=venue.pk)
        clash = _overlapping_slot(
            venue=venue, date=date, start=start, end=end, exclude_pk=slot.pk if slot else None
        )
        if clash is not None:
            raise ScheduleError(_("与同一地点的时段 %(slot)s 重叠，未保存。") % {"slot": clash})
        if slot is None:
            slot = TimeSlot(campaign=campaign)
        slot.date, slot.start, slot.end, slot.venue = date, start, end, venue
        try:
            with transaction.atomic():
                slot.save()
        except IntegrityError:
            raise ScheduleError(_("与同一地点的其他时段重叠，未保存。")) from None
        campaign_touch(campaign_ids=[campaign.pk])
    return slot


def slot_delete(*, slot: TimeSlot) -> None:
    """Delete an empty slot; a slot that still has classes or groups is refused."""
    with transaction.atomic():
        slot = TimeSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.classes.exists() or slot.category_rules.exists():
            raise ScheduleError(_("该时段仍有班级或学生类别，请先移走再删除。"))
        slot.delete()
        campaign_touch(campaign_ids=[slot.campaign_id])


def category_rule_set(
    *,
    rule: CategoryRule,
    slot: TimeSlot | None,
    education_type: str,
    school_type: str,
) -> CategoryRule:
    """Set where a category of individuals is shot and what its cards say."""
    if slot is not None and slot.campaign_id != rule.campaign_id:
        raise ScheduleError(_("时段 %(slot)s 不属于本次采集。") % {"slot": slot})
    with transaction.atomic():
        rule = CategoryRule.objects.select_for_update().get(pk=rule.pk)
        if slot is not None and slot.pk != rule.slot_id:
            # After the slot's other groups, in the order the notice lists them.
            taken = CategoryRule.objects.filter(slot=slot).exclude(pk=rule.pk)
            rule.position = max([r.position for r in taken], default=0) + 1
        rule.slot = slot
        rule.education_type = education_type
        rule.school_type = school_type
        rule.save(update_fields=["slot", "position", "education_type", "school_type"])
        campaign_touch(campaign_ids=[rule.campaign_id])
        # The category's cards are held against what the rule now says.
        roster_findings_refresh(
            campaign=rule.campaign,
            students=Student.objects.filter(campaign_id=rule.campaign_id, category=rule.category),
        )
    return rule


def class_monitor_set(*, school_class: SchoolClass, student: Student | None) -> None:
    """Make a student of the class its monitor (or clear the monitor)."""
    if student is not None and student.school_class_id != school_class.pk:
        raise ScheduleError(
            _("%(student)s 不是 %(name)s 的学生，不能任班长。")
            % {"student": student, "name": school_class}
        )
    with transaction.atomic():
        if student is not None:
            # A student monitors one class at most (a one-to-one link).
            SchoolClass.objects.filter(monitor=student).exclude(pk=school_class.pk).update(
                monitor=None
            )
        SchoolClass.objects.filter(pk=school_class.pk).update(monitor=student)


# Initial passwords: no 0/O, 1/l/I, so a printed slip cannot be misread.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
INITIAL_PASSWORD_LENGTH = 10


def initial_password_new() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))


def student_accounts_issue(
    *, students: Sequence[Student], only_new: bool = False
) -> list[tuple[Student, str]]:
    """Give each student a login (username = 学号) with a fresh one-time password.

    The password must be changed at first login. Returns (student, password) pairs for
    the printed slips; the passwords are not stored in clear anywhere.
    """
    User = get_user_model()
    issued = []
    changes = []
    with transaction.atomic():
        students = list(
            Student.objects.select_for_update()
            .filter(pk__in=[s.pk for s in students])
            .order_by("student_id")
        )
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=[s.student_id for s in students])
        }
        for student in students:
            if only_new and student.user_id is not None:
                continue
            password = initial_password_new()
            user = existing.get(student.student_id) or User(username=student.student_id)
            # A one-time random password of 50 bits: a light hash keeps printing a class's
            # slips fast; the forced change at first login sets one of the strong default.
            user.password = make_password(password, hasher="pbkdf2_sha256_initial")
            user.first_name = student.name[: User._meta.get_field("first_name").max_length]
            user.is_active = True
            user.save()
            if student.user_id != user.pk or not student.must_change_password:
                before = standing_of(student)
                student.user = user
                student.must_change_password = True
                student.save(update_fields=["user", "must_change_password"])
                changes.append((before, standing_of(student)))
            issued.append((student, password))
        if students:
            tally_move(campaign_id=students[0].campaign_id, changes=changes)
    return issued


def student_password_changed(*, user) -> None:
    """Record that a student has set their own password: the issued one is spent."""
    with transaction.atomic():
        for student in Student.objects.select_for_update().filter(user=user):
            students_restate(students=[student], must_change_password=False)
