"""Settings for the Clinic project; everything that differs per environment is an env var.

The README tables every variable with its development and production default.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clinic.client_address import parse_networks
from clinic.dbconfig import database_from_env
from clinic.mailconfig import mailer_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "clinic.admin_lists.ClinicAdminConfig",  # django.contrib.admin, hardened against overflowing input
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "phonenumber_field",
    "axes",
    "clinic",
    "doctors",
    "appointments",
    "articles",
    "notifications",
    "privacy",
    "reports",
    "waitlist",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads request.POST (the CSRF check): a form body that is not UTF-8, or a NUL
    # anywhere in the request, is a 400.
    "clinic.middleware.UnreadableRequestMiddleware",
    "clinic.middleware.PermissionsPolicyMiddleware",
    "clinic.middleware.PatientDataNoStoreMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a cached public page is served without a session or a query (clinic/pagecache.py).
    "clinic.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"

# Pages that show or take patient data (names, numbers, visits): clinic.middleware sends them with
# Cache-Control: no-store. "namespace:*" covers a whole namespace, present and future URLs alike.
PATIENT_DATA_URLS = [
    "staff:*",  # day, week, appointment, print, find, book, export, sign-in
    "appointments:details",  # the patient form (echoed back on errors)
    "waitlist:*",  # joining (name, mobile, email), an offer for one waiter, the staff list
    "appointments:send-link",  # a mobile number
    "appointments:find-booking",  # a reference and a mobile number (echoed back on errors)
    "appointments:my-appointments",  # an email address (echoed back on errors)
    "appointments:my-appointments-list",  # every visit booked with one email address
    "appointments:manage",
    "appointments:cancel",
    "appointments:reschedule",
    "appointments:calendar",  # the visit's .ics
    "appointments:doctor-feed",  # patient initials and references
    "notifications:feedback",
    # One patient's data (/staff/privacy/): every officer page but the public notice's versions.
    "privacy:requests",
    "privacy:request",
    "privacy:export-json",
    "privacy:export-html",
    "privacy:erase",
    "privacy:close",
    "reports:*",  # clinic reports: cancellation reasons are free text a patient typed
]

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic.wsgi.application"

# Database: PostgreSQL when DATABASE_URL is set, else a SQLite file beside manage.py (clinic/dbconfig.py).
# PostgreSQL connections give up after DATABASE_CONNECT_TIMEOUT seconds, and in the web server only
# (clinic/wsgi.py and asgi.py set CLINIC_WEB_PROCESS) a statement is cancelled after
# DATABASE_STATEMENT_TIMEOUT seconds: a hung database becomes a 503, not a hung worker, while
# migrations, the task worker and other manage.py commands run as long as they need.
WEB_PROCESS = env_bool("CLINIC_WEB_PROCESS", False)
DATABASES = {"default": database_from_env(os.environ, base_dir=BASE_DIR, web=WEB_PROCESS)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Public page cache (clinic/pagecache.py): anonymous public pages are kept this long at most, checked
# against the version counters on every hit. It needs a cache every app process shares, so it is on by
# default with REDIS_URL (and in development, one process); off, every page is rendered (ETags and
# Cache-Control are still sent, so a shared cache in front still revalidates).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", bool(os.environ.get("REDIS_URL")) or DEBUG)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 60 * 60))

# Cache: Redis when REDIS_URL is set (shared by every app server), else local memory.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "clinic.cache.SharedRedisCache",  # Django's, reusing its client (clinic/cache.py)
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "clinic"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Staff and doctors sign in at /staff/login/ (the admin login uses the same backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:day"
LOGOUT_REDIRECT_URL = "staff:login"

# Client addresses (clinic/client_address.py): X-Forwarded-For is read only when the direct peer is
# one of these proxies (addresses or CIDR ranges, comma-separated); the right-most address that is
# not one of them is the client. Empty: REMOTE_ADDR is the client and the header is ignored.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", "")
try:
    parse_networks(TRUSTED_PROXY_IPS)
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS: {error}") from error

# Lockout after repeated failed logins (django-axes). Attempts are rows in the database, so every
# app server sees them. Locked per username + client address after AXES_FAILURE_LIMIT failures: a
# typo-prone colleague on the same front-desk network cannot lock everyone out. Locked per client
# address alone after AXES_ADDRESS_FAILURE_LIMIT failures across all usernames (password spraying),
# counted by clinic.lockout.AxesHandler. Both last AXES_COOLOFF_MINUTES from the last failure.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", 20))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "clinic.lockout.AxesHandler"
AXES_USERNAME_CALLABLE = "clinic.lockout.login_username"  # fit for axes' 255-character column
AXES_CLIENT_IP_CALLABLE = "clinic.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Masked in axes' log lines: a confused user may type a patient's email as a username (axes' default, kept).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
AXES_VERBOSE = (
    False  # no start-up banner; failures and lockouts are still logged, with the lockout parameters only
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True

# Clinic identity: configuration, not code.
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Spine Care Clinic")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "+91 80 4000 1234")
CLINIC_EMAIL = os.environ.get("CLINIC_EMAIL", "care@spineclinic.example")
CLINIC_ADDRESS = os.environ.get(
    "CLINIC_ADDRESS", "12 Residency Road, Shanthala Nagar, Bengaluru 560025, India"
)
# Phone-line hours in clinic time: "Mon-Sat 08:00-20:00; Sun 09:00-13:00".
CLINIC_HOURS = os.environ.get("CLINIC_HOURS", "Mon-Sat 08:00-20:00; Sun 09:00-13:00")
CLINIC_CURRENCY = os.environ.get("CLINIC_CURRENCY", "INR")
CLINIC_CURRENCY_SYMBOL = os.environ.get("CLINIC_CURRENCY_SYMBOL", "₹")
TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "Asia/Kolkata")
PHONENUMBER_DEFAULT_REGION = os.environ.get("CLINIC_PHONE_REGION", "IN")
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# Booking policy (SPEC 3.3). Times are read in each location's time zone.
BOOKING_MIN_NOTICE = timedelta(minutes=int(os.environ.get("BOOKING_MIN_NOTICE_MINUTES", 120)))
BOOKING_HORIZON_DAYS = int(os.environ.get("BOOKING_HORIZON_DAYS", 30))
BOOKING_CUTOFF = timedelta(hours=float(os.environ.get("BOOKING_CUTOFF_HOURS", 4)))
# A fresh booking can be cancelled or rescheduled online for this long (until its start at the latest),
# even inside the cut-off: someone who books at 15:29 for 17:40 can still undo it.
BOOKING_GRACE_PERIOD = timedelta(minutes=int(os.environ.get("BOOKING_GRACE_MINUTES", 30)))
# One upcoming appointment per patient (mobile number + name) per doctor; a family sharing a phone may
# hold this many upcoming appointments with one doctor on one number.
BOOKING_MAX_PER_MOBILE = int(os.environ.get("BOOKING_MAX_PER_MOBILE", 3))
# Opening the details form holds its time this long for that form (appointments/holds.py, issue 15);
# a waitlist offer holds the freed time for its waiter this long. Holds placed per client address
# per hour are limited, so no script can hold a doctor's week.
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", 5))
BOOKING_HOLD_LIMIT = int(os.environ.get("BOOKING_HOLD_LIMIT", 10))
WAITLIST_OFFER_MINUTES = int(os.environ.get("WAITLIST_OFFER_MINUTES", 15))
# Cards show the next free time within this many days ("call us" beyond it).
BOOKING_CARD_LOOKAHEAD_DAYS = int(os.environ.get("BOOKING_CARD_LOOKAHEAD_DAYS", 14))
# Patient POSTs per client address per hour (appointments/ratelimit.py, counted in the cache): those
# that did something (a booking, a cancel, a sent link), and all of them, failed submissions included.
BOOKING_RATE_LIMIT = int(os.environ.get("BOOKING_RATE_LIMIT", 20))
BOOKING_ATTEMPT_LIMIT = int(os.environ.get("BOOKING_ATTEMPT_LIMIT", 100))
# A manage link works until this many days after the visit ends.
MANAGE_LINK_DAYS = int(os.environ.get("MANAGE_LINK_DAYS", 30))
# "My appointments" (/my-appointments/): the emailed list link works for this many minutes after it is sent.
MY_APPOINTMENTS_LINK_MINUTES = int(os.environ.get("MY_APPOINTMENTS_LINK_MINUTES", 30))

# Background tasks (Django Tasks): with debug off (production) they are queued in the database for
# `manage.py db_worker`, so a slow or hung mail server never holds a request; with debug on (`make run`)
# the immediate backend runs them at once, in-process. tests/settings.py chooses immediate too.
TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND") or ("immediate" if DEBUG else "db")
if TASKS_BACKEND not in {"immediate", "db"}:
    raise ImproperlyConfigured("DJANGO_TASKS_BACKEND must be 'immediate' or 'db'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TASKS_BACKEND == "db"
        else "django.tasks.backends.immediate.ImmediateBackend"
    }
}

# Patient emails and feedback (SPEC 3.4). SITE_URL makes the links in emails absolute.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
NOTIFY_REMINDER_LEAD = timedelta(hours=float(os.environ.get("NOTIFY_REMINDER_HOURS", 24)))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 5))
# First retry after this long, then doubling: 1, 2, 4, 8 minutes by default.
NOTIFY_RETRY_DELAY = timedelta(seconds=int(os.environ.get("NOTIFY_RETRY_SECONDS", 60)))
# The feedback request goes out this long after the visit ends (or is marked completed).
FEEDBACK_REQUEST_DELAY = timedelta(hours=float(os.environ.get("FEEDBACK_REQUEST_DELAY_HOURS", 2)))
FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", 60))
# "Send me my booking link" and Find my booking email a visit's link at most once in this many minutes.
NOTIFY_LINK_INTERVAL = timedelta(minutes=int(os.environ.get("NOTIFY_LINK_MINUTES", 10)))
# A pending message this far past its due time is listed for the front desk as overdue (/staff/messages/).
NOTIFY_OVERDUE_AFTER = timedelta(minutes=int(os.environ.get("NOTIFY_OVERDUE_MINUTES", 15)))
# Recommendation figures stay hidden until a doctor has this many answers.
RECOMMEND_MIN_ANSWERS = int(os.environ.get("RECOMMEND_MIN_ANSWERS", 10))

# Patient data (SPEC 5): the retention sweep (`manage.py anonymise_old_visits`) removes the patient
# fields of visits that ended more than this many days ago (default three years).
PATIENT_RETENTION_DAYS = int(os.environ.get("PATIENT_RETENTION_DAYS", 3 * 365))
if PATIENT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("PATIENT_RETENTION_DAYS must be a whole number of days, 1 or more.")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/")

# Mail: EMAIL_URL or EMAIL_HOST/PORT/USER/PASSWORD/USE_TLS/USE_SSL; console in development.
MAILERS = {"default": mailer_from_env(os.environ, debug=DEBUG)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{CLINIC_NAME} <{CLINIC_EMAIL}>")

# Content-Security-Policy (Django's built-in middleware): scripts only from our own origin, nothing from
# third parties, ever. Every script is a file of ours (JSON-LD blocks are data, not scripts), so no page
# needs a per-response nonce and a cached page's body is valid as it is (docs/decisions.md).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers probe app servers over plain HTTP; a redirect would mark them down.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
