"""Two app hosts, one database, one shared cache and a queue worker, as real processes.

Two gunicorn servers on free ports, each with its own temporary directory, and
``manage.py db_worker`` share the test database (PostgreSQL) and the database cache
(``CACHE_URL=db://…``). One browser (one cookie jar, so one login) uploads a roster on
host A, follows its progress and confirms it on host B, and sees the students on A; a
schedule change made on A shows on B's cached public schedule at once.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from html import unescape
from pathlib import Path
from unittest import skipUnless
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.test import TransactionTestCase

from sessions_app.models import SchoolClass, Student
from tests.factories import make_campaign, make_class, make_slot, make_staff
from tests.sessions_app.roster.support import GOOD_ROWS, xlsx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "two-hosts-staff-pw-1"
CACHE_TABLE = "portal_cache_two_hosts"
START_SECONDS = 60
WAIT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    return "postgres://%s:%s@%s:%s/%s" % (
        quote(db["USER"] or "", safe=""),
        quote(db["PASSWORD"] or "", safe=""),
        db["HOST"] or "127.0.0.1",
        db["PORT"] or 5432,
        quote(db["NAME"], safe=""),
    )


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: one cookie jar, whichever host a request goes to (cookies ignore ports)."""

    def __init__(self):
        self.opener = build_opener(HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def open(self, url, data=None, headers=None) -> tuple[int, dict, str]:
        request = Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=WAIT_SECONDS) as response:
                return response.status, dict(response.headers), response.read().decode()
        except HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def get(self, url):
        return self.open(url)

    def post(self, url, fields: dict):
        return self.open(url, urlencode(fields).encode())

    def post_file(self, url, fields: dict, name: str, filename: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in fields.items():
            parts.append(
                b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                % (boundary.encode(), key.encode(), value.encode())
            )
        parts.append(
            b'--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n%s\r\n"
            % (boundary.encode(), name.encode(), filename.encode(), content)
        )
        parts.append(b"--%s--\r\n" % boundary.encode())
        return self.open(
            url,
            b"".join(parts),
            {"Content-Type": "multipart/form-data; boundary=%s" % boundary},
        )


def form_fields(html: str, form_marker: str) -> dict:
    """Return the hidden inputs of the first form whose tag contains ``form_marker``."""
    start = html.index(form_marker)
    form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return fields


def slot_classes(html: str) -> dict[int, str]:
    """Return each slot card of the public schedule: slot id -> its text."""
    cards = re.split(r'<div class="list-group-item slot-card" id="slot-', html)[1:]
    return {int(card.split('"', 1)[0]): card.split("</div>\n  </div>")[0] for card in cards}


@skipUnless(
    connection.vendor == "postgresql",
    "several app hosts share one PostgreSQL server; SQLite is one host's file "
    "(CI runs this in its PostgreSQL pass)",
)
class TwoHostsTests(TransactionTestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.morning = make_slot(self.campaign, start="08:00", end="09:00")
        self.afternoon = make_slot(self.campaign, start="14:30", end="15:30")
        self.accounting = make_class(self.campaign, self.morning, name="会计1171")
        staff = make_staff(username="jwc-hosts")
        # The hosts know only the production hashers, not the suite's fast one.
        staff.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
        staff.save(update_fields=["password"])
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "two-hosts-test-key-shared-by-both-hosts-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": database_url(),
            "CACHE_URL": "db://%s" % CACHE_TABLE,
            # Three rows are enough to go through the queue.
            "ROSTER_IMPORT_INLINE_ROWS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        subprocess.run(
            [sys.executable, "manage.py", "createcachetable"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.logs = Path(tempfile.mkdtemp(prefix="two-hosts-"))
        self.host_a = self.start_host("a")
        self.host_b = self.start_host("b")
        self.start("worker", "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay")
        for host in (self.host_a, self.host_b):
            self.wait_until_up(host)

    def start(self, name, *args, tmpdir=None) -> subprocess.Popen:
        env = dict(self.env)
        if tmpdir:
            env["TMPDIR"] = tmpdir
        log = open(self.logs / ("%s.log" % name), "wb")  # noqa: SIM115 closed on cleanup
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )

        def stop():
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

        self.addCleanup(stop)
        return process

    def start_host(self, name) -> str:
        port = free_port()
        # Each host its own temporary directory: nothing may pass between them there.
        tmpdir = tempfile.mkdtemp(prefix="host-%s-" % name)
        self.start(
            "host-%s" % name,
            "-m",
            "gunicorn",
            "capture_portal.wsgi",
            "--bind",
            "127.0.0.1:%d" % port,
            "--workers",
            "1",
            # Two servers on one machine: no shared control socket in the home directory.
            "--no-control-socket",
            tmpdir=tmpdir,
        )
        return "http://127.0.0.1:%d" % port

    def wait_until_up(self, host):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", int(host.rsplit(":", 1)[1])), 1):
                    return
            except OSError:
                time.sleep(0.2)
        self.fail("%s did not start: %s" % (host, self.log_tails()))

    def log_tails(self) -> str:
        return "\n".join(
            "== %s\n%s" % (p.name, p.read_text(errors="replace")[-2000:])
            for p in sorted(self.logs.iterdir())
        )

    def wait_for_state(self, browser, url, state) -> dict:
        import json

        deadline = time.monotonic() + WAIT_SECONDS
        seen = None
        while time.monotonic() < deadline:
            status, _headers, body = browser.get(url)
            self.assertEqual(status, 200, body[:500])
            seen = json.loads(body)
            if seen["state"] == state:
                return seen
            time.sleep(0.1)
        self.fail("the job never reached %s (last %s)\n%s" % (state, seen, self.log_tails()))

    def test_an_import_and_a_schedule_change_cross_hosts_at_once(self):
        a, b = self.host_a, self.host_b
        browser = Browser()
        try:
            self.run_scenario(browser, a, b)
        except (AssertionError, URLError):
            print(self.log_tails())
            raise

    def run_scenario(self, browser, a, b):
        # Log in on A through the real form, CSRF token and all.
        status, _, page = browser.get(a + "/accounts/login/")
        self.assertEqual(status, 200)
        status, headers, _ = browser.post(
            a + "/accounts/login/",
            {
                **form_fields(page, 'name="username"'),
                "username": "jwc-hosts",
                "password": PASSWORD,
            },
        )
        self.assertEqual(status, 302)

        # Upload on A: three rows, more than are checked inline, so the worker checks them.
        upload_url = "%s/staff/campaigns/%d/roster/import/" % (a, self.campaign.pk)
        status, _, page = browser.get(upload_url)
        self.assertEqual(status, 200)
        status, headers, _ = browser.post_file(
            upload_url,
            form_fields(page, 'id="roster-upload"'),
            "file",
            "roster.xlsx",
            xlsx(GOOD_ROWS),
        )
        self.assertEqual(status, 302)
        job_path = headers["Location"]
        self.assertRegex(job_path, r"^/staff/roster/import/[\w-]+/$")

        # Progress and preview on B.
        checked = self.wait_for_state(browser, b + job_path + "status/", "preview")
        self.assertEqual((checked["done"], checked["total"], checked["percent"]), (3, 3, 100))
        status, _, page = browser.get(b + job_path)
        self.assertIn("检查通过，尚未写入", page)
        self.assertIn("欧阳娜娜", page)
        self.assertEqual(Student.objects.count(), 0)

        # Confirm on B; the worker imports; the students are on A.
        status, headers, _ = browser.post(
            b + job_path + "confirm/",
            {**form_fields(page, 'id="confirm-import"'), "new_classes_ok": "1"},
        )
        self.assertEqual((status, headers["Location"]), (302, job_path))
        self.wait_for_state(browser, b + job_path + "status/", "imported")
        status, _, page = browser.get(a + job_path)
        self.assertIn("已导入", page)
        status, _, page = browser.get("%s/staff/classes/%d/" % (a, self.accounting.pk))
        self.assertEqual(status, 200)
        self.assertIn("张三", page)
        self.assertIn("欧阳娜娜", page)
        self.assertEqual(Student.objects.filter(campaign=self.campaign).count(), 3)
        self.assertTrue(SchoolClass.objects.filter(name="市营1171").exists())

        # B's public schedule, now cached in the shared cache: 会计1171 in the morning.
        status, _, page = browser.get(b + "/")
        self.assertIn("会计1171", slot_classes(page)[self.morning.pk])
        self.assertNotIn("会计1171", slot_classes(page)[self.afternoon.pk])

        # Move it to the afternoon on A: the board's move, then its confirmation.
        status, _, board = browser.get("%s/staff/?campaign=%d" % (a, self.campaign.pk))
        self.assertEqual(status, 200)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', board).group(1)
        status, _, confirmation = browser.post(
            "%s/staff/classes/%d/move/" % (a, self.accounting.pk),
            {"csrfmiddlewaretoken": csrf, "slot": self.afternoon.pk},
        )
        self.assertEqual(status, 200, confirmation[:500])
        apply = form_fields(confirmation, 'name="payload"')
        status, _, _ = browser.post(
            "%s/staff/campaigns/%d/schedule/apply/" % (a, self.campaign.pk), apply
        )
        self.assertEqual(status, 302)
        self.accounting.refresh_from_db()
        self.assertEqual(self.accounting.slot_id, self.afternoon.pk)

        # B shows the change at once: the write on A made B's cached schedule stale.
        status, _, page = browser.get(b + "/")
        self.assertIn("会计1171", slot_classes(page)[self.afternoon.pk])
        self.assertNotIn("会计1171", slot_classes(page)[self.morning.pk])
        # The hosts did cache, and in the table they share, not in their own memory.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM %s" % CACHE_TABLE)
            self.assertGreater(cursor.fetchone()[0], 0)
