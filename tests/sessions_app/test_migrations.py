"""A database migrated before the shoot-day migration got its name keeps working."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import TestCase

OLD = ("sessions_app", "0003_shoot_day")
NEW = ("sessions_app", "0003_shootday")


class RenamedMigrationTests(TestCase):
    def test_a_database_that_applied_the_old_name_has_nothing_left_to_apply(self):
        recorder = MigrationRecorder(connection)
        recorder.record_unapplied(*NEW)
        recorder.record_applied(*OLD)
        loader = MigrationLoader(connection)
        self.assertIn(NEW, loader.applied_migrations)
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        self.assertEqual(plan, [])

    def test_without_either_name_the_migration_is_still_to_apply(self):
        recorder = MigrationRecorder(connection)
        recorder.record_unapplied(*NEW)
        recorder.record_unapplied(*OLD)
        self.assertNotIn(NEW, MigrationLoader(connection).applied_migrations)
