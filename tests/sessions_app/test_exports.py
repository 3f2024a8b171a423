"""The export page: staff download each list; others are refused; bad parameters are a
message."""

from django.urls import reverse

from sessions_app.models import Student
from tests.factories import make_staff, make_student_user, make_user
from tests.sessions_app.support import NoticeWorld


class ExportPageTests(NoticeWorld):
    def url(self, kind, **query):
        url = reverse("sessions:export_download", args=[self.campaign.pk, kind])
        return url + ("?" + "&".join("%s=%s" % kv for kv in query.items()) if query else "")

    def test_staff_download_each_list(self):
        self.client.force_login(make_staff())
        page = self.client.get(reverse("sessions:exports", args=[self.campaign.pk]))
        self.assertContains(page, "签到表")
        for kind, fmt, content_type in (
            ("signin", "pdf", "application/pdf"),
            ("roster", "xlsx", "spreadsheetml"),
            ("makeup", "pdf", "application/pdf"),
            ("notice", "pdf", "application/pdf"),
        ):
            response = self.client.get(self.url(kind, format=fmt))
            self.assertEqual(response.status_code, 200, kind)
            self.assertIn(content_type, response["Content-Type"])
            self.assertIn("attachment", response["Content-Disposition"])

    def test_outsiders_students_and_monitors_are_refused(self):
        urls = [
            reverse("sessions:exports", args=[self.campaign.pk]),
            self.url("roster", format="xlsx"),
            self.url("signin"),
            self.url("notice"),
        ]
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 302, url)
        student = Student.objects.get(student_id="1720101001")
        self.client.force_login(make_student_user(student))
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(urls[1]).status_code, 403)

    def test_bad_parameters_are_a_message_not_an_error(self):
        self.client.force_login(make_staff())
        self.assertEqual(self.client.get(self.url("nonsense")).status_code, 404)
        for query in ({"format": "docx"}, {"slot": "abc"}, {"slot": "999999"}):
            response = self.client.get(self.url("signin", **query))
            self.assertEqual(response.status_code, 302, query)
        response = self.client.get(self.url("notice", format="xlsx"), follow=True)
        self.assertContains(response, "只能导出为 PDF")
