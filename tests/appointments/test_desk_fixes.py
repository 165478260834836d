"""What a tester found in the front desk workflow (issue 12, second round), one test or more each:
a stale undo or status button refused by the status it was drawn for; undo with no recorded history;
a refused undo keeping the typed reason; `next` only to the desk's own pages or this visit's; a tampered
booking token answered with a message; Export and Emails in the staff navigation; seeded demo visits
with a history like real ones."""

import uuid
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.models import Appointment, AppointmentStatus, StatusChange
from appointments.services import appointment_set_status
from appointments.workflow import appointment_status_undo, undo_open
from tests.factories import AppointmentFactory, DoctorFactory, week_hours

pytestmark = pytest.mark.django_db

S = AppointmentStatus
AT_15_40 = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)  # Monday 15:40 IST
AT_16_30 = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(AT_16_30, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


def no_show(doctor, by, **kwargs) -> Appointment:
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40, patient_name="Siobhán Rao", **kwargs)
    appointment_set_status(appointment=appointment, to_status=S.NO_SHOW, by=by)
    appointment.refresh_from_db()
    return appointment


def page(client, appointment):
    return client.get(reverse("staff:appointment", args=[appointment.reference]))


# 1. Stale buttons ------------------------------------------------------------------------------


def test_a_stale_undo_no_show_never_undoes_a_completion(desk, doctor, front_desk_user):
    """The tester's steps: tab A shows "Undo no-show"; tab B undoes, checks in, completes; tab A's
    undo is refused with a message, the visit stays completed and the history gains nothing."""
    appointment = no_show(doctor, front_desk_user)
    tab_a = page(desk, appointment)
    assertContains(tab_a, "Undo no-show")
    assertContains(tab_a, '<input type="hidden" name="from_status" value="no_show">')
    appointment_status_undo(
        appointment=appointment, by=front_desk_user, reason="she came", expected_status=S.NO_SHOW
    )
    appointment_set_status(appointment=appointment, to_status=S.CHECKED_IN, by=front_desk_user)
    appointment_set_status(appointment=appointment, to_status=S.COMPLETED, by=front_desk_user)
    before = StatusChange.objects.count()
    response = desk.post(
        reverse("staff:undo", args=[appointment.reference]),
        {"reason": "Arrived late", "from_status": S.NO_SHOW},
    )
    assertContains(
        response,
        "Nothing was changed: this visit was no-show on your screen but is completed",
        status_code=409,
    )
    appointment.refresh_from_db()
    assert appointment.status == S.COMPLETED
    assert StatusChange.objects.count() == before


def test_an_undo_post_without_the_status_it_was_shown_for_is_refused(desk, doctor, front_desk_user):
    appointment = no_show(doctor, front_desk_user)
    response = desk.post(reverse("staff:undo", args=[appointment.reference]), {"reason": "late"})
    assertContains(response, "the page did not say which status it was showing", status_code=409)
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


def test_a_stale_status_button_is_refused(desk, doctor, front_desk_user):
    """Tab A drew "Cancel" for a booked visit; meanwhile it was confirmed: the cancel is refused."""
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40 + timedelta(days=1))
    assertContains(page(desk, appointment), '<input type="hidden" name="from_status" value="booked">')
    appointment_set_status(appointment=appointment, to_status=S.CONFIRMED, by=front_desk_user)
    response = desk.post(
        reverse("staff:status", args=[appointment.reference]),
        {"to_status": S.CANCELLED, "from_status": S.BOOKED},
        follow=True,
    )
    assertContains(response, "this visit was booked on your screen but is confirmed")
    appointment.refresh_from_db()
    assert appointment.status == S.CONFIRMED


def test_a_stale_button_on_the_day_card_is_refused_in_the_card(desk, doctor, front_desk_user):
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40)
    appointment_set_status(appointment=appointment, to_status=S.NO_SHOW, by=front_desk_user)
    response = desk.post(
        reverse("staff:status", args=[appointment.reference]),
        {"to_status": S.CHECKED_IN, "from_status": S.BOOKED},
        headers={"HX-Request": "true"},
    )
    assertContains(response, "Nothing was changed")
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


# 2. Undo with no recorded history; the refused undo keeps the reason -----------------------------


def test_a_no_show_without_history_offers_an_undo_that_works(desk, doctor):
    """Shown only when possible (the service's own test), and then it works: back to booked."""
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40, status=S.NO_SHOW)
    assert not appointment.status_changes.exists()
    assertContains(page(desk, appointment), "Undo no-show")
    done = desk.post(
        reverse("staff:undo", args=[appointment.reference]),
        {"reason": "Was in the waiting room", "from_status": S.NO_SHOW},
        follow=True,
    )
    assertContains(done, "is booked again")
    appointment.refresh_from_db()
    assert appointment.status == S.BOOKED


def test_no_undo_is_offered_where_the_service_would_refuse(desk, doctor):
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40 - timedelta(days=1), status=S.NO_SHOW)
    assert not undo_open(appointment, AT_16_30)
    assertNotContains(page(desk, appointment), "Undo no-show")


