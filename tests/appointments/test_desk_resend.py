"""Send the booking link again (issue 12 item 4): through the message ledger, audited, refused without
an email address or while one is already waiting."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.links import manage_url
from appointments.models import StatusChange
from appointments.workflow import ResendRefused, appointment_link_resend
from notifications.models import Message, MessageKind, MessageState
from tests.factories import AppointmentFactory
from tests.notifications.test_smtp import free_port

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booking():
    return AppointmentFactory(starts_at=NOW + timedelta(days=2), patient_email="neha@example.com")


def test_the_link_goes_through_the_ledger_and_is_sent(
    booking, front_desk_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = appointment_link_resend(appointment=booking, by=front_desk_user)
    assert (message.kind, message.appointment_id) == (MessageKind.DESK_LINK, booking.pk)
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.recipient == "neha@example.com"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neha@example.com"]
    assert manage_url(booking).split("/")[-2] in mail.outbox[0].body
    change = booking.status_changes.get()
    assert (change.by, change.at, change.note) == (front_desk_user, NOW, "Booking link emailed again")


def test_a_failing_mail_server_leaves_the_link_pending_for_a_retry(
    booking, front_desk_user, django_capture_on_commit_callbacks, settings
):
    port = free_port()  # nothing listens there
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        message = appointment_link_resend(appointment=booking, by=front_desk_user)
    message.refresh_from_db()
    assert message.state == MessageState.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error


def test_no_email_address_is_refused_and_writes_nothing(front_desk_user):
    booking = AppointmentFactory(starts_at=NOW + timedelta(days=2), patient_email="")
    with pytest.raises(ResendRefused, match="no email address"):
        appointment_link_resend(appointment=booking, by=front_desk_user)
    assert not Message.objects.exists()
    assert not StatusChange.objects.exists()


def test_a_second_click_while_one_waits_sends_one(booking, front_desk_user):
    appointment_link_resend(appointment=booking, by=front_desk_user)  # on_commit never runs: still pending
    with pytest.raises(ResendRefused, match="already on its way"):
        appointment_link_resend(appointment=booking, by=front_desk_user)
    assert Message.objects.filter(kind=MessageKind.DESK_LINK).count() == 1


def test_the_staff_page_offers_the_button_and_the_post_reports_back(client, booking, front_desk_user):
    client.force_login(front_desk_user)
    page = client.get(reverse("staff:appointment", args=[booking.reference]))
    assertContains(page, "Send the booking link again")
    done = client.post(reverse("staff:resend", args=[booking.reference]), follow=True)
    assertContains(done, "The booking link is on its way to neha@example.com")
    assertContains(done, "Booking link")  # the ledger row is listed under Emails


def test_the_staff_post_without_email_says_so(client, front_desk_user):
    booking = AppointmentFactory(starts_at=NOW + timedelta(days=2), patient_email="")
    client.force_login(front_desk_user)
    page = client.get(reverse("staff:appointment", args=[booking.reference]))
    assertContains(page, "No email address on this booking")
    refused = client.post(reverse("staff:resend", args=[booking.reference]), follow=True)
    assertContains(refused, "There is no email address on this booking.")
    assert not Message.objects.exists()


def test_a_doctor_cannot_resend(client, booking, make_doctor_user):
    client.force_login(make_doctor_user(booking.doctor))
    assert client.post(reverse("staff:resend", args=[booking.reference])).status_code == 403
    assert not Message.objects.exists()


def test_the_email_says_the_front_desk_sent_it(booking, front_desk_user, django_capture_on_commit_callbacks):
    """Not the website wording ("Someone asked for this link on our website"): the patient asked the
    desk (issue 12 finding 5)."""
    with django_capture_on_commit_callbacks(execute=True):
        appointment_link_resend(appointment=booking, by=front_desk_user)
    email = mail.outbox[0]
    html = email.alternatives[0].content
    for text in (email.body, html):
        assert "Someone asked for this link on our website" not in text
        assert "Our front desk" in text


def test_resends_are_throttled_and_the_refusal_says_when(
    booking, front_desk_user, django_capture_on_commit_callbacks
):
    """Sent (so nothing is pending), then asked again a second later: refused, with the last send's
    time and when another is possible on the visit's wall clock; five minutes on, it goes."""
    with django_capture_on_commit_callbacks(execute=True):
        appointment_link_resend(appointment=booking, by=front_desk_user)
    assert Message.objects.get(kind=MessageKind.DESK_LINK).state == MessageState.SENT
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        with pytest.raises(ResendRefused, match=r"last emailed at 11:00 IST.*from 11:05 IST") as refused:
            appointment_link_resend(appointment=booking, by=front_desk_user)
        assert refused.value.code == "too_soon"
    assert Message.objects.filter(kind=MessageKind.DESK_LINK).count() == 1
    assert len(mail.outbox) == 1
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        appointment_link_resend(appointment=booking, by=front_desk_user)
    assert Message.objects.filter(kind=MessageKind.DESK_LINK).count() == 2


def test_two_posts_a_second_apart_send_one_email(client, front_desk_user, monkeypatch):
    """The immediate task backend sends at commit (run at once here: the test's transaction never
    commits); the second POST, a second later, finds the first sent and sends nothing."""
    monkeypatch.setattr("notifications.services.transaction.on_commit", lambda func, robust=False: func())
    booking = AppointmentFactory(starts_at=NOW + timedelta(days=2), patient_email="neha@example.com")
    client.force_login(front_desk_user)
    url = reverse("staff:resend", args=[booking.reference])
    client.post(url)
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        again = client.post(url, follow=True)
    assertContains(again, "another can be sent from 11:05 IST")
    assert len(mail.outbox) == 1
