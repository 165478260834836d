"""Sign-in lockout: per username + address (django-axes) and per address alone (password spraying)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
RIGHT = "correct horse battery staple"
SPRAYER = "203.0.113.66"
COLLEAGUE = "203.0.113.77"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign_in(client, username, password="wrong", *, url=None, address=SPRAYER):
    return client.post(
        url or reverse("staff:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_thirty_usernames_with_one_wrong_password_each_from_one_address_are_throttled(
    client, clock, front_desk_user, settings
):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20  # the production default
    answers = [sign_in(client, f"nobody{n}").status_code for n in range(30)]
    assert answers == [200] * 19 + [429] * 11
    locked = sign_in(client, "nobody99")
    assertContains(locked, "many failed sign-ins from your network", status_code=429)
    assertContains(locked, "Please try again in 15 minutes.", status_code=429)
    # A real colleague's right password from that address waits too, on both logins ...
    assert sign_in(client, front_desk_user.username, RIGHT).status_code == 429
    assert sign_in(client, front_desk_user.username, RIGHT, url=reverse("admin:login")).status_code == 429
    # ... while the same colleague from another address signs in.
    assert sign_in(Client(), front_desk_user.username, RIGHT, address=COLLEAGUE).status_code == 302


def test_spraying_the_admin_login_locks_the_address_too(client, clock, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    admin_login = reverse("admin:login")
    answers = [sign_in(client, f"admin{n}", url=admin_login).status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert sign_in(client, "anyone").status_code == 429  # the staff login shares the count


def test_the_address_lock_says_how_long_it_lasts_and_ends_then(client, clock, front_desk_user, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 3
    for n in range(3):  # at 0, 2 and 4 minutes
        if n:
            clock.shift(timedelta(minutes=2))
        response = sign_in(client, f"nobody{n}")
    # The lock holds until the oldest of the three failures leaves the 15-minute window.
    assertContains(response, "Please try again in 11 minutes.", status_code=429)
    clock.shift(timedelta(minutes=10))  # minute 14: a try while locked is refused, and counts
    retry = sign_in(Client(), front_desk_user.username, RIGHT, address=SPRAYER)
    assertContains(retry, "Please try again in 3 minutes.", status_code=429)  # until minute 17
    clock.shift(timedelta(minutes=3, seconds=1))  # minute 17: only the failures of minutes 4 and 14 count
    assert sign_in(Client(), front_desk_user.username, RIGHT, address=SPRAYER).status_code == 302


def test_the_account_lock_says_how_long_it_lasts(client, clock, front_desk_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = sign_in(client, front_desk_user.username)
    assertContains(response, "3 failed sign-ins for this account", status_code=429)
    assertContains(response, "Please try again in 15 minutes.", status_code=429)
    clock.shift(timedelta(minutes=15, seconds=1))
    assert sign_in(client, front_desk_user.username, RIGHT).status_code == 302


def test_a_try_during_the_account_lock_starts_the_wait_again_and_the_page_says_so(
    client, clock, front_desk_user, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, front_desk_user.username)
    clock.shift(timedelta(minutes=14))
    retry = sign_in(client, front_desk_user.username, RIGHT)
    assertContains(retry, "Please try again in 15 minutes.", status_code=429)
    assertContains(retry, "Trying again before then makes the wait longer.", status_code=429)
    clock.shift(timedelta(minutes=14))
    assert sign_in(Client(), front_desk_user.username, RIGHT, address=SPRAYER).status_code == 429


def test_a_colleagues_typos_do_not_lock_the_shared_address(client, clock, front_desk_user, settings):
    """Failures followed by a success are forgiven, so a busy front desk behind one address is not locked."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 5
    for _ in range(3):
        for _typo in range(2):
            assert sign_in(client, front_desk_user.username).status_code == 200
        assert sign_in(Client(), front_desk_user.username, RIGHT).status_code == 302
    assert sign_in(client, "someone-else").status_code == 200


def test_six_colleagues_behind_our_proxy_are_locked_one_address_at_a_time(client, clock, settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/8"]
    settings.AXES_ADDRESS_FAILURE_LIMIT = 2
    for n in range(6):
        forwarded = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        response = client.post(
            reverse("staff:login"),
            {"username": f"u{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            **forwarded,
        )
        assert response.status_code == 200
    sprayer = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.0"}
    assert (
        client.post(reverse("staff:login"), {"username": "u9", "password": "x"}, **sprayer).status_code == 429
    )
