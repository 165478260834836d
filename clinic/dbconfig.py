"""Build DATABASES["default"] from the environment: PostgreSQL from DATABASE_URL, else a SQLite file.

PostgreSQL connections carry a connect timeout (DATABASE_CONNECT_TIMEOUT, seconds, default 3), so a
database that accepts connections and never answers fails fast instead of holding the worker; web
processes also get a statement timeout (DATABASE_STATEMENT_TIMEOUT, seconds, default 5, 0 for none),
sent in the connection's start-up packet, so no request pays an extra round trip for it. Management
commands (migrate, db_worker, seed_demo) get no statement timeout: a long migration or task is not
a hung request. Decision: docs/decisions.md (2026-11-29).
"""

from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

DEFAULT_CONNECT_TIMEOUT = 3  # seconds
DEFAULT_STATEMENT_TIMEOUT = 5  # seconds, web requests only


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} cannot be negative")
    return value


def database_from_env(environ: Mapping[str, str], *, base_dir: Path, web: bool) -> dict:
    """One DATABASES entry. `web` is True in the web server process (see clinic/wsgi.py).

    Raises ImproperlyConfigured for a timeout that is not a non-negative number.
    """
    if not environ.get("DATABASE_URL"):
        # SQLite runs in WAL mode with IMMEDIATE transactions so concurrent requests queue for the
        # write lock instead of failing with "database is locked".
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": environ.get("SQLITE_PATH", str(base_dir / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    database = dj_database_url.parse(environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)
    if "postgresql" not in database["ENGINE"]:
        return database
    options = database.setdefault("OPTIONS", {})
    # libpq counts whole seconds and treats 1 as 2; 0 would mean "wait forever".
    connect_timeout = _seconds(environ, "DATABASE_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)
    options.setdefault("connect_timeout", max(2, round(connect_timeout)))
    statement_timeout = _seconds(environ, "DATABASE_STATEMENT_TIMEOUT", DEFAULT_STATEMENT_TIMEOUT)
    if web and statement_timeout:
        setting = f"-c statement_timeout={round(statement_timeout * 1000)}"
        options["options"] = f"{options['options']} {setting}" if options.get("options") else setting
    return database
