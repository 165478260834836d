"""Issue 10 items 5 and 6, input by input: each request that was a 500 or stored something a careful clinic
would refuse, now a clear refusal next to its field (or a 400) with nothing written."""

import uuid
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertFormError

from appointments.models import Appointment, StatusChange
from clinic.lockout import login_username
from clinic.params import ParameterError, parse_count, parse_date, parse_instant, patient_window, staff_window
from clinic.validators import clean_person_name
from doctors.roles import FRONT_DESK
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
START = "2026-11-24T04:30:00Z"  # Tuesday 10:00 IST
EDGE_DATES = ["9999-12-31", "0001-01-01"]
EDGE_STARTS = ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00"]
# "²" and "٣" pass str.isdigit(); the fullwidth and Devanagari ones pass int() and strptime's \d.
FOREIGN_DIGITS = ["²", "٣", "２０２６-１１-２４", "२०२६-११-२४"]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(slug="dr-asha")
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


@pytest.fixture
def desk(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True, groups=[Group.objects.get(name=FRONT_DESK)]))
    return client


def booking(**overrides):
    return {
        "start": START,
        "date": "2026-11-24",
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "patient_email": "asha@example.com",
        "reason": "",
        "visit_type": "first",
        "consent": "on",
    } | overrides


def rows():
    return Appointment.objects.count(), StatusChange.objects.count()


# The parser ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*EDGE_DATES, *FOREIGN_DIGITS, "2026-2-3", "x" * 41, "2026-02-30"])
def test_the_date_parser_refuses_edges_foreign_digits_and_other_shapes(text):
    with pytest.raises(ParameterError):
        parse_date(text, window=staff_window(date(2026, 11, 23)))


def test_the_date_parser_reads_iso_days_inside_the_window_only():
    window = patient_window(date(2026, 11, 23))
    assert parse_date("2026-11-23", window=window) == date(2026, 11, 23)
    with pytest.raises(ParameterError, match="Choose a date from 23 Nov 2026"):
        parse_date("2026-11-22", window=window)


@pytest.mark.parametrize(
    "text", [*EDGE_STARTS, "2026-11-24T04:30:00", "２０２６-11-24T04:30:00Z", "2026-11-24T04:30:00+5:30"]
)
def test_the_instant_parser_refuses_edges_naive_and_foreign_digits(text):
    with pytest.raises(ParameterError):
        parse_instant(text, window=staff_window(date(2026, 11, 23)))


def test_the_instant_parser_reads_offsets_into_utc():
    parsed = parse_instant("2026-11-24T10:00:00+05:30", window=patient_window(date(2026, 11, 23)))
    assert parsed == datetime(2026, 11, 24, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["²", "٣", "", "0", "32", "-1", "1.0", "１"])
def test_the_count_parser_takes_ascii_digits_in_range_only(text):
    with pytest.raises(ParameterError):
        parse_count(text, low=1, high=31)


# Item 5: never a 500 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "2030-01-01"},  # beyond the booking horizon
        {"days": "²"},
        {"days": "٣"},
        {"from": "２０２６-１１-２４"},
    ],
)
def test_the_availability_api_answers_400_to_dates_and_digits_it_cannot_use(client, doctor, query):
    response = client.get(reverse("appointments:api-availability", args=[doctor.slug]), query)
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_the_details_page_sends_an_edge_start_back_to_the_picker(client, doctor, start):
    response = client.get(reverse("appointments:details", args=[doctor.slug]), {"start": start})
    assert response.status_code == 302
    assert response.url == reverse("appointments:picker", args=[doctor.slug])


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_a_booking_post_with_an_edge_start_is_refused_and_writes_nothing(client, doctor, start):
    response = client.post(reverse("appointments:details", args=[doctor.slug]), booking(start=start))
    assert response.status_code == 400
    assert rows() == (0, 0)


@pytest.mark.parametrize("day", [*EDGE_DATES, "２０２６-１１-２４"])
@pytest.mark.parametrize("name", ["staff:day", "staff:print", "staff:book"])
def test_staff_pages_read_an_edge_day_as_unreadable(desk, doctor, name, day):
    response = desk.get(reverse(name), {"date": day, "doctor": doctor.slug})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("day", EDGE_DATES)
