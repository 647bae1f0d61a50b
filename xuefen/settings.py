"""Xuefen settings: one file, every knob an environment variable with a safe local default.

Set XUEFEN_PROFILE=production for a deployment: it then requires XUEFEN_SECRET_KEY and
XUEFEN_ALLOWED_HOSTS, turns DEBUG off and sends secure cookies and HSTS
(`xuefen check --deploy` passes).
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_decimal(name: str, default: str) -> Decimal:
    return Decimal(os.environ.get(name) or default)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_required(name: str, what: str) -> str:
    """A setting production cannot start without: a sentence naming the variable, not a KeyError."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: the production profile needs {what}. Set it in the environment "
            "(see the README, Deploying) and start again."
        )
    return value


PROFILE = env_str("XUEFEN_PROFILE", "local")
PRODUCTION = PROFILE == "production"
VAR_DIR = Path(env_str("XUEFEN_VAR_DIR", str(PROJECT_DIR / "var")))

if PRODUCTION:
    SECRET_KEY = env_required(
        "XUEFEN_SECRET_KEY",
        "a long random secret key (python3 -c 'import secrets; print(secrets.token_urlsafe(50))')",
    )
    env_required("XUEFEN_ALLOWED_HOSTS", "the host names the site answers to, comma-separated")
    ALLOWED_HOSTS = env_list("XUEFEN_ALLOWED_HOSTS")
    DEBUG = env_bool("XUEFEN_DEBUG", False)
else:
    SECRET_KEY = env_str("XUEFEN_SECRET_KEY", "local-only-insecure-key-do-not-deploy-" + "x" * 24)
    ALLOWED_HOSTS = env_list("XUEFEN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = env_bool("XUEFEN_DEBUG", False)

# Our apps come before django.contrib.admin so that their translations win where both translate
# the same word ("Filter", "Action"): the first app listed has precedence.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "xuefen.core",
    "xuefen.orgs",
    "xuefen.accounts",
    "xuefen.audit",
    "xuefen.policy",
    "xuefen.ledger",
    "xuefen.reports",
    "xuefen.intake",
    "xuefen.claims",
    "xuefen.training",
    "xuefen.exams",
    "xuefen.elearning",
    "xuefen.planning",
    "xuefen.api",
    "xuefen.xapi",
    "xuefen.closing",
    "xuefen.archive",
    "django.contrib.admin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xuefen.core.middleware.NoStoreMiddleware",
    # POST /elearning/events/ (every learner, every few seconds) answered here, after the headers
    # above and before everything below, none of which it needs (elearning.middleware).
    "xuefen.elearning.middleware.EventMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xuefen.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "xuefen.api.middleware.UriLengthMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # The session, the user, their person and grants in one query (accounts.middleware).
    "xuefen.accounts.middleware.SessionUserMiddleware",
    "xuefen.accounts.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "xuefen.audit.middleware.AuditContextMiddleware",
    "xuefen.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "xuefen.urls"
WSGI_APPLICATION = "xuefen.wsgi.application"

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
                "xuefen.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite (WAL) under var/ unless DATABASE_URL names another (PostgreSQL in a province).
# Connections persist across requests: a new PostgreSQL connection per request costs more than
# the request itself.
CONN_MAX_AGE = env_int("XUEFEN_CONN_MAX_AGE", 600)
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    default_db = dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
    if default_db["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that polls the socket before it sends `SELECT 1`.
        default_db["ENGINE"] = "xuefen.core.backends.postgresql"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    default_db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("XUEFEN_SQLITE_PATH", str(VAR_DIR / "xuefen.sqlite3")),
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
            ),
        },
    }
if test_name := env_str("XUEFEN_TEST_DB_NAME"):
    default_db["TEST"] = {"NAME": test_name}
