"""Test settings: the real settings with production defaults, plus what a test run needs."""

import os
import tempfile
import zlib
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# Production queues tasks in the database; tests run them at once, in-process (tests that need the
# queue switch settings.TASKS themselves).
os.environ.setdefault("DJANGO_TASKS_BACKEND", "immediate")

from clinic.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# SQLite tests use a file, not Django's shared in-memory database: with an in-memory database the
# live server hands every request thread the test's own connection, so two browsers booking at once
# would share one transaction (the loser's rollback undoes the winner's booking). With a file each
# request thread has its own connection, as in production. One file per worktree (pytest-django
# appends the xdist worker), in the temporary directory.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    _tag = zlib.crc32(str(Path(__file__).resolve().parent).encode())
    _file = Path(tempfile.gettempdir()) / f"clinic-test-{_tag:08x}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_file)}  # noqa: F405

# Each xdist worker gets its own Redis database (REDIS_URL's database + worker number), so
# one worker's cache.clear() cannot wipe another's rate-limit counters.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    _base, _, _db = CACHES["default"]["LOCATION"].rpartition("/")  # noqa: F405
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    CACHES["default"]["LOCATION"] = f"{_base}/{int(_db or 0) + _worker}"  # noqa: F405

# Serve static files straight from the apps and static/ (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The public page cache (clinic/pagecache.py) is off for view tests, which read each response's template
# context and often ask for one URL twice; tests/clinic/test_page_cache.py switches it on and checks that
# every kind of change shows on the very next request. ETags and Cache-Control are sent either way.
PAGE_CACHE_ENABLED = False
