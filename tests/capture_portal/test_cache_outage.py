"""The cache is an optimisation, never a dependency: a real Redis stopped, restarted, and
restored from an older snapshot.

Each test class starts its own redis-server (Debian's package, /usr/bin/redis-server) on
a free port in a temporary directory and points the cache at it, configured as
production configures ``CACHE_URL=redis://…``. Without redis-server the tests are
skipped locally but fail in CI (``CI`` set), as the browser tests do.
"""

import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import redis
from django.core.cache import cache
from django.test import SimpleTestCase, TransactionTestCase, override_settings
from django.urls import reverse

from capture_portal.settings import _cache_from_url
from payments_app.models import Payment
from sessions_app import services
from tests.factories import (
    make_campaign,
    make_class,
    make_monitor,
    make_slot,
    make_staff,
    make_student,
    make_student_user,
)

REDIS_SERVER = "/usr/bin/redis-server"
PASSWORD = "pw-for-tests-123"  # the factories' password
START_SECONDS = 10


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of its own, in a temporary directory: started, stopped without
    saving, saved to its RDB file on demand, and started again from that file."""

    def __init__(self):
        if not os.access(REDIS_SERVER, os.X_OK):
            message = "%s is missing; install it with `apt-get install redis-server`." % (
                REDIS_SERVER
            )
            if running_in_ci():
                raise RuntimeError(
                    "CI is set, so the cache outage tests may not be skipped. " + message
                )
            raise unittest.SkipTest(message)
        self.directory = Path(tempfile.mkdtemp(prefix="portal-redis-"))
        self.port = free_port()
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def start(self) -> None:
        """Start the server; it loads dump.rdb of its directory if there is one."""
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--dir", str(self.directory), "--dbfilename", "dump.rdb"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.BusyLoadingError:
                pass
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None:
                    break
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start on port %d" % self.port)

    def stop(self) -> None:
        """Stop the server without saving: what it held since the last SAVE is lost."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.client().shutdown(nosave=True)
        except redis.exceptions.ConnectionError:
            pass  # the server closes the connection as it goes
        self.process.wait(timeout=START_SECONDS)

    def save(self) -> None:
        """Write the snapshot a later start() loads."""
        self.client().save()

    def keys(self) -> int:
        return self.client().dbsize()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisTestCase(TransactionTestCase):
    """Real commits (on_commit runs, as in production), the cache on a Redis of its own."""

    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer()
        cls.addClassCleanup(cls.redis.remove)
        cls.redis.start()
        # The production configuration of CACHE_URL=redis://…, on this server.
        cls.enterClassContext(override_settings(CACHES={"default": _cache_from_url(cls.redis.url)}))
        super().setUpClass()

    def setUp(self):
        self.redis.client().flushall()
        (self.redis.directory / "dump.rdb").unlink(missing_ok=True)
        self.campaign = make_campaign(title="2020届毕业生图像采集")
        slot = make_slot(self.campaign, start="10:30", end="12:00")
        self.school_class = make_class(self.campaign, slot, name="会计1171")
        self.student = make_student(self.school_class, student_id="1703010101")
        self.student_user = make_student_user(self.student)
        self.monitor, self.monitor_user = make_monitor(self.school_class)
        self.staff = make_staff()
        self.unpaid = make_student(self.school_class, student_id="1703010102")

    def tearDown(self):
        if self.redis.process.poll() is not None:
            self.redis.start()  # the next test starts with Redis up

    def pages(self) -> dict:
        """Return each role's pages: {user or None: [url, ...]}."""
        return {
            None: [reverse("sessions:home"), reverse("cards:check"), reverse("sessions:lookup")],
            self.student_user: [reverse("sessions:student_home")],
            self.monitor_user: [
                reverse("sessions:monitor_home"),
                reverse("payments:class", args=[self.school_class.pk]),
            ],
            self.staff: [reverse("sessions:staff_board")],
        }

    def assert_every_page_is_served(self) -> None:
        for user, urls in self.pages().items():
            if user is None:
                self.client.logout()
            else:
                self.client.force_login(user)
            for url in urls:
                with self.subTest(user=user and user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
        self.client.logout()


LIMITS = {
    "lookup": "20/m",
    "lookup-student-id": "30/h",
    "card-check": "30/m",
    "card-api": "60/m",
    "code-check": "30/m",
    "login": "2/m",
    "card-save": "20/h",
    "chsi-report": "10/h",
}


class RedisDownTests(RedisTestCase):
    def test_with_redis_stopped_every_page_is_served_and_a_payment_commits(self):
        self.assert_every_page_is_served()  # the cache filled
        self.redis.stop()
        with self.assertLogs("django_redis.cache", logging.ERROR) as logged:
            self.assert_every_page_is_served()
            self.client.force_login(self.monitor_user)
            response = self.client.post(
                reverse("payments:record", args=[self.school_class.pk]),
                {"one": self.unpaid.pk, "method": "cash"},
            )
        self.assertEqual(response.status_code, 302)
        self.assertIs(Payment.objects.filter(student=self.unpaid).exists(), True)
        page = self.client.get(reverse("payments:class", args=[self.school_class.pk]))
        self.assertContains(page, "已登记 %s 缴费" % self.unpaid.name)
        # Each error the cache ignored is one line, never a traceback.
        self.assertTrue(all("\n" not in line for line in logged.output))
        self.assertIn("Redis ConnectionError", logged.output[0])

    @override_settings(RATE_LIMITS=LIMITS, AXES_FAILURE_LIMIT=4, LOGIN_ADDRESS_FAILURE_LIMIT=2)
    def test_with_redis_stopped_the_rate_limits_and_the_address_lockout_let_logins_through(self):
        login = reverse("login")
        wrong = {"username": self.student.student_id, "password": "wrong-guess-1"}
        right = {"username": self.student.student_id, "password": PASSWORD}
        # With Redis up both count: two failures lock the address, and the third login
        # post of the minute is refused by the rate limit.
        self.client.post(login, wrong)
        self.client.post(login, wrong)
        self.assertContains(self.client.post(login, right), "操作太频繁", status_code=429)
        self.redis.stop()
        with self.assertLogs("django_redis.cache", logging.ERROR):
            response = self.client.post(login, wrong)
            self.assertContains(response, "学号（或用户名）与密码不匹配")
            response = self.client.post(login, right)
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)
        # axes counts in the database, cache or not: a username locks from one address.
        self.client.logout()
        other = {"username": self.monitor_user.username, "password": "wrong-guess-1"}
        with self.assertLogs("django_redis.cache", logging.ERROR):
            for _ in range(4):
                self.client.post(login, other)
            response = self.client.post(login, dict(other, password=PASSWORD))
        self.assertContains(response, "登录失败次数过多", status_code=429)

    def test_redis_stopped_and_started_again_is_used_again(self):
        self.redis.stop()
        with self.assertLogs("django_redis.cache", logging.ERROR):
            self.assert_every_page_is_served()
            self.assertIsNone(cache.get("probe"))
        self.redis.start()
        self.assertEqual(self.redis.keys(), 0)
        self.assert_every_page_is_served()
        self.assertGreater(self.redis.keys(), 0)  # the pages' results are kept in it again
        cache.set("probe", "kept")
        self.assertEqual(cache.get("probe"), "kept")


