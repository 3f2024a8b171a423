from decimal import Decimal

from django.db import IntegrityError, transaction
from django.test import TestCase

from payments_app.models import Payment, PaymentReversal
from tests.payments_app.factories import make_class_world


class PaymentConstraintTests(TestCase):
    """The database itself keeps the ledger honest, whatever code writes to it."""

    def setUp(self):
        self.world = make_class_world(2)
        self.student = self.world.students[1]

    def _payment(self, **fields):
        values = {
            "campaign": self.world.campaign,
            "student": self.student,
            "school_class": self.world.school_class,
            "amount": Decimal("20.00"),
            "recorded_by": self.world.monitor_user,
        }
        values.update(fields)
        return Payment.objects.create(**values)

    def test_the_database_refuses_a_second_active_payment(self):
        self._payment()

        with self.assertRaises(IntegrityError), transaction.atomic():
            self._payment()
        self.assertEqual(Payment.objects.count(), 1)

    def test_the_database_allows_a_new_payment_after_a_reversed_one(self):
        self._payment(status="reversed")

        self._payment()

        self.assertEqual(Payment.objects.filter(student=self.student).count(), 2)

    def test_the_database_refuses_a_negative_amount(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self._payment(amount=Decimal("-20.00"))

    def test_the_database_refuses_an_unknown_status(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self._payment(status="deleted")

    def test_the_database_refuses_a_reversal_without_a_reason(self):
        payment = self._payment()

        with self.assertRaises(IntegrityError), transaction.atomic():
            PaymentReversal.objects.create(
                payment=payment, reason="", reversed_by=self.world.monitor_user
            )

    def test_a_payment_is_reversed_at_most_once(self):
        payment = self._payment()
        PaymentReversal.objects.create(
            payment=payment, reason="误记", reversed_by=self.world.monitor_user
        )

        with self.assertRaises(IntegrityError), transaction.atomic():
            PaymentReversal.objects.create(
                payment=payment, reason="又一次", reversed_by=self.world.monitor_user
            )
