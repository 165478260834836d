"""Booking, cancelling and rescheduling through the services, against the database."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from appointments import availability
from appointments.models import Appointment, AppointmentStatus, DoctorSchedule
from appointments.services import (
    AlreadyBooked,
    PastCutoff,
    SlotTaken,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.factories import AppointmentFactory, DoctorFactory, TimeOffFactory, week_hours

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 08:00 in Bengaluru.
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 10:00 IST


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


def book(doctor, starts_at=TUESDAY_10, **kwargs):
    data = {"patient_name": "Asha Rao", "patient_phone": "+919812345678", "visit_type": "first"} | kwargs
    return appointment_book(doctor=doctor, starts_at=starts_at, **data)


def test_booking_stores_utc_times_location_and_a_readable_reference(doctor):
    appointment = book(doctor)
    assert appointment.starts_at == TUESDAY_10
    assert appointment.ends_at == TUESDAY_10 + timedelta(minutes=20)
    assert appointment.location == doctor.location
    assert len(appointment.reference) == 8
    assert set(appointment.reference) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def test_the_doctors_slot_length_sets_the_end(doctor):
    DoctorSchedule.objects.create(doctor=doctor, slot_minutes=45)
    # 45-minute grid from 09:00: 09:00, 09:45, 10:30 ...
    appointment = book(doctor, starts_at=TUESDAY_10 + timedelta(minutes=30))
    assert appointment.ends_at == TUESDAY_10 + timedelta(minutes=75)


def test_a_taken_slot_is_refused_as_taken(doctor):
    book(doctor)
    with pytest.raises(SlotTaken, match="just taken"):
        book(doctor, patient_phone="+919800000000")
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "starts_at",
    [
        TUESDAY_10 + timedelta(minutes=7),  # off the grid
        datetime(2026, 11, 24, 8, 0, tzinfo=UTC),  # 13:30 IST, the lunch break
        datetime(2026, 11, 23, 3, 30, tzinfo=UTC),  # 09:00 today, inside the 2 h notice
        datetime(2026, 11, 20, 4, 30, tzinfo=UTC),  # the past
        TUESDAY_10 + timedelta(days=35),  # beyond the 30-day horizon
    ],
)
def test_a_time_that_is_not_offered_is_refused_and_nothing_is_written(doctor, starts_at):
    with pytest.raises(SlotUnavailable, match="not available"):
        book(doctor, starts_at=starts_at)
    assert not Appointment.objects.exists()


def test_time_off_is_not_bookable(doctor):
    TimeOffFactory(
        doctor=doctor, starts_at=TUESDAY_10 - timedelta(hours=1), ends_at=TUESDAY_10 + timedelta(hours=2)
    )
    with pytest.raises(SlotUnavailable):
        book(doctor)


def test_an_inactive_doctor_cannot_be_booked(doctor):
    doctor.is_active = False
    doctor.save()
    with pytest.raises(SlotUnavailable, match="not taking bookings"):
        book(doctor)


def test_the_same_booking_token_books_once(doctor):
    token = uuid.uuid4()
    first = book(doctor, booking_token=token)
    again = book(doctor, booking_token=token)
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1


def test_one_upcoming_appointment_per_mobile_per_doctor(doctor):
    existing = book(doctor)
    with pytest.raises(AlreadyBooked) as caught:
        book(doctor, starts_at=TUESDAY_10 + timedelta(hours=1))
    assert caught.value.existing == existing
    # another doctor is fine
    other = DoctorFactory()
    week_hours(other)
    assert book(other).doctor == other


def test_a_colliding_reference_is_retried(doctor, monkeypatch):
    AppointmentFactory(reference="AAAAAAAA", starts_at=TUESDAY_10 + timedelta(days=2))
    references = iter(["AAAAAAAA", "BBBBBBBB"])
    monkeypatch.setattr("appointments.services.new_reference", lambda: next(references))
    assert book(doctor).reference == "BBBBBBBB"


def test_the_database_refuses_two_active_appointments_in_one_slot(doctor):
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)


def test_a_cancelled_appointment_does_not_hold_its_slot_in_the_database(doctor):
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10, status=AppointmentStatus.CANCELLED)
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)
    assert Appointment.objects.filter(doctor=doctor, starts_at=TUESDAY_10).count() == 2


def test_full_clean_reports_the_taken_slot(doctor):
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)
    with pytest.raises(ValidationError, match="just taken"):
        AppointmentFactory.build(doctor=doctor, location=doctor.location, starts_at=TUESDAY_10).full_clean()


def test_cancel_frees_the_slot_at_once(doctor):
    appointment = book(doctor)
    appointment_cancel(appointment=appointment, reason="Feeling better")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "Feeling better"
    assert TUESDAY_10 in [s.start for s in availability.free_slots(doctor, TUESDAY_10.date(), 1)]


def test_cancel_and_reschedule_are_refused_past_the_cut_off(doctor):
    appointment = book(doctor)
    with time_machine.travel(TUESDAY_10 - timedelta(hours=3), tick=False):
        with pytest.raises(PastCutoff, match="4 hours before"):
            appointment_cancel(appointment=appointment)
        with pytest.raises(PastCutoff):
            appointment_reschedule(appointment=appointment, starts_at=TUESDAY_10 + timedelta(days=1))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.starts_at == TUESDAY_10


def test_reschedule_moves_to_a_free_slot_and_keeps_the_reference(doctor):
    appointment = book(doctor)
    reference = appointment.reference
    moved = appointment_reschedule(appointment=appointment, starts_at=TUESDAY_10 + timedelta(days=1, hours=1))
    assert moved.reference == reference
    assert moved.starts_at == TUESDAY_10 + timedelta(days=1, hours=1)
    assert Appointment.objects.count() == 1


def test_reschedule_to_a_taken_or_invalid_slot_changes_nothing(doctor):
    appointment = book(doctor)
    book(doctor, starts_at=TUESDAY_10 + timedelta(hours=1), patient_phone="+919800000001")
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=appointment, starts_at=TUESDAY_10 + timedelta(hours=1))
    with pytest.raises(SlotUnavailable):
        appointment_reschedule(appointment=appointment, starts_at=TUESDAY_10 + timedelta(minutes=1))
    appointment.refresh_from_db()
    assert appointment.starts_at == TUESDAY_10


def test_reschedule_may_move_within_its_own_time(doctor):
    """Its own booking does not block a move that overlaps the old time."""
    DoctorSchedule.objects.create(doctor=doctor, slot_minutes=30)
    appointment = book(doctor)
    moved = appointment_reschedule(appointment=appointment, starts_at=TUESDAY_10 + timedelta(minutes=30))
    assert moved.starts_at == TUESDAY_10 + timedelta(minutes=30)


def test_postgresql_also_refuses_overlapping_appointments_with_different_starts(doctor):
    if connection.vendor != "postgresql":
        pytest.skip("The exclusion constraint on overlapping tstzrange exists on PostgreSQL only.")
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10, ends_at=TUESDAY_10 + timedelta(minutes=30))
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10 + timedelta(minutes=10))
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10 + timedelta(minutes=30))  # touching is fine
