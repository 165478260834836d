"""Retention (issue 16, item 2): the sweep anonymises exactly the visits that ended more than
PATIENT_RETENTION_DAYS ago, prunes their messages, task results and feedback comments, and leaves the
appointment rows, their status history and the doctors' figures as they were."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertContains, assertNotContains

from appointments.models import Appointment, AppointmentStatus, StatusChange
from doctors.models import Doctor
from notifications.models import Feedback, Message, MessageKind, MessageState
from notifications.services import doctor_figures_refresh
from notifications.tasks import send_message
from privacy.models import ANONYMISED_NAME, Anonymisation, EventAction, PrivacyEvent
from privacy.services import request_open, retention_cutoff, retention_sweep
from tests.factories import AppointmentFactory
from tests.privacy.conftest import NOW

pytestmark = pytest.mark.django_db


def visit(doctor, ends_at, number, *, status=AppointmentStatus.COMPLETED, answer=True, **fields):
    """A past visit with everything that hangs off one: history with a note, two emails with their
    task results, and a feedback answer with a comment."""
    appointment = AppointmentFactory(
        doctor=doctor,
        starts_at=ends_at - timedelta(minutes=20),
        ends_at=ends_at,
        status=status,
        patient_name=f"Kiran Patel {number}",
        patient_phone=f"+9198765{number:05d}",
        patient_email=f"kiran{number}@example.com",
        reason="Sciatica, left leg",
        **fields,
    )
    StatusChange.objects.create(appointment=appointment, from_status="", to_status="booked", at=NOW)
    StatusChange.objects.create(
        appointment=appointment,
        from_status="booked",
        to_status=status,
        at=NOW,
        note="Called from Kiran's mobile",
    )
    for kind in (MessageKind.CONFIRMATION, MessageKind.REMINDER):
        message = Message.objects.create(
            appointment=appointment,
            kind=kind,
            due_at=appointment.starts_at,
            planned_for=appointment.starts_at,
            state=MessageState.SENT,
            recipient=appointment.patient_email,
        )
        send_message.enqueue(message.pk)  # the database backend stores a task result per send
    if status == AppointmentStatus.COMPLETED:
        Feedback.objects.create(
            appointment=appointment, would_recommend=answer, comment="Dr. Menon was kind to Kiran"
        )
    return appointment


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def visits(doctor, database_tasks, clock):
    """Either side of the three-year boundary, built inside the travelled clock."""
    cutoff = retention_cutoff(NOW)
    return {
        "old": visit(doctor, cutoff - timedelta(minutes=1), 1),
        "old_no": visit(doctor, cutoff - timedelta(days=200), 2, answer=False),
        "old_cancelled": visit(
            doctor,
            cutoff - timedelta(days=30),
            3,
            status=AppointmentStatus.CANCELLED,
            cancel_reason="Kiran moved away",
        ),
        "young": visit(doctor, cutoff + timedelta(minutes=1), 4),
        "recent": visit(doctor, NOW - timedelta(days=3), 5),
    }


def figures(doctor):
    doctor_figures_refresh(doctor_id=doctor.pk)
    doctor = Doctor.objects.get(pk=doctor.pk)
    return (doctor.recommend_answers, doctor.recommend_yes, doctor.completed_visits)


def dry_run() -> str:
    out = io.StringIO()
    call_command("anonymise_old_visits", "--dry-run", stdout=out)
    return out.getvalue()


def test_the_window_defaults_to_three_years(settings):
    assert settings.PATIENT_RETENTION_DAYS == 1095
    assert retention_cutoff(NOW) == NOW - timedelta(days=1095)


def test_the_dry_run_lists_exactly_the_visits_past_the_window_and_changes_nothing(visits):
    before = list(Appointment.objects.order_by("pk").values())
    output = dry_run()
    for name in ("old", "old_no", "old_cancelled"):
        assert visits[name].reference in output
    for name in ("young", "recent"):
        assert visits[name].reference not in output
    assert (
        "Would anonymise 3 visit(s) and remove 6 message(s), 6 task result(s) and 2 feedback comment(s)"
        in output
    )
    assert "Kiran" not in output  # references and counts only: the output may land in logs
    assert list(Appointment.objects.order_by("pk").values()) == before
    assert Message.objects.count() == 10
    assert DBTaskResult.objects.count() == 10
    assert not Anonymisation.objects.exists()


def test_the_sweep_anonymises_exactly_the_visits_past_the_window(doctor, visits):
    figures_before = figures(doctor)
    history_before = StatusChange.objects.count()
    call_command("anonymise_old_visits", stdout=io.StringIO())

    old = [visits[name] for name in ("old", "old_no", "old_cancelled")]
    for appointment in old:
        appointment.refresh_from_db()
        assert (
            appointment.patient_name,
            str(appointment.patient_phone),
            appointment.patient_email,
            appointment.reason,
            appointment.cancel_reason,
        ) == (ANONYMISED_NAME, "", "", "", "")
        assert appointment.anonymisation.reason == "retention"
        assert not Message.objects.filter(appointment=appointment).exists()
        assert all(change.note == "" for change in appointment.status_changes.all())
    assert old[1].status == AppointmentStatus.COMPLETED  # the row and its status stay
    assert old[2].status == AppointmentStatus.CANCELLED
    for name in ("young", "recent"):
        kept = Appointment.objects.get(pk=visits[name].pk)
        assert kept.patient_name.startswith("Kiran Patel")
        assert kept.patient_email
        assert kept.reason
        assert Message.objects.filter(appointment=kept).count() == 2
        assert kept.feedback.comment
        assert kept.status_changes.exclude(note="").exists()
    # Task results: only those of the kept visits' messages remain.
    remaining = set(Message.objects.values_list("pk", flat=True))
    assert {result.args_kwargs["args"][0] for result in DBTaskResult.objects.all()} == remaining
    assert DBTaskResult.objects.count() == 4
    # Feedback answers stay (comments go), so the figures do not move.
    assert (
        Feedback.objects.filter(appointment__in=old[:2]).values_list("comment", "would_recommend").count()
        == 2
    )
    assert set(Feedback.objects.filter(appointment__in=old[:2]).values_list("comment", flat=True)) == {""}
    assert figures(doctor) == figures_before
    assert StatusChange.objects.count() == history_before
    assert Appointment.objects.count() == 5
    event = PrivacyEvent.objects.get(action=EventAction.RETENTION)
    assert event.by is None
    assert sorted(event.detail["references"]) == sorted(a.reference for a in old)
    assert (event.detail["messages"], event.detail["task_results"], event.detail["feedback_comments"]) == (
        6,
        6,
        2,
    )


def test_a_second_run_changes_nothing_and_the_boundary_moves_with_the_clock(doctor, visits, clock):
    retention_sweep()
    assert retention_sweep().references == []
    assert PrivacyEvent.objects.filter(action=EventAction.RETENTION).count() == 1
    clock.move_to(NOW + timedelta(minutes=2))  # "young" ended 1 minute after the cutoff: now it is past
    assert visits["young"].reference in dry_run()
    assert retention_sweep().references == [visits["young"].reference]
    assert Appointment.objects.get(pk=visits["recent"].pk).patient_name == "Kiran Patel 5"


def test_the_window_is_configurable(settings, doctor, visits):
    settings.PATIENT_RETENTION_DAYS = 7
    removed = retention_sweep()
    assert sorted(removed.references) == sorted(v.reference for k, v in visits.items() if k != "recent")


def test_open_requests_older_than_the_window_are_closed_by_the_sweep(settings, officer, clock):
    old_request = request_open(
        requester="patient",
        channel="email",
        identity_check="Reply from the address on file",
        email="a@example.com",
        by=officer,
    )
    settings.PATIENT_RETENTION_DAYS = 30
    clock.move_to(NOW + timedelta(days=29))
    retention_sweep()
    old_request.refresh_from_db()
    assert old_request.is_open
    clock.move_to(NOW + timedelta(days=31))
    retention_sweep()
    old_request.refresh_from_db()
    assert not old_request.is_open
    assert (old_request.email, old_request.masked) == ("", "a•••@example.com")


def test_anonymised_visits_still_show_on_the_staff_pages_and_in_the_csv(
    settings, front_desk_user, client, doctor, clock
):
    appointment = visit(doctor, NOW - timedelta(days=2), 9)
    settings.PATIENT_RETENTION_DAYS = 1
    assert retention_sweep().references == [appointment.reference]
    client.force_login(front_desk_user)
    page = client.get(reverse("staff:appointment", args=[appointment.reference]))
    assertContains(page, ANONYMISED_NAME)
    assertContains(page, "(retention window passed)")
    day = f"{appointment.starts_at.astimezone(doctor.location.zone):%Y-%m-%d}"
    schedule = client.get(reverse("staff:day"), {"date": day, "location": doctor.location.slug})
    assertContains(schedule, ANONYMISED_NAME)
    assertNotContains(schedule, 'href="tel:"')  # no empty call link where the mobile was
    assertContains(
        client.get(reverse("staff:print"), {"date": day, "location": doctor.location.slug}), ANONYMISED_NAME
    )
    export = client.get(reverse("staff:export"), {"from": day, "to": day})
    body = b"".join(export.streaming_content).decode()
    assert f"{appointment.reference},{day}" in body
    assert ANONYMISED_NAME in body
