"""The staff side through the test client: schedules, status changes, booking a caller, find, print,
CSV, calendar feeds and sign-in lockout."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    CalendarFeed,
    StaffProfile,
    StatusChange,
)
from appointments.services import calendar_feed_rotate
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours

pytestmark = pytest.mark.django_db

S = AppointmentStatus
NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST
TEN_THIRTY = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 10:30 IST, started
TOMORROW_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def location():
    return LocationFactory(name="Residency Road", slug="residency-road")


@pytest.fixture
def doctor(location):
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=location)
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def priya(doctor):
    return AppointmentFactory(
        doctor=doctor,
        starts_at=TEN_THIRTY,
        patient_name="Priya Sharma",
        patient_phone="+919812345678",
        reason="Low back pain",
        source=AppointmentSource.PHONE,
        booked_at=NOW - timedelta(days=2),  # long past the grace period of a fresh booking
    )


def status_url(appointment):
    return reverse("staff:status", args=[appointment.reference])


# Day schedule ---------------------------------------------------------------------------------


def test_the_day_schedule_shows_every_doctor_working_with_appointments_and_free_times(desk, doctor, priya):
    other = DoctorFactory(name="Dr. Arjun Rao", location=doctor.location)
    week_hours(other, weekdays=[0])
    DoctorFactory(name="Dr. Not Today", location=doctor.location)  # no hours on Mondays
    response = desk.get(reverse("staff:day"))
    for text in [
        "Dr. Meera Kulkarni",
        "Dr. Arjun Rao",
        "Priya Sharma",
        "+91 98123 45678",
        "Low back pain",
        "10:30",
        "Phone",
        "Booked",
    ]:
        assertContains(response, text)
    assertNotContains(response, "Dr. Not Today")
    assertContains(response, "Residency Road: Monday 23 November 2026")
    # Free times from now on, bookable for a caller without the two hours' notice.
    assertContains(response, "?date=2026-11-23&amp;start=2026-11-23T05:50:00Z")  # 11:20 IST
    assertNotContains(response, "start=2026-11-23T04:30:00Z")  # 10:00 IST has passed
    assertContains(response, 'Check in<span class="visually-hidden"> Priya S., 10:30</span>', html=False)


def test_the_day_schedule_follows_the_date_and_location_in_its_own_time_zone(desk, doctor):
    far = LocationFactory(name="Dubai branch", slug="dubai", time_zone="Asia/Dubai")
    dubai_doctor = DoctorFactory(name="Dr. Dubai", location=far)
    week_hours(dubai_doctor, weekdays=[1])
    AppointmentFactory(
        doctor=dubai_doctor,
        location=far,
        starts_at=datetime(2026, 11, 24, 5, 0, tzinfo=UTC),
        patient_name="Omar",
    )
    response = desk.get(reverse("staff:day"), {"date": "2026-11-24", "location": "dubai"})
    assertContains(response, "Dr. Dubai")
    assertContains(response, "09:00")  # 05:00 UTC is 09:00 in Dubai
    assertNotContains(response, "Dr. Meera Kulkarni")


def test_a_malformed_date_shows_today_with_a_message(desk, doctor):
    response = desk.get(reverse("staff:day"), {"date": "2026-13-45"})
    assert response.status_code == 200
    assertContains(response, "could not be read")
    assertContains(response, "Monday 23 November 2026")


def test_the_day_opens_at_the_users_default_location(desk, front_desk_user, doctor):
    other = LocationFactory(name="Whitefield", slug="aaa-first")
    StaffProfile.objects.create(user=front_desk_user, default_location=doctor.location)
    assertContains(desk.get(reverse("staff:day")), "Residency Road: Monday")
    StaffProfile.objects.filter(user=front_desk_user).update(default_location=other)
    assertContains(desk.get(reverse("staff:day")), "Whitefield: Monday")


def fill_day(doctors, per_doctor):
    rows = []
    for doctor in doctors:
        for number in range(per_doctor):
            start = datetime(2026, 11, 23, 3, 30, tzinfo=UTC) + timedelta(minutes=10 * number)
            rows.append(
                Appointment(
                    doctor=doctor,
                    location=doctor.location,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=10),
                    patient_name=f"P {doctor.pk} {number}",
                    patient_phone=f"+91981{doctor.pk:03d}{number:04d}",
                    reference=f"Q{doctor.pk:03d}{number:04d}",
                )
            )
    Appointment.objects.bulk_create(rows)


def day_cost(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("staff:day"), {"date": "2026-11-23", "location": "residency-road"})
    assert response.status_code == 200
    return len(captured), response


def test_the_day_schedule_costs_the_same_with_3_or_40_doctors_and_10_or_1000_appointments(
    client, front_desk_user, location
):
    client.force_login(front_desk_user)
    doctors = [DoctorFactory(location=location) for _ in range(40)]
    for doctor in doctors:
        week_hours(doctor, weekdays=[0], intervals=[(time(9, 0), time(17, 0))])
    small = [d.pk for d in doctors[3:]]
    from appointments.models import WorkingHours

    hidden = WorkingHours.objects.filter(doctor_id__in=small)
    hidden.update(weekday=3)  # only three doctors work on Mondays
    fill_day(doctors[:3], 4)  # 12 appointments
    few, response = day_cost(client)
    assert len(response.context["grid"].columns) == 3
    hidden.update(weekday=0)
    fill_day(doctors[3:], 27)  # 999 more: 1,011 appointments, 40 doctors
    many, response = day_cost(client)
    assert len(response.context["grid"].columns) == 40
    assert Appointment.objects.count() == 1011
    cells = [cell for column in response.context["grid"].columns for cell in column.cells]
    assert sum(cell.kind == "visit" for cell in cells) == 1011
    assert any(cell.kind == "free" for cell in cells)
    assert few == many


# Week view ------------------------------------------------------------------------------------


def test_the_week_view_lists_a_doctors_appointments_by_local_day(desk, doctor, priya):
    AppointmentFactory(doctor=doctor, starts_at=TOMORROW_10, patient_name="Tomorrow Patient")
    response = desk.get(reverse("staff:week", args=[doctor.slug]), {"start": "2026-11-23"})
    days = dict(response.context["days"])
    assert [a.patient_name for a in days[date(2026, 11, 23)]] == ["Priya Sharma"]
    assert [a.patient_name for a in days[date(2026, 11, 24)]] == ["Tomorrow Patient"]


def test_a_doctor_sees_only_their_own_schedule(client, make_doctor_user, doctor, priya):
    rival = DoctorFactory(name="Dr. Rival", location=doctor.location)
    week_hours(rival, weekdays=[0])
    AppointmentFactory(doctor=rival, starts_at=TEN_THIRTY, patient_name="Secret Patient")
    client.force_login(make_doctor_user(doctor))
    day = client.get(reverse("staff:day"))
    assertContains(day, "Priya Sharma")
    assertNotContains(day, "Secret Patient")
    assertNotContains(day, "Dr. Rival")
    assert client.get(reverse("staff:week", args=[rival.slug])).status_code == 404
    rival_appointment = Appointment.objects.get(patient_name="Secret Patient")
    assert client.get(reverse("staff:appointment", args=[rival_appointment.reference])).status_code == 404
    # Doctors read; they do not run the desk.
    assertNotContains(day, "Check in")
    assert client.post(status_url(priya), {"to_status": "checked_in"}).status_code == 403


# Status workflow ------------------------------------------------------------------------------


def test_a_status_change_without_javascript_redirects_back_with_a_message(desk, priya):
    back = reverse("staff:day") + "?date=2026-11-23"
    response = desk.post(status_url(priya), {"to_status": "checked_in", "next": back})
    assertRedirects(response, back, fetch_redirect_response=False)
    priya.refresh_from_db()
    assert priya.status == S.CHECKED_IN
    assertContains(desk.get(back), "is now checked in")


def test_a_status_change_with_htmx_returns_the_card_to_swap_in_place(desk, priya):
    response = desk.post(status_url(priya), {"to_status": "confirmed"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<article class="appt appt--confirmed" id="appt-{priya.reference}"')
    assert "<html" not in html
    assert "Check in<span" in html  # the next step's button


def test_an_illegal_change_is_refused_in_words(desk, priya):
    priya.status = S.COMPLETED
    priya.save()
    response = desk.post(status_url(priya), {"to_status": "no_show"}, headers={"HX-Request": "true"})
    assertContains(response, "cannot become no-show")
    assert Appointment.objects.get().status == S.COMPLETED


def test_the_next_url_must_stay_on_this_site(desk, priya):
    response = desk.post(status_url(priya), {"to_status": "confirmed", "next": "https://evil.example/"})
    assertRedirects(
        response, reverse("staff:appointment", args=[priya.reference]), fetch_redirect_response=False
    )


def test_get_never_changes_a_status(desk, priya):
    response = desk.get(status_url(priya), {"to_status": "checked_in"})
    assert response.status_code == 405
    assert Appointment.objects.get().status == S.BOOKED


def test_state_changes_need_the_csrf_token(front_desk_user, priya, doctor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk_user)
    assert client.post(status_url(priya), {"to_status": "checked_in"}).status_code == 403
    assert client.post(reverse("staff:feed-rotate", args=[doctor.slug])).status_code == 403
    assert client.post(reverse("staff:find"), {"q": "Priya"}).status_code == 403
    assert Appointment.objects.get().status == S.BOOKED
    assert not CalendarFeed.objects.exists()
    page = client.get(reverse("staff:day"))
    token = page.context["csrf_token"]
    assert (
        client.post(status_url(priya), {"to_status": "checked_in", "csrfmiddlewaretoken": token}).status_code
        == 302
    )
    assert Appointment.objects.get().status == S.CHECKED_IN


def test_the_appointment_page_shows_failed_emails_to_staff(desk, priya):
    from notifications.models import Message, MessageKind, MessageState

    Message.objects.create(
        appointment=priya,
        kind=MessageKind.CONFIRMATION,
        due_at=priya.starts_at - timedelta(days=1),
        planned_for=priya.starts_at,
        state=MessageState.FAILED,
        attempts=5,
        last_error="SMTP 421 mail server busy",
    )
    page = desk.get(reverse("staff:appointment", args=[priya.reference]))
    assertContains(page, "SMTP 421 mail server busy")
    assertContains(page, '<tr class="table-danger">')


def test_the_appointment_page_shows_the_audit_trail_and_a_staff_cancel(desk, front_desk_user, priya):
    desk.post(status_url(priya), {"to_status": "confirmed"})
    desk.post(status_url(priya), {"to_status": "cancelled", "note": "Called to cancel"})
    page = desk.get(reverse("staff:appointment", args=[priya.reference]))
    assertContains(page, front_desk_user.username)
    assertContains(page, "Called to cancel")
    assertContains(page, "staff override of the cut-off")  # 10:30 today is well past the cut-off
    assert list(StatusChange.objects.values_list("from_status", "to_status")) == [
        (S.BOOKED, S.CONFIRMED),
        (S.CONFIRMED, S.CANCELLED),
    ]


def test_staff_can_move_a_visit_past_the_cut_off(desk, doctor, priya):
    priya.starts_at = datetime(2026, 11, 23, 6, 50, tzinfo=UTC)  # 12:20 IST, inside the cut-off
    priya.ends_at = priya.starts_at + timedelta(minutes=20)
    priya.save()
    page = desk.get(reverse("staff:reschedule", args=[priya.reference]))
    assert page.status_code == 200
    response = desk.post(
        reverse("staff:reschedule", args=[priya.reference]), {"start": "2026-11-24T04:30:00Z"}
    )
    assertRedirects(
        response, reverse("staff:appointment", args=[priya.reference]), fetch_redirect_response=False
    )
    priya.refresh_from_db()
    assert priya.starts_at == TOMORROW_10
    assert priya.status_changes.get().override


# Booking for a caller -------------------------------------------------------------------------


def caller(**overrides):
    return {
        "start": "2026-11-23T06:10:00Z",  # 11:40 IST: inside the online minimum notice
        "date": "2026-11-23",
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Ravi Caller",
        "patient_phone": "98123 00000",
        "patient_email": "",
        "reason": "",
        "visit_type": "first",
        "consent": "on",
    } | overrides


def test_the_caller_form_explains_a_bad_mobile_with_a_mobile_example(desk, front_desk_user, doctor):
    url = reverse("staff:book-doctor", args=[doctor.slug])
    page = desk.get(url, {"date": "2026-11-23"})
    assertContains(page, "The clinic may call this number about the visit. No text messages are sent.")
    assertNotContains(page, "Updates about the visit go to this number.")
    response = desk.post(url, caller(patient_phone="12345"))
    assertContains(response, "Enter a valid mobile number, such as 081234 56789", status_code=400)
    assertNotContains(response, "011 2345 6789", status_code=400)


def test_the_front_desk_books_a_caller_inside_the_minimum_notice(desk, front_desk_user, doctor):
    start = desk.get(reverse("staff:book"), {"doctor": doctor.slug, "date": "2026-11-23"})
    assertRedirects(
        start,
        reverse("staff:book-doctor", args=[doctor.slug]) + "?date=2026-11-23",
        fetch_redirect_response=False,
    )
    page = desk.get(start.url)
    assertContains(page, 'value="2026-11-23T06:10:00Z"')
    response = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), caller())
    appointment = Appointment.objects.get()
    assertRedirects(
        response, reverse("staff:appointment", args=[appointment.reference]), fetch_redirect_response=False
    )
    assert (appointment.source, appointment.starts_at) == (
        AppointmentSource.PHONE,
        datetime(2026, 11, 23, 6, 10, tzinfo=UTC),
    )
    assert appointment.status_changes.get().by == front_desk_user


def test_booking_a_caller_into_a_taken_slot_keeps_the_details_and_says_so(desk, doctor):
    AppointmentFactory(doctor=doctor, starts_at=datetime(2026, 11, 23, 6, 10, tzinfo=UTC))
    response = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), caller())
    assert response.status_code == 409
    assertContains(response, "just taken", status_code=409)
    assertContains(response, 'value="Ravi Caller"', status_code=409)
    assert Appointment.objects.count() == 1


def test_a_double_submitted_phone_booking_books_once(desk, doctor):
    data = caller()
    desk.post(reverse("staff:book-doctor", args=[doctor.slug]), data)
    desk.post(reverse("staff:book-doctor", args=[doctor.slug]), data)
    assert Appointment.objects.count() == 1


def test_a_phone_booking_form_resent_with_another_number_is_refused_like_a_stale_form(desk, doctor):
    data = caller()
    first = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), data)
    booked = Appointment.objects.get()
    assert first.status_code == 302
    again = desk.post(
        reverse("staff:book-doctor", args=[doctor.slug]), data | {"patient_phone": "98123 11111"}
    )
    assertContains(again, "This form was already used for a booking", status_code=409)
    assertContains(again, 'value="98123 11111"', status_code=409)
    assertNotContains(again, f'name="booking_token" value="{data["booking_token"]}"', status_code=409)
    assert list(Appointment.objects.all()) == [booked]


# Find -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["priya", "Sharma", "98123 45678", "+919812345678", "REF"])
def test_find_by_reference_mobile_or_any_part_of_the_name(desk, priya, query):
    AppointmentFactory(patient_name="Someone Else", patient_phone="+919800000000")
    query = priya.reference.lower() if query == "REF" else query
    response = desk.post(reverse("staff:find"), {"q": query})
    assert [a.pk for a in response.context["page_obj"]] == [priya.pk]


def test_find_is_paginated_by_post_and_puts_nothing_in_the_url(desk, doctor):
    for number in range(25):
        AppointmentFactory(
            doctor=doctor,
            patient_name=f"Kavya {number}",
            starts_at=NOW + timedelta(days=1, minutes=20 * number),
        )
    response = desk.post(reverse("staff:find"), {"q": "kavya"})
    assert len(response.context["page_obj"]) == 20
    assertContains(response, 'name="page" value="2"')
    assert len(desk.post(reverse("staff:find"), {"q": "kavya", "page": "2"}).context["page_obj"]) == 5
    assertNotContains(desk.get(reverse("staff:find")), "Kavya")  # GET only shows the form


def test_a_doctor_finds_only_their_own_patients(client, make_doctor_user, doctor, priya):
    AppointmentFactory(patient_name="Priya Other")  # another doctor's patient
    client.force_login(make_doctor_user(doctor))
    response = client.post(reverse("staff:find"), {"q": "priya"})
    assert [a.pk for a in response.context["page_obj"]] == [priya.pk]


# Print and CSV --------------------------------------------------------------------------------


def test_the_print_view_is_a_bare_day_sheet(desk, priya):
    response = desk.get(reverse("staff:print"), {"date": "2026-11-23", "location": "residency-road"})
    assertContains(response, "Priya Sharma")
    assertContains(response, "css/print.css")
    assertNotContains(response, "site-header")
    assertNotContains(response, "Book Appt.")
    assertNotContains(response, "<form")


def read_csv(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")  # the UTF-8 byte-order mark Excel needs for non-English names
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_csv_export_is_streamed_in_local_time_with_the_zone_and_offset(desk, doctor, priya):
    AppointmentFactory(doctor=doctor, starts_at=NOW + timedelta(days=10))  # outside the range
    response = desk.get(
        reverse("staff:export"), {"from": "2026-11-23", "to": "2026-11-29", "location": "residency-road"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "reference",
        "date",
        "time",
        "time_zone",
        "starts_at",
        "doctor",
        "location",
        "patient_name",
        "mobile",
        "status",
        "source",
    ]
    assert rows[1:] == [
        [
            priya.reference,
            "2026-11-23",
            "10:30",
            "IST",
            "2026-11-23T10:30+05:30",
            "Dr. Meera Kulkarni",
            "Residency Road",
            "Priya Sharma",
            "+91 98123 45678",  # spaced, so no spreadsheet reads a number; never "guarded"
            "Booked",
            "Phone",
        ]
    ]


def test_the_csv_export_neutralises_formulas_and_quotes_safely(desk, doctor):
    AppointmentFactory(doctor=doctor, starts_at=TEN_THIRTY, patient_name='=HYPERLINK("http://x","Rao, "A"")')
    rows = read_csv(
        desk.get(reverse("staff:export"), {"from": "2026-11-23", "to": "2026-11-23", "doctor": doctor.slug})
    )
    assert rows[1][rows[0].index("patient_name")] == '\'=HYPERLINK("http://x","Rao, "A"")'
    assert len(rows[1]) == len(rows[0])  # the commas and quotes stayed inside one cell


def test_a_doctor_cannot_export_another_doctors_appointments(client, make_doctor_user, doctor, priya):
    rival = DoctorFactory()
    AppointmentFactory(doctor=rival, starts_at=TEN_THIRTY, patient_name="Secret")
    client.force_login(make_doctor_user(doctor))
    assert (
        client.get(
            reverse("staff:export"), {"from": "2026-11-23", "to": "2026-11-23", "doctor": rival.slug}
        ).status_code
        == 404
    )
    rows = read_csv(client.get(reverse("staff:export"), {"from": "2026-11-23", "to": "2026-11-23"}))
    name = rows[0].index("patient_name")
    assert [row[name] for row in rows[1:]] == ["Priya Sharma"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-30", "to": "2026-11-23"},
        {"from": "2026-01-01", "to": "2026-12-31"},
        {"from": "x", "to": "y"},
    ],
)
def test_a_bad_export_range_is_a_400(desk, params):
    assert desk.get(reverse("staff:export"), params).status_code == 400


# Calendar feeds -------------------------------------------------------------------------------


def test_the_feed_carries_initials_and_reference_only_and_rotating_kills_the_old_url(desk, doctor, priya):
    AppointmentFactory(doctor=doctor, starts_at=TOMORROW_10, status=S.CANCELLED, patient_name="Gone Patient")
    week = reverse("staff:week", args=[doctor.slug])
    assertRedirects(
        desk.post(reverse("staff:feed-rotate", args=[doctor.slug])), week, fetch_redirect_response=False
    )
    old = CalendarFeed.objects.get().token
    feed_url = reverse("appointments:doctor-feed", args=[old])
    assertContains(desk.get(week), feed_url)
    body = Client().get(feed_url)
    assert body["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(body.content).walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [f"P.S. · {priya.reference}"]
    text = body.content.decode()
    for private in ["Priya", "Sharma", "98123", "+91", "Low back pain", "Gone"]:
        assert private not in text
    desk.post(reverse("staff:feed-rotate", args=[doctor.slug]))
    assert Client().get(feed_url).status_code == 404
    assert (
        Client().get(reverse("appointments:doctor-feed", args=[CalendarFeed.objects.get().token])).status_code
        == 200
    )


def test_a_doctor_may_rotate_their_own_feed_but_not_anothers(client, make_doctor_user, doctor):
    rival = DoctorFactory()
    client.force_login(make_doctor_user(doctor))
    client.post(reverse("staff:feed-rotate", args=[doctor.slug]))
    assert CalendarFeed.objects.filter(doctor=doctor).exists()
    assert client.post(reverse("staff:feed-rotate", args=[rival.slug])).status_code == 404
    assert not CalendarFeed.objects.filter(doctor=rival).exists()


def test_an_unknown_feed_token_is_a_404(client, doctor):
    calendar_feed_rotate(doctor=doctor)
    assert client.get(reverse("appointments:doctor-feed", args=["not-a-token"])).status_code == 404


# Sign-in --------------------------------------------------------------------------------------


def test_staff_sign_in_lands_on_the_day_schedule_and_sign_out_is_a_post(client, front_desk_user):
    response = client.post(
        reverse("staff:login"),
        {"username": front_desk_user.username, "password": "correct horse battery staple"},
    )
    assertRedirects(response, reverse("staff:day"), fetch_redirect_response=False)
    assert client.get(reverse("staff:logout")).status_code == 405
    assert client.get(reverse("staff:day")).status_code == 200  # still signed in
    assertRedirects(
        client.post(reverse("staff:logout")), reverse("staff:login"), fetch_redirect_response=False
    )
    assert client.get(reverse("staff:day")).status_code == 302


def test_sign_in_locks_out_after_the_configured_number_of_failures(client, front_desk_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    login = reverse("staff:login")
    for _ in range(2):
        response = client.post(login, {"username": front_desk_user.username, "password": "wrong"})
        assertContains(response, "Please enter a correct username")
    response = client.post(login, {"username": front_desk_user.username, "password": "wrong"})
    assert response.status_code == 429
    assertContains(response, "Sign-in locked for now", status_code=429)
    # Now even the right password is refused, on the staff login and the admin login alike.
    right = {"username": front_desk_user.username, "password": "correct horse battery staple"}
    assert client.post(login, right).status_code == 429
    assert client.post(reverse("admin:login"), right).status_code == 429
    assert client.get(reverse("staff:day")).status_code == 302  # not signed in


def test_the_lockout_is_counted_in_the_database_so_every_app_server_sees_it(
    client, front_desk_user, settings
):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("staff:login"), {"username": front_desk_user.username, "password": "wrong"})
    assert AccessAttempt.objects.get(username=front_desk_user.username).failures_since_start == 2
    other_server = Client()  # a fresh client, same address: no shared process memory involved
    right = {"username": front_desk_user.username, "password": "correct horse battery staple"}
    assert other_server.post(reverse("staff:login"), right).status_code == 429


# Admin ----------------------------------------------------------------------------------------


def test_the_admin_shows_the_audit_trail_read_only_and_links_both_ways(admin_client, front_desk_user, priya):
    from appointments.services import appointment_set_status

    appointment_set_status(appointment=priya, to_status=S.CONFIRMED, by=front_desk_user, note="Phoned back")
    page = admin_client.get(reverse("admin:appointments_appointment_change", args=[priya.pk]))
    assertContains(page, "Phoned back")
    assertNotContains(page, 'name="status_changes-0-note"')  # shown, not editable
    assertNotContains(page, 'name="status"')  # the status changes through the workflow only
    assertContains(page, reverse("staff:appointment", args=[priya.reference]))  # "View on site"
    assertContains(admin_client.get(reverse("admin:index")), f'href="{reverse("staff:day")}"')
    staff_page = admin_client.get(reverse("staff:appointment", args=[priya.reference]))
    assertContains(staff_page, reverse("admin:appointments_appointment_change", args=[priya.pk]))


def test_the_appointment_admin_searches_references_only_and_points_to_staff_find(admin_client, priya):
    changelist = reverse("admin:appointments_appointment_changelist")
    row = 'class="field-reference"'
    assertContains(admin_client.get(changelist, {"q": priya.reference.lower()}), row, count=1)
    by_name = admin_client.get(changelist, {"q": priya.patient_name})
    assertNotContains(by_name, row)
    assertContains(by_name, f'use <a href="{reverse("staff:find")}">Find</a>')
    assertNotContains(admin_client.get(changelist, {"q": "+919812345678"}), row)
