"""Waitlist pages: join from the picker and from the manage page, the offer's one-tap page, the staff list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.links import manage_url
from appointments.models import Appointment
from tests.waitlist.conftest import TUE_0920, WED_0900, cancel
from waitlist.models import EntryStatus, OfferState, WaitlistEntry, WaitlistOffer
from waitlist.services import offer_url

pytestmark = pytest.mark.django_db


def join_url(doctor):
    return reverse("waitlist:join", kwargs={"slug": doctor.slug})


def join_form(**overrides):
    return {
        "not_after": "2026-11-24",
        "part_of_day": "morning",
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "patient_email": "asha@example.com",
        "consent": "on",
    } | overrides


def test_the_picker_links_to_the_waitlist(client, doctor):
    picker = client.get(reverse("appointments:picker", kwargs={"slug": doctor.slug}))
    assertContains(picker, f'href="{join_url(doctor)}"')


def test_joining_from_the_picker_puts_the_patient_in_line(client, doctor, full_week):
    response = client.post(join_url(doctor), join_form())
    assertRedirects(
        response, reverse("appointments:picker", kwargs={"slug": doctor.slug}), fetch_redirect_response=False
    )
    entry = WaitlistEntry.objects.get()
    assert (entry.patient_name, entry.patient_email, entry.part_of_day, entry.privacy_notice_version) == (
        "Asha Rao",
        "asha@example.com",
        "morning",
        1,
    )
    assertContains(
        client.get(response.url), "You are on the waitlist. If a time up to Tuesday 24 November 2026 frees up"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patient_email", "", "Enter an email address"),
        ("not_after", "2026-11-01", "Choose a day from today"),
        ("not_after", "24/11/2026", "Enter a date"),
        ("consent", "", "Please agree to the privacy notice"),
        ("patient_phone", "12", "Enter a valid"),
    ],
)
def test_a_bad_join_form_says_why_keeps_what_was_typed_and_writes_nothing(
    client, doctor, field, value, message
):
    response = client.post(join_url(doctor), join_form(**{field: value}))
    assertContains(response, message, status_code=400)
    assertContains(response, 'value="Asha Rao"', status_code=400)
    assert not WaitlistEntry.objects.exists()


def test_joining_from_the_manage_page_waits_to_move_that_booking(client, doctor, full_week):
    visit = full_week[WED_0900]
    manage = client.get(manage_url(visit))
    url = reverse("waitlist:join-booking", kwargs={"token": manage.context["token"]})
    assertContains(manage, f'href="{url}"')
    form = client.get(url)
    assertContains(form, 'value="2026-11-25"')  # up to the visit's own day, to start with
    assertNotContains(form, 'name="patient_phone"')
    response = client.post(
        url, {"not_after": "2026-11-24", "part_of_day": "any", "patient_email": "p3@example.com"}
    )
    assertRedirects(response, manage_url(visit), fetch_redirect_response=False)
    entry = WaitlistEntry.objects.get()
    assert (entry.appointment, entry.patient_name, entry.patient_phone) == (
        visit,
        visit.patient_name,
        visit.patient_phone,
    )


def test_the_offer_page_takes_the_time_with_one_tap_and_a_get_books_nothing(client, doctor, full_week):
    client.post(join_url(doctor), join_form())
    cancel(full_week[TUE_0920])
    offer = WaitlistOffer.objects.get()
    page = client.get(offer_url(offer))
    assertContains(page, "Tuesday 24 November 2026, 09:20 IST")
    assertContains(page, "holding this time for you alone until 08:15 IST")
    assertContains(page, "Book this time")
    assert not Appointment.objects.filter(patient_name="Asha Rao").exists()
    response = client.post(offer_url(offer), {"action": "accept"})
    appointment = Appointment.objects.get(patient_name="Asha Rao")
    assertRedirects(response, manage_url(appointment), fetch_redirect_response=False)
    assert appointment.starts_at == TUE_0920
    again = client.post(offer_url(offer), {"action": "accept"})
    assertContains(again, "You have taken this time already", status_code=409)


def test_an_expired_offer_says_so_and_books_nothing(client, doctor, full_week, clock):
    client.post(join_url(doctor), join_form())
    cancel(full_week[TUE_0920])
    offer = WaitlistOffer.objects.get()
    clock.shift(timedelta(minutes=15))
    response = client.post(offer_url(offer), {"action": "accept"})
    assertContains(response, "This offer has ended", status_code=409)
    assert not Appointment.objects.filter(patient_name="Asha Rao").exists()


def test_no_thanks_passes_the_time_on(client, doctor, full_week):
    client.post(join_url(doctor), join_form())
    cancel(full_week[TUE_0920])
    offer = WaitlistOffer.objects.get()
    response = client.post(offer_url(offer), {"action": "decline"}, follow=True)
    assertContains(response, "We offer this time to the next person")
    offer.refresh_from_db()
    assert offer.state == OfferState.WITHDRAWN
    assert WaitlistEntry.objects.get().status == EntryStatus.WAITING


@pytest.mark.parametrize("token", ["forged", "eyJhIjoxfQ:1:abc"])
def test_a_forged_offer_link_is_a_404(client, doctor, token):
    assert client.get(reverse("waitlist:offer", kwargs={"token": token})).status_code == 404


def test_staff_see_the_waiting_line_per_doctor_and_day(client, doctor, full_week, front_desk_user):
    client.post(join_url(doctor), join_form(patient_name="Asha Rao"))
    client.post(join_url(doctor), join_form(patient_name="Ravi Menon", patient_phone="98765 43210"))
    cancel(full_week[TUE_0920])
    client.force_login(front_desk_user)
    page = client.get(reverse("waitlist:staff"), {"doctor": doctor.slug, "date": "2026-11-24"})
    text = page.content.decode()
    assert text.index("Asha Rao") < text.index("Ravi Menon")  # in line order
    assertContains(page, "09:20 IST: Asha Rao · Open (held until 08:15 IST)")
    later = client.get(reverse("waitlist:staff"), {"doctor": doctor.slug, "date": "2026-11-25"})
    assertContains(later, "Nobody is waiting.")


def test_the_staff_list_costs_the_same_queries_with_one_waiter_or_many(
    client, doctor, full_week, front_desk_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(join_url(doctor), join_form())
    client.force_login(front_desk_user)
    url = reverse("waitlist:staff")
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"doctor": doctor.slug, "date": "2026-11-24"})
    for number in range(8):
        client.post(
            join_url(doctor), join_form(patient_name=f"Waiter {number}", patient_phone=f"98765 4{number:04d}")
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"doctor": doctor.slug, "date": "2026-11-24"})
    assert len(one) == len(many)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patient_name", "A\u202eB", "hidden or control characters"),
        ("patient_name", "A\x07B", "hidden or control characters"),
        ("patient_name", "\u200b\u200b", "hidden or control characters"),
        ("patient_phone", "+91 80 4000 1234", "not a mobile number"),
        ("patient_phone", "1800 123 4567", "not a mobile number"),
        ("consent", "0", "Please agree to the privacy notice"),
    ],
)
def test_joining_keeps_the_booking_forms_strict_input(client, doctor, field, value, message):
    """The waitlist's details become a booking when an offer is taken: the same rules as the details form
    (issue 10 item 6; found by a tester: these joined, and their offers booked)."""
    response = client.post(join_url(doctor), join_form(**{field: value}))
    assertContains(response, message, status_code=400)
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize("action", [None, "", "acept", "²"])
def test_an_offer_post_without_one_of_its_buttons_changes_nothing(client, doctor, full_week, action):
    """Only "Book this time" or "No thanks" act; anything else (the hostile-input walk posted garbage and
    the offer was taken) is a 400 with the page again."""
    client.post(join_url(doctor), join_form())
    cancel(full_week[TUE_0920])
    offer = WaitlistOffer.objects.get()
    response = client.post(offer_url(offer), {} if action is None else {"action": action})
    assertContains(response, "Choose “Book this time” or “No thanks”.", status_code=400)
    assert not Appointment.objects.filter(patient_name="Asha Rao").exists()
    offer.refresh_from_db()
    assert offer.state == OfferState.OPEN
