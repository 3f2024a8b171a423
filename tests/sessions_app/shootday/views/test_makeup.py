"""The make-up list page and its exports."""

from django.urls import reverse

from sessions_app.shootday import services as shootday
from tests.sessions_app.shootday.views.pages import ShootPageTestCase, messages_of


class MakeupViewTests(ShootPageTestCase):
    def test_the_makeup_list_shows_the_centre_and_exports(self):
        self.client.force_login(self.crew)
        shootday.shot_mark_absent(student=self.students[1], by=self.crew)
        response = self.client.get(reverse("shootday:makeup"))
        self.assertContains(response, "长沙市迎宾路175号")
        self.assertContains(response, self.students[1].student_id)
        xlsx = self.client.get(reverse("shootday:makeup"), {"format": "xlsx"})
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(xlsx.content.startswith(b"PK"))
        pdf = self.client.get(reverse("shootday:makeup"), {"format": "pdf"})
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        bad = self.client.get(reverse("shootday:makeup"), {"format": "doc"}, follow=True)
        self.assertIn("补拍名单只能导出为 XLSX 或 PDF。", messages_of(bad))
