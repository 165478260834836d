"""Slot holds (issue 15 item 1): opening the details form keeps its time for that form for a few minutes."""

import uuid
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments import availability
from appointments.holds import HoldRefused, hold_place, holds_sweep
from appointments.models import Appointment, SlotHold
from appointments.services import SlotTaken, appointment_book, appointment_reschedule
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # Tuesday 10:00 IST
START = "2026-11-24T04:30:00Z"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=LocationFactory(name="Residency Road"))
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    return doctor


def details(doctor) -> str:
    return reverse("appointments:details", kwargs={"slug": doctor.slug})


def open_form(client, doctor, start=START):
    """GET the details page as the picker links it; returns (response after the redirect, form token)."""
    first = client.get(details(doctor), {"start": start})
    assert first.status_code == 302
    token = parse_qs(urlsplit(first.url).query)["hold"][0]
    return client.get(first.url), token


def post_data(token, start=START, **overrides):
    return {
        "start": start,
        "booking_token": token,
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "patient_email": "asha@example.com",
        "visit_type": "first",
        "consent": "on",
    } | overrides


def stranger_data(**overrides):
    return post_data(str(uuid.uuid4()), patient_name="Ravi Menon", patient_phone="98765 43210") | overrides


def test_opening_the_form_holds_the_time_for_that_form_and_says_until_when(client, doctor):
    page, token = open_form(client, doctor)
    hold = SlotHold.objects.get()
    assert (hold.doctor, hold.starts_at, hold.token) == (doctor, TUESDAY_10, uuid.UUID(token))
    assert hold.expires_at == NOW + timedelta(minutes=5)
    assertContains(page, "We're holding 10:00 for you until 08:05 IST.")
    assertContains(
        page, f'name="booking_token" value="{token}"', count=2
    )  # the form and "Choose another time"


@override_settings(BOOKING_HOLD_MINUTES=7)
def test_the_hold_length_is_a_setting(client, doctor):
    page, _ = open_form(client, doctor)
    assert SlotHold.objects.get().expires_at == NOW + timedelta(minutes=7)
    assertContains(page, "until 08:07 IST")


def test_reloading_the_form_keeps_its_one_hold_and_does_not_extend_it(client, doctor, clock):
    _, token = open_form(client, doctor)
    clock.shift(timedelta(minutes=3))
    again = client.get(details(doctor), {"start": START, "hold": token})
    assert again.status_code == 200
    assert list(SlotHold.objects.values_list("token", "expires_at")) == [
        (uuid.UUID(token), NOW + timedelta(minutes=5))
    ]


def test_a_second_patient_cannot_book_a_held_time(client, doctor):
    open_form(client, doctor)
    other = Client()
    assertRedirects(
        other.get(details(doctor), {"start": START}),
        reverse("appointments:picker", kwargs={"slug": doctor.slug}) + "?date=2026-11-24",  # that time's day
    )
    response = other.post(details(doctor), stranger_data())
    assertContains(response, "that time was just taken", status_code=409)
    assert not Appointment.objects.exists()


def test_a_held_time_is_taken_in_the_picker_the_json_and_the_cards(client, doctor):
    nine = "2026-11-24T03:30:00Z"  # Tuesday 09:00 IST, the first time of the day
    open_form(client, doctor, nine)
    other = Client()
    picker = other.get(reverse("appointments:picker", kwargs={"slug": doctor.slug}), {"date": "2026-11-24"})
    assertNotContains(picker, f"?start={nine}")
    assertContains(picker, "?start=2026-11-24T03:50:00Z")
    data = other.get(
        reverse("appointments:api-availability", kwargs={"slug": doctor.slug}),
        {"from": "2026-11-24", "days": 1},
    ).json()
    assert data["slots"][0]["start"] == "2026-11-24T09:20:00+05:30"
    open_form(client, doctor, "2026-11-23T04:30:00Z")  # Monday 10:00 IST, the first time with 2 h notice
    card = availability.next_free_slots([doctor])[0].next_free_slot
    assert card.start == datetime(2026, 11, 23, 4, 50, tzinfo=UTC)


