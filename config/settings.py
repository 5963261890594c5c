"""Settings, read from the environment (see docs/configuration.md).

With nothing set, the application runs on an embedded default: SQLite and a
file-system Celery broker, so ``make run`` works on a fresh machine. Production
(``DJANGO_ENV=production``) refuses to start without SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kernel.api.components import ERROR_COMPONENTS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


PRODUCTION = env_str("DJANGO_ENV", "development") == "production"


def env_required_in_production(name: str, development_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return development_default


SECRET_KEY = env_required_in_production(
    "SECRET_KEY", "development-only-key-never-use-in-production-3f9a2c7e1b"
)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", env_required_in_production("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kernel",
    "config",
    "alliance",
    "members",
    "governance",
    "cooperation",
    "assessments",
    "publicity",
    "matching",
]

MIDDLEWARE = [
    # The health probes (and /metrics) are answered first: see kernel/health.py.
    "kernel.health.OperationsMiddleware",
    "kernel.logs.RequestIdMiddleware",
    # Moves the data's version on after a request that may have written (kernel/versions.py).
    "kernel.versions.DataVersionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "members.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files from STATIC_ROOT (collectstatic); in development runserver serves them.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.navigation",
            ],
        },
    },
]

# Forms render through the project's templates, so templates/django/forms/ can override Django's own (form
# errors are announced: role="alert").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "config.wsgi.application"

DATABASE_URL = env_required_in_production("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database fails a connection within seconds (the readiness probe reports it) instead of
    # hanging for the operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The agenda's order is unique per meeting, checked at commit (deferrable) on PostgreSQL; the embedded
# SQLite default of `make run` cannot defer it, so there it goes unchecked (the services keep the order).
SILENCED_SYSTEM_CHECKS = ["models.W038"]

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: Django's hook for "the password was changed", which deletes the user's API tokens.
    {"NAME": "members.sessions.EndTokensOnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Accounts (docs/architecture.md, "Accounts"): invitation links stay valid this many days; a password
# reset link this many hours (Django's PASSWORD_RESET_TIMEOUT, in seconds).
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 24) * 3600
# Roles whose holders must use two-factor authentication (TOTP): sent to set it up before anything
# else, and refused an API token until they have. Everyone else may turn it on. Values: official,
# secretariat, director, contact, expert, admin. Off in development so the demo logs in with a password.
TWO_FACTOR_REQUIRED_ROLES = env_list(
    "TWO_FACTOR_REQUIRED_ROLES", "official,secretariat" if PRODUCTION else ""
)
_TWO_FACTOR_ROLES = {"official", "secretariat", "director", "contact", "expert", "admin"}
if set(TWO_FACTOR_REQUIRED_ROLES) - _TWO_FACTOR_ROLES:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_REQUIRED_ROLES may name only {', '.join(sorted(_TWO_FACTOR_ROLES))}, "
        f"not {TWO_FACTOR_REQUIRED_ROLES!r}"
    )
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "市域产教联合体")
# The admin lists two-factor devices without their secret keys and recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Login throttling: lock a username+IP pair after AXES_FAILURE_LIMIT failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many reverse proxies of our own stand in front of gunicorn: 0 takes the client's address from
# the connection (REMOTE_ADDR) and ignores X-Forwarded-For, which any client can write; n > 0 takes
# the n-th address from the right of X-Forwarded-For. Both login throttles use it (DRF's directly,
# axes's through kernel.api.throttling.client_address), so they count the same client.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more, not {NUM_PROXIES}")
AXES_CLIENT_IP_CALLABLE = "kernel.api.throttling.client_address"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
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
# Uploads and generated reports on S3-compatible object storage (MinIO, Alibaba OSS, Tencent COS, AWS S3)
# when a bucket is given, on local disk (MEDIA_ROOT) otherwise. Files stay private in the bucket: every
# download is streamed through the application's permission-checked views (docs/deploy.md says why).
STORAGE_BUCKET = env_str("STORAGE_BUCKET")
STORAGE_URL = env_str("STORAGE_URL")
if STORAGE_URL and not STORAGE_BUCKET:
    raise ImproperlyConfigured("STORAGE_URL is set but STORAGE_BUCKET is not: name the bucket too")
if STORAGE_BUCKET:
    from botocore.config import Config as BotocoreConfig

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": STORAGE_URL or None,  # none: AWS S3 itself
            "access_key": env_str("STORAGE_ACCESS_KEY") or None,
            "secret_key": env_str("STORAGE_SECRET_KEY") or None,
            "region_name": env_str("STORAGE_REGION") or None,
            "addressing_style": env_str("STORAGE_ADDRESSING_STYLE") or None,  # "virtual" for Alibaba OSS
            "location": env_str("STORAGE_PREFIX"),
            "signature_version": "s3v4",
            # Django's rule, not S3's: a second file of the same name gets a new name instead of replacing.
            "file_overwrite": False,
            # No ACL is sent: objects get the bucket's own (private) policy.
            "default_acl": None,
            # Bounded waits and few retries: the readiness probe and a download fail fast, not after minutes.
            "client_config": BotocoreConfig(connect_timeout=3, read_timeout=20, retries={"max_attempts": 3}),
        },
    }

UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 20)
# Largest image accepted with a news item or typical case (PNG, JPEG or WebP).
NEWS_IMAGE_MAX_BYTES = env_int("NEWS_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
DOCUMENT_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "png", "jpg", "jpeg"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

def redis_url_for_test_worker(url: str, worker: str) -> str:
    """`url` with its database index moved up by the number of the pytest-xdist worker (`gw0`, `gw1` …)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL must end in a database number, not {path!r}")
    number = worker.removeprefix("gw")
    if not number.isdigit():
        raise ImproperlyConfigured(f"PYTEST_XDIST_WORKER must be gw<number>, not {worker!r}")
    return urlunsplit(parts._replace(path=f"/{int(path or 0) + int(number)}"))