class RedisFromAnOldSnapshotTests(RedisTestCase):
    def test_a_redis_restarted_from_an_older_snapshot_shows_nothing_stale(self):
        self.client.force_login(self.student_user)
        self.assertEqual(self.client.get(reverse("sessions:student_home")).status_code, 200)
        signed_out = self.client.cookies["sessionid"].value
        self.assert_every_page_is_served()  # every page kept in the cache, then saved
        self.assertContains(self.client.get(reverse("sessions:home")), "会计1171")
        self.redis.save()

        # After the snapshot: the student signs out, staff rename the class.
        self.client.cookies["sessionid"] = signed_out
        self.client.post(reverse("logout"))
        services.class_save(campaign=self.campaign, school_class=self.school_class, name="会计1172")
        self.assert_every_page_is_served()
        self.redis.stop()
        self.redis.start()  # from the snapshot taken before both changes

        self.client.cookies["sessionid"] = signed_out
        response = self.client.get(reverse("sessions:student_home"))
        self.assertRedirects(
            response,
            "%s?next=%s" % (reverse("login"), reverse("sessions:student_home")),
            fetch_redirect_response=False,
        )
        self.client.logout()
        for user, urls in self.pages().items():
            if user is not None:
                self.client.force_login(user)
            for url in urls:
                if url in (reverse("cards:check"), reverse("sessions:lookup")):
                    continue  # no class named on these
                with self.subTest(url=url):
                    page = self.client.get(url)
                    self.assertEqual(page.status_code, 200)
                    text = page.content.decode()
                    shown = ("会计1171" in text, "会计1172" in text)
                    self.assertEqual(shown, (False, True), "%s shows the class's old name" % url)


class DjangoRedisClientTests(SimpleTestCase):
    """django-redis builds its redis-py client once per server, not once per command."""

    def test_every_command_reuses_one_client(self):
        from django_redis.cache import RedisCache

        backend = RedisCache("redis://127.0.0.1:1/0", {})  # no connection until a command
        client = backend.client.get_client(write=False)
        self.assertIs(backend.client.get_client(write=False), client)
        self.assertIs(backend.client.get_client(write=True), client)
