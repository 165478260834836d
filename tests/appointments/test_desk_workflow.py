"""The workflow that forgives (issue 12 item 3): complete only once the visit has started, same-day undo
of a no-show or a completion (with a reason, audited), status buttons that say what happens next, and
walk-in bookings at the desk."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.models import AppointmentSource, AppointmentStatus, StatusChange
from appointments.services import allowed_transitions, appointment_book, appointment_set_status
from appointments.workflow import UndoRefused, appointment_status_undo
from notifications.models import Message, MessageKind, MessageState
from privacy.models import ConsentMethod
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours

pytestmark = pytest.mark.django_db

S = AppointmentStatus
# Monday 23 November 2026 in Bengaluru (IST, UTC+5:30).
AT_15_26 = datetime(2026, 11, 23, 9, 56, tzinfo=UTC)
AT_15_40 = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)
AT_16_30 = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
NEXT_DAY_09 = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(AT_15_26, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk_user(clock, front_desk_user):
    return front_desk_user


@pytest.fixture
def doctor(clock):
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


def visit(doctor, *, status, by, at=AT_15_40, **kwargs):
    """A visit at 15:40 IST moved along the workflow to `status` by `by` (its audit rows included)."""
    appointment = AppointmentFactory(
        doctor=doctor, starts_at=at, patient_email="guest@example.com", patient_name="Siobhán Rao", **kwargs
    )
    path = {
        S.BOOKED: [],
        S.CONFIRMED: [S.CONFIRMED],
        S.CHECKED_IN: [S.CONFIRMED, S.CHECKED_IN],
        S.COMPLETED: [S.CONFIRMED, S.CHECKED_IN, S.COMPLETED],
        S.NO_SHOW: [S.CONFIRMED, S.NO_SHOW],
    }[status]
    for step in path:
        appointment_set_status(appointment=appointment, to_status=step, by=by)
    appointment.refresh_from_db()
    return appointment


# Complete only once the visit has started -------------------------------------------------------


def test_a_1540_visit_cannot_be_completed_at_1526(doctor, desk_user):
    appointment = visit(doctor, status=S.CONFIRMED, by=desk_user)
    appointment_set_status(appointment=appointment, to_status=S.CHECKED_IN, by=desk_user)  # arrived early
    assert S.COMPLETED not in allowed_transitions(appointment)
    with pytest.raises(ValidationError, match=r"cannot be completed before it starts \(15:40 IST\)"):
        appointment_set_status(appointment=appointment, to_status=S.COMPLETED, by=desk_user)
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN
    assert not appointment.status_changes.filter(to_status=S.COMPLETED).exists()


def test_the_visit_can_be_completed_from_its_start(doctor, desk_user, clock):
    appointment = visit(doctor, status=S.CHECKED_IN, by=desk_user)
    clock.move_to(AT_15_40)
    assert S.COMPLETED in allowed_transitions(appointment)
    appointment_set_status(appointment=appointment, to_status=S.COMPLETED, by=desk_user)
    appointment.refresh_from_db()
    assert appointment.status == S.COMPLETED


def test_the_status_view_refuses_an_early_complete_with_a_message(client, doctor, desk_user):
    appointment = visit(doctor, status=S.CHECKED_IN, by=desk_user)
    client.force_login(desk_user)
    response = client.post(
        reverse("staff:status", args=[appointment.reference]), {"to_status": S.COMPLETED}, follow=True
    )
    assertContains(response, "cannot be completed before it starts (15:40 IST)")
    appointment.refresh_from_db()
    assert appointment.status == S.CHECKED_IN


def test_the_appointment_page_says_when_complete_opens_and_what_each_button_does(client, doctor, desk_user):
    appointment = visit(doctor, status=S.CONFIRMED, by=desk_user)
    client.force_login(desk_user)
    page = client.get(reverse("staff:appointment", args=[appointment.reference]))
    assertContains(page, "Check in: the patient is here.")
    appointment_set_status(appointment=appointment, to_status=S.CHECKED_IN, by=desk_user)
    page = client.get(reverse("staff:appointment", args=[appointment.reference]))
    assertContains(page, "A visit cannot be completed before it starts (15:40 IST).")
    assertNotContains(page, 'value="completed"')


# Undo ------------------------------------------------------------------------------------------


def test_a_no_show_is_undone_back_to_the_previous_status_with_who_when_why(doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    other = UserFactory(username="second-desk")
    undone = appointment_status_undo(
        appointment=appointment,
        by=other,
        expected_status=appointment.status,
        reason="  Patient was in the loo  ",
    )
    assert undone.status == S.CONFIRMED
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED
    change = appointment.status_changes.order_by("-pk").first()
    assert (change.from_status, change.to_status, change.by, change.at, change.note, change.undo) == (
        S.NO_SHOW,
        S.CONFIRMED,
        other,
        AT_16_30,
        "Patient was in the loo",
        True,
    )
    # ...and the patient can now be checked in, as the issue asks.
    appointment_set_status(appointment=appointment, to_status=S.CHECKED_IN, by=desk_user)


def test_a_no_show_from_booked_goes_back_to_booked(doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40)
    appointment_set_status(appointment=appointment, to_status=S.NO_SHOW, by=desk_user)
    assert (
        appointment_status_undo(
            appointment=appointment, by=desk_user, expected_status=S.NO_SHOW, reason="wrong row"
        ).status
        == S.BOOKED
    )


def test_undoing_a_completion_withdraws_the_feedback_request_and_recounts(doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.COMPLETED, by=desk_user)
    doctor.refresh_from_db()
    assert doctor.completed_visits == 1
    request = Message.objects.get(appointment=appointment, kind=MessageKind.FEEDBACK_REQUEST)
    assert request.state == MessageState.PENDING
    appointment_status_undo(
        appointment=appointment,
        by=desk_user,
        expected_status=appointment.status,
        reason="Clicked the wrong patient",
    )
    appointment.refresh_from_db()
    doctor.refresh_from_db()
    request.refresh_from_db()
    assert appointment.status == S.CHECKED_IN
    assert doctor.completed_visits == 0
    assert request.state == MessageState.CANCELLED
    # Completing again plans a fresh request.
    appointment_set_status(appointment=appointment, to_status=S.COMPLETED, by=desk_user)
    assert Message.objects.filter(
        appointment=appointment, kind=MessageKind.FEEDBACK_REQUEST, state=MessageState.PENDING
    ).exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_an_undo_needs_a_reason_and_writes_nothing_without_one(doctor, desk_user, clock, reason):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    before = StatusChange.objects.count()
    with pytest.raises(UndoRefused, match="Say why"):
        appointment_status_undo(
            appointment=appointment, by=desk_user, expected_status=appointment.status, reason=reason
        )
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW
    assert StatusChange.objects.count() == before


def test_an_undo_is_refused_the_next_day(doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    clock.move_to(NEXT_DAY_09)
    with pytest.raises(UndoRefused, match="only be undone on the day of the visit"):
        appointment_status_undo(
            appointment=appointment, by=desk_user, expected_status=appointment.status, reason="late"
        )
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


@pytest.mark.parametrize("status", [S.BOOKED, S.CONFIRMED, S.CHECKED_IN, S.CANCELLED])
def test_only_no_show_and_completed_can_be_undone(doctor, desk_user, clock, status):
    clock.move_to(AT_16_30)
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40, status=status)
    with pytest.raises(UndoRefused, match="Only a no-show or a completed visit"):
        appointment_status_undo(
            appointment=appointment, by=desk_user, expected_status=appointment.status, reason="why not"
        )


def test_a_no_show_whose_time_was_booked_again_cannot_be_undone(doctor, desk_user, clock):
    """A no-show frees the time; undoing it must never double-book."""
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    AppointmentFactory(doctor=doctor, starts_at=AT_15_40, patient_name="Walk-in")
    with pytest.raises(UndoRefused, match="Another patient has been booked at this time"):
        appointment_status_undo(
            appointment=appointment,
            by=desk_user,
            expected_status=appointment.status,
            reason="she came after all",
        )
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


@pytest.mark.parametrize(("status", "back_to"), [(S.NO_SHOW, S.BOOKED), (S.COMPLETED, S.CHECKED_IN)])
def test_a_status_set_outside_the_workflow_goes_back_the_workflows_usual_way(
    doctor, desk_user, clock, status, back_to
):
    """No audit row into the status (admin, import, old demo data): the undo still works (issue 12
    finding 2), back to the status before it on the workflow's path (workflow.UNDO_FALLBACK)."""
    clock.move_to(AT_16_30)
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40, status=status)  # no audit rows
    undone = appointment_status_undo(
        appointment=appointment, by=desk_user, expected_status=status, reason="set by mistake"
    )
    assert undone.status == back_to
    change = undone.status_changes.get(undo=True)
    assert (change.from_status, change.to_status, change.note) == (status, back_to, "set by mistake")