def test_a_refused_undo_shows_the_page_again_with_the_reason_kept(desk, doctor, front_desk_user):
    appointment = no_show(doctor, front_desk_user)
    AppointmentFactory(doctor=doctor, starts_at=AT_15_40, patient_name="Walk-in")  # took the freed time
    response = desk.post(
        reverse("staff:undo", args=[appointment.reference]),
        {"reason": "She was at the pharmacy", "from_status": S.NO_SHOW},
    )
    assertContains(response, 'value="She was at the pharmacy"', status_code=409)
    assertContains(response, "Another patient has been booked at this time since", status_code=409)
    assertContains(response, 'aria-invalid="true"', status_code=409)
    appointment.refresh_from_db()
    assert appointment.status == S.NO_SHOW


def test_a_refused_undo_on_the_day_card_keeps_the_reason(desk, doctor, front_desk_user):
    appointment = no_show(doctor, front_desk_user)
    AppointmentFactory(doctor=doctor, starts_at=AT_15_40, patient_name="Walk-in")
    response = desk.post(
        reverse("staff:undo", args=[appointment.reference]),
        {"reason": "She was at the pharmacy", "from_status": S.NO_SHOW},
        headers={"HX-Request": "true"},
    )
    assertContains(response, 'value="She was at the pharmacy"')
    assertContains(response, "Another patient has been booked at this time since")


def test_seeded_demo_visits_carry_a_history_and_their_undo_goes_back_where_they_came_from(front_desk_user):
    call_command("seed_demo")
    seeded = Appointment.objects.filter(reference__startswith="DT")
    assert seeded.exists()
    for appointment in seeded.prefetch_related("status_changes"):
        changes = list(appointment.status_changes.all())
        assert changes[0].from_status == ""
        assert changes[-1].to_status == appointment.status
        assert all(a.to_status == b.from_status for a, b in pairwise(changes))
    completed = seeded.filter(status=S.COMPLETED).first()
    undone = appointment_status_undo(
        appointment=completed, by=front_desk_user, reason="wrong row", expected_status=S.COMPLETED
    )
    assert undone.status == S.CHECKED_IN


# 7. Where a status POST may send the receptionist back to ---------------------------------------


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("/staff/?date=2026-11-23", True),
        ("/staff/find/", True),
        ("OWN", True),
        ("OTHER", False),  # another visit's page: it would show this visit's message there
        ("/staff/messages/", False),
        ("/privacy/", False),
        ("https://evil.example/", False),
    ],
)
def test_next_goes_only_to_the_desk_pages_or_this_visits_page(desk, doctor, next_url, kept):
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40 + timedelta(days=1))
    other = AppointmentFactory(doctor=doctor, starts_at=AT_15_40 + timedelta(days=2))
    own_url = reverse("staff:appointment", args=[appointment.reference])
    target = {"OWN": own_url, "OTHER": reverse("staff:appointment", args=[other.reference])}.get(
        next_url, next_url
    )
    response = desk.post(
        reverse("staff:status", args=[appointment.reference]), {"to_status": S.CONFIRMED, "next": target}
    )
    assertRedirects(response, target if kept else own_url, fetch_redirect_response=False)


def test_a_week_page_is_a_fine_next(desk, doctor):
    appointment = AppointmentFactory(doctor=doctor, starts_at=AT_15_40 + timedelta(days=1))
    week = reverse("staff:week", args=[doctor.slug])
    response = desk.post(
        reverse("staff:status", args=[appointment.reference]), {"to_status": S.CONFIRMED, "next": week}
    )
    assertRedirects(response, week, fetch_redirect_response=False)


# 8. A tampered booking token --------------------------------------------------------------------


@pytest.mark.parametrize("token", ["not-a-uuid", "", "1' OR '1'='1"])
def test_a_tampered_booking_token_shows_the_form_with_a_message_and_books_nothing(desk, doctor, token):
    start = AT_16_30 + timedelta(minutes=10)  # 16:40 IST, a free slot inside the day
    data = {
        "start": start.isoformat().replace("+00:00", "Z"),
        "date": "2026-11-23",
        "booking_token": token,
        "patient_name": "Ravi Caller",
        "patient_phone": "98123 00000",
        "patient_email": "",
        "reason": "",
        "visit_type": "first",
        "consent": "on",
        "source": "phone",
    }
    response = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), data)
    assertContains(response, "This form could not be read as it was sent", status_code=400)
    assertContains(response, 'value="Ravi Caller"', status_code=400)  # what was typed stays
    fresh = response.context["form"].data["booking_token"]
    assert str(uuid.UUID(fresh)) == fresh  # a fresh token, so sending again works
    assert not Appointment.objects.filter(patient_name="Ravi Caller").exists()


# 9. Navigation ----------------------------------------------------------------------------------


def test_the_staff_nav_links_export_and_emails(desk, client, make_doctor_user, doctor):
    day = desk.get(reverse("staff:day"))
    assertContains(day, f'href="{reverse("staff:exports")}"')
    assertContains(day, f'href="{reverse("staff:messages")}"')
    client.force_login(make_doctor_user(doctor))
    own = client.get(reverse("staff:day"))
    assertNotContains(own, f'href="{reverse("staff:messages")}"')  # retrying is the front desk's job