elif not DATABASE_URL:
    # A file, not Django's in-memory default, so that tests with threads share one database.
    default_db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DATABASES = {"default": default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["xuefen.accounts.backends.XuefenBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed log-ins (and activations) are counted per identity typed and per client address: past the
# free failures each further one doubles the wait, from 1 second to LOCKOUT_MINUTES. A browser the
# account logged in from before is not held back by failures made elsewhere (accounts.throttle).
LOCKOUT_ATTEMPTS = env_int("XUEFEN_LOCKOUT_ATTEMPTS", 5)
LOCKOUT_MINUTES = env_int("XUEFEN_LOCKOUT_MINUTES", 15)
LOGIN_ADDRESS_FAILURES = env_int("XUEFEN_LOGIN_ADDRESS_FAILURES", 30)
# Activation letters (a one-time code to claim an account) expire after this many days.
ACTIVATION_DAYS = env_int("XUEFEN_ACTIVATION_DAYS", 30)
SESSION_COOKIE_AGE = env_int("XUEFEN_SESSION_IDLE_MINUTES", 30) * 60
# A session in use is written at most once a minute (accounts.middleware.SessionIdleMiddleware),
# not on every request.
SESSION_TOUCH_SECONDS = env_int("XUEFEN_SESSION_TOUCH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions read from the process's memory, checked against their database row by the frame's one
# query (accounts.sessions): a log-out or a write by another server process is seen at once.
SESSION_ENGINE = "xuefen.accounts.sessions"
# Each server process's memory: sessions (checked against the database, see above) and page content
# kept under keys that change with the data (reports.cache); nothing is shared between processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "xuefen-default",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "xuefen-pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("XUEFEN_PAGES_KEPT", 2_000)},
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Django's own messages in the site's voice (您) first, then the shared templates' catalogue.
LOCALE_PATHS = [BASE_DIR / "locale_django", BASE_DIR / "locale"]
TIME_ZONE = env_str("XUEFEN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The shared stylesheet and the npm front-end files (copied into static/vendor by make).
STATICFILES_DIRS = [BASE_DIR / "static"]
# Locally (and in tests) WhiteNoise serves straight from the app folders; production serves the
# collected, compressed, hashed copies (`xuefen setup` runs collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence and import files live outside the web root; only scoped views serve them.
MEDIA_ROOT = VAR_DIR / "files"
FONT_DIR = BASE_DIR / "static" / "vendor" / "fonts"

# Uploads: the largest spreadsheet accepted, and how far a compressed XLSX may expand.
MAX_UPLOAD_MB = env_int("XUEFEN_MAX_UPLOAD_MB", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest evidence file (PDF, JPEG, PNG) attached to a claim.
CLAIM_MAX_FILE_MB = env_int("XUEFEN_CLAIM_MAX_FILE_MB", 10)
XLSX_MAX_UNCOMPRESSED_MB = env_int("XUEFEN_XLSX_MAX_UNCOMPRESSED_MB", 400)
# The shared-strings part of an XLSX (all its distinct texts) is held in memory while the sheet is
# read: beyond this many MB (as stored, uncompressed) the file is refused before it is parsed.
XLSX_MAX_SHARED_STRINGS_MB = env_int("XUEFEN_XLSX_MAX_SHARED_STRINGS_MB", 100)

# Roster rows posted per transaction by the background worker (each chunk is a resume checkpoint).
INTAKE_CHUNK_ROWS = env_int("XUEFEN_INTAKE_CHUNK_ROWS", 10_000)

# An exemption waiving more than this share of a year, recorded by anyone but the credit office,
# waits for the office's approval (with evidence) before it counts.
EXEMPTION_REVIEW_SHARE = env_decimal("XUEFEN_EXEMPTION_REVIEW_SHARE", "0.5")

# Standings a page judges again itself before showing them (stale after a person's facts or a rule
# set changed); past this many, the background worker does it and the page says so.
SETTLE_INLINE = env_int("XUEFEN_SETTLE_INLINE", 5000)

# Who issues a certificate and the line for the seal, as printed at its foot. {region} is the name
# of the region the person's unit lies in: one setting serves every county of a province.
CERTIFICATE_ISSUER = env_str("XUEFEN_CERTIFICATE_ISSUER", "{region}继续教育学时管理办公室")
CERTIFICATE_SEAL = env_str("XUEFEN_CERTIFICATE_SEAL", "（盖章）")

# Largest JSON batch the REST API accepts (rows); larger ones get 413 too_many_rows.
API_MAX_BATCH_ROWS = env_int("XUEFEN_API_MAX_BATCH_ROWS", 10_000)
# Largest multipart/mixed request (statements with their attachments) the xAPI endpoint reads;
# larger ones get 413 attachment_too_large.
XAPI_MAX_REQUEST_MB = env_int("XUEFEN_XAPI_MAX_REQUEST_MB", 20)

# Training attendance (training.codes): the classroom screen shows a new check-in code every this
# many seconds (a code is good for its step and the next); check-in opens this long before a
# session starts, check-out this long before it ends and closes this long after; a scan stays good
# this long while the learner's phone logs in and confirms.
TRAINING_CODE_STEP_SECONDS = env_int("XUEFEN_TRAINING_CODE_STEP_SECONDS", 10)
TRAINING_CHECKIN_EARLY_MINUTES = env_int("XUEFEN_TRAINING_CHECKIN_EARLY_MINUTES", 30)
TRAINING_CHECKOUT_EARLY_MINUTES = env_int("XUEFEN_TRAINING_CHECKOUT_EARLY_MINUTES", 15)
TRAINING_CHECKOUT_LATE_MINUTES = env_int("XUEFEN_TRAINING_CHECKOUT_LATE_MINUTES", 30)
TRAINING_SCAN_GRACE_SECONDS = env_int("XUEFEN_TRAINING_SCAN_GRACE_SECONDS", 180)
# A teacher sees the trainees' scores of a class only once at least this many have answered (fewer
# could tell them who gave which score).
TRAINING_RATING_MIN_RESPONSES = env_int("XUEFEN_TRAINING_RATING_MIN_RESPONSES", 3)
# The largest scan of a paper sign-in sheet (PDF, JPEG or PNG).
TRAINING_SHEET_MAX_MB = env_int("XUEFEN_TRAINING_SHEET_MAX_MB", 10)
# Exams: a gap between two requests of an exam page longer than this is a lost connection, and
# only this much of it counts against the candidate's time (the page speaks every 15 seconds).
EXAMS_RESUME_GRACE_SECONDS = env_int("XUEFEN_EXAMS_RESUME_GRACE_SECONDS", 60)
# Online learning: the largest video accepted, and who sends video files after the permission
# check: the application itself ("") or a front web server ("x-accel-redirect", "x-sendfile").
ELEARNING_MAX_VIDEO_MB = env_int("XUEFEN_ELEARNING_MAX_VIDEO_MB", 500)
ELEARNING_SENDFILE = env_str("XUEFEN_ELEARNING_SENDFILE", "")
ELEARNING_ACCEL_PREFIX = env_str("XUEFEN_ELEARNING_ACCEL_PREFIX", "/protected/elearning/")
# Endpoints that authenticate each request by a token of their own and read no log-in session:
# the log-in middlewares (password change required, idle sessions) leave them alone.
SESSIONLESS_PATHS = ("/elearning/events/",)

# Background work (imports, exports, reminders): Django's task framework on a database-backed queue,
# so the embedded default needs no extra server. Tests use the same backend: they call the task's
# function directly or start a worker on the test database (tests/intake/test_resume.py).
TASKS = {
    "default": {
        "BACKEND": env_str("XUEFEN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Reminders (planning.reminders): the hour (local time) of the daily run, and e-mail through
# Django's mail settings (locally each e-mail is written to the worker's console; production sends
# through SMTP).
REMINDER_HOUR = env_int("XUEFEN_REMINDER_HOUR", 7)
_MAIL_BACKEND = env_str(
    "XUEFEN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("XUEFEN_EMAIL_HOST", "localhost"),
                "port": env_int("XUEFEN_EMAIL_PORT", 25),
                "username": env_str("XUEFEN_EMAIL_HOST_USER", ""),
                "password": env_str("XUEFEN_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("XUEFEN_EMAIL_USE_TLS", False),
            }
            if _MAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("XUEFEN_EMAIL_FROM", "xuefen@localhost")
# The site's address as people reach it, for links in e-mails (empty: no link).
SITE_URL = env_str("XUEFEN_SITE_URL", "")

# The background worker started by `xuefen serve`: its address-space limit (0: none), and the
# longest wait before restarting it after it died (the wait doubles from 1 s while it keeps dying).
WORKER_MEMORY_MB = env_int("XUEFEN_WORKER_MEMORY_MB", 2048)
WORKER_RESTART_MAX_SECONDS = env_int("XUEFEN_WORKER_RESTART_MAX_SECONDS", 60)

# The demo password of every demo account (README lists them).
DEMO_PASSWORD = env_str("XUEFEN_DEMO_PASSWORD", "xuefen-demo-2026")

# Django's own admin (superusers only, through Xuefen's log-in): off in production unless asked for.
DJANGO_ADMIN = env_bool("XUEFEN_DJANGO_ADMIN", not PRODUCTION)

# Reverse proxies whose X-Forwarded-For the audit trail may believe (comma-separated addresses).
TRUSTED_PROXIES = env_list("XUEFEN_TRUSTED_PROXIES")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Every script, style, font and image comes from the site itself (government intranets have no
# internet, and nothing inline runs: scripts are static files). Style attributes stay allowed:
# progress bars set their width with one (no script can run from a style attribute).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Every cookie says SameSite (the session, CSRF and message cookies take SESSION_COOKIE_SAMESITE).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("XUEFEN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("XUEFEN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("XUEFEN_CSRF_TRUSTED_ORIGINS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("XUEFEN_LOG_LEVEL", "WARNING")},
}

# Verbose names used across apps.
APP_NAME = _("Xuefen credit management")
