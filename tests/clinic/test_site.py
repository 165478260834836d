from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError

from doctors.models import Condition, Doctor, Language, Location, Specialty

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(client):
    with mock.patch("clinic.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = [m.objects.count() for m in (Doctor, Location, Specialty, Condition, Language)]
    links = Doctor.languages.through.objects.count()
    call_command("seed_demo")
    assert [m.objects.count() for m in (Doctor, Location, Specialty, Condition, Language)] == counts
    assert Doctor.languages.through.objects.count() == links
    assert counts[0] >= 12
    assert counts[1] >= 3
    assert Location.objects.values("city").distinct().count() >= 2
    assert counts[2] >= 6


def test_seed_demo_generates_a_large_synthetic_set_once():
    call_command("seed_demo", doctors=30)
    call_command("seed_demo", doctors=30)
    assert Doctor.objects.filter(slug__startswith="synthetic-").count() == 30


def test_seed_demo_makes_no_logins_unless_debug_is_on(settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    call_command("seed_demo")
    assert not get_user_model().objects.exists()


def test_seed_demo_prints_fresh_logins_in_debug(settings, capsys):
    from django.contrib.auth import get_user_model

    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Login 'admin' with password" in out
    frontdesk = get_user_model().objects.get(username="frontdesk")
    assert frontdesk.groups.filter(name="Front desk").exists()
    assert not frontdesk.is_superuser


def test_staff_groups_exist_with_permissions():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Front desk", "Doctors", "Content editors"} <= names
    assert Group.objects.get(name="Front desk").permissions.filter(codename="view_doctor").exists()


def test_every_page_sends_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_pages_make_no_third_party_requests(client):
    import re

    Doctor.objects.all()  # empty site still renders its frame
    html = client.get("/").text
    sources = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert all("testserver" in url for url in sources), sources


def test_favicon_ico_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"] == "/static/favicon.svg"
    assert client.get(response.headers["Location"]).status_code == 200