def test_the_week_and_the_callers_booking_page_read_an_edge_day_as_unreadable(desk, doctor, day):
    assert desk.get(reverse("staff:week", args=[doctor.slug]), {"start": day}).status_code == 200
    assert desk.get(reverse("staff:book-doctor", args=[doctor.slug]), {"date": day}).status_code == 200


def test_the_export_refuses_a_range_at_the_edge_of_the_calendar(desk, doctor):
    response = desk.get(reverse("staff:export"), {"from": "9999-12-25", "to": "9999-12-31"})
    assert response.status_code == 400
    assert "Choose a date from" in response.content.decode()


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_staff_posts_with_edge_dates_are_refused_and_write_nothing(desk, doctor, start):
    visit = AppointmentFactory(doctor=doctor, starts_at=datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    before = rows()
    url = reverse("staff:book-doctor", args=[doctor.slug])
    assert desk.post(url, booking(start=start, date="9999-12-31")).status_code == 400
    moved = desk.post(reverse("staff:reschedule", args=[visit.reference]), {"start": start, "confirm": "1"})
    assert moved.status_code == 400
    assert rows() == before
    visit.refresh_from_db()
    assert visit.starts_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def test_a_300_character_email_is_refused_next_to_the_field_on_both_booking_forms(client, desk, doctor):
    email = "a" * 288 + "@example.com"
    public = client.post(reverse("appointments:details", args=[doctor.slug]), booking(patient_email=email))
    assert public.status_code == 400
    assertFormError(
        public.context["form"], "patient_email", "Ensure this value has at most 254 characters (it has 300)."
    )
    staff = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), booking(patient_email=email))
    assert staff.status_code == 400
    assert staff.context["form"].errors["patient_email"]
    assert rows() == (0, 0)


@pytest.mark.parametrize("url", ["/staff/login/", "/admin/login/"])
def test_a_256_character_username_is_refused_on_the_form_not_a_500(client, url):
    response = client.post(url, {"username": "u" * 256, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    # django-axes still counts the failure, under a name that fits its column.
    assert all(len(name) <= 150 for name in AccessAttempt.objects.values_list("username", flat=True))


def test_a_username_with_control_characters_is_counted_without_them():
    request = RequestFactory().post("/staff/login/", {"username": "front\x00desk\x1b" + "u" * 300})
    assert login_username(request) == "frontdesk" + "u" * 141
    assert login_username(request, {"username": "a\x07b"}) == "ab"


def admin_add(admin_client, doctor, start, **overrides):
    return admin_client.post(
        reverse("admin:appointments_appointment_add"),
        {
            "doctor": doctor.pk,
            "starts_at_0": start.astimezone(doctor.location.zone).strftime("%Y-%m-%d"),
            "starts_at_1": start.astimezone(doctor.location.zone).strftime("%H:%M:%S"),
            "source": "phone",
            "patient_name": "Ravi Caller",
            "patient_phone": "+919812300000",
            "patient_email": "",
            "visit_type": "first",
            "reason": "",
        }
        | overrides,
    )


def test_an_appointment_added_in_the_admin_is_booked_by_the_service(admin_client, admin_user, doctor):
    response = admin_add(admin_client, doctor, datetime(2026, 11, 24, 4, 30, tzinfo=UTC))
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit = Appointment.objects.get()
    assert len(visit.reference) == 8
    assert visit.location == doctor.location
    assert (visit.ends_at - visit.starts_at).total_seconds() > 0
    assert list(visit.status_changes.values_list("to_status", "by")) == [("booked", admin_user.pk)]


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 11, 24, 4, 30, tzinfo=UTC),  # the same slot
        datetime(2026, 11, 24, 4, 40, tzinfo=UTC),  # overlapping it, off the slot grid
    ],
)
def test_an_overlapping_appointment_added_in_the_admin_is_refused_on_the_form(admin_client, doctor, start):
    AppointmentFactory(doctor=doctor, starts_at=datetime(2026, 11, 24, 4, 30, tzinfo=UTC))
    before = rows()
    response = admin_add(
        admin_client, doctor, start, patient_phone="+919812311111", patient_name="Other Person"
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert rows() == before


def test_the_admin_refuses_a_name_and_a_landline_like_the_public_form(admin_client, doctor):
    start = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
    response = admin_add(
        admin_client, doctor, start, patient_name="\u202eevil", patient_phone="+91 80 4000 1234"
    )
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"patient_name", "patient_phone"}
    assert rows() == (0, 0)


