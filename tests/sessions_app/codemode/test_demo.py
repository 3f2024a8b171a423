import datetime

from django.test import TestCase

from sessions_app.codemode.selectors import campaign_readiness
from sessions_app.demo import code as demo
from sessions_app.models import CaptureCode, Student
from sessions_app.selectors import slot_for_student


class CodeDemoTests(TestCase):
    def test_the_2026_campaign_runs_in_code_mode_a_week_ahead(self):
        campaign, created = demo.code_campaign_load(today=datetime.date(2025, 11, 3))
        self.assertIs(created, True)
        self.assertEqual((campaign.mode, campaign.payment_way), ("code", "monitor"))
        self.assertEqual((campaign.graduation_year, campaign.chsi_check_working_days), (2026, 10))
        self.assertEqual({s.date for s in campaign.slots.all()}, {datetime.date(2025, 11, 10)})
        added = demo.code_campaign_roster(campaign)
        self.assertGreater(added, 60)
        demo.code_campaign_codes(campaign)
        readiness = campaign_readiness(campaign=campaign)
        self.assertEqual(readiness.total, added)
        self.assertGreater(readiness.ready, added // 2)
        duplicates = Student.objects.filter(campaign=campaign, code_state="duplicate")
        self.assertEqual(duplicates.count(), 2)
        # Students are shot with their class, in the class's place in the slot.
        student = Student.objects.filter(school_class__name=demo.DEMO_CLASS).first()
        place = slot_for_student(student=student)
        self.assertEqual((place.school_class.name, place.position), (demo.DEMO_CLASS, 1))

    def test_it_can_run_again_without_adding_anything(self):
        campaign, _ = demo.code_campaign_load()
        demo.code_campaign_roster(campaign)
        demo.code_campaign_codes(campaign)
        codes = CaptureCode.objects.count()
        again, created = demo.code_campaign_load()
        self.assertEqual((again.pk, created), (campaign.pk, False))
        self.assertEqual(demo.code_campaign_roster(again), 0)
        self.assertEqual(demo.code_campaign_codes(again), 0)
        self.assertEqual(CaptureCode.objects.count(), codes)
