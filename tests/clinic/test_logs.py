"""No patient data in any log line at INFO or above (SPEC 5).

One patient's whole journey with every log record captured: a booking with a form error, then a
good one, the confirmation over real SMTP, the manage page and .ics, a cancel whose email fails
(nothing listens on the mail port), the front desk's searches by name and number, the appointment
page, the export and the admin. No record may carry the patient's name, number or email.
"""

import logging
import uuid
from datetime import UTC, datetime, time

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse

from appointments.links import manage_token
from appointments.models import Appointment
from notifications.models import Message, MessageKind, MessageState
from tests.factories import DoctorFactory, week_hours
from tests.notifications.test_smtp import Inbox, free_port, smtp_mailer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
START = "2026-11-24T04:30:00Z"  # Tuesday 10:00 IST
NAME, EMAIL, MOBILE = "Zephyrine Quillfeather", "zephyrine.q@example.com", "98123 45678"
SECRETS = ["Zephyrine", "Quillfeather", "zephyrine", "9812345678", "98123 45678", "98123-45678"]


def offending(records) -> list[str]:
    found = []
    for record in records:
        if record.levelno < logging.INFO or record.name.startswith("mail.log"):  # the stand-in server's own
            continue
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if any(secret in text for secret in SECRETS):
            found.append(f"{record.levelname} {record.name}: {text[:300]}")
    return found


def test_a_patients_journey_leaves_no_patient_data_in_the_logs(
    client, admin_client, front_desk_user, settings, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    inbox = Inbox()
    mail_server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    mail_server.start()
    try:
        settings.MAILERS = smtp_mailer(mail_server.port)
        with time_machine.travel(NOW, tick=False):
            doctor = DoctorFactory()
            week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
            details = reverse("appointments:details", kwargs={"slug": doctor.slug})
            form = {
                "start": START,
                "booking_token": str(uuid.uuid4()),
                "patient_name": NAME,
                "patient_phone": MOBILE,
                "patient_email": EMAIL,
                "reason": "Pain since a fall",
                "visit_type": "first",
                "consent": "on",
            }
            assert client.post(details, form | {"patient_phone": "12"}).status_code == 400
            with django_capture_on_commit_callbacks(execute=True):
                assert client.post(details, form).status_code == 302
            assert len(inbox.envelopes) == 1  # the confirmation went out over SMTP

            appointment = Appointment.objects.get()
            token = manage_token(appointment)
            assert client.get(reverse("appointments:manage", kwargs={"token": token})).status_code == 200
            assert client.get(reverse("appointments:calendar", kwargs={"token": token})).status_code == 200

            settings.MAILERS = smtp_mailer(free_port())  # the mail server goes away
            with django_capture_on_commit_callbacks(execute=True):
                cancel = client.post(
                    reverse("appointments:cancel", kwargs={"token": token}), {"reason": "Better"}
                )
            assert cancel.status_code == 302
            cancelled = Message.objects.get(appointment=appointment, kind=MessageKind.CANCELLED)
            assert cancelled.state == MessageState.PENDING
            assert cancelled.last_error  # the send failed, and was logged

            client.force_login(front_desk_user)
            for query in (NAME, "Quillfeather", MOBILE, "+919812345678", appointment.reference):
                found = client.post(reverse("staff:find"), {"q": query})
                assert NAME in found.content.decode()
            assert client.get(reverse("staff:appointment", args=[appointment.reference])).status_code == 200
            assert client.get(reverse("staff:export")).status_code == 200
            admin_client.get(reverse("admin:appointments_appointment_changelist"), {"q": NAME})
            client.post(reverse("staff:login"), {"username": EMAIL, "password": MOBILE})  # a confused login
    finally:
        mail_server.stop()
    assert any(record.name == "notifications.services" for record in caplog.records)  # the failure was logged
    assert offending(caplog.records) == []
