"""Import a roster table: check every row, then write all of it or nothing.

A file with any problem writes nothing, whether dry run or not; a clean file is written
in one transaction. Re-importing the same file changes nothing; a changed row updates
the student found by 学号; new classes and colleges are created as the file names them.
"""

import logging
from collections.abc import Callable, Iterable

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from sessions_app.models import Campaign, College, SchoolClass, Student
from sessions_app.roster.checker import ImportReport, RosterChecker
from sessions_app.roster.table import RosterFileError, Table
from sessions_app.rules import class_name_parts

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
