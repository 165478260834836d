"""Staff see the ledger and moderate feedback in the admin; the demo earns its cards their figures."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.models import AppointmentStatus
from clinic.mailconfig import mailer_from_env, parse_email_url
from doctors.models import Doctor
from notifications import demo
from notifications.models import Feedback, Message, MessageKind, MessageState
from tests.factories import AppointmentFactory
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def test_message_admin_lists_filters_and_searches(clock, admin_client, doctor):
    appointment = book(doctor)
    url = reverse("admin:notifications_message_changelist")
    assertContains(admin_client.get(url, {"q": appointment.reference}), appointment.reference)
    assert appointment.reference not in admin_client.get(url, {"state__exact": "failed"}).content.decode()
    message = Message.objects.get(kind=MessageKind.REMINDER)
    assert (
        admin_client.get(reverse("admin:notifications_message_change", args=[message.pk])).status_code == 200
    )


def test_the_appointment_admin_shows_the_ledger_on_change_but_not_on_add(clock, admin_client, doctor):
    appointment = book(doctor)
    assert (
        "Emails to the patient"
        not in admin_client.get(reverse("admin:appointments_appointment_add")).content.decode()
    )
    page = admin_client.get(reverse("admin:appointments_appointment_change", args=[appointment.pk]))
    assertContains(page, "Emails to the patient")
    assertContains(page, "Reminder")


def test_feedback_comments_are_approved_in_the_admin(admin_client):
    feedback = Feedback.objects.create(
        appointment=AppointmentFactory(status=AppointmentStatus.COMPLETED),
        would_recommend=True,
        comment="Great.",
    )
    admin_client.post(
        reverse("admin:notifications_feedback_changelist"),
        {"action": "approve_comments", "_selected_action": [feedback.pk]},
    )
    feedback.refresh_from_db()
    assert feedback.comment_approved is True


def test_the_demo_gives_several_doctors_figures_hides_one_and_runs_twice(django_capture_on_commit_callbacks):
    from doctors import demo as doctors_demo

    doctors_demo.seed(synthetic_doctors=0)
    with django_capture_on_commit_callbacks(execute=True):
        first = demo.seed()
        second = demo.seed()
    assert first == second
    assert first["with_figures"] >= 5
    counts = sorted(Doctor.objects.values_list("recommend_answers", flat=True))
    assert any(0 < count < 10 for count in counts)  # one doctor below the minimum: figures hidden
    assert Message.objects.filter(kind=MessageKind.FEEDBACK_REQUEST, state=MessageState.PENDING).count() == 1


def test_email_url_becomes_smtp_options():
    mailer = parse_email_url("smtp://mailer%40clinic:s%3Acret@mail.example:2525?tls=1&timeout=3")
    assert mailer == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example",
            "port": 2525,
            "username": "mailer@clinic",
            "password": "s:cret",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 3.0,
        },
    }
    assert parse_email_url("smtps://mail.example")["OPTIONS"]["port"] == 465


def test_mail_settings_come_from_host_variables_or_default_to_the_console_in_development():
    assert mailer_from_env({}, debug=True) == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    options = mailer_from_env(
        {
            "EMAIL_HOST": "smtp.example",
            "EMAIL_HOST_USER": "u",
            "EMAIL_HOST_PASSWORD": "p",
            "EMAIL_USE_TLS": "1",
        },
        debug=False,
    )["OPTIONS"]
    assert (options["host"], options["port"], options["use_tls"], options["username"]) == (
        "smtp.example",
        587,
        True,
        "u",
    )
    with pytest.raises(Exception, match="smtp://"):
        parse_email_url("http://mail.example")
