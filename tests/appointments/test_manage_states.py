"""The manage page knows what happened (issue 10 item 4): each state its own words and only working actions.

Also: cancelling or rescheduling a visit that is over shows its page (never a 500; a second cancel
was a 500), reschedule asks "Move from … to …?" first and works without JavaScript, and after a
change there is one banner, not two. Two simultaneous cancels are in test_concurrency.py.
"""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.links import manage_token, manage_url
from appointments.models import Appointment, AppointmentStatus
from notifications.links import feedback_token
from notifications.models import Feedback
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours
from tests.text import visible_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 10:00 IST


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


def visit(doctor, starts_at=TUESDAY_10, **fields):
    fields.setdefault("booked_at", NOW - timedelta(days=5))
    return AppointmentFactory(
        doctor=doctor, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=20), **fields
    )


def actions(response) -> set[str]:
    """Which of the patient's actions the page links to."""
    found = {name for name in ["cancel", "reschedule"] if f'/{name}/"' in response.text}
    found |= {"calendar"} if "calendar.ics" in response.text else set()
    found |= {"feedback"} if "/feedback/" in response.text else set()
    found |= {"book"} if "/book/" + "test-doctor" in response.text or "Book a " in response.text else set()
    return found


def alerts(response) -> int:
    """Banners inside the page's main element (the header's phone-line status is not one)."""
    main = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return len(re.findall(r'class="alert ', main))


def test_an_upcoming_visit_says_it_is_booked_until_when_it_can_change_and_offers_every_action(client, doctor):
    response = client.get(manage_url(visit(doctor)))
    text = visible_text(response.content)
    assert "Your appointment is booked" in text
    assert "You can cancel or reschedule this appointment online until Tue 24 Nov, 06:00 IST" in text
    assert actions(response) == {"calendar", "reschedule", "cancel"}
    assert "no-store" in response["Cache-Control"]


def test_a_visit_in_its_grace_period_says_until_when(client, doctor):
    fresh = visit(doctor, starts_at=NOW + timedelta(hours=3), booked_at=NOW - timedelta(minutes=10))
    response = client.get(manage_url(fresh))
    assert "this one until Mon 23 Nov, 08:20 IST" in visible_text(response.content)
    assert actions(response) == {"calendar", "reschedule", "cancel"}


def test_a_visit_inside_the_cut_off_says_to_call_and_offers_no_online_change(client, doctor):
    soon = visit(doctor, starts_at=NOW + timedelta(hours=3))
    response = client.get(manage_url(soon))
    text = visible_text(response.content)
    assert "Online changes for this appointment closed at Mon 23 Nov, 07:00 IST" in text
    assert "Your appointment is booked" in text
    assert actions(response) == {"calendar"}
    assertContains(response, 'href="tel:')


def test_a_visit_whose_time_has_passed_says_so_and_offers_no_change(client, doctor):
    gone = visit(doctor, starts_at=NOW - timedelta(hours=2))
    response = client.get(manage_url(gone))
    text = visible_text(response.content)
    assert "The time of this appointment has passed" in text
    assert "Your appointment is booked" not in text
    assert "What to bring" not in text
    assert actions(response) <= {"book"}


def test_a_completed_visit_thanks_and_links_the_feedback_question_while_it_is_due(client, doctor):
    seen = visit(doctor, starts_at=NOW - timedelta(days=1), status=AppointmentStatus.COMPLETED)
    response = client.get(manage_url(seen))
    assertContains(response, "Thank you for your visit")
    assertContains(response, reverse("notifications:feedback", kwargs={"token": feedback_token(seen)}))
    assert actions(response) == {"feedback", "book"}
    Feedback.objects.create(appointment=seen, would_recommend=True)
    answered = client.get(manage_url(seen))
    assertContains(answered, "Thank you for your answer")
    assert "feedback" not in actions(answered)


