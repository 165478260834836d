"""A form's one-time token only ever returns the booking made with that doctor, start and mobile (SPEC 3.3).

Issue 10 item 3: patient A's token posted with another doctor, slot, name and mobile redirected to A's
private manage page. Now any difference in doctor, start or mobile is refused like a stale form: a
clear message, the typed details kept, a fresh token, and nothing written. The simultaneous double
submit (threads, PostgreSQL) is in test_concurrency.py.
"""

import re
import uuid
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.links import manage_token, manage_url
from appointments.models import Appointment
from appointments.services import StaleForm, appointment_book
from tests.factories import DoctorFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
START = "2026-11-24T04:30:00Z"  # Tuesday 10:00 IST
TOKEN = str(uuid.uuid4())


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctors():
    made = [DoctorFactory(name="Dr. Meera Kulkarni"), DoctorFactory(name="Dr. Arjun Rao")]
    for doctor in made:
        week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return made


def form(**overrides):
    return {
        "start": START,
        "booking_token": TOKEN,
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "patient_email": "asha@example.com",
        "visit_type": "first",
        "consent": "on",
    } | overrides


def post(client, doctor, data):
    return client.post(reverse("appointments:details", kwargs={"slug": doctor.slug}), data)


@pytest.fixture
def asha(client, doctors):
    """Patient A's booking, made with TOKEN."""
    response = post(client, doctors[0], form())
    appointment = Appointment.objects.get()
    assert response.url == manage_url(appointment)
    return appointment


@pytest.mark.parametrize(
    ("other_doctor", "changes"),
    [
        (True, {}),
        (False, {"start": "2026-11-24T05:30:00Z"}),
        (False, {"patient_phone": "98765 43210"}),
        # the input: a different doctor, slot, name and mobile
        (True, {"start": "2026-11-25T06:00:00Z", "patient_name": "Mallory", "patient_phone": "98765 43210"}),
    ],
    ids=["doctor", "start", "mobile", "everything"],
)
def test_a_replayed_token_with_other_details_is_refused_like_a_stale_form(
    client, doctors, asha, other_doctor, changes
):
    doctor = doctors[1] if other_doctor else doctors[0]
    response = post(client, doctor, form(**changes))
    assert response.status_code == 409
    assertContains(
        response, "This form was already used for a booking, so we did not book again", status_code=409
    )
    assertNotContains(response, manage_token(asha), status_code=409)
    assertNotContains(response, asha.reference, status_code=409)
    assertContains(response, f'value="{changes.get("patient_name", "Asha Rao")}"', status_code=409)
    fresh = re.search(r'name="booking_token" value="([^"]+)"', response.text).group(1)
    assert fresh != TOKEN
    assert list(Appointment.objects.all()) == [asha]


def test_after_a_stale_refusal_the_kept_details_book_with_the_fresh_token(client, doctors, asha):
    refused = post(client, doctors[1], form(patient_phone="98765 43210"))
    fresh = re.search(r'name="booking_token" value="([^"]+)"', refused.text).group(1)
    response = post(client, doctors[1], form(patient_phone="98765 43210", booking_token=fresh))
    other = Appointment.objects.exclude(pk=asha.pk).get()
    assert response.url == manage_url(other)
    assert other.doctor == doctors[1]


def test_the_same_form_again_returns_its_booking_whatever_way_the_mobile_is_written(client, doctors, asha):
    for phone in ["98123 45678", "+91 98123 45678", "098123-45678"]:
        response = post(client, doctors[0], form(patient_phone=phone))
        assert response.status_code == 302
        assert response.url == manage_url(asha)
    assert Appointment.objects.count() == 1


def test_the_service_refuses_a_token_with_other_details_and_writes_nothing(doctors):
    token = uuid.uuid4()
    start = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
    details = {"patient_name": "Asha Rao", "patient_phone": "+919812345678", "booking_token": token}
    first = appointment_book(doctor=doctors[0], starts_at=start, **details)
    assert appointment_book(doctor=doctors[0], starts_at=start, **details) == first
    with pytest.raises(StaleForm):
        appointment_book(doctor=doctors[0], starts_at=start, **details | {"patient_phone": "+919876543210"})
    assert Appointment.objects.count() == 1
