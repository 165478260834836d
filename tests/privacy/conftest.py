"""Shared set-up for the privacy tests: a frozen Monday morning, a doctor, a privacy officer."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group

from appointments.models import AppointmentStatus, StatusChange
from doctors.roles import PRIVACY_OFFICERS
from notifications.models import Feedback, Message, MessageKind, MessageState
from privacy.models import Consent, PrivacyNotice
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours

# Monday 23 November 2026, 08:00 in Bengaluru (IST, UTC+5:30).
NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
V1_FROM = date(2026, 11, 1)


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
def first(db, clock):
    """Version 1 as the migration made it, dated 1 November 2026 so the test days fall after it (the
    migration dates it by the real clock, which may be ahead: CI runs the suite 400 days on)."""
    notice = PrivacyNotice.objects.get(version=1)
    notice.effective_on = V1_FROM
    notice.save(update_fields=["effective_on"])
    return notice


@pytest.fixture
def officer(db, clock):
    return UserFactory(username="officer", is_staff=True, groups=[Group.objects.get(name=PRIVACY_OFFICERS)])


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)  # inside the travelled clock, so the session is fresh on that day
    return client


# One patient's data: Asha's visits, and Bina, who must never show up in them --------------------

ASHA_PHONE = "+919812345678"
ASHA_EMAIL = "asha.rao@example.com"


def past_visit(doctor, days_ago, reference, *, phone=ASHA_PHONE, email=ASHA_EMAIL, name="Asha Rao", **fields):
    start = NOW - timedelta(days=days_ago)
    appointment = AppointmentFactory(
        doctor=doctor,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        reference=reference,
        patient_name=name,
        patient_phone=phone,
        patient_email=email,
        reason="Low back pain",
        status=fields.pop("status", AppointmentStatus.COMPLETED),
        **fields,
    )
    StatusChange.objects.create(
        appointment=appointment, from_status="", to_status="booked", at=start - timedelta(days=3)
    )
    Consent.objects.create(
        appointment=appointment,
        notice=PrivacyNotice.objects.get(version=1),
        given_at=start - timedelta(days=3),
        method="online",
    )
    if email:
        Message.objects.create(
            appointment=appointment,
            kind=MessageKind.CONFIRMATION,
            due_at=start - timedelta(days=3),
            planned_for=start,
            state=MessageState.SENT,
            recipient=email,
            sent_at=start - timedelta(days=3),
        )
    return appointment


@pytest.fixture
def asha(doctor):
    """Asha's visits: completed with feedback, cancelled, one booked under a family member's number with
    her email, and one still to come."""
    seen = past_visit(doctor, 10, "ASHASEEN")
    Feedback.objects.create(appointment=seen, would_recommend=True, comment="Asha felt listened to")
    StatusChange.objects.create(
        appointment=seen,
        from_status="booked",
        to_status="completed",
        at=seen.ends_at,
        note="Asha paid in cash",
    )
    cancelled = past_visit(
        doctor, 5, "ASHACANC", email="", status=AppointmentStatus.CANCELLED, cancel_reason="Asha was unwell"
    )
    family = past_visit(doctor, 20, "ASHAFAMI", phone="+919800000111", name="Asha R.")
    upcoming = AppointmentFactory(
        doctor=doctor,
        starts_at=NOW + timedelta(days=2),
        reference="ASHANEXT",
        patient_name="Asha Rao",
        patient_phone=ASHA_PHONE,
        patient_email=ASHA_EMAIL,
    )
    return {"seen": seen, "cancelled": cancelled, "family": family, "upcoming": upcoming}


@pytest.fixture
def bina(doctor):
    """Another patient, who must never show up in Asha's data."""
    visit = past_visit(
        doctor, 8, "BINAVIST", phone="+919811111111", email="bina@example.com", name="Bina Shah"
    )
    Feedback.objects.create(appointment=visit, would_recommend=False, comment="Bina waited long")
    return visit