def test_a_completed_visit_past_the_feedback_window_has_no_feedback_link(client, doctor, settings):
    settings.MANAGE_LINK_DAYS = 90
    old = visit(doctor, starts_at=NOW - timedelta(days=61), status=AppointmentStatus.COMPLETED)
    response = client.get(manage_url(old))
    assertContains(response, "Thank you for your visit")
    assert "feedback" not in actions(response)


def test_a_no_show_says_so_with_no_change_action(client, doctor):
    missed = visit(doctor, starts_at=NOW - timedelta(days=1), status=AppointmentStatus.NO_SHOW)
    response = client.get(manage_url(missed))
    assertContains(response, "marked as a no-show")
    assert actions(response) == {"book"}


def test_a_cancelled_visit_says_so_and_offers_a_new_booking_only(client, doctor):
    cancelled = visit(doctor, status=AppointmentStatus.CANCELLED)
    response = client.get(manage_url(cancelled))
    assertContains(response, "This appointment is cancelled")
    assert actions(response) == {"book"}


# --- changing a visit that is over ---------------------------------------------------------------


def test_a_second_cancel_lands_on_the_cancelled_page_never_a_500(client, doctor):
    booked = visit(doctor)
    url = reverse("appointments:cancel", kwargs={"token": manage_token(booked)})
    assertRedirects(client.post(url, {"reason": "Better"}), manage_url(booked), fetch_redirect_response=False)
    again = client.post(url, {"reason": "Better"})
    assertRedirects(again, manage_url(booked), fetch_redirect_response=False)
    page = client.get(again.url)  # a double click: the first answer was never shown
    assertContains(page, "Your appointment is cancelled")
    assert alerts(page) == 1
    third = client.post(url, {"reason": "Better"})
    assertContains(client.get(third.url), "This appointment is already cancelled")
    assert booked.status_changes.filter(to_status=AppointmentStatus.CANCELLED).count() == 1


@pytest.mark.parametrize(
    "status", [AppointmentStatus.CANCELLED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW]
)
@pytest.mark.parametrize("name", ["cancel", "reschedule"])
def test_changing_a_visit_that_is_over_shows_its_page(client, doctor, status, name):
    over = visit(doctor, status=status)
    url = reverse(f"appointments:{name}", kwargs={"token": manage_token(over)})
    assertRedirects(client.get(url), manage_url(over), fetch_redirect_response=False)
    response = client.post(url, {"start": "2026-11-25T04:30:00Z", "confirm": "on", "reason": ""})
    assertRedirects(response, manage_url(over), fetch_redirect_response=False)
    over.refresh_from_db()
    assert (over.status, over.starts_at) == (status, TUESDAY_10)


def test_changing_a_visit_whose_time_has_passed_shows_its_page(client, doctor):
    gone = visit(doctor, starts_at=NOW - timedelta(hours=1))
    url = reverse("appointments:reschedule", kwargs={"token": manage_token(gone)})
    response = client.post(url, {"start": "2026-11-25T04:30:00Z", "confirm": "on"})
    assertRedirects(response, manage_url(gone), fetch_redirect_response=False)
    assertContains(
        client.get(response.url), "The time of this appointment has passed, so it cannot be changed online"
    )


# --- reschedule asks first -----------------------------------------------------------------------


def test_reschedule_asks_move_from_to_first_and_writes_nothing_until_confirmed(client, doctor):
    booked = visit(doctor)
    url = reverse("appointments:reschedule", kwargs={"token": manage_token(booked)})
    asked = client.post(url, {"start": "2026-11-25T05:30:00Z"})
    assert asked.status_code == 200
    assertContains(asked, "Move from Tue 24 Nov, 10:00 IST to Wed 25 Nov, 11:00 IST?")
    assertContains(asked, f'href="{url}?date=2026-11-25"')  # Choose another time: the day asked about
    assertContains(asked, '<input type="hidden" name="confirm" value="on">', html=True)
    assertContains(asked, '<button class="btn btn-book" type="submit">Confirm</button>', html=True)
    booked.refresh_from_db()
    assert booked.starts_at == TUESDAY_10
    assert not booked.status_changes.exists()

    confirmed = client.post(url, {"start": "2026-11-25T05:30:00Z", "confirm": "on"})
    assertRedirects(confirmed, manage_url(booked), fetch_redirect_response=False)
    page = client.get(confirmed.url)
    assertContains(page, "Your appointment is moved")
    assert alerts(page) == 1  # the moved banner, not also "Your appointment is booked"
    booked.refresh_from_db()
    assert booked.starts_at == datetime(2026, 11, 25, 5, 30, tzinfo=UTC)


