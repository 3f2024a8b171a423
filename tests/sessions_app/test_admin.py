"""The admin's searches: a student's name in either script."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import CardCorrection
from tests.factories import make_campaign, make_class, make_student, make_user


class AdminNameSearchTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        school_class = make_class(self.campaign)
        self.traditional = make_student(school_class, name="張偉")
        self.other = make_student(school_class, name="李四")
        self.elsewhere = make_student(make_class(make_campaign()), name="张伟")
        self.admin = make_user(is_staff=True, is_superuser=True)
        self.client.force_login(self.admin)

    def test_the_student_list_finds_a_name_in_either_script_within_its_filters(self):
        url = reverse("admin:sessions_app_student_changelist")
        response = self.client.get(url, {"q": "张伟"})
        self.assertContains(response, self.traditional.student_id)
        self.assertContains(response, self.elsewhere.student_id)
        self.assertNotContains(response, self.other.student_id)
        response = self.client.get(url, {"q": "張偉", "campaign__id__exact": self.campaign.pk})
        self.assertContains(response, self.traditional.student_id)
        self.assertNotContains(response, self.elsewhere.student_id)

    def test_the_logs_find_their_student_by_name_in_either_script(self):
        correction = CardCorrection.objects.create(
            campaign=self.campaign,
            student=self.traditional,
            field="name",
            kind="amend",
            value="張偉",
            matches_roster=True,
            recorded_by=self.admin,
            recorded_at=timezone.now(),
        )
        url = reverse("admin:sessions_app_cardcorrection_changelist")
        response = self.client.get(url, {"q": "张伟"})
        self.assertContains(
            response, reverse("admin:sessions_app_cardcorrection_change", args=[correction.pk])
        )
        response = self.client.get(url, {"q": "李四"})
        self.assertNotContains(
            response, reverse("admin:sessions_app_cardcorrection_change", args=[correction.pk])
        )

    def test_a_list_without_a_search_box_ignores_a_query(self):
        response = self.client.get(
            reverse("admin:sessions_app_classclose_changelist"), {"q": "张伟"}
        )
        self.assertEqual(response.status_code, 200)
