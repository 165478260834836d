"""Shared set-up for the privacy tests: a frozen Monday morning, a doctor, a privacy officer."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.contrib.auth.models import Group

from doctors.roles import PRIVACY_OFFICERS
from tests.factories import DoctorFactory, UserFactory, week_hours

# Monday 23 November 2026, 08:00 in Bengaluru (IST, UTC+5:30).
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(db, clock):
    doctor = DoctorFactory(name="Dr. Asha Menon")
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


@pytest.fixture
def officer(db, clock):
    return UserFactory(username="officer", is_staff=True, groups=[Group.objects.get(name=PRIVACY_OFFICERS)])


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)  # inside the travelled clock, so the session is fresh on that day
    return client