# Required in production: several web servers and workers share the cache (login throttling, rate limits)
# and the broker only through Redis; the fallbacks below are for one development machine.
REDIS_URL = env_required_in_production("REDIS_URL", "")
# The test suite runs in parallel under pytest-xdist, which names each worker process in PYTEST_XDIST_WORKER.
# Each worker gets its own test database from pytest-django, and here its own Redis database: REDIS_URL's
# index plus the worker's number (…/14 gives gw0 database 14, gw1 15). The tests with a real Celery worker
# purge the queue and wait for their own tasks, and the cache counts login attempts; two workers on one Redis
# database would take each other's tasks and counts. Redis has 16 databases unless configured otherwise, so
# leave room above the index for the workers. A production process never runs under xdist (a test's own
# gunicorn with DJANGO_ENV=production uses its REDIS_URL as given).
if REDIS_URL and env_str("PYTEST_XDIST_WORKER") and not PRODUCTION:
    REDIS_URL = redis_url_for_test_worker(REDIS_URL, env_str("PYTEST_XDIST_WORKER"))
if REDIS_URL:
    # Bounded waits: an unreachable Redis fails a cache call within a second instead of hanging the
    # request (the login throttle then lets it through, see kernel/api/throttling.py).
    CACHES = {
        "default": {
            "BACKEND": "kernel.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = BASE_DIR / "var" / "celery-broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# django-celery-beat's DatabaseScheduler behind a Redis lock: a second beat sends nothing (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 30)
if BEAT_LOCK_SECONDS < 3:
    raise ImproperlyConfigured(f"BEAT_LOCK_SECONDS must be 3 or more, not {BEAT_LOCK_SECONDS}")
# Worker and beat log through settings.LOGGING (config/celery.py), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "alliance@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.api.auth.TokenAuthentication",  # knox's, one query per request (members/api/auth.py)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "kernel.api.filters.DjangoFilterBackend",  # the filter form only when a filter is asked for
        "kernel.api.filters.SearchFilter",
        "kernel.api.filters.OrderingFilter",
    ],
    # JSON only; an action that takes a file adds multipart itself (tasks' `report`).
    "DEFAULT_PARSER_CLASSES": ["kernel.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "kernel.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "kernel.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env_str("API_LOGIN_THROTTLE", "10/min")},
    "NUM_PROXIES": NUM_PROXIES,
}
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_DAYS", 30))}
SPECTACULAR_SETTINGS = {
    "TITLE": "City-region industry-education alliance API",
    "DESCRIPTION": "市域产教联合体 REST API v1: the member register, council business, cooperation and assessments. "
                   "Get a token with POST /api/v1/auth/token/ and send it as `Authorization: Token <token>`.",
    "VERSION": "1.7.0",  # docs/api-changelog.md
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # OpenAPI 3.1: nullable references (`oneOf: [{$ref}, {type: null}]`) mean the same to validators and
    # client generators. The schema is English whatever the request's language (kernel.api.schema).
    "OAS_VERSION": "3.1.0",
    "DEFAULT_GENERATOR_CLASS": "kernel.api.schema.SchemaGenerator",
    "APPEND_COMPONENTS": ERROR_COMPONENTS,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AllianceStatusEnum": "alliance.models.Alliance.Status",
        "MembershipStatusEnum": "members.models.Membership.Status",
        "MembershipRoleEnum": "members.models.Membership.Role",
        "SeatOfficeEnum": "governance.models.Seat.Office",
        "CoreProductStatusEnum": "cooperation.models.CoreProduct.Status",
        "TechnologyNeedStatusEnum": "cooperation.models.TechnologyNeed.Status",
        "TalentNeedStatusEnum": "cooperation.models.TalentNeed.Status",
        "OfferStatusEnum": "cooperation.models.Offer.Status",
        "OfferKindEnum": "cooperation.models.Offer.Kind",
        "ResponseStatusEnum": "cooperation.models.Response.Status",
        "ProjectKindEnum": "cooperation.models.Project.Kind",
        "ProjectStatusEnum": "cooperation.models.Project.Status",
        "ProjectPartnerRoleEnum": "cooperation.models.ProjectPartner.Role",
        "ContributionKindEnum": "cooperation.models.Contribution.Kind",
        "OutcomeMetricEnum": "cooperation.models.Outcome.Metric",
        "NewsKindEnum": "publicity.models.NewsItem.Kind",
        "NewsStatusEnum": "publicity.models.NewsItem.Status",
        "LevelEnum": "alliance.models.Alliance.Level",  # its name before warnings had levels too
        "WarningLevelEnum": "assessments.models.WarningRule.Level",
        "AnnualStatusEnum": "assessments.models.AnnualPlan.Status",  # a report's too: the same choices
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

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
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-pass-2025")
# The site's public address, for links in mails (e.g. https://alliance.example.cn); relative links without it.
SITE_URL = env_str("SITE_URL").rstrip("/")
# Days before a self-assessment, review or rectification deadline that reminders go out.
ASSESSMENT_REMINDER_DAYS = env_int("ASSESSMENT_REMINDER_DAYS", 3)
# Days before 31 January (the year's work plan) and 31 December (the year's report) that the secretariat is reminded.
ANNUAL_REMINDER_DAYS = env_int("ANNUAL_REMINDER_DAYS", 14)
# The execution rate (per cent) a year's work plan must reach; below it two years running is an early warning.
ANNUAL_PLAN_PASS_RATE = env_int("ANNUAL_PLAN_PASS_RATE", 80)
# Hours before a meeting that its reminder goes out, and before a vote closes that seats not yet voted are reminded.
MEETING_REMINDER_HOURS = env_int("MEETING_REMINDER_HOURS", 24)
VOTE_REMINDER_HOURS = env_int("VOTE_REMINDER_HOURS", 24)
# Days before a task is due that its owner is reminded; days after circulation that unapproved minutes are.
TASK_REMINDER_DAYS = env_int("TASK_REMINDER_DAYS", 7)
MINUTES_REMINDER_DAYS = env_int("MINUTES_REMINDER_DAYS", 14)
# Days after an important announcement was sent that the contacts who have not read it are reminded, once.
ANNOUNCEMENT_REMINDER_DAYS = env_int("ANNOUNCEMENT_REMINDER_DAYS", 3)

# Error tracking: Sentry, or a self-hosted GlitchTip (same protocol), for web, worker and beat when
# SENTRY_DSN is set; otherwise errors are mailed to ADMINS (if any).
SENTRY_DSN = env_str("SENTRY_DSN")
ADMINS = [(address, address) for address in env_list("ADMINS")]
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production" if PRODUCTION else "development"),
        release=env_str("SENTRY_RELEASE") or None,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )

# Logs on standard error: JSON lines (time, level, logger, message, request_id, user_id, task_id, task_name)
# in production, a readable line in development (kernel/logs.py adds the ids).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "console")
if LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or console, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "kernel.logs.ContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "console": {
            "format": "{asctime} {levelname} {name} [request={request_id} user={user_id} task={task_id}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {
        "handlers": ["console", "mail_admins"] if ADMINS and not SENTRY_DSN else ["console"],
        "level": env_str("LOG_LEVEL", "INFO"),
    },
    "loggers": {
        # Django's default handlers for its own loggers give way to the root's (no double mail).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "axes": {"level": "WARNING"},
        # The readiness probe reports what is down (kernel.health); the library's traceback per probe is noise.
        "health_check": {"level": "ERROR"},
        # One line per request (kernel.logs.RequestIdMiddleware); runserver prints its own in development.
        "kernel.requests": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}

# Prometheus metrics (django-prometheus): request counts and latency by view, the outbox backlog, at
# METRICS_PATH; the scraper sends `Authorization: Bearer METRICS_TOKEN` (required in production).
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_PATH = "/metrics"
if METRICS_ENABLED:
    if PRODUCTION and not METRICS_TOKEN:
        raise ImproperlyConfigured("METRICS_ENABLED needs METRICS_TOKEN in production (the scraper's bearer token)")
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
