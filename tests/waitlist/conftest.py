"""A doctor whose Tuesday and Wednesday mornings (09:00-10:00 IST, 20-minute slots) are fully booked."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import TestCase

from appointments.services import appointment_cancel
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)
TUE_0900 = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
TUE_0920 = TUE_0900 + timedelta(minutes=20)
WED_0900 = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(clock):
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=LocationFactory(name="Residency Road"))
    week_hours(doctor, weekdays=[1, 2], intervals=[(time(9, 0), time(10, 0))])
    return doctor


@pytest.fixture
def full_week(doctor):
    """Every time of the doctor booked: {start: appointment}."""
    starts = [day + timedelta(minutes=20 * n) for day in (TUE_0900, WED_0900) for n in range(3)]
    return {
        start: AppointmentFactory(doctor=doctor, starts_at=start, patient_email=f"p{n}@example.com")
        for n, start in enumerate(starts)
    }


def committed():
    """Run the callbacks queued for after the commit as the commit happens (the waitlist's work after a
    booking service commits); the test's own transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def cancel(appointment, **kwargs):
    """Cancel as a patient would, the waitlist's pass after the commit included."""
    with committed():
        return appointment_cancel(appointment=appointment, **kwargs)
