"""Production path: the database task backend queues the send; `db_worker --batch` delivers it."""

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from appointments.services import appointment_reschedule
from notifications.models import Message, MessageKind, MessageState
from tests.notifications.conftest import TUESDAY_11, book

# The worker closes "old" connections between tasks, which would end a test's wrapping transaction:
# these tests commit for real (pytest-django runs such tests after the others).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clock")]


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in handlers.items():  # the worker installs its own shutdown handlers
        signal.signal(sig, handler)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_the_worker_sends_what_the_booking_queued(doctor, database_tasks, mailoutbox, clock):
    appointment = book(doctor)  # commits: on_commit queues the confirmation, and the reminder deferred
    confirmation = Message.objects.get(appointment=appointment, kind=MessageKind.CONFIRMATION)
    reminder = Message.objects.get(appointment=appointment, kind=MessageKind.REMINDER)
    assert mailoutbox == []
    assert DBTaskResult.objects.count() == 2
    assert DBTaskResult.objects.filter(run_after=reminder.due_at).count() == 1

    run_worker()
    confirmation.refresh_from_db()
    assert confirmation.state == MessageState.SENT
    assert [m.subject for m in mailoutbox] == [
        f"Your appointment with Dr. Asha Menon is booked ({appointment.reference})"
    ]
    assert reminder.state == MessageState.PENDING  # deferred until its due time

    clock.move_to(reminder.due_at + timedelta(seconds=1))
    run_worker()
    reminder.refresh_from_db()
    assert reminder.state == MessageState.SENT
    assert len(mailoutbox) == 2


def test_a_reminder_queued_for_a_time_that_was_moved_is_not_sent_by_the_worker(
    doctor, database_tasks, mailoutbox, clock
):
    appointment = book(doctor)
    old_reminder = Message.objects.get(appointment=appointment, kind=MessageKind.REMINDER)
    appointment_reschedule(appointment=appointment, starts_at=TUESDAY_11)
    clock.move_to(old_reminder.due_at + timedelta(seconds=1))
    run_worker()  # the old reminder's deferred task runs, finds its row cancelled, and sends nothing
    old_reminder.refresh_from_db()
    assert old_reminder.state == MessageState.CANCELLED
    assert not any(m.subject.startswith("Reminder") for m in mailoutbox)
