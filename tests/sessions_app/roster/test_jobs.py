"""The roster import's jobs in the queue: a worker that dies is replaced or the job is
failed with a message, a dead import leaves nothing behind, a replaced run does nothing."""

import threading
from datetime import timedelta
from unittest import mock, skipUnless

from django.db import connection, connections, transaction
from django.db.models.functions import Now
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from sessions_app.models import RosterImportJob, SchoolClass, Student
from sessions_app.roster import jobs
from tests.factories import make_campaign, make_class, make_id_number, make_slot, make_staff
from tests.sessions_app.roster.support import GOOD_ROWS, run_worker, xlsx

# A file of new classes and new students: a half import would leave some of either.
ROWS = [
    *GOOD_ROWS,
    ("1730301001", "李雷", make_id_number("43010219990303101"), "机电1171", "", "男"),
]


@override_settings(
    ROSTER_IMPORT_INLINE_ROWS=1, ROSTER_IMPORT_STALE_SECONDS=60, ROSTER_IMPORT_QUEUE_SECONDS=600
)
class DeadWorkerTests(TransactionTestCase):
    def setUp(self):
        self.campaign = make_campaign()
        make_class(self.campaign, make_slot(self.campaign), name="会计1171")
        self.staff = make_staff()

    def create(self, rows=GOOD_ROWS):
        return jobs.job_create(
            user=self.staff, campaign=self.campaign, filename="名单.xlsx", data=xlsx(rows)
        )

    def poll(self, job):
        return jobs.job_get(token=job.token, user=self.staff)

    def die(self, job, *, started=True, seconds=61):
        """Leave the job as a worker that stopped ``seconds`` ago leaves it."""
        RosterImportJob.objects.filter(pk=job.pk).update(
            started=Now() if started else None, heartbeat=Now() - timedelta(seconds=seconds)
        )

    def test_a_job_whose_worker_died_while_checking_is_run_again_then_checked(self):
        job = self.create()
        self.die(job, seconds=30)
        self.assertEqual(self.poll(job).attempt, 1)  # not yet taken for dead
        self.die(job)
        polled = self.poll(job)
        self.assertEqual((polled.state, polled.attempt, polled.retries), ("checking", 2, 1))
        self.assertEqual(DBTaskResult.objects.count(), 2)
        run_worker()  # the first run's task finds itself replaced and does nothing
        checked = self.poll(job)
        self.assertEqual((checked.state, checked.done), ("preview", 3))

    def test_a_job_whose_worker_dies_twice_is_failed_with_a_message(self):
        job = self.create()
        self.die(job)
        self.poll(job)
        self.die(job)
        failed = self.poll(job)
        self.assertEqual(failed.state, "failed")
        self.assertIn("后台处理中途中断", failed.message)
        run_worker()
        self.assertEqual(self.poll(job).state, "failed")

    def test_a_job_no_worker_takes_is_failed_naming_the_worker(self):
        job = self.create()
        self.die(job, started=False, seconds=300)
        self.assertEqual(self.poll(job).state, "checking")  # a busy queue, not yet a dead one
        self.die(job, started=False, seconds=601)
        failed = self.poll(job)
        self.assertEqual(failed.state, "failed")
        self.assertIn("db_worker", failed.message)

    def test_a_worker_dying_in_the_middle_of_the_import_leaves_nothing_behind(self):
        job = self.create(ROWS)
        run_worker()
        job = self.poll(job)
        self.assertEqual(job.state, "preview")
        self.assertIs(jobs.job_report(job=job).ok, True)
        jobs.job_confirm(job=job)
        with mock.patch(
            "sessions_app.roster.services._students_insert", side_effect=KeyboardInterrupt
        ):
            run_worker()  # the process is interrupted after the new classes were written
        self.assertEqual(Student.objects.count(), 0)
        self.assertFalse(SchoolClass.objects.filter(name="机电1171").exists())
        self.assertEqual(self.poll(job).state, "importing")
        self.die(job)
        self.assertEqual(self.poll(job).attempt, job.attempt + 1)
        run_worker()
        done = self.poll(job)
        self.assertEqual(done.state, "imported")
        self.assertEqual(Student.objects.count(), 4)
        self.assertTrue(SchoolClass.objects.filter(name="机电1171").exists())

    def test_an_unexpected_error_fails_the_job_and_writes_nothing(self):
        job = self.create()
        run_worker()
        jobs.job_confirm(job=self.poll(job))
        with mock.patch(
            "sessions_app.roster.services._students_insert", side_effect=RuntimeError("boom")
        ):
            run_worker()
        failed = self.poll(job)
        self.assertEqual(failed.state, "failed")
        self.assertIn("未写入任何数据", failed.message)
        self.assertEqual(Student.objects.count(), 0)

    def test_confirming_twice_starts_one_import(self):
        job = self.create()
        run_worker()
        job = self.poll(job)
        jobs.job_confirm(job=job)
        jobs.job_confirm(job=job)  # the same preview, confirmed again from another host
        self.assertEqual(DBTaskResult.objects.filter(status="READY").count(), 1)
        run_worker()
        self.assertEqual(self.poll(job).state, "imported")
        self.assertEqual(Student.objects.count(), 3)

    @skipUnless(
        connection.vendor == "postgresql",
        "advisory locks are PostgreSQL's: on SQLite the import's transaction holds the whole "
        "database and a poll waits for it",
    )
    def test_an_import_holding_its_lock_is_alive_however_long_it_has_been_silent(self):
        job = self.create()
        run_worker()
        jobs.job_confirm(job=self.poll(job))
        run = self.poll(job).attempt
        self.die(job, seconds=3600)
        locked, release = threading.Event(), threading.Event()

        def importing():
            try:
                with transaction.atomic():
                    jobs._hold_import_lock(job.pk)  # as the worker's import does
                    locked.set()
                    release.wait(10)
            finally:
                connections.close_all()

        thread = threading.Thread(target=importing)
        thread.start()
        try:
            self.assertIs(locked.wait(10), True)
            polled = self.poll(job)
            self.assertEqual((polled.state, polled.attempt), ("importing", run))
        finally:
            release.set()
            thread.join()
        # Once the row is free and still silent, the run is taken for dead.
        self.assertEqual(self.poll(job).attempt, run + 1)

    @skipUnless(
        connection.vendor == "postgresql",
        "a second connection may write beside an open transaction on PostgreSQL only",
    )
    def test_the_import_s_progress_is_seen_before_its_transaction_ends(self):
        job = self.create()
        run_worker()
        jobs.job_confirm(job=self.poll(job))
        seen = []
        finish = jobs._finish

        def look_then_finish(**kwargs):
            # What another host's poll reads while the import's transaction is open.
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT state, done FROM sessions_app_rosterimportjob WHERE id = %s",
                        [job.pk],
                    )
                    seen.append(cursor.fetchone())
            finally:
                other.close()
            finish(**kwargs)

        with mock.patch("sessions_app.roster.jobs._finish", side_effect=look_then_finish):
            run_worker()
        self.assertEqual(seen, [("importing", 3)])
        self.assertEqual(self.poll(job).state, "imported")

    def test_jobs_older_than_a_day_are_swept_with_their_upload(self):
        old = self.create()
        RosterImportJob.objects.filter(pk=old.pk).update(created=Now() - timedelta(hours=25))
        self.create()
        self.assertEqual(
            list(RosterImportJob.objects.exclude(pk=old.pk).values_list("state", flat=True)),
            ["checking"],
        )
        self.assertFalse(RosterImportJob.objects.filter(pk=old.pk).exists())
