"""A hung database gives a fast 503: connect timeout, web-only statement timeout, the 503 page.

The hung database is a socket this test opens, which accepts connections and never answers; the
app's default connection is pointed at it for one request (the test's own database stays open
underneath and is put back afterwards).
"""

import json
import os
import subprocess
import sys
import time

import pytest
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from clinic.dbconfig import database_from_env
from tests.clinic.test_settings import ROOT, run_manage
from tests.hung import HungServer

pytestmark = pytest.mark.django_db

HUNG_URL = "postgres://clinic@127.0.0.1:{port}/clinic"


def config(web=False, **env):
    return database_from_env(
        {"DATABASE_URL": "postgres://u@db.example:5432/clinic", **env}, base_dir=ROOT, web=web
    )


def test_postgresql_connections_give_up_after_three_seconds_by_default_and_it_is_configurable():
    assert config()["OPTIONS"]["connect_timeout"] == 3
    assert config(DATABASE_CONNECT_TIMEOUT="7")["OPTIONS"]["connect_timeout"] == 7
    assert config(DATABASE_CONNECT_TIMEOUT="0.5")["OPTIONS"]["connect_timeout"] == 2  # libpq's minimum


def test_only_web_processes_get_the_statement_timeout():
    assert "options" not in config(web=False)["OPTIONS"]
    assert config(web=True)["OPTIONS"]["options"] == "-c statement_timeout=5000"
    assert (
        config(web=True, DATABASE_STATEMENT_TIMEOUT="2.5")["OPTIONS"]["options"]
        == "-c statement_timeout=2500"
    )
    assert "options" not in config(web=True, DATABASE_STATEMENT_TIMEOUT="0")["OPTIONS"]


def test_a_timeout_that_is_not_a_number_stops_start_up():
    result = run_manage(
        "check", DJANGO_DEBUG="1", DATABASE_URL="postgres://u@db.example/x", DATABASE_CONNECT_TIMEOUT="soon"
    )
    assert result.returncode != 0
    assert "DATABASE_CONNECT_TIMEOUT must be a number of seconds" in result.stderr


SHOW_OPTIONS = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"


def test_the_wsgi_server_has_the_statement_timeout_and_manage_py_commands_do_not():
    env = {"DJANGO_SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://u@db.example:5432/clinic"}
    web = subprocess.run(
        [sys.executable, "-c", f"import clinic.wsgi; {SHOW_OPTIONS}"],
        cwd=ROOT,
        env=clean_environment() | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode == 0, web.stderr
    assert json.loads(web.stdout)["options"] == "-c statement_timeout=5000"
    command = run_manage("shell", "--no-imports", "-c", SHOW_OPTIONS, **env)  # migrate, db_worker, ...
    assert command.returncode == 0, command.stderr
    assert "options" not in json.loads(command.stdout)


def clean_environment() -> dict:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CLINIC_")) and k != "DATABASE_URL"
    }


@pytest.fixture
def hung_database():
    """Point the default connection at a database that accepts and never answers, with production options."""
    with HungServer() as server:
        settings_dict = connections.configure_settings(
            {
                "default": database_from_env(
                    {"DATABASE_URL": HUNG_URL.format(port=server.port)}, base_dir=ROOT, web=True
                )
            }
        )["default"]
        hung = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
        real = connections["default"]
        connections["default"] = hung
        try:
            yield server
        finally:
            connections["default"] = real
            hung.close()


def timed_get(url, **extra):
    client = Client(raise_request_exception=False)
    started = time.perf_counter()
    response = client.get(url, **extra)
    return response, time.perf_counter() - started


def test_healthz_answers_503_within_five_seconds_when_the_database_does_not_answer(hung_database):
    response, seconds = timed_get(reverse("healthz"))
    assert hung_database.connections >= 1
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert seconds < 5


@pytest.mark.hung_env(DATABASE_CONNECT_TIMEOUT="2")
@pytest.mark.parametrize("name", ["home", "doctors:list", "appointments:start", "staff:day"])
def test_pages_answer_a_short_503_page_not_a_500(hung_database, name):
    response, seconds = timed_get(reverse(name), HTTP_COOKIE="sessionid=" + "a" * 32)  # a session read too
    assertContains(response, "Back in a moment", status_code=503)
    assertContains(response, "+91 80 4000 1234", status_code=503)  # call us instead
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert seconds < 15  # one or two connect timeouts (2 s each), generously


def test_other_server_errors_are_still_a_plain_500(client, monkeypatch):
    from clinic import views

    def broken(*args, **kwargs):
        raise ValueError("a bug, not the database")

    monkeypatch.setattr(views.HomeView, "get_context_data", broken)
    response = Client(raise_request_exception=False).get(reverse("home"))
    assert response.status_code == 500


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's statement timeout: runs with DATABASE_URL"
)
def test_postgresql_cancels_a_web_statement_after_the_timeout_but_not_a_command_one():
    base = connection.settings_dict
    url = f"postgres://{base['USER']}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/{base['NAME']}"
    for web, expected in [(True, "200ms"), (False, "0")]:
        settings_dict = connections.configure_settings(
            {
                "default": database_from_env(
                    {"DATABASE_URL": url, "DATABASE_STATEMENT_TIMEOUT": "0.2"}, base_dir=ROOT, web=web
                )
            }
        )["default"]
        other = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "timeout-check")
        try:
            with other.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                assert cursor.fetchone()[0] == expected
                if web:
                    with pytest.raises(OperationalError, match="statement timeout"):
                        cursor.execute("SELECT pg_sleep(1)")
        finally:
            other.close()