def test_a_second_patient_can_book_it_once_the_hold_expired(client, doctor, clock):
    open_form(client, doctor)
    clock.shift(timedelta(minutes=5))  # expiry is exclusive: at 08:05 the hold is over
    other = Client()
    form, token = open_form(other, doctor)
    assertContains(form, "We're holding 10:00 for you until 08:10 IST.")
    assert SlotHold.objects.count() == 1  # the stale hold made way
    assert other.post(details(doctor), stranger_data(booking_token=token)).status_code == 302
    assert Appointment.objects.get().patient_name == "Ravi Menon"


def test_the_holder_books_their_held_time_and_the_hold_is_gone(client, doctor):
    _, token = open_form(client, doctor)
    response = client.post(details(doctor), post_data(token))
    assert response.status_code == 302
    assert Appointment.objects.get().starts_at == TUESDAY_10
    assert not SlotHold.objects.exists()


def test_an_expired_hold_submitted_later_books_only_if_still_free(client, doctor, clock):
    _, token = open_form(client, doctor)
    clock.shift(timedelta(minutes=20))
    assert client.post(details(doctor), post_data(token)).status_code == 302  # still free: booked

    _, late = open_form(client, doctor, "2026-11-24T04:50:00Z")
    clock.shift(timedelta(minutes=20))
    assert Client().post(details(doctor), stranger_data(start="2026-11-24T04:50:00Z")).status_code == 302
    refused = client.post(
        details(doctor), post_data(late, start="2026-11-24T04:50:00Z", patient_name="Mira Rao")
    )
    assertContains(refused, "that time was just taken", status_code=409)
    assert Appointment.objects.count() == 2


def test_a_form_sent_back_with_errors_still_says_the_time_is_held(client, doctor, clock):
    _, token = open_form(client, doctor)
    response = client.post(details(doctor), post_data(token, patient_phone="12"))
    assertContains(response, "We're holding 10:00 for you until 08:05 IST.", status_code=400)
    clock.shift(timedelta(minutes=6))
    response = client.post(details(doctor), post_data(token, patient_phone="12"))
    assertContains(response, "You can still book it while it is free.", status_code=400)


def test_choose_another_time_gives_the_time_back_and_opens_the_picker_on_that_day(client, doctor):
    _, token = open_form(client, doctor)
    response = client.post(
        reverse("appointments:release-hold", kwargs={"slug": doctor.slug}), {"booking_token": token}
    )
    assertRedirects(
        response, reverse("appointments:picker", kwargs={"slug": doctor.slug}) + "?date=2026-11-24"
    )
    assert not SlotHold.objects.exists()
    assert Client().post(details(doctor), stranger_data()).status_code == 302


@pytest.mark.parametrize("token", ["", "garbage", "7d2c1e0a-4b8f-4c39-9e61-3f5a2b6d8c10"])
def test_releasing_an_unknown_or_unreadable_token_releases_nothing_and_goes_to_the_picker(
    client, doctor, token
):
    open_form(Client(), doctor)
    response = client.post(
        reverse("appointments:release-hold", kwargs={"slug": doctor.slug}), {"booking_token": token}
    )
    assertRedirects(response, reverse("appointments:picker", kwargs={"slug": doctor.slug}))
    assert SlotHold.objects.count() == 1


def test_an_unreadable_hold_in_the_url_starts_a_fresh_form(client, doctor):
    response = client.get(details(doctor), {"start": START, "hold": "not-a-token"})
    assert response.status_code == 302
    assert SlotHold.objects.count() == 1


@override_settings(BOOKING_HOLD_LIMIT=2)
def test_past_the_hold_limit_the_form_works_but_holds_nothing(client, doctor):
    open_form(Client(), doctor, "2026-11-24T03:30:00Z")  # browsers behind one address
    open_form(Client(), doctor, "2026-11-24T03:50:00Z")
    page, token = open_form(client, doctor)
    assert SlotHold.objects.count() == 2
    assertNotContains(page, "We're holding")
    assert client.post(details(doctor), post_data(token)).status_code == 302