@pytest.mark.parametrize(
    "query",
    [
        "starts_at__year=9999",
        "starts_at__year=9999&starts_at__month=12",
        "starts_at__year=9999&starts_at__month=12&starts_at__day=31",
        "starts_at__year=1",
        "starts_at__year=%C2%B2",
    ],
)
def test_the_appointment_admin_list_answers_edge_years_without_a_500(admin_client, query):
    response = admin_client.get(reverse("admin:appointments_appointment_changelist") + "?" + query)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset=utf-16",  # Django 6.1 refuses it too (BadRequest)
        "application/x-www-form-urlencoded; charset=nonsense-8",
        "multipart/form-data; boundary=x; charset=utf-32",
    ],
)
def test_a_form_body_in_another_charset_is_a_400(client, content_type):
    # Find my booking answers a form it cannot use with 200 and the form's errors: a 400 is the middleware.
    body = "reference=7KQ2M9TX&patient_phone=9812345678".encode("utf-16")
    response = client.generic("POST", reverse("appointments:find-booking"), body, content_type=content_type)
    assert response.status_code == 400
    assert b"<form" not in response.content


@pytest.mark.parametrize("body", [b"reference=%FF%FE", b"reference=\xff", b"patient_phone=%C3"])
def test_a_url_encoded_body_that_is_not_utf8_is_a_400(client, body):
    url = reverse("appointments:find-booking")
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert b"<form" not in response.content


@pytest.mark.parametrize(
    "url", ["/articles/?category=%00", "/doctors/?q=a%00b", "/staff/appointments/%00/", "/calendar/a%00b.ics"]
)
def test_a_nul_in_the_path_or_query_is_a_400(client, desk, url):
    # PostgreSQL cannot compare text holding a NUL: these were 500s there.
    assert client.get(url).status_code == 400
    assert desk.get(url).status_code == 400


@pytest.mark.parametrize("form_format", ["urlencoded", "multipart"])
def test_a_nul_in_a_form_field_is_a_400(client, doctor, form_format):
    url = reverse("appointments:find-booking")
    data = {"reference": "7KQ2M9TX", "patient_phone": "98123\x0045678"}
    if form_format == "multipart":
        response = client.post(url, data)
    else:
        body = "reference=7KQ2M9TX&patient_phone=98123%0045678"
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_a_utf8_form_body_still_reads(client, doctor):
    response = client.post(
        reverse("appointments:details", args=[doctor.slug]),
        "patient_name=Siobh%C3%A1n+O%E2%80%99Brien",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 400  # the form's own errors: nothing else was sent
    assert response.context["form"]["patient_name"].value() == "Siobhán O’Brien"


# Item 6: input a careful clinic would refuse ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\u200b\u200b\u200b", "hidden or control characters"),  # zero-width spaces only
        ("Asha\x1b[31m Rao", "hidden or control characters"),  # ESC
        ("Asha\x07 Rao", "hidden or control characters"),  # BEL
        ("Asha\r\nRao", "hidden or control characters"),  # CR LF
        ("\u202eoaR ahsA", "hidden or control characters"),  # right-to-left override
        ("\u2066Asha\u2069", "hidden or control characters"),  # bidi isolate
        ("\ufeffAsha Rao", "hidden or control characters"),  # byte-order mark
        ("Asha <b>Rao</b>", "letters, spaces, apostrophes"),
        ("Asha Rao 2", "letters, spaces, apostrophes"),
        ("'.-", "Enter the name in letters"),
    ],
)
def test_a_name_that_is_not_printable_text_is_refused_and_nothing_written(client, doctor, name, message):
    response = client.post(reverse("appointments:details", args=[doctor.slug]), booking(patient_name=name))
    assert response.status_code == 400
    assert message in response.context["form"].errors["patient_name"][0]
    assert response.context["form"]["patient_name"].value() == name  # kept as typed
    assert rows() == (0, 0)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Siobhán O’Brien", "Siobhán O’Brien"),
        ("  D'Souza   Anil ", "D'Souza Anil"),
        ("अदिति राव", "अदिति राव"),
        ("St. John-Smith", "St. John-Smith"),
        ("Ana\u00a0Lima", "Ana Lima"),  # a no-break space is a space
        ("Zoe\u0308", "Zoë"),  # a combining mark, composed
    ],
)
def test_real_names_pass_tidied(typed, kept):
    assert clean_person_name(typed) == kept


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("+91 80 4000 1234", "This is not a mobile number"),  # the clinic's own landline
        ("1800 123 4567", "This is not a mobile number"),  # toll-free
        ("1-800-FLOWERS", "in digits"),  # vanity
        ("98123 45678 ext. 99", "has no extension"),
        ("98123 45678 x99", "has no extension"),
        ("98123\x1b45678", "control characters"),
    ],
)
def test_a_number_that_is_not_a_mobile_is_refused_with_a_mobile_example(client, doctor, phone, message):
    response = client.post(reverse("appointments:details", args=[doctor.slug]), booking(patient_phone=phone))
    assert response.status_code == 400
    error = response.context["form"].errors["patient_phone"][0]
    assert message in error
    if "control" not in error:
        assert "+91 81234 56789" in error  # a mobile example, not a landline
    assertContains(response, f'value="{phone}"', status_code=400, html=False) if "\x1b" not in phone else None
    assert rows() == (0, 0)


