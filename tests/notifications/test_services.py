"""The message ledger: planned with the booking, re-planned and cancelled in the same transaction."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from appointments.models import Appointment, AppointmentStatus
from appointments.services import appointment_cancel, appointment_reschedule
from notifications import services
from notifications.models import Message, MessageKind, MessageState
from tests.notifications.conftest import MONDAY_14, NOW, TUESDAY_10, TUESDAY_11, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def ledger(appointment):
    return sorted(
        Message.objects.filter(appointment=appointment).values_list("kind", "state", "due_at", "planned_for")
    )


def test_a_booking_plans_a_confirmation_now_and_a_reminder_a_day_before(doctor):
    appointment = book(doctor)
    assert ledger(appointment) == [
        (MessageKind.CONFIRMATION, MessageState.PENDING, NOW, TUESDAY_10),
        (MessageKind.REMINDER, MessageState.PENDING, TUESDAY_10 - timedelta(hours=24), TUESDAY_10),
    ]


def test_a_booking_inside_the_lead_time_gets_no_reminder(doctor):
    appointment = book(doctor, starts_at=MONDAY_14)
    assert [row[0] for row in ledger(appointment)] == [MessageKind.CONFIRMATION]


def test_the_reminder_lead_time_is_a_setting(doctor, settings):
    settings.NOTIFY_REMINDER_LEAD = timedelta(hours=3)
    appointment = book(doctor, starts_at=MONDAY_14)
    assert Message.objects.get(
        appointment=appointment, kind=MessageKind.REMINDER
    ).due_at == MONDAY_14 - timedelta(hours=3)


def test_a_booking_without_an_email_address_plans_nothing(doctor):
    assert ledger(book(doctor, patient_email="")) == []


def test_the_confirmation_goes_out_after_commit_with_the_local_time(
    doctor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(doctor)
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["ravi@example.com"]
    assert appointment.reference in sent.subject
    assert "Tuesday 24 November 2026, 10:00 IST" in sent.body
    html = sent.alternatives[0].content
    assert "10:00 IST" in html
    assert sent.attachments[0].filename == f"appointment-{appointment.reference}.ics"
    confirmation = Message.objects.get(appointment=appointment, kind=MessageKind.CONFIRMATION)
    assert (confirmation.state, confirmation.attempts, confirmation.recipient) == (
        "sent",
        1,
        "ravi@example.com",
    )


def test_nothing_is_sent_before_the_booking_commits(doctor, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        book(doctor)
    assert mailoutbox == []
    # Confirmation (sent now) and reminder (left to the sweep: no defer), plus the waitlist's pass (issue 15)
    # and the page-cache versions' second bump (clinic/versions.py), which send nothing.
    planned = [callback for callback in callbacks if "_plan" in callback.__qualname__]
    assert len(planned) == 2
    assert len(callbacks) == 4


def test_cancelling_cancels_pending_messages_and_tells_the_patient(
    doctor, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = book(doctor)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment)
    states = dict(Message.objects.filter(appointment=appointment).values_list("kind", "state"))
    assert states == {
        MessageKind.CONFIRMATION: MessageState.CANCELLED,
        MessageKind.REMINDER: MessageState.CANCELLED,
        MessageKind.CANCELLED: MessageState.SENT,
    }
    assert [m.subject for m in mailoutbox] == [
        f"Your appointment with Dr. Asha Menon is cancelled ({appointment.reference})"
    ]


def test_rescheduling_replans_the_reminder_and_sends_a_change_with_the_new_calendar_entry(
    doctor, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = book(doctor)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=appointment, starts_at=TUESDAY_11)
    rows = Message.objects.filter(appointment=appointment)
    old_reminder = rows.get(kind=MessageKind.REMINDER, planned_for=TUESDAY_10)
    new_reminder = rows.get(kind=MessageKind.REMINDER, planned_for=TUESDAY_11)
    assert old_reminder.state == MessageState.CANCELLED
    assert (new_reminder.state, new_reminder.due_at) == (
        MessageState.PENDING,
        TUESDAY_11 - timedelta(hours=24),
    )
    changed = mailoutbox[-1]
    assert "has moved" in changed.subject
    assert "11:00 IST" in changed.body
    assert b"DTSTART;TZID=Asia/Kolkata:20261124T110000" in changed.attachments[0].content.encode()


def _fail_when_planning(monkeypatch, kind):
    real_plan = services._plan

    def plan(*, appointment, kind: str, due_at):
        if kind == failing_kind:
            raise RuntimeError("planning failed")
        return real_plan(appointment=appointment, kind=kind, due_at=due_at)

    failing_kind = kind
    monkeypatch.setattr(services, "_plan", plan)


def test_a_failure_while_planning_a_cancellation_leaves_the_visit_and_its_reminder_as_they_were(
    doctor, monkeypatch
):
    appointment = book(doctor)
    _fail_when_planning(monkeypatch, MessageKind.CANCELLED)
    with pytest.raises(RuntimeError):
        appointment_cancel(appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert (
        Message.objects.get(appointment=appointment, kind=MessageKind.REMINDER).state == MessageState.PENDING
    )


def test_a_failure_while_replanning_leaves_the_old_time_and_its_reminder(doctor, monkeypatch):
    appointment = book(doctor)
    _fail_when_planning(monkeypatch, MessageKind.REMINDER)
    with pytest.raises(RuntimeError):
        appointment_reschedule(appointment=appointment, starts_at=TUESDAY_11)
    appointment.refresh_from_db()
    assert appointment.starts_at == TUESDAY_10
    assert list(
        Message.objects.filter(appointment=appointment, kind=MessageKind.REMINDER).values_list("state")
    ) == [(MessageState.PENDING,)]
    assert not Message.objects.filter(kind=MessageKind.CHANGED).exists()


def test_a_failure_while_planning_a_booking_leaves_no_appointment(doctor, monkeypatch):
    _fail_when_planning(monkeypatch, MessageKind.REMINDER)
    with pytest.raises(RuntimeError):
        book(doctor)
    assert not Appointment.objects.exists()
    assert not Message.objects.exists()


def test_only_one_pending_message_of_a_kind_per_appointment(doctor):
    appointment = book(doctor)
    with pytest.raises(ValidationError, match="already planned"):
        services._plan(appointment=appointment, kind=MessageKind.REMINDER, due_at=NOW)


# The sending task re-reads the row and the appointment --------------------------------------------


def reminder_of(appointment):
    return Message.objects.get(appointment=appointment, kind=MessageKind.REMINDER, state=MessageState.PENDING)


def test_a_due_reminder_is_sent_by_the_sweep(doctor, clock, mailoutbox):
    reminder = reminder_of(book(doctor))
    assert services.messages_send_due() == 1  # the confirmation (the test did not run on_commit)
    clock.move_to(reminder.due_at)
    assert services.messages_send_due() == 1
    reminder.refresh_from_db()
    assert reminder.state == MessageState.SENT
    assert mailoutbox[-1].subject.startswith("Reminder: Dr. Asha Menon, Tuesday 24 November 2026, 10:00 IST")


def test_the_task_refuses_a_reminder_whose_visit_was_cancelled_behind_its_back(doctor, clock, mailoutbox):
    appointment = book(doctor)
    reminder = reminder_of(appointment)
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    clock.move_to(reminder.due_at)
    assert services.message_send(message_id=reminder.pk) == MessageState.CANCELLED
    reminder.refresh_from_db()
    assert reminder.last_error == "Appointment is cancelled"
    assert mailoutbox == []


def test_the_task_refuses_a_reminder_planned_for_another_time(doctor, clock, mailoutbox):
    appointment = book(doctor)
    reminder = reminder_of(appointment)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=TUESDAY_11, ends_at=TUESDAY_11 + timedelta(minutes=20)
    )
    clock.move_to(reminder.due_at)
    assert services.message_send(message_id=reminder.pk) == MessageState.CANCELLED
    assert mailoutbox == []


def test_the_task_sends_nothing_for_a_row_that_is_not_pending_or_not_due(doctor, mailoutbox):
    appointment = book(doctor)
    reminder = reminder_of(appointment)
    assert services.message_send(message_id=reminder.pk) == MessageState.PENDING  # due tomorrow
    Message.objects.filter(pk=reminder.pk).update(state=MessageState.CANCELLED)
    assert services.message_send(message_id=reminder.pk) == MessageState.CANCELLED
    assert mailoutbox == []


def test_a_row_is_sent_once_however_often_its_task_runs(doctor, mailoutbox):
    confirmation = Message.objects.get(appointment=book(doctor), kind=MessageKind.CONFIRMATION)
    for _ in range(3):
        services.message_send(message_id=confirmation.pk)
    assert len(mailoutbox) == 1


def test_the_sweep_retries_a_row_whose_worker_died_mid_send(doctor, clock, mailoutbox):
    confirmation = Message.objects.get(appointment=book(doctor), kind=MessageKind.CONFIRMATION)
    Message.objects.filter(pk=confirmation.pk).update(state=MessageState.SENDING, updated_at=NOW)
    assert services.messages_send_due() == 0
    clock.shift(timedelta(minutes=16))
    services.messages_send_due()
    confirmation.refresh_from_db()
    assert confirmation.state == MessageState.SENT
    assert len(mailoutbox) == 1


# Completed visits ----------------------------------------------------------------------------------


def complete(appointment, clock):
    """What the staff workflow does: status completed, then the notification hook, after the visit."""
    clock.move_to(appointment.ends_at + timedelta(minutes=5))
    old = appointment.status
    appointment.status = AppointmentStatus.COMPLETED
    appointment.save(update_fields=["status"])
    services.messages_status_changed(appointment=appointment, old_status=old)


def test_completing_a_visit_plans_one_feedback_request_and_counts_the_visit(doctor, clock):
    appointment = book(doctor)
    complete(appointment, clock)
    request = Message.objects.get(appointment=appointment, kind=MessageKind.FEEDBACK_REQUEST)
    assert request.due_at == appointment.ends_at + timedelta(minutes=5) + timedelta(hours=2)
    assert services.messages_plan_feedback(appointment=appointment) is None  # once per visit
    doctor.refresh_from_db()
    assert doctor.completed_visits == 1


def test_the_feedback_request_is_sent_when_due_with_its_private_link(doctor, clock, mailoutbox):
    appointment = book(doctor)
    complete(appointment, clock)
    clock.shift(timedelta(hours=2))
    services.messages_send_due()
    sent = mailoutbox[-1]
    assert sent.subject == "Would you recommend Dr. Asha Menon?"
    assert "http://127.0.0.1:8000/feedback/" in sent.body


def test_feedback_is_planned_only_for_completed_visits(doctor):
    with pytest.raises(ValidationError, match="completed visit"):
        services.messages_plan_feedback(appointment=book(doctor))


def test_a_no_show_cancels_what_was_pending(doctor):
    appointment = book(doctor)
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.save(update_fields=["status"])
    services.messages_status_changed(appointment=appointment, old_status=AppointmentStatus.BOOKED)
    assert not Message.objects.filter(appointment=appointment, state=MessageState.PENDING).exists()


def test_a_staff_cancellation_through_the_hook_tells_the_patient(doctor):
    appointment = book(doctor)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status"])
    services.messages_status_changed(appointment=appointment, old_status=AppointmentStatus.CONFIRMED)
    states = dict(Message.objects.filter(appointment=appointment).values_list("kind", "state"))
    assert states[MessageKind.REMINDER] == MessageState.CANCELLED
    assert states[MessageKind.CANCELLED] == MessageState.PENDING
