"""Settings for the capture portal, read from the environment.

Every variable is listed with its meaning in ``.env.example``. A bad value fails
loudly with ImproperlyConfigured rather than falling back silently.
"""

import os
import tempfile
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
    "capture_portal.apps.AxesConfig",  # django-axes, named in Chinese
    "capture_portal",
    "sessions_app",
    "cards_app",
    "payments_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "capture_portal.middleware.PasswordChangeRequiredMiddleware",
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
                "capture_portal.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "capture_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or "sqlite:///%s" % (BASE_DIR / "db.sqlite3"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
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

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
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

# django-axes: lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

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
# Where uploads wait for confirmation (deleted after 24 h): on several app hosts, a
# directory every host mounts.
ROSTER_IMPORT_DIR = Path(
    os.environ.get("ROSTER_IMPORT_DIR") or Path(tempfile.gettempdir()) / "capture-portal-imports"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Code mode (sessions_app/codemode): the 图像采集码 image check's limits, and the secret
# the keyed hash of a code is derived from (SECRET_KEY unless set; changing it makes
# every stored hash unmatched, so students check their code again).
CAPTURE_CODE_MAX_UPLOAD_BYTES = envint("CAPTURE_CODE_MAX_UPLOAD_BYTES", str(8 * 1024 * 1024))
CAPTURE_CODE_MAX_PIXELS = envint("CAPTURE_CODE_MAX_PIXELS", "40000000")
CAPTURE_CODE_HASH_SECRET = os.environ.get("CAPTURE_CODE_HASH_SECRET", "")
