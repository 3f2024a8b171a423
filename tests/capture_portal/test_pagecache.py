"""Whole pages from the cache: each visitor gets a working form token, a write shows at
once, a message after a save is never served to anyone later, and a copy costs a few
queries whatever the roster's size."""

import re

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments_app.services import payment_record
from tests.factories import make_campaign, make_student
from tests.personas import Personas

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PageCacheTests(Personas):
    def client_for(self, user=None):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        return client

    def test_each_visitor_posts_with_the_token_of_their_own_page(self):
        url = reverse("sessions:lookup")
        for _ in range(2):  # the second visitor is served the kept copy
            visitor = self.client_for()
            page = visitor.get(url)
            token = TOKEN.search(page.content.decode()).group(1)
            self.assertNotIn("csrf-placeholder", page.content.decode())
            answer = visitor.post(
                url,
                {
                    "csrfmiddlewaretoken": token,
                    "student_id": self.student.student_id,
                    "name": self.student.name,
                },
            )
            self.assertEqual(answer.status_code, 200)
            self.assertContains(answer, "10:30")

    def test_two_staff_sessions_of_one_user_each_get_a_working_token(self):
        url = reverse("shootday:chsi")
        first, second = self.client_for(self.staff), self.client_for(self.staff)
        tokens = []
        for client in (first, second):
            html = client.get(url).content.decode()
            self.assertNotIn("csrf-placeholder", html)
            tokens.append(set(TOKEN.findall(html)))
        logout = reverse("logout")
        for client, found in zip((first, second), tokens, strict=True):
            self.assertTrue(found)
            response = client.post(logout, {"csrfmiddlewaretoken": found.pop()})
            self.assertNotEqual(response.status_code, 403)

    def test_a_payment_shows_on_the_next_request(self):
        client = self.client_for(self.monitor_user)
        url = reverse("payments:class", args=[self.school_class.pk])
        collected = '<div class="big-number" id="collected">%s</div>'
        self.assertContains(client.get(url), collected % "0.00", html=True)
        payment_record(student=self.student, by=self.monitor_user)
        self.assertContains(client.get(url), collected % "20.00", html=True)

    def test_a_new_login_is_never_answered_with_the_old_pages_token(self):
        client = self.client_for(self.staff)
        url = reverse("shootday:chsi")
        etag = client.get(url)["ETag"]
        client.logout()
        client.force_login(self.staff)  # a new session and a new CSRF secret
        page = client.get(url, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(page.status_code, 200)
        token = TOKEN.search(page.content.decode()).group(1)
        self.assertNotEqual(
            client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code, 403
        )

    def test_a_message_is_shown_once_and_never_kept(self):
        client = self.client_for(self.staff)
        url = reverse("sessions:staff_board")
        client.get(url)  # a copy is kept
        response = client.post(
            reverse("sessions:class_monitor", args=[self.school_class.pk]),
            {
                "student": self.monitor.pk,
                "csrfmiddlewaretoken": TOKEN.search(client.get(url).content.decode()).group(1),
            },
            follow=True,
        )
        self.assertTrue(list(response.context["messages"]))
        shown = [m.message for m in response.context["messages"]]
        again = client.get(response.request["PATH_INFO"]).content.decode()
        for text in shown:
            self.assertNotIn(text, again)

    def test_a_kept_page_costs_a_few_queries_and_answers_304_to_its_etag(self):
        client = self.client_for(self.monitor_user)
        url = reverse("sessions:monitor_home")
        first = client.get(url)
        for _ in range(30):
            make_student(self.school_class)
        fresh = client.get(url)  # the roster changed: built again
        self.assertNotEqual(fresh["ETag"], first["ETag"])
        with CaptureQueriesContext(connection) as kept:
            again = client.get(url)
        self.assertEqual(again.status_code, 200)
        self.assertLessEqual(len(kept.captured_queries), 6)
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=again["ETag"])
        self.assertEqual(not_modified.status_code, 304)
        self.assertEqual(not_modified.content, b"")


