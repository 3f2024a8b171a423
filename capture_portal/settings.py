"""Settings for the capture portal, read from the environment.

Every variable is listed with its meaning in ``.env.example``. A bad value fails
loudly with ImproperlyConfigured rather than falling back silently.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured("%s must be true or false, not %r" % (name, value))


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured("%s must be an integer, not %r" % (name, value)) from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only for local development: a DEBUG server never serves real users.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
# ---- Deployment hardening: the key ---------------------------------------------------
# A short key can be guessed offline from any signed cookie; refused at start, with how
# to make a good one, rather than merely warned about by check --deploy.
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 characters (of at least 5 different ones) when "
        "DEBUG is off; make one with: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "capture_portal.apps.AxesConfig",  # django-axes, named in Chinese
    "capture_portal",
    "sessions_app",
    "cards_app",
    "payments_app",
    # The job queue (see "Several app hosts" below).
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sessions_app.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Pages of a signed-in visitor: Cache-Control private, no-cache.
    "capture_portal.middleware.PrivatePagesMiddleware",
    # Answers a rate limit's Ratelimited with HTTP 429 (capture_portal/ratelimits.py).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes goes last so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "capture_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sessions_app.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "capture_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or "sqlite:///%s" % (BASE_DIR / "db.sqlite3"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
        # A kept connection is checked before a request reuses it (after a restart of
        # the database server, the request gets a new one instead of an error).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; the busy timeout makes a
    # second writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the public pages' shared copies (capture_portal/pagecache.py), the
# fill guide's pictures, the rate limits' counters and the per-address login lockout's
# counts; every page works without it. Local memory serves one process only (`make
# run`, the tests); with
# several gunicorn workers or app hosts set CACHE_URL to a cache they all share:
# redis://host:6379/0 (django-redis) or db://table_name (Django's database cache;
# create its table once with `manage.py createcachetable`).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()


def _cache_from_url(url: str) -> dict:
    if not url or url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                # The cache is an optimisation, never a dependency: a Redis that is down
                # or restarting answers as an empty cache (every read a miss, every
                # write dropped), so each page is built afresh and each write commits.
                "IGNORE_EXCEPTIONS": True,
                # A Redis host that is gone costs each cache command this long, not
                # the operating system's minutes.
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    if url.startswith("db://"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": url.removeprefix("db://") or "portal_cache",
        }
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis://, rediss://, unix://, db:// or locmem://"
    )


CACHES = {"default": _cache_from_url(CACHE_URL)}
# Each ignored Redis error is logged on one line (LOGGING below), not with a traceback.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions live in the database and are read from it on every request, never from the
# cache: a cache restored from an old snapshot cannot bring back a signed-out session.
SESSION_ENGINE = "django.contrib.sessions.backends.db"


AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Checks every password login, without re-hashing a printed first password; Django's
    # ModelBackend after it only keeps the sessions signed in through it valid.
    "sessions_app.accounts.backends.PasswordBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "capture_portal.hashers.InitialPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    # Django's checks, said in Chinese (capture_portal/passwords.py).
    {"NAME": "capture_portal.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "capture_portal.passwords.MinimumLengthValidator"},
    {"NAME": "capture_portal.passwords.CommonPasswordValidator"},
    {"NAME": "capture_portal.passwords.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "sessions:home"

# ---- Client address and login lockout ----------------------------------------------
# How many reverse proxies in front of the application append the client's address to
# X-Forwarded-For (nginx with proxy_add_x_forwarded_for: 1). 0 ignores the header: a
# client could write any address into it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
# django-axes: lock a username from one address after repeated failures. Keyed on the
# pair, so failures from an attacker's address never lock the owner out of their own.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "capture_portal.http.client_ip"
AXES_VERBOSE = False
# An address that fails this many logins, whatever the usernames (a sweep over the
# sequential 学号), is refused every login for the cool-off time. High enough for a
# class behind one campus NAT address mistyping their first passwords.
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", "30")
# django-ratelimit counts in Django's cache under the same client address as axes.
RATELIMIT_IP_META_KEY = "capture_portal.http.client_ip"
# With the cache down nothing can be counted: the rate limits and the per-address
# lockout let requests through rather than refuse every login and check for as long as
# it is down. django-axes still locks a username from one address: it counts in the
# database.
RATELIMIT_FAIL_OPEN = True
# ---- end of client address and login lockout ----------------------------------------

# ---- Rate limits ------------------------------------------------------------------
# django-ratelimit's notation: "20/m" is 20 a minute (s, m, h, d; "30/10m" works too);
# empty turns a limit off. Per client address unless said. Counted in Django's cache:
# a cache every worker shares makes them exact, a per-process one per worker.
_RATE = re.compile(r"\d+/\d*[smhd]")


def envrate(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if value and not _RATE.fullmatch(value):
        raise ImproperlyConfigured("%s must be a rate like 20/m, not %r" % (name, value))
    return value


RATE_LIMITS = {
    # Slot lookup by 学号 + 姓名: per address, and per 学号 against a guessing network.
    "lookup": envrate("RATE_LIMIT_LOOKUP", "20/m"),
    "lookup-student-id": envrate("RATE_LIMIT_LOOKUP_STUDENT_ID", "30/h"),
    # The card check page and its fill-guide pictures (each new card drawn ~0.4 s).
    "card-check": envrate("RATE_LIMIT_CARD_CHECK", "30/m"),
    "card-api": envrate("RATE_LIMIT_CARD_API", "60/m"),
    # 图像采集码 images decoded (the public API and a student's upload; ~1-100 ms each).
    "code-check": envrate("RATE_LIMIT_CODE_CHECK", "30/m"),
    # Login form posts, beside the lockouts that count failures.
    "login": envrate("RATE_LIMIT_LOGIN", "30/m"),
    # Per student account.
    "card-save": envrate("RATE_LIMIT_CARD_SAVE", "20/h"),
    "chsi-report": envrate("RATE_LIMIT_CHSI_REPORT", "10/h"),
}
RATELIMIT_VIEW = "capture_portal.views.rate_limited"
# ---- end of rate limits -------------------------------------------------------------

# The portal speaks Simplified Chinese to everyone: a phone set to English must not
# get Django's own texts (weekdays, form errors) in English amid the Chinese pages.
LANGUAGE_CODE = "zh-hans"
# Chinese for the libraries that ship none (django-axes): locale/zh_Hans.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
if envbool("BEHIND_HTTPS_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# ---- Deployment hardening: headers and checks ----------------------------------------
# Content-Security-Policy (django-csp): scripts and styles from this site only, no
# inline script (behaviour is named in the markup and bound by static/js/portal.js).
# Style *attributes* stay allowed: progress bars and load bars set their width with
# style="width: 40%", and an attribute cannot run script. The fill guide is a data:
# or blob: image, so no card data travels in a URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
# HSTS preload is the owner's decision for a whole registrable domain (a college's
# photo.example.edu.cn cannot be preloaded alone), so check --deploy does not ask for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# ---- end of deployment hardening ------------------------------------------------------

# 学号 format on the card: a regular expression the whole value must match.
STUDENT_ID_PATTERN = os.environ.get("STUDENT_ID_PATTERN", r"\d{6,14}")

# Roster import (sessions_app/roster): limits against files that would exhaust a worker.
ROSTER_IMPORT_MAX_UPLOAD_BYTES = envint("ROSTER_IMPORT_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))
# Rows with anything in them; blank rows do not count.
ROSTER_IMPORT_MAX_ROWS = envint("ROSTER_IMPORT_MAX_ROWS", "60000")
# Files of more rows are checked and imported in the background while the page polls.
ROSTER_IMPORT_INLINE_ROWS = envint("ROSTER_IMPORT_INLINE_ROWS", "3000")
# The reader holds every cell of a sheet's used range at 32 bytes each: a stray space in
# XFD1048576 would ask for 512 GB. A used range of more cells is refused up front.
ROSTER_IMPORT_MAX_CELLS = envint("ROSTER_IMPORT_MAX_CELLS", "4000000")
# What the workbook reader's child process may take: the memory a 60,000-row sheet
# needs several times over, and well over the seconds it needs.
ROSTER_IMPORT_READER_MEMORY_BYTES = envint(
    "ROSTER_IMPORT_READER_MEMORY_BYTES", str(1536 * 1024 * 1024)
)
ROSTER_IMPORT_READER_SECONDS = envint("ROSTER_IMPORT_READER_SECONDS", "60")

# --- Several app hosts: the job queue --------------------------------------------------
# Long roster imports run as tasks of Django's tasks framework (the django-tasks backport)
# stored in the database, which every app host already shares; `manage.py db_worker`
# runs them, on any host. Uploads and their progress are rows (RosterImportJob), never
# a host's files or memory.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A run that has started but shown no progress for this long is taken for dead (its
# worker was killed or its host went down): it is run again once, then failed. Reading a
# workbook shows no progress for up to ROSTER_IMPORT_READER_SECONDS.
ROSTER_IMPORT_STALE_SECONDS = envint(
    "ROSTER_IMPORT_STALE_SECONDS", str(ROSTER_IMPORT_READER_SECONDS + 60)
)
# A job no worker has picked up for this long is failed: no db_worker is running.
ROSTER_IMPORT_QUEUE_SECONDS = envint("ROSTER_IMPORT_QUEUE_SECONDS", "600")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "forbidden": {"()": "capture_portal.logfilters.ForbiddenWithoutTraceback"},
        "one_line": {"()": "capture_portal.logfilters.ExceptionOnOneLine"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"filters": ["forbidden"]},
        # django-redis logs each error it ignores with the traceback.
        "django_redis.cache": {"filters": ["one_line"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Code mode (sessions_app/codemode): the 图像采集码 image check's limits, and the secret
# the keyed hash of a code is derived from (SECRET_KEY unless set; changing it makes
# every stored hash unmatched, so students check their code again).
CAPTURE_CODE_MAX_UPLOAD_BYTES = envint("CAPTURE_CODE_MAX_UPLOAD_BYTES", str(8 * 1024 * 1024))
CAPTURE_CODE_MAX_PIXELS = envint("CAPTURE_CODE_MAX_PIXELS", "40000000")
CAPTURE_CODE_HASH_SECRET = os.environ.get("CAPTURE_CODE_HASH_SECRET", "")
