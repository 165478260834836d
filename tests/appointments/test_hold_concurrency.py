"""Slot holds under real concurrency (issue 15 item 1): PostgreSQL, one connection per thread."""

import uuid
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from appointments.holds import hold_place
from appointments.models import Appointment, SlotHold
from tests.appointments.test_concurrency import booking_body, post_at_once
from tests.factories import DoctorFactory, week_hours

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrency needs parallel transactions: runs on PostgreSQL (set DATABASE_URL).",
    ),
]

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
STRANGERS = 8


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    return doctor


def details(doctor) -> str:
    return reverse("appointments:details", kwargs={"slug": doctor.slug})


@override_settings(BOOKING_RATE_LIMIT=10_000)
@pytest.mark.parametrize("round_", range(3))
def test_the_holder_and_strangers_racing_at_the_moment_the_hold_expires_make_one_booking(doctor, round_):
    with time_machine.travel(NOW, tick=False) as clock:
        token = uuid.uuid4()
        hold = hold_place(doctor=doctor, starts_at=TUESDAY_10, token=token)
        clock.move_to(hold.expires_at)  # expired for everyone: the slot is free again
        owner = booking_body(99, "2026-11-24T04:30:00Z") | {"booking_token": str(token)}
        strangers = [booking_body(number, "2026-11-24T04:30:00Z") for number in range(STRANGERS)]
        results = post_at_once(details(doctor), [owner, *strangers])
    statuses = sorted(status for _, status, _, _ in results)
    assert statuses == [302] + [409] * STRANGERS
    assert Appointment.objects.filter(doctor=doctor).count() == 1


@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_while_the_hold_lasts_the_holder_wins_every_race(doctor):
    with time_machine.travel(NOW, tick=False):
        token = uuid.uuid4()
        hold_place(doctor=doctor, starts_at=TUESDAY_10, token=token)
        owner = booking_body(99, "2026-11-24T04:30:00Z") | {"booking_token": str(token)}
        strangers = [booking_body(number, "2026-11-24T04:30:00Z") for number in range(STRANGERS)]
        results = post_at_once(details(doctor), [*strangers, owner])
    winners = [body for body, status, _, _ in results if status == 302]
    assert [body["booking_token"] for body in winners] == [str(token)]
    assert Appointment.objects.get(doctor=doctor).booking_token == token
    assert not SlotHold.objects.exists()


def test_patients_opening_one_time_at_once_get_one_hold(doctor):
    import threading

    from django.test import Client

    barrier = threading.Barrier(STRANGERS)
    answers = []

    def open_form():
        try:
            client = Client()
            barrier.wait(timeout=30)
            first = client.get(details(doctor), {"start": "2026-11-24T04:30:00Z"})
            answers.append(client.get(first.url).status_code if "hold=" in first.url else first.status_code)
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=open_form) for _ in range(STRANGERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert SlotHold.objects.filter(doctor=doctor).count() == 1
    assert len(answers) == STRANGERS
    assert sorted(answers) == [200] + [302] * (STRANGERS - 1)  # the others are sent back to the picker
