"""Many people recording the same payments at the same moment.

Each thread has its own database connection, as two monitors' phones (or one phone's
double tap) would. SQLite has a single writer and serialises every transaction, so it
cannot show a race: these tests run in CI's PostgreSQL pass.
"""

import random
import unittest
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.test import TransactionTestCase

from payments_app.models import Payment
from payments_app.services import PaymentError, payment_record, payments_record
from sessions_app.summary.services import summaries_rebuild
from tests.concurrency import run_at_once
from tests.factories import make_staff, make_student
from tests.payments_app.factories import collected, make_class_world

THREADS = 8


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "SQLite has one writer and serialises all transactions, so no race can happen; "
    "this test runs in CI's PostgreSQL pass.",
)
class ConcurrentPaymentTests(TransactionTestCase):
    def setUp(self):
        self.world = make_class_world(1)
        for _ in range(11):
            make_student(self.world.school_class)
        self.students = list(self.world.school_class.students.order_by("student_id"))
        self.second_monitor = make_staff()  # staff act for the class like a second monitor

    def assert_one_active_payment_each(self):
        active = Payment.objects.filter(status="active")
        self.assertEqual(active.count(), len(self.students))
        self.assertEqual(
            sorted(active.values_list("student_id", flat=True)),
            sorted(s.pk for s in self.students),
        )
        self.assertEqual(
            collected(self.world.school_class),
            (len(self.students), Decimal("20.00") * len(self.students)),
        )

    def test_many_threads_recording_the_same_students_make_one_payment_each(self):
        users = [self.world.monitor_user, self.second_monitor]

        def record(i):
            order = self.students[:]
            random.Random(i).shuffle(order)
            for student in order:
                try:
                    payment_record(student=student, by=users[i % 2])
                except PaymentError:
                    pass  # already paid: the expected answer for all but one thread

        errors = run_at_once(record, THREADS)

        self.assertEqual(errors, [])
        self.assert_one_active_payment_each()

    def test_many_threads_recording_the_whole_class_at_once_make_one_payment_each(self):
        results = []

        def record_all(i):
            user = self.world.monitor_user if i % 2 else self.second_monitor
            results.append(len(payments_record(students=self.students, by=user).recorded))

        errors = run_at_once(record_all, THREADS)

        self.assertEqual(errors, [])
        self.assertEqual(sum(results), len(self.students))
        self.assert_one_active_payment_each()

    def test_the_database_alone_refuses_a_second_active_payment_under_a_race(self):
        # No service and no lock: only the partial unique index stands in the way.
        refused = []

        def insert(i):
            for student in self.students:
                try:
                    with transaction.atomic():
                        Payment.objects.create(
                            campaign=self.world.campaign,
                            student=student,
                            school_class=self.world.school_class,
                            amount=Decimal("20.00"),
                            recorded_by=self.world.monitor_user,
                        )
                except IntegrityError:
                    refused.append(student.pk)

        errors = run_at_once(insert, THREADS)

        self.assertEqual(errors, [])
        self.assertEqual(len(refused), (THREADS - 1) * len(self.students))
        # Written behind the services: the figures are counted again from the records.
        summaries_rebuild(campaign=self.world.campaign)
        self.assert_one_active_payment_each()
