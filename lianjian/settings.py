"""Settings for lianjian, read from the environment.

Everything a deployment changes comes from environment variables (see .env.example); the
defaults give a working embedded demo on SQLite under ``var/``. With ``LIANJIAN_ENV=production``
the settings refuse to start without a real secret key and turn on the HTTPS hardening.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LIANJIAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("LIANJIAN_ENV", "development").strip().lower()
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("LIANJIAN_TESTING", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    weak = not key or len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 5
    if PRODUCTION:
        if weak:
            raise ImproperlyConfigured(
                "SECRET_KEY must be set to a random string of at least 50 characters in production."
            )
        return key
    if key:
        return key
    # Development and the embedded demo: keep one generated key per installation so sessions
    # survive restarts without anyone committing a key.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lianjian.core",
    "lianjian.accounts",
    "lianjian.regions",
    "lianjian.orgs",
    "lianjian.lists",
    "lianjian.projects",
    "lianjian.notifications",
    "lianjian.ledgers",
    "lianjian.meetings",
    "lianjian.analytics",
    "lianjian.matching",
    "lianjian.events",
    "lianjian.workers",
    "lianjian.points",
    "lianjian.tickets",
    "lianjian.stories",
    "lianjian.public",
    "lianjian.search",
    "lianjian.home",
    "lianjian.api",
    "lianjian.demo",
    "huey.contrib.djhuey",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "lianjian.core.middleware.HealthCheckMiddleware",  # /healthz before host checks and sessions
    "lianjian.core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lianjian.core.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lianjian.api.limits.BodySizeLimitMiddleware",  # /api/v1/: 413 JSON for oversized bodies
    "lianjian.api.idempotency.IdempotencyMiddleware",  # /api/v1/ POSTs: Idempotency-Key
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lianjian.core.middleware.ActivitySourceMiddleware",
]

ROOT_URLCONF = "lianjian.urls"
WSGI_APPLICATION = "lianjian.wsgi.application"
ASGI_APPLICATION = "lianjian.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lianjian.home.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL in the usual URL form, SQLite under var/ by default.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lianjian.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept as on PostgreSQL (CONN_MAX_AGE with health checks): Django gives each
    # thread its own connection, so a kept one is never shared, and opening one (plus the PRAGMAs)
    # per request cost more than the request itself.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN so concurrent writers queue (busy timeout) instead of failing on lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A real file (not shared-cache memory) so concurrency tests see SQLite's real locking; one
    # per process so parallel runs on one machine do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

if DATABASES["default"]["ENGINE"].endswith("postgresql") and os.environ.get("DATABASE_PREPARED", "1") != "0":
    # Server-side parameter binding lets psycopg prepare a statement after a connection has run it
    # five times, so PostgreSQL stops parsing and planning the same hot queries on every request
    # (bench/events_load.py: about a third more registrations/s). Behind a transaction-mode pooler
    # without prepared-statement support (PgBouncer before 1.21) set DATABASE_PREPARED=0.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    # Django's backend, with bulk statements kept under the 65,535 parameters one statement may bind.
    DATABASES["default"]["ENGINE"] = "lianjian.core.dbbackends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["lianjian.accounts.backends.PhoneOrUsernameBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "public:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
if TESTING:
    # Hashing cost is irrelevant to what the tests check; keep the suite fast.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: failures per identifier and per IP inside the window lock further attempts.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
# Failures from one client address over all accounts (and guessed API tokens); 0 = 4 × the above.
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "0"))
# API request bounds (lianjian.api.limits) and Idempotency-Key retention (lianjian.api.idempotency).
API_MAX_JSON_BYTES = int(os.environ.get("API_MAX_JSON_BYTES", str(1024 * 1024)))
API_MAX_MULTIPART_BYTES = int(os.environ.get("API_MAX_MULTIPART_BYTES", str(80 * 1024 * 1024)))
IDEMPOTENCY_KEY_TTL = int(os.environ.get("IDEMPOTENCY_KEY_TTL", str(24 * 3600)))
# Public ratings: per address per hour, and per address per project per day.
RATING_MAX_PER_IP = int(os.environ.get("RATING_MAX_PER_IP", "30"))
RATING_MAX_PER_ADDRESS_PER_PROJECT = int(os.environ.get("RATING_MAX_PER_ADDRESS_PER_PROJECT", "10"))
# Reverse proxies in front of the app (nginx, a load balancer): their count lets throttles see
# the real client address in X-Forwarded-For instead of the proxy's.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [PACKAGE_DIR / "static"]  # (prefix, dir) pairs too
# Third-party front-end libraries come from npm (make assets), never committed by hand.
_NODE_MODULES = BASE_DIR / "node_modules"
for _prefix, _path in (("vendor/htmx", "htmx.org/dist"), ("vendor/chartjs", "chart.js/dist"),
                      ("vendor/jsqr", "jsqr/dist")):
    if (_NODE_MODULES / _path).is_dir():
        STATICFILES_DIRS.append((_prefix, _NODE_MODULES / _path))
WHITENOISE_USE_FINDERS = True


def default_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """``STORAGES["default"]``: files under MEDIA_ROOT, or an S3-compatible object store.

    ``LIANJIAN_S3_BUCKET`` switches to the object store (needs ``pip install lianjian[s3]``);
    the other ``LIANJIAN_S3_*`` variables in .env.example configure it. Objects stay private:
    the photo views answer with short-lived signed URLs.
    """
    bucket = env.get("LIANJIAN_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("LIANJIAN_S3_BUCKET needs django-storages: pip install 'lianjian[s3]'")
    try:
        expire = int(env.get("LIANJIAN_S3_URL_EXPIRE", "") or 300)
    except ValueError:
        raise ImproperlyConfigured("LIANJIAN_S3_URL_EXPIRE must be a number of seconds") from None
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": env.get("LIANJIAN_S3_PREFIX", "").strip("/"),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": expire,
        "file_overwrite": False,
    }
    for option, name in (("endpoint_url", "LIANJIAN_S3_ENDPOINT_URL"), ("region_name", "LIANJIAN_S3_REGION"),
                         ("access_key", "LIANJIAN_S3_ACCESS_KEY_ID"), ("secret_key", "LIANJIAN_S3_SECRET_ACCESS_KEY"),
                         ("addressing_style", "LIANJIAN_S3_ADDRESSING_STYLE")):
        if env.get(name, "").strip():
            options[option] = env[name].strip()
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": default_storage(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Behind nginx (X-Accel-Redirect) or Apache/lighttpd (X-Sendfile) the web server may send photo
# files itself once the view has checked access; nginx maps LIANJIAN_SENDFILE_PREFIX to MEDIA_ROOT.
LIANJIAN_SENDFILE_HEADER = os.environ.get("LIANJIAN_SENDFILE_HEADER", "").strip()
LIANJIAN_SENDFILE_PREFIX = os.environ.get("LIANJIAN_SENDFILE_PREFIX", "/protected-media/")
if LIANJIAN_SENDFILE_HEADER.lower() not in ("", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured("LIANJIAN_SENDFILE_HEADER must be X-Accel-Redirect or X-Sendfile")
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}
# Login throttling must be shared by all processes: the database cache works everywhere.
CACHES["throttle"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "lianjian_cache",
}

# Background jobs (huey): periodic tasks and long jobs a person starts run in `lianjian worker`
# (or beside the web server in `lianjian serve`). Redis when REDIS_URL is set (consumers on several
# machines), else a SQLite file under var/ so the embedded demo needs no server. Tests run tasks
# in the calling thread (immediate) unless LIANJIAN_QUEUE_IMMEDIATE=0.
QUEUE_NAME = os.environ.get("LIANJIAN_QUEUE_NAME", f"lianjian-test-{os.getpid()}" if TESTING else "lianjian")
HUEY: dict[str, object] = {
    "name": QUEUE_NAME,
    "immediate": env_bool("LIANJIAN_QUEUE_IMMEDIATE", TESTING),
    "utc": True,
    "consumer": {
        "workers": int(os.environ.get("QUEUE_WORKERS", "2")),
        "worker_type": "thread",
        "check_worker_health": True,
        "periodic": True,
    },
}
if os.environ.get("REDIS_URL"):
    HUEY.update({"huey_class": "huey.RedisHuey", "url": os.environ["REDIS_URL"]})
else:
    _queue_file = "huey.sqlite3" if QUEUE_NAME == "lianjian" else f"huey-{QUEUE_NAME}.sqlite3"
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / _queue_file)})

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# One-time codes by text message: the console backend logs them; a deployment names its gateway's class.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "lianjian.core.sms.ConsoleBackend")
if TESTING:
    SMS_BACKEND = "lianjian.core.sms.MemoryBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lianjian@localhost")

# Sessions are read on every request: a cache answers, the database keeps them across restarts.
# The cache must be one that every process shares (a logout in one gunicorn worker must end the
# session in all): Redis when set, else files under var/ (one machine); per-process memory only
# in tests, which run in one process.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
if os.environ.get("REDIS_URL"):
    CACHES["sessions"] = CACHES["default"]
elif TESTING:
    CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions"}
else:
    # A session pushed out of the file cache (300 entries) is read from the database again.
    CACHES["sessions"] = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache" / "sessions")}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SITE_NAME = _("联建")
