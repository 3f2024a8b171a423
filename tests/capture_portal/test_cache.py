"""Cached results are never stale: every write through the portal's services makes the
pages built on it show the new state at once, and the passing of a slot's end too."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import timezone

from capture_portal import cache
from capture_portal.invalidation import NOT_CACHED, PORTAL_APPS, WATCHED
from cards_app.selectors import roster_bulk_check
from payments_app.selectors import payments_overview
from payments_app.services import payment_record
from sessions_app.changes import rules as change_rules
from sessions_app.changes.selectors import schedule_state
from sessions_app.changes.services import schedule_apply
from sessions_app.selectors import schedule_for_campaign
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors import makeup_students, queue_board
from tests.factories import make_campaign, make_class, make_slot, make_staff
from tests.payments_app.factories import make_class_world
from tests.sessions_app.roster.support import GOOD_ROWS, RosterImportTestCase, xlsx
from tests.sessions_app.shootday.factories import make_photographed, make_shoot_day


class EveryModelIsAccountedForTests(SimpleTestCase):
    def test_every_model_is_watched_or_declared_not_cached(self):
        models = {m._meta.label for a in PORTAL_APPS for m in apps.get_app_config(a).get_models()}
        self.assertEqual(sorted(models - set(WATCHED) - NOT_CACHED), [])
        self.assertEqual(sorted((set(WATCHED) | NOT_CACHED) - models), [])


class RememberTests(TestCase):
    def test_a_result_is_kept_until_its_scope_is_bumped(self):
        calls = []

        def compute():
            calls.append(1)
            return len(calls)

        first = cache.remember("t", 7, (cache.MONEY,), compute)
        again = cache.remember("t", 7, (cache.MONEY,), compute)
        cache.bump(7, cache.DAY)  # another scope: still fresh
        still = cache.remember("t", 7, (cache.MONEY,), compute)
        cache.bump(7, cache.MONEY)
        fresh = cache.remember("t", 7, (cache.MONEY,), compute)
        other = cache.remember("t", 8, (cache.MONEY,), compute)

        self.assertEqual((first, again, still, fresh, other), (1, 1, 1, 2, 3))

    def test_a_batch_bumps_each_scope_once_at_its_end(self):
        cache.remember("t", 7, (cache.ROSTER,), lambda: "old")
        before = cache.versions(7, (cache.ROSTER,))
        with cache.batch():
            for _ in range(100):
                cache.bump(7, cache.ROSTER)
            self.assertEqual(cache.versions(7, (cache.ROSTER,)), before)
        self.assertNotEqual(cache.versions(7, (cache.ROSTER,)), before)
        self.assertEqual(cache.remember("t", 7, (cache.ROSTER,), lambda: "new"), "new")


class WritesShowAtOnceTests(TestCase):
    def test_a_payment_shows_in_the_cached_overview(self):
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

    def test_the_end_of_a_slot_changes_the_cached_make_up_list_without_any_write(self):
        today = timezone.localdate()
        day = make_shoot_day(sizes=(2,), day=today.isoformat(), start="00:00", end="00:01")
        before = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 0, 30)))
        after = before + datetime.timedelta(minutes=5)

        self.assertEqual(makeup_students(campaign=day.campaign, now=before).count, 0)
        self.assertEqual(makeup_students(campaign=day.campaign, now=after).count, 2)
        self.assertEqual(makeup_students(campaign=day.campaign, now=before).count, 0)


class RosterImportShowsAtOnceTests(RosterImportTestCase):
    def test_a_bulk_import_shows_in_the_cached_bulk_check_and_schedule(self):
        self.assertEqual(roster_bulk_check(campaign=self.campaign).total, 0)
        self.assertEqual(schedule_for_campaign(campaign=self.campaign).rows[0].headcount, 0)

        self.run_import(xlsx(GOOD_ROWS))

        self.assertEqual(roster_bulk_check(campaign=self.campaign).total, 3)
        self.assertEqual(schedule_for_campaign(campaign=self.campaign).rows[0].headcount, 2)


class LaggingTests(TestCase):
    """The day's queue may run a few seconds behind the desks for the phones watching it,
    never more, and a page built on it while behind is not kept."""

    def test_a_write_is_seen_within_the_lag_and_at_once_without_one(self):
        from unittest import mock

        campaign = make_campaign()
        value = ["before"]

        def read(lag):
            return cache.remember_lagging(
                "t", campaign.pk, (cache.SCHEDULE,), (cache.DAY,), lambda: value[0], seconds=lag
            )

        clock = [1000.0]
        with mock.patch("capture_portal.cache.time.time", lambda: clock[0]):
            self.assertEqual(read(3), "before")
            value[0] = "after"
            cache.bump(campaign.pk, cache.DAY)
            with cache.watch_lag() as lag:
                self.assertEqual(read(3), "before")  # behind, within the lag
            self.assertTrue(lag.behind)
            self.assertEqual(read(0), "after")  # the desk: never behind
            clock[0] += 3.5
            with cache.watch_lag() as lag:
                self.assertEqual(read(3), "after")
            self.assertFalse(lag.behind)
            # A schedule change is never lagged.
            value[0] = "moved"
            cache.bump(campaign.pk, cache.SCHEDULE)
            self.assertEqual(read(3), "moved")

    def test_a_crowd_at_a_due_result_costs_one_computation(self):
        import threading
        from unittest import mock

        campaign = make_campaign()
        started, release = threading.Event(), threading.Event()
        computed = []

        def slow():
            computed.append(1)
            started.set()
            release.wait(5)
            return "after"

        def read(compute):
            return cache.remember_lagging(
                "t", campaign.pk, (cache.SCHEDULE,), (cache.DAY,), compute, seconds=3
            )

        clock = [1000.0]
        with mock.patch("capture_portal.cache.time.time", lambda: clock[0]):
            self.assertEqual(read(lambda: "before"), "before")
            cache.bump(campaign.pk, cache.DAY)
            clock[0] += 3.5  # due again
            first = threading.Thread(target=read, args=(slow,))
            first.start()
            self.assertTrue(started.wait(5))
            # Others arriving while it computes are served the kept value, behind.
            with cache.watch_lag() as lag:
                others = [read(slow) for _ in range(5)]
            self.assertEqual(others, ["before"] * 5)
            self.assertTrue(lag.behind)
            release.set()
            first.join(5)
            self.assertEqual(computed, [1])
            self.assertEqual(read(slow), "after")

    def test_a_payment_reaches_the_staff_overview_within_its_lag(self):
        from unittest import mock

        from payments_app import selectors as payment_selectors

        world = make_class_world(3)
        clock = [1000.0]
        with mock.patch("capture_portal.cache.time.time", lambda: clock[0]):
            lag = payment_selectors.OVERVIEW_LAG_SECONDS

            def collected():
                return payments_overview(campaign=world.campaign, lag=lag).overall.collected

            self.assertEqual(collected(), Decimal("0.00"))
            payment_record(student=world.students[1], by=world.monitor_user)
            clock[0] += lag + 0.1
            self.assertEqual(collected(), Decimal("20.00"))


class RedisClientTests(SimpleTestCase):
    """The Redis backend builds its redis-py client once, not once per command."""

    def test_every_command_reuses_one_client(self):
        from capture_portal.redis_cache import RedisCache

        backend = RedisCache("redis://127.0.0.1:1/0", {})  # no connection until a command
        client = backend._cache.get_client("page:x")
        self.assertIs(backend._cache.get_client("page:y"), client)
        self.assertIs(backend._cache.get_client("page:x", write=True), client)
