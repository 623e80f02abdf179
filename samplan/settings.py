"""Samplan settings: one file, driven by environment variables.

Development is the default (SQLite, e-mails written as files to var/mail/, DEBUG on). Set
SAMPLAN_ENV=production for a deployment: it refuses to start without SECRET_KEY and
ALLOWED_HOSTS and turns on secure cookies, HSTS and SSL redirect. See docs/operations.md.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SAMPLAN_ENV = env("SAMPLAN_ENV", "development")
if SAMPLAN_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("SAMPLAN_ENV must be 'development' or 'production'.")
PRODUCTION = SAMPLAN_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Production mode needs SECRET_KEY (at least 50 random characters)."
        )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production mode needs ALLOWED_HOSTS (comma-separated).")
    DEBUG = False
else:
    SECRET_KEY = env("SECRET_KEY", "development-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = env_bool("DEBUG", True)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "samplan.core.apps.CoreConfig",
    "samplan.accounts",
    "samplan.people",
    "samplan.plans",
    "samplan.discharge",
    "samplan.deviations",
    "samplan.citizen",
    "samplan.audit",
    "samplan.notifications",
    "samplan.review",
    "samplan.evaluation",
    "samplan.statistics",
    "samplan.demo",
    "samplan.api",
    "samplan.ops",
    "samplan.core.apps.SamplanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API's docs page from ninja's own static files, not a CDN (samplan.api)
]

MIDDLEWARE = [
    "samplan.core.metrics.RequestMetricsMiddleware",  # first: times the whole request
    "django.middleware.security.SecurityMiddleware",
    "samplan.core.logging.RequestValuesMiddleware",  # the log filter redacts what was sent
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samplan.accounts.middleware.SessionTimeoutMiddleware",
    "samplan.accounts.middleware.LoginRequiredMiddleware",  # Django's; a POST returns to its page
    "samplan.accounts.middleware.ActingUnitMiddleware",
    "samplan.people.session.ActorMiddleware",  # request.actor: the one shape of who acts
    "django.contrib.messages.middleware.MessageMiddleware",
    "samplan.core.once.SubmitOnceMiddleware",  # a form sent twice runs once
    "samplan.audit.middleware.AccessLogFailClosedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "samplan.core.middleware.NoStoreMiddleware",
    "samplan.core.middleware.MethodNotAllowedPageMiddleware",
    "samplan.core.middleware.FailedFormTitleMiddleware",  # "Fel: …" after a failed submit
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "samplan.urls"
WSGI_APPLICATION = "samplan.wsgi.application"

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
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "samplan.accounts.context_processors.acting_unit",
                "samplan.citizen.context_processors.citizen",
                "samplan.notifications.context_processors.inbox",
            ],
            # Without a load: `{% once %}` in every POST form (samplan.core.once) and the
            # date words and helpers of samplan.core.templatetags.samplan (|day, |day_time).
            "builtins": ["samplan.core.once", "samplan.core.templatetags.samplan"],
        },
    },
]

# Database: SQLite unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every query of a page is short: compiling one with LLVM (PostgreSQL's JIT, on by
    # default and triggered by cost estimates that grow with the tables) costs tens of
    # milliseconds and saves none, and starting parallel workers for a query of 20 ms makes
    # it slower and takes the cores other requests need (docs/operations.md, "At national
    # scale"). DB_SESSION_OPTIONS="" leaves both to the server's configuration.
    session_options = env("DB_SESSION_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0")
    if session_options:
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", session_options)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests: a file, not memory, so the worker the notification tests start sees the data;
    # one per test run (process), so runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username
    "samplan.accounts.backends.LoginThrottleBackend",  # then: refuses a throttled address
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Swedish first, English second. Source strings are English.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION  # development serves straight from static/
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)
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

# E-mail: SMTP when EMAIL_HOST is set. Otherwise each e-mail is written as a file to
# EMAIL_FILE_PATH (var/mail/), so that development sends nothing and the terminal stays readable.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Samplan <noreply@samplan.invalid>")
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))  # seconds per SMTP operation

# Notifications (docs/notifications.md): the outbox is delivered by `manage.py run_worker`
# through django-tasks' database backend. E-mails link to SAMPLAN_BASE_URL.
# Unset, it is built from HOST and PORT (as `make run` serves: 127.0.0.1 and 8000 by default).
SAMPLAN_BASE_URL = env(
    "SAMPLAN_BASE_URL", f"http://{env('HOST', '127.0.0.1')}:{env('PORT', '8000')}"
).rstrip("/")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tasks of apps above notifications that the worker enqueues with every sweep (by dotted path,
# so run_worker imports none of them): the statistics' incremental refresh, and the expiry of
# the requests to evaluate a SIP.
PERIODIC_TASKS = [
    "samplan.statistics.tasks.statistics_refresh",
    "samplan.evaluation.tasks.evaluation_expire",
    "samplan.api.tasks.api_prune",
]
NOTIFICATIONS_SWEEP_SECONDS = int(env("NOTIFICATIONS_SWEEP_SECONDS", "60"))
# Monitoring (docs/operations.md): /health turns red when the oldest e-mail due has waited
# longer than this; /metrics needs this bearer token when set (and is 404 in production
# without one).
HEALTH_OUTBOX_MAX_AGE_SECONDS = int(env("HEALTH_OUTBOX_MAX_AGE_SECONDS", "900"))
METRICS_TOKEN = env("METRICS_TOKEN", "")
NOTIFICATIONS_SEND_LEASE_SECONDS = int(env("NOTIFICATIONS_SEND_LEASE_SECONDS", "300"))
NOTIFICATIONS_RETRY_BASE_SECONDS = int(env("NOTIFICATIONS_RETRY_BASE_SECONDS", "60"))
NOTIFICATIONS_RETRY_MAX_SECONDS = int(env("NOTIFICATIONS_RETRY_MAX_SECONDS", "3600"))

# Access log retention in days (HSLF-FS 2016:40 4 kap. 9 §: at least five years). Default ten
# years; `manage.py purge_access_log` deletes older entries. See docs/access-log.md.
ACCESS_LOG_RETENTION_DAYS = int(env("ACCESS_LOG_RETENTION_DAYS", str(10 * 365 + 3)))
if ACCESS_LOG_RETENTION_DAYS < 5 * 365 + 2:
    raise ImproperlyConfigured("ACCESS_LOG_RETENTION_DAYS must be at least 1827 (five years).")

# Sessions and cookies. SessionTimeoutMiddleware logs out after SESSION_IDLE_SECONDS without a
# request and SESSION_ABSOLUTE_SECONDS after login, whatever the activity. Every page warns
# SESSION_WARNING_SECONDS before the idle timeout and offers to stay logged in
# (static/samplan/session.js).
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_WARNING_SECONDS = int(env("SESSION_WARNING_SECONDS", "120"))
if not 0 < SESSION_WARNING_SECONDS < SESSION_IDLE_SECONDS:
    raise ImproperlyConfigured("SESSION_WARNING_SECONDS must be between 1 and 1799.")
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

# Login lockout (django-axes): five failures for one username, from any address, lock that
# username out for 15 minutes. Failures are counted in axes.AccessAttempt, one row per username,
# address and user agent; `manage.py prune_login_failures` keeps that table small. Axes' own
# login and failure logs stay off: logins and failures are security events in samplan.audit.
# Spraying (few guesses at many usernames) is throttled per address and in total by
# samplan.accounts.backends.LoginThrottleBackend, counting failures within the cool-off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
# The pair adds nothing to "username" alone; it is listed for axes' own check (axes.W006), as
# the per-address limit is LoginThrottleBackend's.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(env("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20"))
LOGIN_FAILURE_LIMIT_GLOBAL = int(env("LOGIN_FAILURE_LIMIT_GLOBAL", "200"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner on every management command

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # an explicit, documented choice
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy: nonce-based, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Citizen login to Min SIP (docs/citizen-login.md). OpenID Connect (BankID, Freja eID through
# a broker) is on when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are all set. The demo
# login, with no e-legitimation at all, is on by default in development only.
OIDC_ISSUER = env("OIDC_ISSUER")  # exactly as the provider's "iss" claim
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET")
OIDC_ACCEPTED_ACR = env_list(
    "OIDC_ACCEPTED_ACR",
    "http://id.elegnamnden.se/loa/1.0/loa3,http://id.elegnamnden.se/loa/1.0/loa4,"
    "http://id.swedenconnect.se/loa/1.0/uncertified-loa3",
)
OIDC_PERSONNUMMER_CLAIM = env(
    "OIDC_PERSONNUMMER_CLAIM", "https://id.oidc.se/claim/personalIdentityNumber"
)
OIDC_COORDINATION_NUMBER_CLAIM = env(
    "OIDC_COORDINATION_NUMBER_CLAIM", "https://id.oidc.se/claim/coordinationNumber"
)
OIDC_SCOPES = env("OIDC_SCOPES", "openid https://id.oidc.se/scope/naturalPersonNumber")
OIDC_REDIRECT_URI = env("OIDC_REDIRECT_URI")  # default: https://<host>/min-sip/logga-in/callback/
OIDC_VERIFY_TLS = env_bool("OIDC_VERIFY_TLS", True)
if any([OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET]) and not all(
    [OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET]
):
    raise ImproperlyConfigured(
        "Citizen login needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none."
    )
if PRODUCTION and OIDC_ISSUER and (not OIDC_VERIFY_TLS or not OIDC_ISSUER.startswith("https://")):
    raise ImproperlyConfigured("In production OIDC_ISSUER must be https and OIDC_VERIFY_TLS on.")
CITIZEN_DEMO_LOGIN = env_bool("CITIZEN_DEMO_LOGIN", not PRODUCTION)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_identity_numbers": {"()": "samplan.core.logging.RedactIdentityNumbers"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_identity_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
        # PDF rendering is chatty at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Every task start and finish (a sweep a minute) is noise; failures still show.
        "django_tasks": {"level": "WARNING"},
    },
}
FORM_RENDERER = "samplan.core.renderers.WidgetRenderer"
