from django.test import TestCase

from payments_app.demo import seed_demo_payments
from payments_app.models import Handover, Payment
from payments_app.selectors import class_collected
from sessions_app.models import SchoolClass
from tests.factories import make_staff, make_user
from tests.payments_app.factories import make_class_world


class SeedDemoPaymentsTests(TestCase):
    def setUp(self):
        self.demo = make_class_world(8, name="会计1171")
        self.other = make_class_world(5, campaign=self.demo.campaign, name="造价1171")
        staff = make_staff()
        staff.username = "jwc"
        staff.save()

    def test_it_pays_three_in_four_of_the_demo_class_and_hands_over_another_once(self):
        first = seed_demo_payments(self.demo.campaign)
        again = seed_demo_payments(self.demo.campaign)

        self.assertEqual(first, 6 + 5)
        self.assertEqual(again, 0)
        demo_payments = Payment.objects.filter(school_class=self.demo.school_class)
        self.assertEqual(demo_payments.count(), 6)
        self.assertEqual({p.recorded_by for p in demo_payments}, {self.demo.monitor_user})
        handover = Handover.objects.get()
        self.assertEqual(handover.school_class, self.other.school_class)
        self.assertEqual(
            (handover.student_count, handover.amount),
            class_collected(school_class=self.other.school_class),
        )
        self.assertFalse(
            Handover.objects.filter(school_class__name="会计1171").exists(),
            "the demo monitor's class must stay open to try the page on",
        )

    def test_it_does_nothing_without_the_demo_class_or_staff(self):
        SchoolClass.objects.filter(name="会计1171").update(name="会计1199")
        make_user(username="someone")
        type(self.demo.monitor_user).objects.filter(username="jwc").delete()

        self.assertEqual(seed_demo_payments(self.demo.campaign), 0)
        self.assertFalse(Payment.objects.exists())
