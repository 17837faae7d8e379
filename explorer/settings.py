"""
The explorer's one settings module.

Everything that differs between a laptop and a deployment comes from the
environment. Local defaults are safe to run as they are; DJANGO_ENV=production
switches on the strict mode, which refuses to start without its secrets.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from explorer.logs import JSON_FORMATTER

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "local").strip().lower() == "production"

if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production: "
            "sessions, CSRF tokens and password resets are signed with it."
        )
    # A short or copied-from-a-tutorial key can be guessed, and with it every session forged.
    if (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")) and not env_bool(
        "DJANGO_ALLOW_WEAK_SECRET_KEY"
    ):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak for DJANGO_ENV=production: use at least 50 random characters, not "
            "starting with 'django-insecure' (python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "DJANGO_ALLOW_WEAK_SECRET_KEY=1 accepts it anyway."
        )
    DEBUG = False
else:
    # Only ever used on a developer's machine; production refuses to start without its own.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-local-development-only")
    DEBUG = env_bool("DJANGO_DEBUG", default=False)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    for name, why in [
        ("DJANGO_ALLOWED_HOSTS", "Django answers only the host names listed there (comma-separated)"),
        ("DATABASE_URL", "every app server must share one database; a SQLite file serves one machine only"),
    ]:
        if not os.environ.get(name, "").strip():
            raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production: {why}.")
    if os.environ["DATABASE_URL"].strip().lower().startswith("sqlite") and not env_bool(
        "DJANGO_ALLOW_SQLITE_IN_PRODUCTION"
    ):
        raise ImproperlyConfigured(
            "DATABASE_URL names a SQLite database, which DJANGO_ENV=production refuses: every app server must "
            "share one database, such as postgres://…. DJANGO_ALLOW_SQLITE_IN_PRODUCTION=1 accepts it anyway "
            "(one machine only)."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "axes",
    "activities",
    "simple_history",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Next to whitenoise: an unchanged public page's 304 skips the session, CSRF and authentication middleware.
    "activities.caching.NotModifiedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "explorer.urls"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "explorer.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails /healthz within seconds instead of hanging the worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction that reads before it writes (every admin save) cannot upgrade its lock while another
    # writer holds the file, and SQLite then fails at once instead of waiting: "database is locked".
    # IMMEDIATE takes the write lock at BEGIN, where the timeout lets it wait its turn; WAL lets readers
    # go on reading while a writer works.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("DATABASE_BUSY_TIMEOUT", "20")),
            "init_command": "PRAGMA journal_mode=WAL",
        }
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The site's only sign-in is the admin's: without these, a login whose ?next= is missing or unsafe lands on
# Django's default /accounts/profile/, which does not exist.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The catalog's own page size; the list stays one query whatever the catalog's size.
ACTIVITIES_PER_PAGE = 50

# A search matching more activities than this is counted as "1,000+": its counts, facet counts and ranking
# stop there, so that a broad word costs what a narrow one does (BENCHMARKS.md, "Search at 100,000 activities").
SEARCH_COUNT_LIMIT = 1000
# The zero-result log (activities/search/misses.py): how often each process writes, its row cap, its retention.
SEARCH_LOG_FLUSH_SECONDS = int(os.environ.get("SEARCH_LOG_FLUSH_SECONDS", "60"))
SEARCH_LOG_MAX_ROWS = 20_000
SEARCH_LOG_DAYS = 90

# The JSON API: read-only and open to anyone, filtered by the same FilterSet as the HTML list.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "activities.pagination.SearchPagination",
    "PAGE_SIZE": ACTIVITIES_PER_PAGE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Activity explorer API",
    "DESCRIPTION": "The catalog of system and custom activities, read-only.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar, served by the app itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Admin imports (activities/admin_imports.py): all or nothing, in one transaction, and bounded so that no file
# can exhaust a worker. A file over these sizes is refused, with the reason, before it is parsed whole.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_MAX_FILE_SIZE = int(os.environ.get("EXPLORER_IMPORT_MAX_BYTES", 2_000_000))
IMPORT_MAX_ROWS = int(os.environ.get("EXPLORER_IMPORT_MAX_ROWS", 5_000))
# An XLSX file is a zip: it may unpack to at most this many times IMPORT_MAX_FILE_SIZE.
IMPORT_MAX_XLSX_EXPANSION = 25
# Uploads wait here between their preview and their confirmation; one not confirmed within the hour is removed.
# With several app servers, point it at a folder they share.
IMPORT_PREVIEW_DIR = Path(
    os.environ.get("EXPLORER_IMPORT_PREVIEW_DIR", Path(tempfile.gettempdir()) / "explorer-imports")
)
IMPORT_PREVIEW_MAX_AGE = 60 * 60


# One JSON object per line on stdout, for whatever collects the app servers' output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": JSON_FORMATTER},
    "filters": {"once_per_host": {"()": "explorer.logs.OncePerBadHost"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Its start-up banner would open every command's output.
        "axes.apps": {"level": "WARNING"},
        # Scanners send any Host they like: one line per host names it, a traceback per request buries the logs.
        "django.security.DisallowedHost": {"filters": ["once_per_host"]},
    },
}

# Security headers, on every response in every mode, so that local runs and the browser tests meet them too.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # The admin's one inline <style> (a change list without actions) carries a nonce; nothing else is inline.
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if DEBUG:
    # Django's own debug pages use inline styles and scripts; with DEBUG on (`make dev`) the browser
    # reports violations in its console instead of blocking them. Production never has DEBUG.
    SECURE_CSP_REPORT_ONLY, SECURE_CSP = SECURE_CSP, {}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent only over HTTPS, so harmless on a laptop's plain HTTP.
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Nothing reads the CSRF token from the cookie: forms carry it in a hidden field.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Browsers refuse Secure cookies over plain HTTP, so only production (always HTTPS) sets them.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
# A load balancer that ends TLS says so in a header, e.g. DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
# Set it only behind a proxy that overwrites that header: a client could otherwise claim HTTPS.
if proxy_header := os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")
# Load balancers probe over plain HTTP; a redirect would read as a failed health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# The admin login: 5 failures lock out that user name from that address for 15 minutes. Attempts are kept
# in the database, so every app server sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a load balancer REMOTE_ADDR is the balancer's: name the header it sets and how many proxies add to it.
if client_ip_header := os.environ.get("DJANGO_CLIENT_IP_HEADER", "").strip():
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_" + client_ip_header.upper().replace("-", "_"), "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "1"))

EXPLORER_PAGE_CACHE = env_bool("EXPLORER_PAGE_CACHE", default=True)
# Rendered public pages, keyed by the catalog's version (activities/caching.py). The version is read
# from the database on every request, so an app server can never serve a page older than the catalog;
# each process keeps its own bounded copy, and nothing is lost when one restarts.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("EXPLORER_PAGE_CACHE_ENTRIES", "500"))},
    },
}
