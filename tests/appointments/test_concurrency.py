"""No double booking under real concurrency: many connections race for one slot on PostgreSQL.

These need real parallel transactions, so they run only on PostgreSQL (CI runs the suite again
there); SQLite serialises writers and is covered by the constraint tests.
"""

import threading
import uuid
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from appointments.links import manage_token, manage_url
from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_book
from notifications.models import Message, MessageKind
from tests.factories import DoctorFactory, week_hours

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrency needs parallel transactions: runs on PostgreSQL (set DATABASE_URL).",
    ),
]

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
TUESDAY_10 = "2026-11-24T04:30:00Z"
TUESDAY_11 = "2026-11-24T05:30:00Z"
THREADS = 20


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    return doctor


def post_at_once(url: str, bodies: list[dict]) -> list[tuple[dict, int, str, str]]:
    """POST each body from its own thread (and connection), all released together; [(body, status, location, text)]."""
    barrier = threading.Barrier(len(bodies))
    results = []
    lock = threading.Lock()

    def attempt(body: dict):
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = client.post(url, body)
            with lock:
                results.append(
                    (body, response.status_code, response.get("Location", ""), response.content.decode())
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def patient_name(number: int) -> str:
    """A distinct name per client, in letters only: names are letters, not digits (issue 10 item 6)."""
    return "Patient " + "".join("ABCDEFGHIJ"[int(digit)] for digit in f"{number:04d}")


def booking_body(number: int, start: str, *, same_phone: bool = False, same_name: bool = False) -> dict:
    return {
        "start": start,
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Asha Rao" if same_name else patient_name(number),
        "patient_phone": "+919812340000" if same_phone else f"+91981234{number:04d}",
        "visit_type": "first",
        "consent": "on",
    }


def race(doctor, starts: list[str], **same) -> list[tuple[str, int, str]]:
    """POST the booking form from len(starts) threads at once; [(start, status, body)] back."""
    url = reverse("appointments:details", kwargs={"slug": doctor.slug})
    bodies = [booking_body(number, start, **same) for number, start in enumerate(starts)]
    return [(body["start"], status, text) for body, status, _, text in post_at_once(url, bodies)]


@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_twenty_clients_racing_for_one_slot_book_it_exactly_once(doctor):
    with time_machine.travel(NOW, tick=False):
        results = race(doctor, [TUESDAY_10] * THREADS)
    statuses = sorted(status for _, status, _ in results)
    assert len(results) == THREADS
    assert statuses == [302] + [409] * (THREADS - 1)
    assert all("that time was just taken" in body for _, status, body in results if status == 409)
    assert Appointment.objects.filter(doctor=doctor).count() == 1


@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_two_slots_raced_at_once_are_both_booked_once(doctor):
    with time_machine.travel(NOW, tick=False):
        results = race(doctor, [TUESDAY_10, TUESDAY_11] * (THREADS // 2))
    assert sorted(status for _, status, _ in results).count(302) == 2
    assert 500 not in {status for _, status, _ in results}
    assert sorted(Appointment.objects.values_list("starts_at", flat=True)) == [
        datetime(2026, 11, 24, 4, 30, tzinfo=UTC),
        datetime(2026, 11, 24, 5, 30, tzinfo=UTC),
    ]


@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_one_patient_racing_for_two_slots_of_one_doctor_gets_one_booking(doctor):
    with time_machine.travel(NOW, tick=False):
        results = race(doctor, [TUESDAY_10, TUESDAY_11] * 4, same_phone=True, same_name=True)
    statuses = [status for _, status, _ in results]
    assert statuses.count(302) == 1
    assert 500 not in statuses
    assert Appointment.objects.filter(doctor=doctor).count() == 1


@override_settings(BOOKING_RATE_LIMIT=10_000, BOOKING_MAX_PER_MOBILE=3)
def test_one_mobile_racing_for_many_slots_under_many_names_stops_at_the_cap(doctor):
    starts = [f"2026-11-24T{hour:02d}:{minute:02d}:00Z" for hour in (4, 5) for minute in (30, 50)]
    with time_machine.travel(NOW, tick=False):
        results = race(doctor, starts * 2, same_phone=True)
    statuses = [status for _, status, _ in results]
    assert statuses.count(302) == 3
    assert 500 not in statuses
    assert Appointment.objects.filter(doctor=doctor).count() == 3


@pytest.mark.parametrize("submits", [3, THREADS])
@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_one_form_submitted_many_times_at_once_lands_every_submit_on_its_one_booking(doctor, submits):
    """A double (triple, twentyfold) click: every submit gets a 302 to the same manage page, never a 409."""
    url = reverse("appointments:details", kwargs={"slug": doctor.slug})
    body = booking_body(1, TUESDAY_10)
    with time_machine.travel(NOW, tick=False):
        results = post_at_once(url, [body] * submits)
        expected = manage_url(Appointment.objects.get(doctor=doctor))  # the link is signed at this instant
    assert [(status, location) for _, status, location, _ in results] == [(302, expected)] * submits


@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_two_cancels_at_once_both_land_on_the_cancelled_page(doctor):
    with time_machine.travel(NOW, tick=False):
        appointment = appointment_book(
            doctor=doctor,
            starts_at=datetime(2026, 11, 24, 4, 30, tzinfo=UTC),
            patient_name="Asha Rao",
            patient_phone="+919812345678",
            patient_email="asha@example.com",
        )
        url = reverse("appointments:cancel", kwargs={"token": manage_token(appointment)})
        results = post_at_once(url, [{"reason": "Better"}, {"reason": "Better"}])
        expected = manage_url(appointment)
    assert [(status, location) for _, status, location, _ in results] == [(302, expected)] * 2
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.status_changes.filter(to_status=AppointmentStatus.CANCELLED).count() == 1
    assert Message.objects.filter(appointment=appointment, kind=MessageKind.CANCELLED).count() == 1


@override_settings(BOOKING_RATE_LIMIT=10_000)
def test_many_link_requests_at_once_plan_one_email_and_answer_alike(doctor):
    with time_machine.travel(NOW, tick=False):
        appointment = appointment_book(
            doctor=doctor,
            starts_at=datetime(2026, 11, 24, 4, 30, tzinfo=UTC),
            patient_name="Asha Rao",
            patient_phone="+919812345678",
            patient_email="asha@example.com",
        )
        body = {"reference": appointment.reference, "patient_phone": "+919812345678"}
        results = post_at_once(reverse("appointments:find-booking"), [body] * 6)
    assert [status for _, status, _, _ in results] == [200] * 6
    assert Message.objects.filter(appointment=appointment, kind=MessageKind.LINK).count() == 1


def test_an_open_booking_of_one_slot_does_not_block_another_slot(doctor):
    """While one transaction holds 10:00 uncommitted, 11:00 books at once (no table lock)."""
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_ten():
        try:
            with transaction.atomic():
                appointment_book(
                    doctor=doctor,
                    starts_at=datetime(2026, 11, 24, 4, 30, tzinfo=UTC),
                    patient_name="First",
                    patient_phone="+919800000001",
                )
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def book_eleven():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                outcome["appointment"] = appointment_book(
                    doctor=doctor,
                    starts_at=datetime(2026, 11, 24, 5, 30, tzinfo=UTC),
                    patient_name="Second",
                    patient_phone="+919800000002",
                )
        except Exception as error:  # recorded and asserted below
            outcome["error"] = error
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=False):
        first = threading.Thread(target=hold_ten)
        first.start()
        assert holding.wait(timeout=30)
        second = threading.Thread(target=book_eleven)
        second.start()
        second.join(timeout=30)
        finished_while_held = not second.is_alive() and not release.is_set()
        release.set()
        first.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    assert finished_while_held
    assert Appointment.objects.count() == 2
