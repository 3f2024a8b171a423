"""Whole pages from the cache: each visitor gets a working form token, a write shows at
once, a message after a save is never served to anyone later, and a copy costs a few
queries whatever the roster's size."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments_app.services import payment_record
from tests.factories import make_student
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
