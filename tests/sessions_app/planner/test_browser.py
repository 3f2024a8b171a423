"""Staff plan the notice's day in a real browser, see the diff, accept it, then undo it."""

from sessions_app.models import ScheduleChange, SchoolClass
from tests.browser import BrowserTestCase
from tests.factories import make_staff
from tests.sessions_app.planner.checker import plan_of_campaign
from tests.sessions_app.planner.test_views import notice_with_students


class PlannerBrowserTests(BrowserTestCase):
    def test_staff_plan_see_the_diff_accept_and_undo(self):
        campaign = notice_with_students()
        before = plan_of_campaign(campaign)
        make_staff(username="jwc", password="Zq8-jiaowu-2018")
        self.login("jwc", "Zq8-jiaowu-2018")
        self.submit("#link-planner")
        self.wait_for("#plan-form")
        self.assertIn("市营17级、机械17级、环艺17级", self.find("#split-before").text)
        self.screenshot("planner-page", full_page=True)
        self.submit("#plan-button")
        self.wait_for("#plan-diff")
        self.assertIn("已证明最优", self.find("#optimality").text)
        self.assertEqual(self.find("#split-after").text.strip(), "0")
        self.assertIn("调整前", self.find("#plan-diff").text)
        self.screenshot("planner-result", full_page=True)
        self.assertEqual(plan_of_campaign(campaign), before, "nothing saved before accepting")

        self.submit("#accept-plan")
        self.assertIn("已保存", self.find("#messages").text)
        change = ScheduleChange.objects.get()
        self.assertEqual(change.kind, ScheduleChange.Kind.PLAN)
        self.assertIn("自动排班", self.find("#latest-change").text)
        self.assertNotEqual(plan_of_campaign(campaign), before)

        self.submit("#latest-change button")
        self.assertIn("确认调整：撤销调整", self.find("h1").text)
        self.submit("#confirm-change")
        self.assertEqual(plan_of_campaign(campaign), before)
        self.assertTrue(
            SchoolClass.objects.filter(campaign=campaign, name="机电1171", venue__name="动力谷")
        )

    def test_the_planner_pages_fit_a_phone(self):
        campaign = notice_with_students()
        make_staff(username="jwc", password="Zq8-jiaowu-2018")
        self.use_phone()
        self.login("jwc", "Zq8-jiaowu-2018")
        self.open("/staff/campaigns/%d/planner/" % campaign.pk)
        self.wait_for("#plan-form")
        self.assertNoHorizontalScroll()
        self.submit("#plan-button")
        self.wait_for("#plan-diff")
        self.assertNoHorizontalScroll()
        self.screenshot("planner-result-phone", full_page=True)
        self.open("/staff/campaigns/%d/planner/busy/" % campaign.pk)
        self.wait_for("#busy-form")
        self.assertNoHorizontalScroll()