def test_the_confirmation_question_is_in_the_visits_own_time_zone(client):
    london = DoctorFactory(location=LocationFactory(time_zone="Europe/London"))
    week_hours(london, intervals=[(time(9, 0), time(17, 0))])
    booked = visit(london, starts_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # 10:00 GMT
    url = reverse("appointments:reschedule", kwargs={"token": manage_token(booked)})
    asked = client.post(url, {"start": "2026-11-25T11:00:00Z"})
    assertContains(asked, "Move from Tue 24 Nov, 10:00 GMT to Wed 25 Nov, 11:00 GMT?")


@pytest.mark.parametrize(
    ("start", "message", "status"),
    [
        ("2026-11-24T04:30:00Z", "That is the time you already have", 400),
        ("2026-11-25T04:37:00Z", "That time is not available", 400),
        ("garbage", "That time could not be read", 400),
    ],
)
def test_reschedule_refuses_a_time_it_cannot_move_to_before_asking(client, doctor, start, message, status):
    booked = visit(doctor)
    response = client.post(
        reverse("appointments:reschedule", kwargs={"token": manage_token(booked)}), {"start": start}
    )
    assertContains(response, message, status_code=status)
    assertNotContains(response, "Move from", status_code=status)


def test_a_time_taken_between_asking_and_confirming_is_refused_as_taken(client, doctor):
    booked = visit(doctor)
    url = reverse("appointments:reschedule", kwargs={"token": manage_token(booked)})
    assertContains(client.post(url, {"start": "2026-11-25T05:30:00Z"}), "Move from")
    visit(doctor, starts_at=datetime(2026, 11, 25, 5, 30, tzinfo=UTC))
    response = client.post(url, {"start": "2026-11-25T05:30:00Z", "confirm": "on"})
    assertContains(response, "just taken", status_code=409)
    assert Appointment.objects.get(pk=booked.pk).starts_at == TUESDAY_10


def test_after_a_cancel_there_is_one_banner(client, doctor):
    booked = visit(doctor)
    response = client.post(
        reverse("appointments:cancel", kwargs={"token": manage_token(booked)}), {"reason": ""}
    )
    page = client.get(response.url)
    assertContains(page, "Your appointment is cancelled. The time is free")
    assert alerts(page) == 1


@pytest.mark.parametrize("name", ["manage", "cancel", "reschedule"])
def test_the_manage_pages_are_never_stored_by_caches(client, doctor, name):
    response = client.get(reverse(f"appointments:{name}", kwargs={"token": manage_token(visit(doctor))}))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED])
def test_the_manage_page_costs_a_fixed_number_of_queries(client, doctor, django_assert_num_queries, status):
    """One query for the appointment (with doctor, specialty and location); a completed visit adds one
    to ask whether its feedback is answered. Other bookings and messages do not change the count."""
    mine = visit(doctor, status=status, starts_at=TUESDAY_10 if status == AppointmentStatus.BOOKED else NOW)
    for day in range(1, 30):
        visit(doctor, starts_at=TUESDAY_10 + timedelta(days=day), patient_email="x@example.com")
    with django_assert_num_queries(1 if status == AppointmentStatus.BOOKED else 2):
        assert client.get(manage_url(mine)).status_code == 200
