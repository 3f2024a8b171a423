"""Who may open the shoot-day pages and post their actions."""

from django.urls import reverse

from sessions_app.models import Shot
from sessions_app.shootday import services as shootday
from tests.personas import Personas
from tests.sessions_app.shootday.factories import make_photographed
from tests.sessions_app.shootday.views.pages import T


class PermissionTests(Personas):
    def crew_pages(self):
        return [
            reverse("shootday:desk"),
            reverse("shootday:numbers"),
            reverse("shootday:makeup"),
            reverse("shootday:class_close", args=[self.school_class.pk]),
        ]

    def test_anonymous_users_are_sent_to_login(self):
        for url in self.crew_pages() + [reverse("shootday:chsi")]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])

    def test_students_monitors_and_outsiders_get_403_on_crew_pages(self):
        for user in (self.student_user, self.monitor_user, self.other_monitor_user, self.outsider):
            self.client.force_login(user)
            for url in self.crew_pages():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)

    def test_crew_and_staff_open_the_crew_pages(self):
        for user in (self.crew, self.staff):
            self.client.force_login(user)
            for url in self.crew_pages():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_crew_cannot_post_as_a_student_and_students_cannot_post_at_the_desk(self):
        self.client.force_login(self.student_user)
        response = self.client.post(reverse("shootday:assign"), {"student": self.student.pk})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Shot.objects.exists())

    def test_the_chsi_overview_is_for_staff_only(self):
        self.client.force_login(self.crew)
        self.assertEqual(self.client.get(reverse("shootday:chsi")).status_code, 403)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(reverse("shootday:chsi")).status_code, 200)

    def test_the_chsi_handling_is_for_staff_only(self):
        make_photographed(self.student, by=self.crew, when=T)
        report = shootday.chsi_check_confirm(
            student=self.student, ok=False, problem="照片不是我", by=self.student_user
        )
        url = reverse("shootday:chsi_handle", args=[report.pk])
        for name, user in self.personas().items():
            if name == "staff":
                continue
            with self.subTest(persona=name):
                self.login_as(user)
                response = self.client.post(url, {"note": "已处理"})
                if user is None:
                    self.assertIn(reverse("login"), response["Location"])
                else:
                    self.assertEqual(response.status_code, 403)
        report.refresh_from_db()
        self.assertIsNone(report.handled_at)
        self.login_as(self.staff)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.post(url, {"note": "已提交勘误"})
        report.refresh_from_db()
        self.assertEqual(report.handled_by, self.staff)

    def test_the_chsi_list_and_its_exports_are_for_staff_only(self):
        for params in ({}, {"format": "xlsx"}, {"format": "pdf"}):
            for name, user in self.personas().items():
                with self.subTest(persona=name, params=params):
                    self.login_as(user)
                    response = self.client.get(reverse("shootday:chsi"), params)
                    if user is None:
                        self.assertIn(reverse("login"), response["Location"])
                    else:
                        self.assertEqual(response.status_code, 200 if name == "staff" else 403)
                    if name == "staff" and params:
                        self.assertTrue(response["Content-Disposition"].startswith("attachment"))
