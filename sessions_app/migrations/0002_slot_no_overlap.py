"""No two time slots of one venue may overlap: enforced by the database itself.

Django has no portable constraint for this: PostgreSQL gets an exclusion constraint
over the slot's time range, SQLite a pair of triggers that abort the write.
"""

from django.db import migrations

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE sessions_app_timeslot ADD CONSTRAINT slot_no_overlap_in_venue "
    "EXCLUDE USING gist (venue_id WITH =, "
    'tsrange("date" + "start", "date" + "end", \'[)\') WITH &&)',
]
POSTGRES_DOWN = [
    "ALTER TABLE sessions_app_timeslot DROP CONSTRAINT slot_no_overlap_in_venue",
]

_SQLITE_OVERLAP = (
    "EXISTS (SELECT 1 FROM sessions_app_timeslot s WHERE s.venue_id = NEW.venue_id "
    'AND s."date" = NEW."date" AND s."start" < NEW."end" AND NEW."start" < s."end"%s)'
)
SQLITE_UP = [
    "CREATE TRIGGER slot_no_overlap_insert BEFORE INSERT ON sessions_app_timeslot "
    "WHEN %s BEGIN SELECT RAISE(ABORT, 'slot_no_overlap_in_venue'); END" % (_SQLITE_OVERLAP % ""),
    "CREATE TRIGGER slot_no_overlap_update BEFORE UPDATE ON sessions_app_timeslot "
    "WHEN %s BEGIN SELECT RAISE(ABORT, 'slot_no_overlap_in_venue'); END"
    % (_SQLITE_OVERLAP % " AND s.id <> NEW.id"),
]
SQLITE_DOWN = [
    "DROP TRIGGER slot_no_overlap_insert",
    "DROP TRIGGER slot_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                "slot overlap constraint: unsupported database %s" % schema_editor.connection.vendor
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
