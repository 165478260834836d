"""Availability costs a fixed number of queries, whatever the size of the appointments table."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.models import Appointment
from tests.factories import DoctorFactory, LocationFactory, SpecialtyFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def fill(doctors, count):
    """`count` appointments spread over the doctors, a year back to a month ahead, 20 minutes apart."""
    rows = []
    first = NOW - timedelta(days=365)
    for number in range(count):
        doctor = doctors[number % len(doctors)]
        start = first + timedelta(hours=38) * (number // len(doctors))
        rows.append(
            Appointment(
                doctor=doctor,
                location=doctor.location,
                starts_at=start,
                ends_at=start + timedelta(minutes=20),
                patient_name=f"P{number}",
                patient_phone=f"+9198{number:08d}",
                reference=f"Q{number:07d}",
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=1000)


def cost(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_picker_api_and_a_page_of_20_cards_cost_the_same_with_10_or_5000_appointments(client):
    specialty, location = SpecialtyFactory(), LocationFactory()
    doctors = [DoctorFactory(specialty=specialty, location=location) for _ in range(20)]
    for doctor in doctors:
        week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    doctor = doctors[0]
    urls = [
        (reverse("appointments:picker", kwargs={"slug": doctor.slug}), {"date": "2026-11-25"}),
        (reverse("appointments:api-availability", kwargs={"slug": doctor.slug}), {"days": "14"}),
        (reverse("appointments:start"), {}),  # 20 cards
        (reverse("doctors:list"), {}),
        (doctor.get_absolute_url(), {}),
        (reverse("home"), {}),
    ]
    fill(doctors, 10)
    few = [cost(client, url, params) for url, params in urls]
    Appointment.objects.all().delete()
    fill(doctors, 5000)
    assert Appointment.objects.count() == 5000
    many = [cost(client, url, params) for url, params in urls]
    assert few == many
    assert len(client.get(reverse("appointments:start")).context["doctor_list"]) == 20


def test_next_free_slots_for_a_page_is_one_query_and_computing_them_four(django_assert_num_queries):
    from appointments.availability import compute_next, next_free_slots
    from doctors.models import Doctor

    locations = [LocationFactory(), LocationFactory()]
    for number in range(12):
        week_hours(DoctorFactory(location=locations[number % 2]))
    doctors = list(Doctor.objects.for_cards())
    # The stored rows (appointments.nextfree), kept fresh by the hours' signals: one query.
    with django_assert_num_queries(1):
        next_free_slots(doctors)
    assert all(doctor.next_free_slot is not None for doctor in doctors)
    # The engine behind them: hours, their locations (once each, not once per hours row), time off,
    # appointments.
    with django_assert_num_queries(4):
        found = compute_next(doctors, NOW)
    assert {doctor.pk: [doctor.next_free_slot] for doctor in doctors} == found
