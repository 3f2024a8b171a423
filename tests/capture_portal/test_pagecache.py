"""What is kept and what never is: anonymous visitors share a public page for a few
seconds (each with a working form token, a write to the schedule seen at once), while a
signed-in visitor's every request goes through the whole middleware stack and the
view's permission check, so a role taken away, a password changed or a session ended
counts on the very next request; and every write shows at once on the pages that
count it."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cards_app.selectors import roster_bulk_check
from payments_app.selectors import payments_overview
from payments_app.services import payment_record
from sessions_app.changes import rules as change_rules
from sessions_app.changes.selectors import schedule_state
from sessions_app.changes.services import schedule_apply
from sessions_app.roles import CREW_GROUP
from sessions_app.selectors import schedule_for_campaign
from sessions_app.services import (
    class_monitor_set,
    student_accounts_issue,
    student_password_changed,
)
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors.makeup import makeup_students
from sessions_app.shootday.selectors.queue import queue_board
from tests.factories import make_campaign, make_class, make_slot, make_staff, make_student
from tests.payments_app.factories import make_class_world
from tests.personas import Personas
from tests.sessions_app.roster.support import GOOD_ROWS, RosterImportTestCase, xlsx
from tests.sessions_app.shootday.factories import make_photographed, make_shoot_day

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def client_for(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


class PublicCopyTests(Personas):
    """A public page is rendered once and shared by anonymous visitors."""

    def queries_of(self, client, url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return response, len(queries.captured_queries)

    def test_each_visitor_posts_with_the_token_of_their_own_page(self):
        url = reverse("sessions:lookup")
        for _ in range(2):  # the second visitor is served the shared copy
            visitor = client_for()
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

    def test_a_shared_copy_costs_the_campaign_only_and_answers_304_to_its_etag(self):
        url = reverse("sessions:home")
        built, building = self.queries_of(client_for(), url)
        kept, queries = self.queries_of(client_for(), url)
        self.assertContains(kept, "10:30")
        self.assertEqual(queries, 1)  # which campaign, and its version
        self.assertLess(queries, building)
        self.assertEqual(kept["Cache-Control"], "no-cache")
        again = client_for().get(url, HTTP_IF_NONE_MATCH=kept["ETag"])
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

    def test_a_shared_copy_has_the_headers_of_a_built_one(self):
        url = reverse("cards:check")
        built = client_for().get(url)
        kept = client_for().get(url)
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

    def test_a_signed_in_visitor_is_never_served_a_shared_copy(self):
        url = reverse("sessions:home")
        client_for().get(url)  # an anonymous copy is shared now
        page = client_for(self.staff).get(url)
        self.assertContains(page, self.staff.username)  # the navigation of the signed in
        self.assertNotIn("ETag", page)
        self.assertEqual(sorted(page["Cache-Control"].split(", ")), ["no-cache", "private"])

    def test_a_schedule_change_is_seen_at_once_and_a_class_of_it_too(self):
        url = reverse("sessions:home")
        self.assertNotContains(client_for().get(url), "测绘1171")
        make_class(self.campaign, self.slot, name="测绘1171")  # no service: the copy stands
        self.assertNotContains(client_for().get(url), "测绘1171")
        state = schedule_state(campaign=self.campaign)
        [first, second] = state.plan[self.slot.pk][:2]
        schedule_apply(
            campaign=self.campaign,
            plan=change_rules.plan_swapped(state.plan, first, second),
            statuses={},
            kind="swap",
            fingerprint=state.fingerprint,
            by=self.staff,
        )
        self.assertContains(client_for().get(url), "测绘1171")

    def test_a_message_is_shown_once_and_never_kept(self):
        client = client_for(self.staff)
        url = reverse("sessions:staff_board")
        response = client.post(
            reverse("sessions:class_monitor", args=[self.school_class.pk]),
            {
                "student": self.monitor.pk,
                "csrfmiddlewaretoken": TOKEN.search(client.get(url).content.decode()).group(1),
            },
            follow=True,
        )
        shown = [m.message for m in response.context["messages"]]
        self.assertTrue(shown)
        again = client.get(response.request["PATH_INFO"]).content.decode()
        for text in shown:
            self.assertNotIn(text, again)


class EverySignedInRequestGoesTheWholeWayTests(Personas):
    """Who a signed-in visitor is counts on the very next request: the session, the
    login, the groups and the roster entry are read by the middleware and the view's
    permission check every time."""

    def test_staff_taken_out_of_the_group_are_refused_at_once(self):
        client = client_for(self.staff)
        url = reverse("sessions:staff_board")
        self.assertEqual(client.get(url).status_code, 200)
        self.staff.groups.clear()
        self.assertEqual(client.get(url).status_code, 403)

    def test_a_group_emptied_from_its_side_refuses_its_members(self):
        client = client_for(self.crew)
        url = reverse("shootday:numbers")
        self.assertEqual(client.get(url).status_code, 200)
        Group.objects.get(name=CREW_GROUP).user_set.remove(self.crew)
        self.assertEqual(client.get(url).status_code, 403)

    def test_a_monitor_replaced_loses_the_class_page_at_once(self):
        client = client_for(self.monitor_user)
        url = reverse("sessions:monitor_home")
        self.assertEqual(client.get(url).status_code, 200)
        class_monitor_set(school_class=self.school_class, student=self.student)
        self.assertEqual(client.get(url).status_code, 403)

    def test_a_password_changed_elsewhere_signs_the_old_session_out(self):
        client = client_for(self.student_user)
        url = reverse("sessions:student_home")
        self.assertEqual(client.get(url).status_code, 200)
        self.student_user.set_password("a-new-password-for-tests-456")
        self.student_user.save()
        page = client.get(url)
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("login"), page["Location"])

    def test_a_signed_out_session_is_not_served_its_page(self):
        client = client_for(self.staff)
        url = reverse("sessions:staff_board")
        client.get(url)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        client.logout()
        stale = Client()
        stale.cookies[settings.SESSION_COOKIE_NAME] = cookie
        self.assertEqual(stale.get(url).status_code, 302)

    def test_a_campaign_chosen_in_the_session_is_shown_at_once(self):
        other = make_campaign(title="2021届毕业生图像采集")
        client = client_for(self.staff)
        url = reverse("sessions:staff_board")
        self.assertContains(client.get(url), "2020届毕业生图像采集")
        client.get(url, {"campaign": other.pk})
        self.assertContains(client.get(url), "2021届毕业生图像采集")

    def test_a_student_whose_password_is_issued_again_must_change_it_first(self):
        client = client_for(self.student_user)
        url = reverse("payments:mine")
        self.assertEqual(client.get(url).status_code, 200)
        student_accounts_issue(students=[self.student])
        page = client.get(url)
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("login"), page["Location"])

    def test_each_signed_in_session_gets_a_working_token(self):
        url = reverse("shootday:chsi")
        first, second = client_for(self.staff), client_for(self.staff)
        for client in (first, second):
            html = client.get(url).content.decode()
            self.assertNotIn("csrf-placeholder", html)
            token = TOKEN.search(html).group(1)
            response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
            self.assertNotEqual(response.status_code, 403)

    def row_of(self, html, student):
        for row in html.split("<tr")[1:]:
            if student.student_id in row:
                return row.split("</tr>")[0]
        self.fail("no row for %s" % student.student_id)

    def test_a_first_login_shows_to_the_monitor_at_once(self):
        student_accounts_issue(students=[self.student])  # a printed password, not yet used
        monitor = client_for(self.monitor_user)
        url = reverse("sessions:monitor_home")
        self.assertIn("未登录", self.row_of(monitor.get(url).content.decode(), self.student))
        student_password_changed(user=self.student_user)
        self.assertIn("已启用", self.row_of(monitor.get(url).content.decode(), self.student))

    def test_a_payment_shows_on_the_next_request(self):
        client = client_for(self.monitor_user)
        url = reverse("payments:class", args=[self.school_class.pk])
        collected = '<div class="big-number" id="collected">%s</div>'
        self.assertContains(client.get(url), collected % "0.00", html=True)
        payment_record(student=self.student, by=self.monitor_user)
        self.assertContains(client.get(url), collected % "20.00", html=True)

    def test_the_monitor_page_costs_the_same_queries_for_a_bigger_class(self):
        client = client_for(self.monitor_user)
        url = reverse("sessions:monitor_home")
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for _ in range(30):
            make_student(self.school_class)
        with self.assertNumQueries(len(small.captured_queries)):
            client.get(url)


class WritesShowAtOnceTests(TestCase):
    """The figures a page shows are the database's as of the request: every write is
    seen by the next one."""

    def test_a_payment_shows_in_the_overview(self):
        world = make_class_world(3)
        before = payments_overview(campaign=world.campaign).overall.collected
        payment_record(student=world.students[1], by=world.monitor_user)
        self.assertEqual(before, Decimal("0.00"))
        self.assertEqual(
            payments_overview(campaign=world.campaign).overall.collected, Decimal("20.00")
        )

    def test_a_schedule_change_shows_on_the_public_home_page(self):
        campaign = make_campaign(published=True)
        slot = make_slot(campaign)
        first, second = (
            make_class(campaign, slot, name="会计1171"),
            make_class(campaign, slot, name="造价1171"),
        )
        home = self.client.get(reverse("sessions:home")).content.decode()
        self.assertLess(home.index("会计1171"), home.index("造价1171"))

        state = schedule_state(campaign=campaign)
        schedule_apply(
            campaign=campaign,
            plan=change_rules.plan_swapped(state.plan, first.pk, second.pk),
            statuses={},
            kind="swap",
            fingerprint=state.fingerprint,
            by=make_staff(),
        )

        home = self.client.get(reverse("sessions:home")).content.decode()
        self.assertLess(home.index("造价1171"), home.index("会计1171"))
        rows = schedule_for_campaign(campaign=campaign).rows
        self.assertEqual([c.name for c in rows[0].classes], ["造价1171", "会计1171"])

    def test_a_photo_and_an_absence_show_on_the_board_and_the_make_up_list(self):
        today = timezone.localdate().isoformat()
        day = make_shoot_day(sizes=(2,), names=["会计1171"], day=today, start="00:00", end="23:59")
        [a, b] = day.roster(0)
        self.assertEqual(queue_board(campaign=day.campaign).current.photographed, 0)

        make_photographed(a, by=day.crew, when=timezone.now())
        shootday.shot_mark_absent(student=b, by=day.crew)

        board = queue_board(campaign=day.campaign)
        entry = (board.finished or [board.current])[0]
        self.assertEqual((entry.photographed, entry.absent), (1, 1))
        self.assertEqual([r.student for r in makeup_students(campaign=day.campaign).rows], [b])

    def test_the_end_of_a_slot_changes_the_make_up_list_without_any_write(self):
        today = timezone.localdate()
        day = make_shoot_day(sizes=(2,), day=today.isoformat(), start="00:00", end="00:01")
        before = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 0, 30)))
        after = before + datetime.timedelta(minutes=5)

        self.assertEqual(makeup_students(campaign=day.campaign, now=before).count, 0)
        self.assertEqual(makeup_students(campaign=day.campaign, now=after).count, 2)
        self.assertEqual(makeup_students(campaign=day.campaign, now=before).count, 0)


class RosterImportShowsAtOnceTests(RosterImportTestCase):
    def test_a_bulk_import_shows_in_the_bulk_check_and_the_schedule(self):
        cache.clear()
        self.assertEqual(roster_bulk_check(campaign=self.campaign).total, 0)
        self.assertEqual(schedule_for_campaign(campaign=self.campaign).rows[0].headcount, 0)

        self.run_import(xlsx(GOOD_ROWS))

        self.assertEqual(roster_bulk_check(campaign=self.campaign).total, 3)
        self.assertEqual(schedule_for_campaign(campaign=self.campaign).rows[0].headcount, 2)
