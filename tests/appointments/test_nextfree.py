"""Stored next free slots (appointments/nextfree.py): kept in step by every change and by the clock."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from appointments import availability, nextfree
from appointments.models import NextFreeSlot
from appointments.services import appointment_book, appointment_cancel
from tests.factories import DoctorFactory, TimeOffFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 08:30 in Kolkata


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(clock):
    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    return doctor


def engine(doctor, count=3):
    return availability.free_slots(doctor, availability.local_today(doctor), 2)[:count]


def row(doctor):
    return NextFreeSlot.objects.get(doctor=doctor)


def test_a_booking_and_a_cancel_move_the_row_in_the_same_transaction(doctor):
    first, second, third = engine(doctor)
    assert (row(doctor).first_start, row(doctor).second_start) == (first.start, second.start)
    booked = appointment_book(
        doctor=doctor, starts_at=first.start, patient_name="Asha Rao", patient_phone="+919812345678"
    )
    assert (row(doctor).first_start, row(doctor).second_start) == (second.start, third.start)
    appointment_cancel(appointment=booked)
    assert row(doctor).first_start == first.start


def test_time_off_and_hours_move_the_row(doctor):
    first, second, _ = engine(doctor)
    TimeOffFactory(doctor=doctor, starts_at=first.start, ends_at=second.end)
    assert row(doctor).first_start == engine(doctor)[0].start > second.start
    doctor.working_hours.all().delete()
    assert row(doctor).first_start is None


def test_a_location_closing_empties_its_doctors_rows(doctor):
    assert row(doctor).first_start is not None
    doctor.location.is_active = False
    doctor.location.save()
    assert row(doctor).first_start is None


def test_the_clock_passing_the_first_slot_shows_the_second_then_a_read_recomputes(clock, doctor):
    first, second, third = engine(doctor)
    clock.move_to(first.start - timedelta(hours=2) + timedelta(minutes=1))
    doctors = nextfree.read([doctor])
    assert doctors[0].next_free_slot.start == second.start
    clock.move_to(second.start - timedelta(hours=2) + timedelta(minutes=1))  # both stored slots passed
    assert nextfree.read([doctor])[0].next_free_slot.start == third.start
    assert row(doctor).first_start == third.start


def test_the_minute_sweep_recomputes_rows_about_to_go_stale(clock, doctor):
    _, second, _ = engine(doctor)
    clock.move_to(second.start - timedelta(hours=2) - timedelta(seconds=30))
    assert nextfree.sweep() == 1
    assert row(doctor).first_start == second.start
    assert nextfree.sweep() == 0


def test_a_doctor_with_hours_can_be_deleted(doctor):
    doctor.delete()
    assert not NextFreeSlot.objects.exists()


def test_every_active_doctor_has_a_row_and_missing_ones_are_made_on_read(doctor):
    NextFreeSlot.objects.all().delete()
    assert nextfree.refresh_stale() == 1
    assert row(doctor).first_start == engine(doctor)[0].start
