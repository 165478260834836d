"""Shared set-up for the notification tests: a doctor with hours and a frozen Monday morning."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from appointments.services import appointment_book
from tests.factories import DoctorFactory, week_hours

# Monday 23 November 2026, 08:00 in Bengaluru (IST, UTC+5:30).
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 10:00 IST, 26 hours ahead: a reminder is due
TUESDAY_11 = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)  # 11:00 IST
MONDAY_14 = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 14:00 IST, 6 hours ahead: no reminder


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(db):
    doctor = DoctorFactory(name="Dr. Asha Menon")
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


def book(doctor, starts_at=TUESDAY_10, **kwargs):
    data = {
        "patient_name": "Ravi Kumar",
        "patient_phone": "+919812345678",
        "patient_email": "ravi@example.com",
        "visit_type": "first",
    } | kwargs
    return appointment_book(doctor=doctor, starts_at=starts_at, **data)
