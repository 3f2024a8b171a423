"""Writes to the roster: import a table, all or nothing; correct one student.

A file with any problem writes nothing, whether dry run or not; a clean file is written
in one transaction. Re-importing the same file changes nothing; a changed row updates
the student found by 学号; new classes and colleges are created as the file names them.

A correction of one student by staff is judged by the same card rules as the import,
refused whole with RosterError, and logged field by field in RosterCorrection.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.services import ServiceError
from cards_app import rules as card_rules
from cards_app.models import CardCheck
from cards_app.services import card_discrepancy_settle_by_roster, roster_findings_refresh
from sessions_app.models import (
    Campaign,
    College,
    Gender,
    RosterCorrection,
    SchoolClass,
    Student,
)
from sessions_app.roster.checker import ImportReport, RosterChecker
from sessions_app.roster.table import RosterFileError, Table
from sessions_app.rules import class_name_parts
from sessions_app.services import campaign_touch
from sessions_app.summary.services import card_restate, summaries_rebuild

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
_INSERT_BATCH = 5000


def roster_import(
    *,
    campaign: Campaign,
    table: Table,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row of the table and, unless ``dry_run``, import it all or nothing.

    Returns the report; ``report.imported`` says whether anything was written.
    """

    def run() -> ImportReport:
        checker = RosterChecker(campaign=campaign, table=table)
        total = table.total_rows
        done = 0
        for number, cells in table.rows():
            checker.row(number, cells)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, max(total, done))
        if progress is not None:
            progress(done, done)
        report = checker.finish()
        report.dry_run = dry_run
        if report.ok and not dry_run:
            _write(checker)
            report.imported = True
        return report

    if dry_run:
        return run()
    try:
        with transaction.atomic():
            # One import per campaign at a time: the second waits and then sees the
            # first's students, so both cannot create the same 学号.
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
            return run()
    except IntegrityError:
        logger.warning("roster import refused by the database", exc_info=True)
        raise RosterFileError(
            _("数据库拒绝了这次导入（可能有人同时在导入名单），未写入任何数据，请重试。")
        ) from None


def _write(checker: RosterChecker) -> None:
    """Write what a clean check found: new colleges and classes, new and changed students."""
    campaign, report = checker.campaign, checker.report
    colleges = dict(checker.colleges)
    College.objects.bulk_create([College(name=n) for n in report.new_colleges])
    colleges.update({c.name: c for c in College.objects.filter(name__in=report.new_colleges)})
    major_length = SchoolClass._meta.get_field("major").max_length
    new_classes = []
    for name in report.new_classes:
        major, entry_year = class_name_parts(name)
        new_classes.append(
            SchoolClass(
                campaign=campaign,
                name=name,
                major=major[:major_length],
                entry_year=entry_year,
                college=colleges.get(checker.new_class_names[name]),
            )
        )
    SchoolClass.objects.bulk_create(new_classes)
    class_ids = dict(SchoolClass.objects.filter(campaign=campaign).values_list("name", "pk"))
    _students_insert(
        {
            "campaign_id": campaign.pk,
            "student_id": student_id,
            "school_class_id": class_ids.get(values["class_name"]),
            **{k: v for k, v in values.items() if k != "class_name"},
        }
        for student_id, values in checker.to_create
    )
    updates = []
    for record, values in checker.to_update:
        student = Student(pk=record["pk"], campaign=campaign, student_id=record["student_id"])
        for name, value in values.items():
            if name != "class_name":
                setattr(student, name, value)
        student.school_class_id = class_ids.get(values["class_name"])
        updates.append(student)
    Student.objects.bulk_update(
        updates,
        [
            "name",
            "id_number",
            "gender",
            "school_class",
            "category",
            "education_type",
            "school_type",
        ],
        batch_size=500,
    )
    # Students new, moved or of another category: the campaign's figures are counted
    # again from its records, in the import's transaction; the schedule's headcounts and
    # classes changed.
    summaries_rebuild(campaign=campaign)
    campaign_touch(campaign_ids=[campaign.pk])