def test_a_token_holds_one_time_at_most(doctor):
    token = uuid.uuid4()
    hold_place(doctor=doctor, starts_at=TUESDAY_10, token=token)
    hold_place(doctor=doctor, starts_at=TUESDAY_10 + timedelta(minutes=20), token=token)
    assert list(SlotHold.objects.values_list("starts_at", flat=True)) == [TUESDAY_10 + timedelta(minutes=20)]


def test_a_booked_or_held_time_cannot_be_held_again(doctor):
    hold_place(doctor=doctor, starts_at=TUESDAY_10, token=uuid.uuid4())
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10 + timedelta(minutes=20))
    for start in (TUESDAY_10, TUESDAY_10 + timedelta(minutes=20)):
        with pytest.raises(HoldRefused, match="taken"):
            hold_place(doctor=doctor, starts_at=start, token=uuid.uuid4())
    with pytest.raises(HoldRefused, match="unavailable"):
        hold_place(doctor=doctor, starts_at=TUESDAY_10 + timedelta(minutes=7), token=uuid.uuid4())


def test_staff_booking_and_moving_respect_a_patients_hold(doctor, front_desk_user):
    hold_place(doctor=doctor, starts_at=TUESDAY_10, token=uuid.uuid4())
    with pytest.raises(SlotTaken):
        appointment_book(
            doctor=doctor,
            starts_at=TUESDAY_10,
            patient_name="Caller",
            patient_phone="+919876500000",
            source="phone",
            by=front_desk_user,
        )
    visit = AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10 + timedelta(hours=1))
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=visit, starts_at=TUESDAY_10)


def test_the_sweep_deletes_only_expired_holds(doctor, clock):
    hold_place(doctor=doctor, starts_at=TUESDAY_10, token=uuid.uuid4())
    clock.shift(timedelta(minutes=3))
    hold_place(doctor=doctor, starts_at=TUESDAY_10 + timedelta(minutes=20), token=uuid.uuid4())
    clock.shift(timedelta(minutes=2))
    assert holds_sweep() == 1
    assert list(SlotHold.objects.values_list("starts_at", flat=True)) == [TUESDAY_10 + timedelta(minutes=20)]


def test_the_picker_costs_the_same_queries_with_no_holds_or_many(client, doctor):
    url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url, {"date": "2026-11-24"})
    for minutes in range(0, 240, 20):
        hold_place(
            doctor=doctor,
            starts_at=TUESDAY_10 - timedelta(hours=1) + timedelta(minutes=minutes),
            token=uuid.uuid4(),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"date": "2026-11-24"})
    assert len(few) == len(many)


def test_opening_the_same_time_again_from_the_picker_reuses_this_browsers_hold(client, doctor):
    _, token = open_form(client, doctor)
    again, same = open_form(client, doctor)  # the back button, then the same time again
    assert same == token
    assert again.status_code == 200
    assert SlotHold.objects.count() == 1
    assertContains(Client().get(details(doctor), {"start": START}, follow=True), "not available any more")


def test_opening_another_time_moves_this_browsers_hold_there(client, doctor):
    _, token = open_form(client, doctor)
    _, moved = open_form(client, doctor, "2026-11-24T04:50:00Z")
    assert moved == token
    assert list(SlotHold.objects.values_list("starts_at", flat=True)) == [TUESDAY_10 + timedelta(minutes=20)]


def test_a_booked_form_token_is_not_reused_for_the_next_booking(client, doctor):
    _, token = open_form(client, doctor)
    assert client.post(details(doctor), post_data(token)).status_code == 302
    _, fresh = open_form(client, doctor, "2026-11-24T04:50:00Z")
    assert fresh != token


def test_a_tampered_hold_cookie_is_ignored(client, doctor):
    _, token = open_form(Client(), doctor)
    client.cookies["slot_hold"] = token  # unsigned: someone else's token copied in
    response = client.get(details(doctor), {"start": START})
    assertRedirects(
        response, reverse("appointments:picker", kwargs={"slug": doctor.slug}) + "?date=2026-11-24"
    )
