"""The environment-driven settings: documented, and loud about bad values."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase, override_settings

ROOT = Path(__file__).resolve().parents[2]


def run_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import capture_portal.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


class SettingsTests(SimpleTestCase):
    def test_every_variable_the_settings_read_is_in_env_example(self):
        source = (ROOT / "capture_portal" / "settings.py").read_text(encoding="utf-8")
        read = set(re.findall(r'(?:environ\.get|envbool|envint|envlist)\(\s*"([A-Z_]+)"', source))
        documented = set(
            re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
        )
        self.assertGreater(len(read), 10)
        self.assertEqual(read - documented, set())

    def test_a_missing_secret_key_fails_loudly_unless_debug(self):
        result = run_settings(DEBUG="false")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set", result.stderr)
        self.assertEqual(run_settings(DEBUG="true").returncode, 0)

    def test_a_malformed_rate_limit_is_refused(self):
        result = run_settings(DEBUG="1", RATE_LIMIT_LOOKUP="many")
        self.assertIn("RATE_LIMIT_LOOKUP must be a rate like 20/m", result.stderr)
        self.assertEqual(run_settings(DEBUG="1", RATE_LIMIT_LOOKUP="").returncode, 0)

    def test_a_malformed_boolean_is_refused(self):
        result = run_settings(DEBUG="maybe")
        self.assertIn("DEBUG must be true or false", result.stderr)

    def test_database_url_selects_postgresql(self):
        result = run_settings(DEBUG="1", DATABASE_URL="postgres://u:p@127.0.0.1:5432/x")
        self.assertEqual(result.stdout.strip(), "django.db.backends.postgresql")
        self.assertEqual(run_settings(DEBUG="1").stdout.strip(), "django.db.backends.sqlite3")


class SharedCacheCheckTests(SimpleTestCase):
    """check --deploy: several workers or hosts need a cache they all share."""

    def deploy_warnings(self):
        from django.core import checks

        return [m.id for m in checks.run_checks(include_deployment_checks=True)]

    @override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    )
    def test_local_memory_is_a_deployment_warning(self):
        self.assertIn("capture_portal.W001", self.deploy_warnings())

    @override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "portal_cache",
            }
        }
    )
    def test_the_database_cache_is_shared(self):
        self.assertNotIn("capture_portal.W001", self.deploy_warnings())

    def test_cache_url_chooses_the_shared_cache(self):
        probe = "import capture_portal.settings as s; print(s.CACHES['default']['BACKEND'])"
        env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
        env.update(DEBUG="1", CACHE_URL="db://portal_cache")
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
        )
        self.assertEqual(result.stdout.strip(), "django.core.cache.backends.db.DatabaseCache")
        env.update(CACHE_URL="redis://127.0.0.1:6379/0")
        probe = (
            "import capture_portal.settings as s; c = s.CACHES['default']; "
            "print(c['BACKEND'], c['OPTIONS']['IGNORE_EXCEPTIONS'], s.SESSION_ENGINE)"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
        )
        # Redis through django-redis, serving without it when it is down; sessions in
        # the database whatever the cache.
        self.assertEqual(
            result.stdout.split(),
            ["django_redis.cache.RedisCache", "True", "django.contrib.sessions.backends.db"],
        )

    @override_settings(
        CACHES={
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/0",
            }
        }
    )
    def test_redis_is_shared(self):
        self.assertNotIn("capture_portal.W001", self.deploy_warnings())


class OneFormOfAddressTests(SimpleTestCase):
    """The portal says 你 to everyone, never 您 in one place and 你 in the next."""

    def test_no_text_of_the_portal_says_nin(self):
        root = Path(__file__).resolve().parents[2]
        found = []
        for folder in (
            "capture_portal",
            "sessions_app",
            "cards_app",
            "payments_app",
            "templates",
            "static",
        ):
            for path in (root / folder).rglob("*"):
                if path.suffix in {".py", ".html", ".js", ".txt", ".md"} and path.is_file():
                    if "您" in path.read_text(encoding="utf-8", errors="ignore"):
                        found.append(str(path.relative_to(root)))
        self.assertEqual(found, [])