@pytest.mark.parametrize("phone", ["+91 80 4000 1234", "98123 45678 ext. 99", "1800 123 4567"])
def test_the_staff_form_and_find_my_booking_refuse_the_same_numbers(client, desk, doctor, phone):
    staff = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), booking(patient_phone=phone))
    assert staff.context["form"].errors["patient_phone"]
    found = client.post(
        reverse("appointments:find-booking"), {"reference": "7KQ2M9TX", "patient_phone": phone}
    )
    assert found.context["form"].errors["patient_phone"]
    assert rows() == (0, 0)


def test_a_new_york_number_that_may_be_a_mobile_is_taken(client, doctor):
    response = client.post(
        reverse("appointments:details", args=[doctor.slug]), booking(patient_phone="+1 212 555 0123")
    )
    assert response.status_code == 302
    assert Appointment.objects.get().patient_phone.as_e164 == "+12125550123"


@pytest.mark.parametrize("consent", ["0", "false", "no", "off", "", "On", "1"])
def test_consent_counts_only_from_the_checkbox_own_value(client, desk, doctor, consent):
    response = client.post(reverse("appointments:details", args=[doctor.slug]), booking(consent=consent))
    assert response.status_code == 400
    assert response.context["form"].errors["consent"]
    staff = desk.post(reverse("staff:book-doctor", args=[doctor.slug]), booking(consent=consent))
    assert staff.context["form"].errors["consent"]
    assert rows() == (0, 0)


def test_the_ticked_checkbox_is_agreement(client, doctor):
    page = client.get(reverse("appointments:details", args=[doctor.slug]), {"start": START}, follow=True)
    assertContains(page, 'name="consent" value="on"')
    token = str(page.context["form"]["booking_token"].value())  # the form holds its time for its token
    response = client.post(reverse("appointments:details", args=[doctor.slug]), booking(booking_token=token))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "target", ["0001-01-01", "doctors:list", "/ok\r\nSet-Cookie: a=b", "//evil.example/"]
)
def test_a_next_field_that_is_not_a_path_on_this_site_falls_back(desk, doctor, target):
    visit = AppointmentFactory(doctor=doctor, starts_at=datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    url = reverse("staff:status", args=[visit.reference])
    response = desk.post(url, {"to_status": "confirmed", "next": target})
    assert response.status_code == 302
    assert response.url == reverse("staff:appointment", args=[visit.reference])
