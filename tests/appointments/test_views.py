"""The booking flow end to end through the test client: pick, book, manage, .ics, cancel, reschedule."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import signing
from django.test import override_settings
from django.urls import reverse
from icalendar import Calendar
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.links import SALT, manage_token, manage_url
from appointments.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours
from tests.text import visible_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # Tuesday 10:00 IST
START = "2026-11-24T04:30:00Z"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=LocationFactory(name="Residency Road"))
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


def details_url(doctor, start=START):
    return reverse("appointments:details", kwargs={"slug": doctor.slug}) + f"?start={start}"


def post_data(start=START, **overrides):
    return {
        "start": start,
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "patient_email": "asha@example.com",
        "reason": "Low back pain",
        "visit_type": "first",
        "consent": "on",
    } | overrides


def book(client, doctor, **overrides):
    return client.post(reverse("appointments:details", kwargs={"slug": doctor.slug}), post_data(**overrides))


def test_from_the_card_to_a_confirmed_booking_in_three_screens(client, doctor):
    card_page = client.get(reverse("doctors:list"))
    picker_url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    assertContains(card_page, f'href="{picker_url}"')  # the card's Book Appt.

    picker = client.get(picker_url, {"date": "2026-11-24"})  # screen 1
    assertContains(picker, f"?start={START}")
    details = client.get(details_url(doctor), follow=True)  # screen 2 (holding its time on the way)
    assertContains(details, "Tuesday 24 November 2026, 10:00 IST")
    response = book(client, doctor, booking_token=details.context["form"]["booking_token"].value())
    appointment = Appointment.objects.get()
    assertRedirects(response, manage_url(appointment))
    manage = client.get(response.url)  # screen 3: confirmation = manage page
    for text in [
        appointment.reference,
        "Dr. Meera Kulkarni",
        "Residency Road",
        "10:00",
        "IST",
        "Asia/Kolkata",
        "₹1,000",
        "What to bring",
    ]:
        assertContains(manage, text)
    assert appointment.patient_phone == "+919812345678"
    assert appointment.starts_at == TUESDAY_10


def test_the_manage_url_has_no_patient_data(client, doctor):
    book(client, doctor)
    url = manage_url(Appointment.objects.get())
    for secret in ["Asha", "9812345678", "asha@example.com", "back"]:
        assert secret.lower() not in url.lower()


def test_the_picker_lists_only_free_times_and_swaps_days_with_htmx(client, doctor):
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)
    url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    page = client.get(url, {"date": "2026-11-24"})
    assertNotContains(page, f"?start={START}")
    assertContains(page, "?start=2026-11-24T04:50:00Z")
    fragment = client.get(url, {"date": "2026-11-25"}, headers={"HX-Request": "true"})
    assertNotContains(fragment, "<html")
    assertContains(fragment, "Free times on Wednesday 25 November")
    assertContains(fragment, 'data-hx-get="')


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "x" * 500])
def test_a_bad_picker_date_shows_the_next_days_with_a_message(client, doctor, bad):
    response = client.get(reverse("appointments:picker", kwargs={"slug": doctor.slug}), {"date": bad})
    assert response.status_code == 200
    assertContains(response, "That date could not be read")


def test_the_profile_has_a_slot_picker_and_the_card_the_next_free_time(client, doctor):
    response = client.get(doctor.get_absolute_url())
    assertContains(response, "Next available: Mon 23 Nov, 10:00 IST")
    assertContains(response, "?start=2026-11-23T04:30:00Z")
    other = DoctorFactory(name="Dr. No Hours")
    listing = client.get(reverse("doctors:list"))
    assertContains(listing, "No online times in the next 14 days — call us")
    assert other.name in listing.text


def test_the_start_page_lists_doctors_with_their_next_free_time_and_filters_by_specialty(client, doctor):
    other = DoctorFactory(name="Dr. Other Specialty")
    response = client.get(reverse("appointments:start"), {"specialty": doctor.specialty.slug})
    assertContains(response, doctor.name)
    assertNotContains(response, other.name)
    assertContains(response, "Next available: Mon 23 Nov, 10:00 IST")


def test_the_header_book_button_goes_to_the_start_page(client):
    assertContains(client.get("/"), f'class="btn btn-book" href="{reverse("appointments:start")}"')


# --- bad input: a clear message or a 4xx, and nothing written ---------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patient_phone", "12345", "Enter a valid mobile number"),
        ("patient_name", "A" * 121, "at most 120 characters"),
        ("reason", "r" * 201, "at most 200 characters"),
        ("patient_email", "not-an-email", "Enter a valid email address"),
        ("consent", "", "Please agree to the privacy notice"),
        ("patient_name", "", "Enter the full name of the patient"),
        ("visit_type", "surgery", "Select a valid choice"),
    ],
)
def test_bad_details_are_refused_next_to_the_field_and_kept(client, doctor, field, value, message):
    response = book(client, doctor, **{field: value})
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, "Low back pain" if field != "reason" else "Asha Rao", status_code=400)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("start", "status"),
    [
        ("2026-11-24T04:37:00Z", 400),  # tampered: off the grid
        ("2026-11-24T08:00:00Z", 400),  # 13:30 IST, lunch break
        ("2026-11-20T04:30:00Z", 400),  # in the past
        ("2026-11-24T04:30:00", 400),  # no offset: unreadable
        ("garbage", 400),
    ],
)
def test_a_tampered_past_or_out_of_hours_start_writes_nothing(client, doctor, start, status):
    response = book(client, doctor, start=start)
    assert response.status_code == status
    assert not Appointment.objects.exists()
    assert "not available" in response.text or "could not be read" in response.text


def test_a_bad_start_on_the_details_page_sends_back_to_the_picker(client, doctor):
    picker = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    response = client.get(details_url(doctor, "2026-11-24T04:37:00Z"))  # off the grid: that day's times
    assertRedirects(response, f"{picker}?date=2026-11-24")
    for unusable in ["garbage", "2026-11-20T04:30:00Z", "2027-03-01T04:30:00Z"]:  # unreadable, past, too far
        assertRedirects(client.get(details_url(doctor, unusable)), picker)


# --- issue 13, item 5: a card's "Next available" opens the details form for that time ----------------

NEXT_FREE = "2026-11-23T04:30:00Z"  # Monday 10:00 IST: the first time at least 2 hours after 08:00


@pytest.mark.parametrize("page", ["doctors:list", "appointments:start", "home"])
def test_a_cards_next_available_opens_the_details_form_for_that_time(client, doctor, page):
    listing = client.get(reverse(page))
    assertContains(listing, f'href="{details_url(doctor, NEXT_FREE)}"')
    details = client.get(details_url(doctor, NEXT_FREE), follow=True)  # it holds the time first (issue 15)
    assert details.status_code == 200
    assertContains(details, "Monday 23 November 2026, 10:00 IST")
    assertContains(details, f'value="{NEXT_FREE}"')


def test_the_profiles_next_available_opens_the_details_form_too(client, doctor):
    link = f'<a href="{details_url(doctor, NEXT_FREE)}">Next available: Mon 23 Nov, 10:00 IST</a>'
    assertContains(client.get(doctor.get_absolute_url()), link, html=True)


def test_a_next_available_that_went_meanwhile_falls_back_to_the_picker_on_that_day(client, doctor):
    card_link = details_url(doctor, NEXT_FREE)
    assertContains(client.get(reverse("doctors:list")), f'href="{card_link}"')
    AppointmentFactory(
        doctor=doctor, starts_at=datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    )  # someone was quicker
    response = client.get(card_link, follow=True)
    picker = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    assertRedirects(response, f"{picker}?date=2026-11-23")
    assertContains(response, "That time is not available any more")
    assertContains(response, "?start=2026-11-23T04:50:00Z")  # the same day's next free time
    assert Appointment.objects.count() == 1


# --- issue 13, item 7: days beyond the booking horizon, the mobile field, the link without an email ----


@override_settings(BOOKING_HORIZON_DAYS=30)
def test_days_beyond_the_booking_horizon_say_why_they_have_no_times(client, doctor):
    # Today is Mon 23 Nov: the horizon ends on Wed 23 Dec; its strip runs Mon 21 to Sun 27 Dec.
    url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    response = client.get(url, {"date": "2026-12-22"})
    assertContains(response, f'href="{url}?date=2026-12-23"')  # still bookable: a link
    assertNotContains(response, f'href="{url}?date=2026-12-24"')  # beyond: no link to an empty day
    text = visible_text(response.content)
    assert "Thu 24 Dec opens 24 Nov" in text
    assert "Sun 27 Dec opens 27 Nov" in text
    assert (
        "We take online bookings up to 30 days ahead, so the days after Wed 23 Dec have no times yet" in text
    )
    # Inside the horizon nothing is said about it.
    assert "We take online bookings" not in visible_text(client.get(url, {"date": "2026-11-24"}).content)


def test_a_bad_mobile_number_is_explained_with_a_mobile_example_not_a_landline(client, doctor):
    response = book(client, doctor, patient_phone="12345")
    errors = response.context["form"].errors["patient_phone"]
    assert errors == [
        "Enter a valid mobile number, such as 081234 56789, or with the country code, such as +91 81234 56789."
    ]
    assertNotContains(response, "011 2345 6789", status_code=400)  # the landline example it gave before


def test_the_mobile_field_says_what_the_number_is_for_and_promises_no_text_messages(client, doctor):
    text = visible_text(client.get(details_url(doctor), follow=True).content)
    assert "The clinic may call this number about your appointment" in text
    assert "We do not send text messages." in text
    assert "updates about your appointment to this number" not in text


def test_without_an_email_the_confirmation_says_its_link_is_the_only_way_back_and_offers_to_keep_it(
    client, doctor
):
    response = client.get(book(client, doctor, patient_email="").url)
    link = f"http://testserver{manage_url(Appointment.objects.get())}"
    text = visible_text(response.content)
    assert "Keep this page's link: it is your only way back in" in text
    assert "You did not give an email address, so we cannot send you this link." in text
    # Copying works without JavaScript: a read-only field holding the whole link, selectable.
    assertContains(
        response,
        f'<input class="form-control keep-link__field" id="private-link" type="text" readonly value="{link}" aria-describedby="private-link-hint">',
        html=True,
    )
    assertContains(response, 'src="/static/js/keep-link.js"')
    assertContains(response, "Print this page")


def test_with_an_email_the_confirmation_does_not_warn_about_the_link(client, doctor):
    response = client.get(book(client, doctor).url)
    assertNotContains(response, "only way back in")
    assertNotContains(response, "keep-link.js")


def test_an_inactive_doctor_cannot_be_booked(client, doctor):
    doctor.is_active = False
    doctor.save()
    assert client.get(details_url(doctor)).status_code == 404
    assert book(client, doctor).status_code == 404
    assert client.get(reverse("appointments:picker", kwargs={"slug": doctor.slug})).status_code == 404
    assert not Appointment.objects.exists()


def test_a_lost_race_keeps_the_details_and_offers_the_three_nearest_times(client, doctor):
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)
    response = book(client, doctor)
    assert response.status_code == 409
    assertContains(response, "that time was just taken", status_code=409)
    assertContains(response, 'value="Asha Rao"', status_code=409)
    # 09:40 and 10:20 are 20 minutes away; of 09:20 and 10:40 (40 minutes) the earlier wins.
    assert [slot.start_param for slot in response.context["alternatives"]] == [
        "2026-11-24T03:50:00Z",
        "2026-11-24T04:10:00Z",
        "2026-11-24T04:50:00Z",
    ]
    assertContains(response, 'name="start" value="2026-11-24T04:50:00Z"', status_code=409)
    assert Appointment.objects.count() == 1


def test_a_double_clicked_submit_books_once_and_shows_it(client, doctor):
    data = post_data()
    url = reverse("appointments:details", kwargs={"slug": doctor.slug})
    first = client.post(url, data)
    second = client.post(url, data)
    assert Appointment.objects.count() == 1
    assert first.url == second.url == manage_url(Appointment.objects.get())


# --- manage link ------------------------------------------------------------------------------


@pytest.fixture
def appointment(doctor):
    return AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10, ends_at=TUESDAY_10 + timedelta(minutes=20))


def test_forged_or_tampered_manage_tokens_404(client, appointment):
    forged = [
        "nonsense",
        signing.dumps([appointment.pk, "wrong-key"], salt=SALT),
        signing.dumps([appointment.pk, appointment.manage_key], salt="another-salt"),
        manage_token(appointment)[:-2] + "xx",
    ]
    for token in forged:
        for name in ["manage", "cancel", "reschedule", "calendar"]:
            assert client.get(reverse(f"appointments:{name}", kwargs={"token": token})).status_code == 404


def test_a_manage_link_expires_30_days_after_the_visit(client, appointment):
    url = manage_url(appointment)
    with time_machine.travel(appointment.ends_at + timedelta(days=29), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(appointment.ends_at + timedelta(days=31), tick=False):
        response = client.get(url)
        assert response.status_code == 410
        assertContains(response, "This link has expired", status_code=410)


def test_the_ics_has_the_visit_in_clinic_time_with_a_vtimezone(client, appointment):
    response = client.get(reverse("appointments:calendar", kwargs={"token": manage_token(appointment)}))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Kolkata"
    assert (start.hour, start.minute) == (10, 0)
    assert event["dtstart"].params["TZID"] == "Asia/Kolkata"
    assert event.decoded("dtend") - start == timedelta(minutes=20)
    assert appointment.reference in str(event["description"])
    assert "Dr. Meera Kulkarni" in str(event["summary"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Kolkata"]
    assert appointment.patient_name not in response.text


def test_cancel_asks_first_then_frees_the_slot(client, appointment):
    url = reverse("appointments:cancel", kwargs={"token": manage_token(appointment)})
    assertContains(client.get(url), "Yes, cancel it")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    response = client.post(url, {"reason": "Feeling better"})
    assertRedirects(response, manage_url(appointment))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancel_reason == "Feeling better"
    assertContains(client.get(manage_url(appointment)), "This appointment is cancelled")
    picker = client.get(
        reverse("appointments:picker", kwargs={"slug": appointment.doctor.slug}), {"date": "2026-11-24"}
    )
    assertContains(picker, f"?start={START}")


def test_reschedule_moves_and_keeps_the_reference(client, appointment):
    url = reverse("appointments:reschedule", kwargs={"token": manage_token(appointment)})
    page = client.get(url, {"date": "2026-11-26"})
    assertContains(page, 'value="2026-11-26T03:30:00Z"')
    response = client.post(url, {"start": "2026-11-26T03:30:00Z", "confirm": "on"})
    assertRedirects(response, manage_url(appointment))
    moved = Appointment.objects.get()
    assert moved.reference == appointment.reference
    assert moved.starts_at == datetime(2026, 11, 26, 3, 30, tzinfo=UTC)


def test_reschedule_to_a_taken_time_is_refused(client, appointment):
    AppointmentFactory(doctor=appointment.doctor, starts_at=TUESDAY_10 + timedelta(hours=1))
    url = reverse("appointments:reschedule", kwargs={"token": manage_token(appointment)})
    for step in [{}, {"confirm": "on"}]:  # refused when asked, and when confirmed
        response = client.post(url, {"start": "2026-11-24T05:30:00Z"} | step)
        assertContains(response, "just taken", status_code=409)
    appointment.refresh_from_db()
    assert appointment.starts_at == TUESDAY_10


def test_cancel_and_reschedule_are_refused_past_the_cut_off_with_the_policy(client, appointment):
    token = manage_token(appointment)
    with time_machine.travel(TUESDAY_10 - timedelta(hours=3), tick=False):
        manage = client.get(manage_url(appointment))
        assertContains(manage, "Online changes for this appointment closed at Tue 24 Nov, 06:00 IST")
        assertNotContains(manage, '/cancel/"')  # the page signs its links anew: no Cancel link of any token
        cancel = client.post(reverse("appointments:cancel", kwargs={"token": token}))
        assertContains(cancel, "Online changes close 4 hours before", status_code=403)
        for step in [{}, {"confirm": "on"}]:
            move = client.post(
                reverse("appointments:reschedule", kwargs={"token": token}),
                {"start": "2026-11-26T03:30:00Z"} | step,
            )
            assertContains(move, "Online changes close 4 hours before", status_code=403)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.starts_at == TUESDAY_10


# --- rate limit -------------------------------------------------------------------------------


@override_settings(BOOKING_ATTEMPT_LIMIT=3)
def test_booking_posts_past_the_attempt_limit_get_a_friendly_429(client, doctor):
    for _ in range(3):
        assert book(client, doctor, patient_phone="12").status_code == 400
    response = book(client, doctor)
    assert response.status_code == 429
    assertContains(response, "Too many attempts", status_code=429)
    assert not Appointment.objects.exists()
    assert (
        client.get(details_url(doctor, "2026-11-24T05:30:00Z"), follow=True).status_code == 200
    )  # reading is never limited
    other_ip = client.post(
        reverse("appointments:details", kwargs={"slug": doctor.slug}), post_data(), REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 302


# --- JSON availability ------------------------------------------------------------------------


def api(client, doctor, **params):
    return client.get(reverse("appointments:api-availability", kwargs={"slug": doctor.slug}), params)


def test_the_api_lists_free_slots_with_offsets_and_the_time_zone(client, doctor):
    AppointmentFactory(doctor=doctor, starts_at=TUESDAY_10)
    data = api(client, doctor, **{"from": "2026-11-24", "days": "1"}).json()
    assert data["time_zone"] == "Asia/Kolkata"
    starts = [slot["start"] for slot in data["slots"]]
    assert starts[0] == "2026-11-24T09:00:00+05:30"
    assert "2026-11-24T10:00:00+05:30" not in starts
    assert data["slots"][0]["end"] == "2026-11-24T09:20:00+05:30"
    assert len(starts) == 12 + 9 - 1


@pytest.mark.parametrize(
    "params",
    [
        {"from": "24-11-2026"},
        {"from": "2026-02-30"},
        {"from": "20261124"},
        {"from": "2026-11-01"},
        {"days": "0"},
        {"days": "32"},
        {"days": "-1"},
        {"days": "seven"},
        {"colour": "blue"},
    ],
)
def test_bad_api_parameters_get_a_json_400(client, doctor, params):
    response = api(client, doctor, **params)
    assert response.status_code == 400
    assert "error" in response.json()


def test_the_api_404s_for_an_unknown_or_inactive_doctor(client, doctor):
    doctor.is_active = False
    doctor.save()
    assert api(client, doctor).status_code == 404
