"""The production setup docs/operations.md describes: check --deploy clean with its variables,
a Content-Security-Policy that needs no inline script, a short key refused at start,
a 403 logged on one line."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 40 + "0123456789abcdef"


def documented_production_variables() -> dict[str, str]:
    """Return the variables the production section of docs/operations.md exports."""
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = operations[operations.index("## Production") :]
    block = re.search(r"export (.*?)\n\.venv", section, re.S).group(1)
    return dict(item.split("=", 1) for item in block.replace("\\\n", " ").split())


def run(args, **env) -> subprocess.CompletedProcess:
    # Only what a server's shell has: none of the test suite's own settings.
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_is_clean_with_the_documented_production_variables(self):
        variables = documented_production_variables()
        self.assertEqual(variables["DEBUG"], "false")
        self.assertIn("TRUSTED_PROXY_COUNT", variables)
        variables["SECRET_KEY"] = GOOD_KEY
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **variables)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("System check identified no issues", result.stdout)

    def test_a_short_secret_key_is_refused_at_start(self):
        for key in ("short", "x" * 60, GOOD_KEY[:49]):
            result = run(["-c", "import capture_portal.settings"], DEBUG="false", SECRET_KEY=key)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("SECRET_KEY must be at least 50 characters", result.stderr)
        accepted = run(["-c", "import capture_portal.settings"], DEBUG="false", SECRET_KEY=GOOD_KEY)
        self.assertEqual(accepted.returncode, 0, accepted.stderr)


class ContentSecurityPolicyTests(TestCase):
    def test_every_page_forbids_inline_script(self):
        for url in (reverse("sessions:home"), reverse("login"), reverse("cards:check")):
            policy = self.client.get(url)["Content-Security-Policy"]
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
            self.assertEqual(directives["script-src"], "'self'")
            self.assertEqual(directives["style-src"], "'self'")
            self.assertEqual(directives["frame-ancestors"], "'none'")
            self.assertIn("data:", directives["img-src"])

    def test_no_template_holds_inline_script_or_event_handlers(self):
        inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
        handler = re.compile(r"\son[a-z]+\s*=", re.I)
        found = []
        for path in ROOT.glob("**/templates/**/*.html"):
            if ".venv" in path.parts or "staticfiles" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text):
                found.append(str(path.relative_to(ROOT)))
        self.assertEqual(found, [])


class ForbiddenLogTests(TestCase):
    def test_a_403_is_logged_on_one_line_without_a_traceback(self):
        self.client.force_login(make_user())
        with self.assertLogs("django.request", "WARNING") as logged:
            response = self.client.get(reverse("sessions:staff_board"))
        self.assertEqual(response.status_code, 403)
        [record] = logged.records
        self.assertIsNone(record.exc_info)
        [line] = logged.output
        self.assertIn("Forbidden", line)
        self.assertNotIn("Traceback", line)
