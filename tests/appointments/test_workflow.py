"""The front-desk status workflow, its audit trail, staff overrides and booking for a caller (services)."""

from datetime import UTC, datetime, time, timedelta
from itertools import product

import pytest
import time_machine
from django.core.exceptions import ValidationError

from appointments.models import Appointment, AppointmentSource, AppointmentStatus, StatusChange
from appointments.services import (
    TRANSITIONS,
    AlreadyBooked,
    PastCutoff,
    SlotTaken,
    SlotUnavailable,
    TransitionRefused,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
)
from tests.factories import AppointmentFactory, DoctorFactory, TimeOffFactory, UserFactory, week_hours

pytestmark = pytest.mark.django_db

S = AppointmentStatus
NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST
LEGAL = {
    (S.BOOKED, S.CONFIRMED),
    (S.BOOKED, S.CHECKED_IN),
    (S.BOOKED, S.CANCELLED),
    (S.BOOKED, S.NO_SHOW),
    (S.CONFIRMED, S.CHECKED_IN),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.NO_SHOW),
    (S.CHECKED_IN, S.COMPLETED),
}
ALL_PAIRS = list(product(S.values, S.values))


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk():
    return UserFactory(username="desk")


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


def test_the_transition_table_is_the_documented_workflow():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL


@pytest.mark.parametrize(("from_status", "to_status"), sorted(LEGAL))
def test_every_legal_transition_is_saved_with_an_audit_row(desk, from_status, to_status):
    # Started half an hour ago: every time guard is open.
    appointment = AppointmentFactory(status=from_status, starts_at=NOW - timedelta(minutes=30))
    appointment_set_status(appointment=appointment, to_status=to_status, by=desk, note="at the desk")
    appointment.refresh_from_db()
    assert appointment.status == to_status
    change = appointment.status_changes.get()
    assert (change.from_status, change.to_status, change.by, change.at, change.note) == (
        from_status,
        to_status,
        desk,
        NOW,
        "at the desk",
    )


@pytest.mark.parametrize(("from_status", "to_status"), [pair for pair in ALL_PAIRS if pair not in LEGAL])
def test_every_illegal_transition_is_refused_and_writes_nothing(desk, from_status, to_status):
    appointment = AppointmentFactory(status=from_status, starts_at=NOW - timedelta(minutes=30))
    with pytest.raises(TransitionRefused, match="cannot become"):
        appointment_set_status(appointment=appointment, to_status=to_status, by=desk)
    appointment.refresh_from_db()
    assert appointment.status == from_status
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize("to_status", [S.CHECKED_IN, S.NO_SHOW])
def test_a_visit_on_a_later_day_cannot_be_checked_in_or_marked_no_show(desk, to_status):
    appointment = AppointmentFactory(starts_at=NOW + timedelta(days=1))
    with pytest.raises(TransitionRefused):
        appointment_set_status(appointment=appointment, to_status=to_status, by=desk)
    assert Appointment.objects.get().status == S.BOOKED


def test_check_in_opens_on_the_day_but_no_show_only_after_the_start(desk):
    later_today = AppointmentFactory(starts_at=NOW + timedelta(hours=1))
    with pytest.raises(TransitionRefused, match="not started"):
        appointment_set_status(appointment=later_today, to_status=S.NO_SHOW, by=desk)
    appointment_set_status(appointment=later_today, to_status=S.CHECKED_IN, by=desk)  # arrived early
    assert Appointment.objects.get().status == S.CHECKED_IN


def test_the_staff_cancel_works_past_the_cut_off_and_records_the_override(desk):
    soon = AppointmentFactory(starts_at=NOW + timedelta(hours=1), booked_at=NOW - timedelta(days=1))
    with pytest.raises(PastCutoff):  # what a patient gets
        appointment_cancel(appointment=soon)
    appointment_set_status(appointment=soon, to_status=S.CANCELLED, by=desk, note="Called in sick")
    soon.refresh_from_db()
    assert (soon.status, soon.cancel_reason) == (S.CANCELLED, "Called in sick")
    change = soon.status_changes.get()
    assert (change.by, change.override, change.to_status) == (desk, True, S.CANCELLED)


def test_a_patient_cancel_before_the_cut_off_is_recorded_without_override():
    appointment = AppointmentFactory(starts_at=NOW + timedelta(days=2))
    appointment_cancel(appointment=appointment, reason="Better")
    change = appointment.status_changes.get()
    assert (change.by, change.override, change.from_status, change.to_status) == (
        None,
        False,
        S.BOOKED,
        S.CANCELLED,
    )


def test_staff_reschedule_past_the_cut_off_is_recorded_as_an_override(desk, doctor):
    appointment = AppointmentFactory(
        doctor=doctor, starts_at=datetime(2026, 11, 23, 6, 30, tzinfo=UTC), booked_at=NOW - timedelta(days=1)
    )  # 12:00 IST, booked yesterday (past its grace period)
    target = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # 15:00 IST today, inside the minimum notice too
    with pytest.raises(PastCutoff):
        appointment_reschedule(appointment=appointment, starts_at=target)
    appointment_reschedule(appointment=appointment, starts_at=target, by=desk, override=True)
    appointment.refresh_from_db()
    assert appointment.starts_at == target
    change = appointment.status_changes.get()
    assert change.override
    assert change.by == desk
    assert "Moved from 2026-11-23 12:00 IST to 2026-11-23 15:00 IST" in change.note