def test_the_undo_view_takes_a_reason_and_says_what_it_did(client, doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    client.force_login(desk_user)
    url = reverse("staff:undo", args=[appointment.reference])
    refused = client.post(url, {"reason": "", "from_status": S.NO_SHOW}, follow=True)
    assertContains(refused, "Say why you are undoing this.", status_code=409)
    done = client.post(url, {"reason": "Arrived late", "from_status": S.NO_SHOW}, follow=True)
    assertContains(done, "is confirmed again")
    assertContains(done, "Undo:")  # the history marks the row
    assertContains(done, "Arrived late")


def test_the_day_card_offers_undo_today_and_not_tomorrow(client, doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    client.force_login(desk_user)
    day = client.get(reverse("staff:day"), {"location": doctor.location.slug, "date": "2026-11-23"})
    assertContains(day, reverse("staff:undo", args=[appointment.reference]))
    assertContains(day, "Undo no-show")
    clock.move_to(NEXT_DAY_09)
    day = client.get(reverse("staff:day"), {"location": doctor.location.slug, "date": "2026-11-23"})
    assertNotContains(day, reverse("staff:undo", args=[appointment.reference]))


def test_the_undo_view_swaps_the_day_card_with_htmx(client, doctor, desk_user, clock):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    client.force_login(desk_user)
    response = client.post(
        reverse("staff:undo", args=[appointment.reference]),
        {"reason": "late", "from_status": S.NO_SHOW},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assertContains(response, f'id="appt-{appointment.reference}"')
    assertNotContains(response, "<html")


def test_doctors_cannot_undo(client, doctor, desk_user, clock, make_doctor_user):
    clock.move_to(AT_16_30)
    appointment = visit(doctor, status=S.NO_SHOW, by=desk_user)
    client.force_login(make_doctor_user(doctor))
    assert (
        client.post(reverse("staff:undo", args=[appointment.reference]), {"reason": "x"}).status_code == 403
    )
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


# Walk-ins and the receptionist's form ---------------------------------------------------------------


def test_the_desk_form_speaks_to_the_receptionist(client, doctor, desk_user):
    client.force_login(desk_user)
    page = client.get(reverse("staff:book-doctor", args=[doctor.slug]))
    assertContains(page, "Patient&#x27;s name")
    assertContains(page, "First visit to this doctor?")
    assertContains(page, "Walk-in, here at the desk")
    assertNotContains(page, "your first visit")


@pytest.mark.parametrize(
    ("source", "method"),
    [(AppointmentSource.WALK_IN, ConsentMethod.IN_PERSON), (AppointmentSource.PHONE, ConsentMethod.PHONE)],
)
def test_a_desk_booking_records_its_source(client, doctor, desk_user, source, method):
    client.force_login(desk_user)
    slot = f"{AT_15_40.isoformat()}"
    response = client.post(
        reverse("staff:book-doctor", args=[doctor.slug]),
        {
            "date": "2026-11-23",
            "start": slot,
            "booking_token": "5d1c8a8e-4d0b-4a55-9d87-1a2b3c4d5e6f",
            "patient_name": "Walk In",
            "patient_phone": "+919812300000",
            "visit_type": "first",
            "source": source,
            "consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = doctor.appointments.get()
    assert appointment.source == source
    assert appointment.consent.method == method


def test_an_unknown_source_is_refused_next_to_the_field(client, doctor, desk_user):
    client.force_login(desk_user)
    response = client.post(
        reverse("staff:book-doctor", args=[doctor.slug]),
        {
            "date": "2026-11-23",
            "start": AT_15_40.isoformat(),
            "booking_token": "5d1c8a8e-4d0b-4a55-9d87-1a2b3c4d5e6f",
            "patient_name": "Walk In",
            "patient_phone": "+919812300000",
            "visit_type": "first",
            "source": "online",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assertContains(response, "Choose phone or walk-in.", status_code=400)
    assertContains(response, 'value="Walk In"', status_code=400)
    assert not doctor.appointments.exists()


def test_appointment_book_keeps_the_walk_in_source(doctor, desk_user):
    appointment = appointment_book(
        doctor=doctor,
        starts_at=AT_15_40 + timedelta(minutes=20),
        patient_name="Asha Walk",
        patient_phone="+919812300001",
        source=AppointmentSource.WALK_IN,
        by=desk_user,
        skip_min_notice=True,
    )
    assert appointment.source == AppointmentSource.WALK_IN
