"""Junction settings.

Everything that differs between a laptop and a production host comes from the
environment through the small helpers below; local development needs none of
it (see README, "Configuration").
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalized = value.strip().lower()
    if normalized in {"1", "true", "yes", "on"}:
        return True
    if normalized in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# The fallback key only exists so that `make run` and the tests need no
# configuration; `manage.py check --deploy` flags it, and production sets its own.
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "django-insecure-junction-local-development-key-change-me"
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Secrets stored in the database (consumer secrets, API keys, secret endpoint
# parameters) are encrypted with Fernet. The first key encrypts; every key
# decrypts, so a new key can be put in front while old rows are re-encrypted.
# Without the variable a key is derived from SECRET_KEY (development only).
JUNCTION_ENCRYPTION_KEYS = env_list("JUNCTION_ENCRYPTION_KEYS")

# Junction's public address: the issuer of the access tokens it signs, and
# the base of the TokenURL every OAuth 2.0 connection shows.
JUNCTION_PUBLIC_URL = env_str("JUNCTION_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# How long an access token lives, in seconds (RFC 9068 ``exp``).
JUNCTION_ACCESS_TOKEN_LIFETIME = int(env_str("JUNCTION_ACCESS_TOKEN_LIFETIME", "900"))
# Requests per minute to the token, introspection and revocation endpoints,
# per client id and per address, counted across every app server.
JUNCTION_OAUTH_RATE_PER_CLIENT = int(env_str("JUNCTION_OAUTH_RATE_PER_CLIENT", "120"))
JUNCTION_OAUTH_RATE_PER_ADDRESS = int(env_str("JUNCTION_OAUTH_RATE_PER_ADDRESS", "1200"))
# Pulls per minute of the configuration endpoint per runtime token (a
# poller every few seconds stays well under it), and refused tokens per
# address (delivery/api.py).
JUNCTION_RUNTIME_RATE_PER_TOKEN = int(env_str("JUNCTION_RUNTIME_RATE_PER_TOKEN", "60"))
JUNCTION_RUNTIME_RATE_PER_ADDRESS = int(env_str("JUNCTION_RUNTIME_RATE_PER_ADDRESS", "60"))
# Whether any signed-in user may create an organization from the console
# (becoming its Admin); superusers always may.
JUNCTION_ALLOW_ORG_CREATION = env_bool("JUNCTION_ALLOW_ORG_CREATION", False)

# Shared state between app servers (the authorization server's rate limits):
# Redis when REDIS_URL is set, else the database.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES["ratelimit"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("JUNCTION_REDIS_PREFIX", "junction"),
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Relative times ("3 hours ago") in console/templatetags/display.py.
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "csp",
    "axes",
    "console",
    "marketplace",
    "connections",
    "oauth",
    "delivery",
    # The demo company (seed_demo); the product never imports it.
    "demo",
]

# What higher apps show on a component's page, each a function of (request,
# scope) returning HTML: the console names none of them (docs/architecture.md).
COMPONENT_PAGE_SECTIONS = [
    "marketplace.sections.component_endpoints",
    "oauth.sections.component_callers",
    "connections.sections.component_connections",
    "delivery.sections.component_runtime",
    "delivery.manifest_views.component_manifest",
]
# The same for a project's page.
PROJECT_PAGE_SECTIONS = ["delivery.sections.project_runtime"]
# What higher apps add to a service's How to use tab, each a function of
# (request, scope, service) returning HTML (marketplace/views/browse.py).
SERVICE_HOW_TO_USE_SECTIONS = ["oauth.sections.service_how_to_use"]
# What higher apps do when an Admin adds an environment, each a function of
# (*, environment) called in the console's environment_create transaction
# (console/services/environments.py): connections bind to it at once.
ENVIRONMENT_CREATED_HOOKS = ["connections.services.bindings_for_new_environment"]
# Who a provider's change to a service affects, a function of (service,
# changes) returning a marketplace.changes.Impact, and what higher apps do
# once such a change is confirmed, each called as hook(*, service, impact,
# actor) in its transaction (marketplace/changes.py): the connections it
# affects record it.
SERVICE_CHANGE_IMPACT = "connections.impact.impact_of"
SERVICE_CHANGED_HOOKS = ["connections.services.events.record_service_change"]
# Who deleting an environment or a component would leave without a service,
# a function of it returning the same Impact: the console refuses such a
# delete and its page lists them (console/usage.py).
ENVIRONMENT_DELETE_IMPACT = "connections.impact.environment_delete_impact"
COMPONENT_DELETE_IMPACT = "connections.impact.component_delete_impact"
# Where a row of the activity log links to while its object exists, each a
# function of (scope, events) returning {(kind, object id): url} for its
# app's kinds (console/activity.py): the console names none of the others.
ACTIVITY_LINKS = [
    "console.activity.console_links",
    "marketplace.activity.links",
    "connections.activity.links",
    "delivery.activity.links",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store, private on every answer to a signed-in user.
    "console.middleware.no_store_when_signed_in",
    # Deny by default: every view needs a signed-in user unless it is marked
    # @login_not_required, so a new page cannot be left open by mistake.
    # Django's, except that an HTMX request sends the whole page to log in.
    "console.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A local account's one-time password: every page but the change of it
    # (and logging out) sends its user there first (console/password_change.py).
    "console.password_change.password_change_first",
    # Last, as django-axes asks: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

# Login attempts are rate-limited by django-axes: five failures for one
# username from one address lock that pair out for 15 minutes, and twenty
# from one address over any usernames lock the address (console/lockout.py).
# A success resets its pair's count. Checked before the password, so a locked
# client learns nothing even with the right one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_str("JUNCTION_LOGIN_FAILURE_LIMIT", "5"))
# Never below the pair's limit: the address is locked by that same comparison.
JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT = max(
    int(env_str("JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT", "20")), AXES_FAILURE_LIMIT
)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = "console.lockout.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Keep every failed attempt (who, from where, when) for the admin to audit.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client address, through django-ipware. Behind JUNCTION_PROXY_COUNT
# trusted proxies it is the X-Forwarded-For entry the first of them appended:
# the count-th from the right, as each proxy appends the address it was
# reached from and the nearest one is REMOTE_ADDR. Entries further left are
# the client's own to write and are skipped (non-strict: a longer header is
# not a reason to fall back to the proxy's address). ipware counts only the
# proxies listed after the client, one fewer. With no proxy, the header is
# ignored.
JUNCTION_PROXY_COUNT = int(env_str("JUNCTION_PROXY_COUNT", "0"))
if JUNCTION_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = JUNCTION_PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
    AXES_IPWARE_PROXY_COUNT = None
IPWARE_STRICT = False

ROOT_URLCONF = "junction.urls"
WSGI_APPLICATION = "junction.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so a
        # check-then-insert inside transaction.atomic cannot interleave with
        # another writer's (the same guarantee a row lock gives on PostgreSQL).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (`make serve`) runs collectstatic and sets JUNCTION_COLLECTED_STATIC=1
# for hashed, compressed, far-future-cached files. Development and the tests
# serve straight from the app and static/ folders with no build step.
COLLECTED_STATIC = env_bool("JUNCTION_COLLECTED_STATIC", False)
STATIC_ROOT = BASE_DIR / "staticfiles" if COLLECTED_STATIC else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Request bodies: Django refuses larger form posts with a 400, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads nothing from it: the token travels in hx-headers
# A refused form gets a page of the console that says what to do (junction/errors.py).
CSRF_FAILURE_VIEW = "junction.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts and styles only from our own
# static files, never inline, so injected markup can neither run nor restyle
# the page. htmx's inline indicator <style> is switched off in base.html's
# htmx-config; widths live in junction.css classes, not style attributes.
# Bootstrap draws its form controls with data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Production hardening, switched on together with JUNCTION_HTTPS=1.
JUNCTION_HTTPS = env_bool("JUNCTION_HTTPS", False)
if JUNCTION_HTTPS:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env_str("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("JUNCTION_LOG_LEVEL", "INFO")},
}
