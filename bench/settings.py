"""Bench settings: production settings plus a bare floor view (`/bench/floor`) to measure against."""

from clinic.settings import *  # noqa: F403
from clinic.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / "bench" / "staticfiles"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # 409s are the expected answer to a lost race (booking POST, load test): log server errors only.
    "loggers": {"django.request": {"level": "ERROR"}},
}

# The booking POST target books thousands of slots from one client address in seconds: the
# production limits (BOOKING_RATE_LIMIT, 20 bookings, and BOOKING_ATTEMPT_LIMIT, 100 POSTs, per hour
# per client address) would turn all but 20 into 429s and the bench would measure the rate-limit
# page. The limits are still counted in the cache, so their cost stays in the measurement.
BOOKING_RATE_LIMIT = 1_000_000_000
BOOKING_ATTEMPT_LIMIT = 1_000_000_000