def test_completing_a_visit_plans_the_feedback_request_and_counts_it(desk):
    from notifications.models import Message, MessageKind, MessageState

    appointment = AppointmentFactory(
        status=S.CHECKED_IN, starts_at=NOW - timedelta(minutes=30), patient_email="p@example.com"
    )
    appointment_set_status(appointment=appointment, to_status=S.COMPLETED, by=desk)
    feedback = Message.objects.get(appointment=appointment, kind=MessageKind.FEEDBACK_REQUEST)
    assert feedback.state == MessageState.PENDING
    appointment.doctor.refresh_from_db()
    assert appointment.doctor.completed_visits == 1


def test_a_no_show_cancels_the_pending_reminder(desk):
    from notifications.models import Message, MessageKind, MessageState

    appointment = AppointmentFactory(status=S.CONFIRMED, starts_at=NOW - timedelta(minutes=30))
    reminder = Message.objects.create(
        appointment=appointment,
        kind=MessageKind.REMINDER,
        due_at=NOW + timedelta(hours=1),
        planned_for=appointment.starts_at,
    )
    appointment_set_status(appointment=appointment, to_status=S.NO_SHOW, by=desk)
    reminder.refresh_from_db()
    assert reminder.state == MessageState.CANCELLED


# Booking for a caller -------------------------------------------------------------------------

TODAY_1140 = datetime(2026, 11, 23, 6, 10, tzinfo=UTC)  # 11:40 IST, 40 minutes away


def phone_book(doctor, starts_at, by, **overrides):
    return appointment_book(
        doctor=doctor,
        starts_at=starts_at,
        patient_name=overrides.pop("patient_name", "Caller One"),
        patient_phone=overrides.pop("patient_phone", "+919812345678"),
        source=AppointmentSource.PHONE,
        by=by,
        skip_min_notice=True,
        **overrides,
    )


def test_a_caller_can_be_booked_inside_the_minimum_notice_and_the_booking_is_audited(desk, doctor):
    with pytest.raises(SlotUnavailable):  # online: two hours' notice
        appointment_book(doctor=doctor, starts_at=TODAY_1140, patient_name="A", patient_phone="+919812345678")
    appointment = phone_book(doctor, TODAY_1140, desk)
    assert appointment.source == AppointmentSource.PHONE
    change = appointment.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("", S.BOOKED, desk)


@pytest.mark.parametrize(
    ("starts_at", "why"),
    [
        (datetime(2026, 11, 23, 5, 0, tzinfo=UTC), "in the past (10:30 IST)"),
        (datetime(2026, 11, 23, 6, 0, tzinfo=UTC), "not on the slot grid (11:30 IST)"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "lunch break (13:30 IST)"),
        (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), "after hours (17:30 IST)"),
        (NOW + timedelta(days=40), "beyond the booking horizon"),
    ],
)
def test_a_phone_booking_obeys_every_other_booking_rule(desk, doctor, starts_at, why):
    with pytest.raises(SlotUnavailable):
        phone_book(doctor, starts_at, desk)
    assert not Appointment.objects.exists(), why


def test_a_phone_booking_respects_time_off_and_inactive_doctors(desk, doctor):
    TimeOffFactory(doctor=doctor, starts_at=TODAY_1140, ends_at=TODAY_1140 + timedelta(hours=1))
    with pytest.raises(SlotUnavailable):
        phone_book(doctor, TODAY_1140, desk)
    doctor.is_active = False
    doctor.save()
    with pytest.raises(SlotUnavailable, match="not taking bookings"):
        phone_book(doctor, TODAY_1140 + timedelta(hours=2), desk)


def test_a_phone_booking_can_never_double_book(desk, doctor):
    phone_book(doctor, TODAY_1140, desk)
    with pytest.raises(SlotTaken):
        phone_book(doctor, TODAY_1140, desk, patient_phone="+919811111111")
    with pytest.raises(AlreadyBooked):  # one upcoming visit per mobile number per doctor
        phone_book(doctor, TODAY_1140 + timedelta(hours=1), desk)
    assert Appointment.objects.count() == 1


def test_the_database_refuses_a_second_active_appointment_in_a_slot_even_via_status_change(desk, doctor):
    first = AppointmentFactory(doctor=doctor, starts_at=TODAY_1140, status=S.CANCELLED)
    AppointmentFactory(doctor=doctor, starts_at=TODAY_1140)
    with pytest.raises(TransitionRefused):  # cancelled is final, so the slot cannot be taken twice
        appointment_set_status(appointment=first, to_status=S.BOOKED, by=desk)


def test_the_audit_row_rejects_an_unknown_status():
    appointment = AppointmentFactory()
    with pytest.raises(ValidationError):
        StatusChange(appointment=appointment, from_status="", to_status="lost", at=NOW).full_clean()
