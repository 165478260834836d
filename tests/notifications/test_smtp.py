"""Real SMTP: a local aiosmtpd server receives the confirmation; a dead server never costs a booking."""

import email
import email.policy
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from appointments.models import AppointmentStatus
from notifications.models import Message, MessageKind, MessageState
from notifications.services import messages_send_due, retry_delay
from tests.notifications.conftest import NOW, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def smtp_mailer(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def dead_smtp_server(settings):
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there


def test_the_confirmation_arrives_over_smtp_with_the_calendar_file_in_clinic_time(
    doctor, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(doctor)
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ravi@example.com"]
    received = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert received["Subject"] == f"Your appointment with Dr. Asha Menon is booked ({appointment.reference})"
    assert "Tuesday 24 November 2026, 10:00 IST" in received.get_body(("plain",)).get_content()
    assert "10:00 IST" in received.get_body(("html",)).get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"appointment-{appointment.reference}.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Asia/Kolkata"
    assert event.decoded("DTSTART") == datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Kolkata"]
    assert (
        Message.objects.get(appointment=appointment, kind=MessageKind.CONFIRMATION).state == MessageState.SENT
    )


def test_a_dead_mail_server_keeps_the_booking_retries_with_back_off_then_fails_visibly(
    doctor, dead_smtp_server, clock, settings, django_capture_on_commit_callbacks, admin_client
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(doctor)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    confirmation = Message.objects.get(appointment=appointment, kind=MessageKind.CONFIRMATION)
    assert (confirmation.state, confirmation.attempts) == (MessageState.PENDING, 1)
    assert confirmation.due_at == NOW + timedelta(minutes=1)
    assert "ConnectionRefusedError" in confirmation.last_error

    assert messages_send_due() == 0  # not due again yet
    clock.shift(retry_delay(1))
    messages_send_due()
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (MessageState.PENDING, 2)
    assert confirmation.due_at == NOW + timedelta(minutes=1) + timedelta(minutes=2)  # doubled

    clock.shift(retry_delay(2))
    messages_send_due()
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (MessageState.FAILED, 3)
    clock.shift(timedelta(days=1))
    messages_send_due()
    confirmation.refresh_from_db()
    assert confirmation.attempts == 3  # failed rows are left alone

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    failed_list = admin_client.get(
        reverse("admin:notifications_message_changelist"), {"state__exact": "failed"}
    )
    assert appointment.reference in failed_list.content.decode()
    page = admin_client.get(reverse("admin:appointments_appointment_change", args=[appointment.pk]))
    assert "Failed" in page.content.decode()
    assert "ConnectionRefusedError" in page.content.decode()


def test_a_failed_message_can_be_retried_from_the_admin(
    doctor, admin_client, smtp_server, django_capture_on_commit_callbacks
):
    confirmation = Message.objects.get(appointment=book(doctor), kind=MessageKind.CONFIRMATION)
    Message.objects.filter(pk=confirmation.pk).update(state=MessageState.FAILED, attempts=5)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "retry_failed", "_selected_action": [confirmation.pk]},
        )
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (MessageState.SENT, 1)
    assert len(smtp_server.envelopes) == 1
