from decimal import Decimal

from django.test import TestCase

from payments_app.demo import seed_demo_handover, seed_demo_payments
from payments_app.models import Handover, Payment
from sessions_app.models import SchoolClass
from tests.factories import make_crew, make_staff, make_user
from tests.payments_app.factories import collected, make_class_world, make_day


class SeedDemoPaymentsTests(TestCase):
    def setUp(self):
        self.demo = make_class_world(8, name="会计1171")
        self.other = make_class_world(5, campaign=self.demo.campaign, name="造价1171")
        staff = make_staff()
        staff.username = "jwc"
        staff.save()

    def test_it_pays_three_in_four_of_the_demo_class_and_all_of_another_once(self):
        first = seed_demo_payments(self.demo.campaign)
        again = seed_demo_payments(self.demo.campaign)

        self.assertEqual(first, 6 + 5)
        self.assertEqual(again, 0)
        demo_payments = Payment.objects.filter(school_class=self.demo.school_class)
        self.assertEqual(demo_payments.count(), 6)
        self.assertEqual({p.recorded_by for p in demo_payments}, {self.demo.monitor_user})
        self.assertEqual(collected(self.other.school_class), (5, Decimal("100.00")))
        self.assertFalse(
            Handover.objects.exists(), "nothing is handed over before the class is shot"
        )

    def test_the_hand_over_waits_for_the_day_and_then_matches_what_is_owed(self):
        seed_demo_payments(self.demo.campaign)
        crew = make_crew()
        self.assertFalse(seed_demo_handover(self.demo.campaign, by=crew))

        absent = self.other.students[-1]
        make_day(self.other, self.other.students[:-1], [absent], crew=crew)
        self.assertTrue(seed_demo_handover(self.demo.campaign, by=crew))
        self.assertFalse(seed_demo_handover(self.demo.campaign, by=crew))

        handover = Handover.objects.get()
        self.assertEqual(handover.school_class, self.other.school_class)
        self.assertEqual((handover.student_count, handover.amount), (4, Decimal("80.00")))
        self.assertEqual(handover.confirmed_by, crew, "the crew received it themselves")
        self.assertFalse(Handover.objects.filter(school_class__name="会计1171").exists())

    def test_it_does_nothing_without_the_demo_class_or_staff(self):
        SchoolClass.objects.filter(name="会计1171").update(name="会计1199")
        make_user(username="someone")
        type(self.demo.monitor_user).objects.filter(username="jwc").delete()

        self.assertEqual(seed_demo_payments(self.demo.campaign), 0)
        self.assertFalse(Payment.objects.exists())