def _students_insert(rows: Iterable[dict]) -> None:
    """Insert new students, given as {attname: value}, with one executemany.

    bulk_create prepares every field of every instance through the ORM, which costs
    ten times the INSERT itself for a 20,000-row roster (and SQLite's parameter limit
    cuts it into 90-row statements). The values here are already clean: the checks
    have normalised them, and every other column takes its model default.
    """
    fields = [f for f in Student._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO %s (%s) VALUES (%s)" % (
        quote(Student._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(tuple(row[a] if a in row else defaults[a] for a in attnames))
            if len(batch) == _INSERT_BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


# Correcting one student -----------------------------------------------------------------

REASON_MAX_LENGTH = RosterCorrection._meta.get_field("reason").max_length
_MAX_LENGTHS = {
    "student_id": Student._meta.get_field("student_id").max_length,
    "name": Student._meta.get_field("name").max_length,
}
# The fields staff correct one by one. 学历类别 and 所在校别 follow the student's category
# (the import refuses a value its rule does not give), so they are not corrected here.
CORRECTABLE_FIELDS = tuple(RosterCorrection.Field.values)


class RosterError(ServiceError):
    """A change to the roster that cannot be made; the message is for the user."""


@dataclass
class CorrectionResult:
    """What student_correct changed: the student as saved, a row per changed field,
    whether the login was renamed to the new 学号, and the card discrepancy it closed
    (None if it closed none)."""

    student: Student
    corrections: list[RosterCorrection] = field(default_factory=list)
    login_renamed: bool = False
    settled_check: CardCheck | None = None

    @property
    def field_labels(self) -> str:
        return "、".join(c.get_field_display() for c in self.corrections)


def _normalised(values: dict) -> dict[str, str]:
    """Return the given fields as the card rules write them; a gender as M, F or blank."""
    unknown = set(values) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError("student_correct() got unknown fields: %s" % ", ".join(sorted(unknown)))
    normalised = {}
    for name, value in values.items():
        if name == "id_number":
            normalised[name] = card_rules.normalise_id_number(value or "")
        elif name == "gender":
            value = (value or "").strip()
            if value and value not in Gender.values:
                raise RosterError(_("性别只能是“男”或“女”，或不填。"))
            normalised[name] = value
        else:
            normalised[name] = card_rules.normalise_text(value or "")
    return normalised


def _correction_problems(student: Student, new: dict[str, str]) -> list[str]:
    """Return why the changed fields cannot be saved, every reason, in card order.

    Only what changes is judged, with the import's rules: an old value that the rules
    would now refuse does not stop the correction of another field.
    """
    User = get_user_model()
    problems: list[str] = []
    if "student_id" in new:
        value = new["student_id"]
        problems += [
            i.message for i in card_rules.check_student_id(value, settings.STUDENT_ID_PATTERN)
        ]
        if len(value) > _MAX_LENGTHS["student_id"]:
            problems.append(_("学号过长（最多 %d 位）。") % _MAX_LENGTHS["student_id"])
        owner = (
            Student.objects.filter(student_id=value)
            .exclude(pk=student.pk)
            .select_related("campaign", "school_class")
            .first()
        )
        if owner is not None and owner.campaign_id == student.campaign_id:
            problems.append(
                _("学号 %(sid)s 已是 %(name)s（%(class)s）的学号。")
                % {
                    "sid": value,
                    "name": owner.name,
                    "class": owner.school_class or owner.get_category_display(),
                }
            )
        elif owner is not None:
            problems.append(
                _("学号已属于另一次采集“%(title)s”的学生。") % {"title": owner.campaign.title}
            )
        elif User.objects.filter(username=value).exclude(pk=student.user_id).exists():
            # The login name is the 学号: another account by that name would be this
            # student's the next time passwords are issued.
            problems.append(
                _("%(sid)s 已是另一个登录账号的用户名；请先在后台处理该账号。") % {"sid": value}
            )
    if "name" in new:
        problems += [i.message for i in card_rules.check_name(new["name"]).errors]
        if len(new["name"]) > _MAX_LENGTHS["name"]:
            problems.append(_("姓名过长。"))
    id_ok = True
    if "id_number" in new:
        value = new["id_number"]
        errors = [
            i
            for i in card_rules.check_id_number(value, today=timezone.localdate())
            if i.level == "error"
        ]
        problems += [i.message for i in errors]
        id_ok = not errors
        owner = (
            Student.objects.filter(campaign_id=student.campaign_id, id_number=value)
            .exclude(pk=student.pk)
            .first()
        )
        if id_ok and owner is not None:
            problems.append(
                _("身份证号已属于学号 %(owner)s 的学生。") % {"owner": owner.student_id}
            )
    if id_ok and ("gender" in new or "id_number" in new):
        gender = new.get("gender", student.gender)
        from_id = card_rules.gender_from_id(new.get("id_number", student.id_number))
        if gender and from_id and gender != from_id:
            problems.append(
                _("性别与身份证号不符：身份证号第 17 位表示%(g)s，请一并更正。")
                % {"g": Gender(from_id).label}
            )
    return problems


def student_correct(*, student: Student, by, reason: str, **values) -> CorrectionResult:
    """Correct a student's roster entry: any of ``student_id``, ``name``, ``id_number``
    and ``gender`` ("M", "F" or "" for not given), with the reason, logged by ``by``.

    Each changed value is normalised and judged by the card rules, as the import judges
    it: a 学号 of the college's pattern that no other student (of any campaign: 学号 is
    unique) has, a name the card can carry (a 0000 character is fine), a valid 身份证号
    no other student of the campaign has, and a gender that the ID's 17th digit agrees
    with. Any refusal raises RosterError with every reason and changes nothing; so does
    a correction that changes nothing.

    The student's login is named by the 学号: when the 学号 changes, a login named by
    the old 学号 is renamed to the new one (so the student signs in with the new 学号,
    password unchanged), and a new 学号 that is already another account's username is
    refused. A login named otherwise (renamed in the admin) keeps its name. The login's
    display name follows a corrected 姓名.

    One RosterCorrection is written per changed field. A card discrepancy of the
    student that the corrected roster now agrees with is closed.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise RosterError(_("请写明更正原因（例如：已核对身份证原件）。"))
    if len(reason) > REASON_MAX_LENGTH:
        raise RosterError(_("更正原因最多 %(n)d 个字。") % {"n": REASON_MAX_LENGTH})
    values = _normalised(values)
    User = get_user_model()
    try:
        with transaction.atomic():
            student = Student.objects.select_for_update().get(pk=student.pk)
            old = {name: getattr(student, name) for name in values}
            new = {
                name: values[name]
                for name in CORRECTABLE_FIELDS
                if name in values and values[name] != old[name]
            }
            if not new:
                raise RosterError(_("没有改动：填写的内容与名册相同，未保存。"))
            problems = _correction_problems(student, new)
            if problems:
                raise RosterError(_("未更正：%(problems)s") % {"problems": " ".join(problems)})
            for name, value in new.items():
                setattr(student, name, value)
            student.save(update_fields=list(new))
            login_renamed = False
            if student.user_id is not None and ("student_id" in new or "name" in new):
                user = User.objects.select_for_update().get(pk=student.user_id)
                login_renamed = _login_follow(user, old, new)
            now = timezone.now()
            corrections = RosterCorrection.objects.bulk_create(
                RosterCorrection(
                    campaign_id=student.campaign_id,
                    student=student,
                    field=name,
                    old_value=old[name],
                    new_value=value,
                    reason=reason,
                    corrected_by=by,
                    corrected_at=now,
                )
                for name, value in new.items()
            )
            settled = card_discrepancy_settle_by_roster(student=student, by=by, now=now)
            if settled is not None:
                card_restate(student=student)
            roster_findings_refresh(
                campaign=student.campaign, students=Student.objects.filter(pk=student.pk)
            )
    except IntegrityError:
        # Someone else took the 学号 or the login name between the check and the save.
        raise RosterError(_("学号或登录账号刚被占用，未更正，请刷新后重试。")) from None
    return CorrectionResult(
        student=student,
        corrections=corrections,
        login_renamed=login_renamed,
        settled_check=settled,
    )


def _login_follow(user, old: dict, new: dict) -> bool:
    """Rename a login named by the old 学号, and give it the corrected name; return
    whether it was renamed."""
    fields = []
    if "student_id" in new and user.username == old["student_id"]:
        user.username = new["student_id"]
        fields.append("username")
    if "name" in new:
        user.first_name = new["name"][: type(user)._meta.get_field("first_name").max_length]
        fields.append("first_name")
    if fields:
        user.save(update_fields=fields)
    return "username" in fields