class FrontDoorTests(Personas):
    """A page kept for a visitor is served before the middleware and the view run, and
    never once who the visitor is has changed."""

    def client_for(self, user=None):
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        return client

    def queries_of(self, client, url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return response, len(queries.captured_queries)

    def test_an_anonymous_visitor_is_served_a_kept_page_without_a_query(self):
        url = reverse("sessions:home")
        self.client_for().get(url)
        page, queries = self.queries_of(self.client_for(), url)
        self.assertContains(page, "10:30")
        self.assertEqual(queries, 0)

    def test_a_signed_in_visitor_costs_only_the_session(self):
        client = self.client_for(self.student_user)
        url = reverse("sessions:student_home")
        first = client.get(url)
        page, queries = self.queries_of(client, url)
        self.assertEqual(
            TOKEN.sub("", page.content.decode()), TOKEN.sub("", first.content.decode())
        )
        self.assertLessEqual(queries, 1)  # the session, when sessions live in the database

    def test_a_kept_page_has_the_headers_of_a_built_one(self):
        url = reverse("cards:check")
        built = self.client_for().get(url)
        kept, queries = self.queries_of(self.client_for(), url)
        self.assertEqual(queries, 0)
        for header in (
            "Content-Security-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Content-Type",
            "Cache-Control",
        ):
            self.assertEqual(kept.get(header), built.get(header), header)
        self.assertIn("csrftoken", kept.cookies)  # a new visitor gets a CSRF cookie
        self.assertEqual(kept["Cache-Control"], "no-cache")  # a shared page, asked again
        signed_in = self.client_for(self.staff).get(reverse("sessions:staff_board"))
        self.assertEqual(sorted(signed_in["Cache-Control"].split(", ")), ["no-cache", "private"])

    def test_staff_taken_out_of_the_group_are_refused_at_once(self):
        client = self.client_for(self.staff)
        url = reverse("sessions:staff_board")
        self.assertEqual(client.get(url).status_code, 200)
        self.assertEqual(client.get(url).status_code, 200)
        self.staff.groups.clear()
        self.assertEqual(client.get(url).status_code, 403)

    def test_a_group_emptied_from_its_side_refuses_its_members(self):
        from django.contrib.auth.models import Group

        from capture_portal.roles import CREW_GROUP

        client = self.client_for(self.crew)
        url = reverse("shootday:numbers")
        self.assertEqual(client.get(url).status_code, 200)
        Group.objects.get(name=CREW_GROUP).user_set.remove(self.crew)
        self.assertEqual(client.get(url).status_code, 403)

    def test_a_monitor_replaced_loses_the_class_page_at_once(self):
        from sessions_app.services import class_monitor_set

        client = self.client_for(self.monitor_user)
        url = reverse("sessions:monitor_home")
        self.assertEqual(client.get(url).status_code, 200)
        class_monitor_set(school_class=self.school_class, student=self.student)
        self.assertEqual(client.get(url).status_code, 403)

    def test_a_password_changed_elsewhere_signs_the_old_session_out(self):
        client = self.client_for(self.student_user)
        url = reverse("sessions:student_home")
        self.assertEqual(client.get(url).status_code, 200)
        self.student_user.set_password("a-new-password-for-tests-456")
        self.student_user.save()
        page = client.get(url)
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("login"), page["Location"])

    def test_a_signed_out_session_is_not_served_its_page(self):
        client = self.client_for(self.staff)
        url = reverse("sessions:staff_board")
        client.get(url)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        client.logout()
        stale = Client()
        stale.cookies[settings.SESSION_COOKIE_NAME] = cookie
        page = stale.get(url)
        self.assertEqual(page.status_code, 302)

    def test_a_campaign_chosen_in_the_session_is_shown_at_once(self):
        other = make_campaign(title="2021届毕业生图像采集")
        client = self.client_for(self.staff)
        url = reverse("sessions:staff_board")
        self.assertContains(client.get(url), "2020届毕业生图像采集")
        client.get(url, {"campaign": other.pk})
        self.assertContains(client.get(url), "2021届毕业生图像采集")

    def test_a_student_whose_password_is_issued_again_is_not_served_the_old_page(self):
        from sessions_app.services import student_accounts_issue

        client = self.client_for(self.student_user)
        url = reverse("payments:mine")
        self.assertEqual(client.get(url).status_code, 200)
        student_accounts_issue(students=[self.student])
        page = client.get(url)
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("login"), page["Location"])

    def row_of(self, html, student):
        for row in html.split("<tr")[1:]:
            if student.student_id in row:
                return row.split("</tr>")[0]
        self.fail("no row for %s" % student.student_id)

    def test_a_first_login_shows_to_the_monitor_and_leaves_public_pages_kept(self):
        from sessions_app.services import student_accounts_issue, student_password_changed

        student_accounts_issue(students=[self.student])  # a printed password, not yet used
        monitor = self.client_for(self.monitor_user)
        monitor_url = reverse("sessions:monitor_home")
        self.assertIn(
            "未登录", self.row_of(monitor.get(monitor_url).content.decode(), self.student)
        )
        home = reverse("sessions:home")
        self.client_for().get(home)
        student_password_changed(user=self.student_user)
        page, queries = self.queries_of(self.client_for(), home)
        self.assertEqual(queries, 0)  # a login is no change to the schedule
        row = self.row_of(monitor.get(monitor_url).content.decode(), self.student)
        self.assertIn("已启用", row)
