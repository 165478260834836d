"""Booking rate limits: failed submissions and successful writes are counted apart, per real client.

Proxies are simulated with the test client's REMOTE_ADDR (the direct peer) and X-Forwarded-For.
"""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.models import Appointment
from tests.factories import DoctorFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # Tuesday 10:00 IST
PROXY = "10.0.0.1"
OTHER_PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


@pytest.fixture
def behind_our_proxy(settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/8"]
    settings.BOOKING_ATTEMPT_LIMIT = 2


def post(client, doctor, *, peer="127.0.0.1", forwarded=None, slot=0, valid=True):
    """One booking form POST; `slot` picks a 20-minute slot from Tuesday 10:00, with its own mobile."""
    start = TUESDAY_10 + timedelta(minutes=20 * slot)
    data = {
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Asha Rao",
        "patient_phone": f"98123 456{10 + slot}",
        "patient_email": "asha@example.com",
        "visit_type": "first",
        "consent": "on",
    }
    if not valid:
        data = {"start": data["start"], "booking_token": data["booking_token"]}  # an empty form
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("appointments:details", kwargs={"slug": doctor.slug}), data, **extra)


def test_a_patient_fighting_validation_errors_can_still_book(client, doctor):
    """The 21st empty submit used to answer "Too many attempts": failed submissions are not writes."""
    for _ in range(25):
        assert post(client, doctor, valid=False).status_code == 400
    assert post(client, doctor).status_code == 302
    assert Appointment.objects.count() == 1


def test_successful_bookings_are_limited_tightly(client, doctor, settings):
    settings.BOOKING_RATE_LIMIT = 2
    assert post(client, doctor, slot=0).status_code == 302
    assert post(client, doctor, valid=False).status_code == 400  # a failure does not use the allowance
    assert post(client, doctor, slot=1).status_code == 302
    refused = post(client, doctor, slot=2)
    assertContains(refused, "Too many attempts", status_code=429)
    assertContains(refused, "try again in 30 minutes", status_code=429)  # Monday 08:00 IST is xx:30 UTC
    assert refused["Retry-After"] == "1800"
    assert Appointment.objects.count() == 2


def test_attempts_are_limited_generously(client, doctor, settings):
    settings.BOOKING_ATTEMPT_LIMIT = 5
    for _ in range(5):
        assert post(client, doctor, valid=False).status_code == 400
    assert post(client, doctor).status_code == 429
    assert not Appointment.objects.exists()


def test_the_limits_start_again_in_the_next_hour(client, doctor, settings):
    settings.BOOKING_ATTEMPT_LIMIT = 1
    assert post(client, doctor, valid=False).status_code == 400
    assert post(client, doctor).status_code == 429
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert post(client, doctor).status_code == 302


def test_six_clients_behind_our_proxy_are_six_buckets(client, doctor, behind_our_proxy):
    for n in range(1, 7):
        for _ in range(2):  # each client uses up its own two attempts, and no one else's
            assert (
                post(client, doctor, peer=PROXY, forwarded=f"203.0.113.{n}", valid=False).status_code == 400
            )
    assert post(client, doctor, peer=PROXY, forwarded="203.0.113.1").status_code == 429
    assert post(client, doctor, peer=PROXY, forwarded="203.0.113.7").status_code == 302


def test_one_client_behind_our_proxies_is_one_bucket_whatever_it_writes_to_the_left(
    client, doctor, behind_our_proxy
):
    # The client prepends made-up addresses; our proxies append the address they saw.
    assert post(client, doctor, peer=PROXY, forwarded="6.6.6.1, 203.0.113.9", valid=False).status_code == 400
    assert (
        post(client, doctor, peer=OTHER_PROXY, forwarded="6.6.6.2, 203.0.113.9", valid=False).status_code
        == 400
    )
    # Two of our proxies in a row (an edge proxy in front of the load balancer): still that client.
    chained = post(client, doctor, peer=PROXY, forwarded="6.6.6.3, 203.0.113.9, 10.9.9.9")
    assert chained.status_code == 429
    assert not Appointment.objects.exists()


def test_a_spoofed_header_from_a_peer_that_is_not_our_proxy_changes_nothing(client, doctor, behind_our_proxy):
    outsider = "198.51.100.7"
    for n in range(2):
        assert post(client, doctor, peer=outsider, forwarded=f"203.0.113.{n}", valid=False).status_code == 400
    assert post(client, doctor, peer=outsider, forwarded="203.0.113.99").status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(client, doctor, settings):
    settings.TRUSTED_PROXY_IPS = []
    settings.BOOKING_ATTEMPT_LIMIT = 1
    assert post(client, doctor, peer=PROXY, forwarded="203.0.113.1", valid=False).status_code == 400
    assert post(client, doctor, peer=PROXY, forwarded="203.0.113.2").status_code == 429
