"""A hung mail server (accepts, never speaks) never holds a booking.

Production queues the email in the database (the task worker sends it later), so the booking POST
never touches the mail server. The immediate backend (`make run`, tests) sends in-process, and
then EMAIL_TIMEOUT bounds the wait. Wall-clock bounds here are generous on purpose.
"""

import json
import time
import uuid

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from appointments.models import Appointment
from notifications.models import Message, MessageKind, MessageState
from tests.clinic.test_settings import run_manage
from tests.hung import HungServer
from tests.notifications.conftest import TUESDAY_10

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PRODUCTION = {"DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "clinic.example"}
SHOW_TASKS = "import json; from django.conf import settings; print(json.dumps(settings.TASKS))"


def tasks_setting(**env) -> dict:
    result = run_manage("shell", "--no-imports", "-c", SHOW_TASKS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def hung_mailer(port, timeout):
    options = {"host": "127.0.0.1", "port": port, "timeout": timeout}
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}


def book_online(client, doctor):
    data = {
        "start": TUESDAY_10.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Ravi Kumar",
        "patient_phone": "+919812345678",
        "patient_email": "ravi@example.com",
        "visit_type": "first",
        "consent": "on",
    }
    started = time.perf_counter()
    response = client.post(reverse("appointments:details", kwargs={"slug": doctor.slug}), data)
    return response, time.perf_counter() - started


def test_production_queues_tasks_in_the_database_and_development_runs_them_at_once():
    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    assert tasks_setting(**PRODUCTION) == database
    assert tasks_setting(**PRODUCTION, DJANGO_DEBUG="1") == immediate  # make run
    assert tasks_setting(**PRODUCTION, DJANGO_TASKS_BACKEND="immediate") == immediate  # an explicit choice


def test_with_production_defaults_a_booking_never_waits_for_a_hung_mail_server(
    client, doctor, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = tasks_setting(**PRODUCTION)
    with HungServer() as mail_server:
        settings.MAILERS = hung_mailer(mail_server.port, timeout=30)
        with django_capture_on_commit_callbacks(execute=True):
            response, seconds = book_online(client, doctor)
        assert response.status_code == 302
        assert seconds < 5  # generous: the mail server, had it been asked, would have held it 30 s
        assert mail_server.connections == 0
    appointment = Appointment.objects.get()
    confirmation = Message.objects.get(appointment=appointment, kind=MessageKind.CONFIRMATION)
    assert (confirmation.state, confirmation.attempts) == (MessageState.PENDING, 0)
    queued = DBTaskResult.objects.get(args_kwargs__args=[confirmation.pk])
    assert queued.status == "READY"


def test_with_the_immediate_backend_a_hung_mail_server_holds_a_booking_at_most_email_timeout(
    client, doctor, settings, django_capture_on_commit_callbacks
):
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    with HungServer() as mail_server:
        settings.MAILERS = hung_mailer(mail_server.port, timeout=1)
        with django_capture_on_commit_callbacks(execute=True):
            response, seconds = book_online(client, doctor)
        assert mail_server.connections == 1  # it was asked, and said nothing
    assert response.status_code == 302  # the booking stands
    assert seconds < 15  # bounded by the 1 s timeout (generously)
    confirmation = Message.objects.get(kind=MessageKind.CONFIRMATION)
    assert (confirmation.state, confirmation.attempts) == (MessageState.PENDING, 1)  # retried later
    assert "timed out" in confirmation.last_error
