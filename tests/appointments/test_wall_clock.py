"""Every time a patient or staff member sees is the location's wall clock with its abbreviation.

Issue 10 item 2: a 09:00 visit at a Europe/London location showed "14:30–15:00 IST" on the manage
page, because `|date` turned the localised time back into the server's zone (Asia/Kolkata). Each test
here renders a page, email, export or calendar file for a 09:00 visit at a London and a New York
location, in winter and in summer, and asserts the wall-clock time with GMT/BST or EST/EDT, and that
the visit's Kolkata time appears nowhere in the visible text.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from appointments.links import manage_url
from appointments.models import Appointment, AppointmentStatus, TimeOff
from appointments.my_appointments import visit_list_url
from appointments.services import appointment_book, calendar_feed_rotate
from notifications.emails import build
from notifications.links import feedback_url
from notifications.models import Message, MessageKind
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours

pytestmark = pytest.mark.django_db

PHONE = "+919812345678"
NAME = "Asha Rao"


@dataclass(frozen=True)
class Visit:
    """A 09:00 Monday visit (20 minutes) and how each style must read it; booked 3 days ahead at 07:07."""

    id: str
    zone: str
    start: datetime  # UTC
    abbreviation: str
    full: str
    span: str
    short: str
    medium: str
    day: str
    iso: str
    kolkata: str  # the same instant on the server's default wall clock: must never be shown
    reminder_due: str  # 24 hours before, "medium"
    booked_at: str  # when it was booked (the travelled "now"), "numeric"
    booked_medium: str  # the same, "medium"
    later_full: str  # the 09:20 slot, "full"
    later_short: str  # the 09:20 slot, "short"

    @property
    def now(self) -> datetime:
        return self.start - timedelta(days=3, hours=1, minutes=53)


VISITS = [
    Visit(
        id="london-winter",
        zone="Europe/London",
        start=datetime(2026, 12, 28, 9, 0, tzinfo=UTC),
        abbreviation="GMT",
        full="Monday 28 December 2026, 09:00 GMT",
        span="Monday 28 December 2026, 09:00–09:20 GMT",
        short="Mon 28 Dec, 09:00 GMT",
        medium="Mon 28 Dec 2026, 09:00 GMT",
        day="Monday 28 December 2026",
        iso="2026-12-28T09:00+00:00",
        kolkata="14:30",
        reminder_due="Sun 27 Dec 2026, 09:00 GMT",
        booked_at="2026-12-25 07:07 GMT",
        booked_medium="Fri 25 Dec 2026, 07:07 GMT",
        later_full="Monday 28 December 2026, 09:20 GMT",
        later_short="Mon 28 Dec, 09:20 GMT",
    ),
    Visit(
        id="london-summer",
        zone="Europe/London",
        start=datetime(2027, 7, 5, 8, 0, tzinfo=UTC),
        abbreviation="BST",
        full="Monday 5 July 2027, 09:00 BST",
        span="Monday 5 July 2027, 09:00–09:20 BST",
        short="Mon 5 Jul, 09:00 BST",
        medium="Mon 5 Jul 2027, 09:00 BST",
        day="Monday 5 July 2027",
        iso="2027-07-05T09:00+01:00",
        kolkata="13:30",
        reminder_due="Sun 4 Jul 2027, 09:00 BST",
        booked_at="2027-07-02 07:07 BST",
        booked_medium="Fri 2 Jul 2027, 07:07 BST",
        later_full="Monday 5 July 2027, 09:20 BST",
        later_short="Mon 5 Jul, 09:20 BST",
    ),
    Visit(
        id="new-york-winter",
        zone="America/New_York",
        start=datetime(2026, 12, 28, 14, 0, tzinfo=UTC),
        abbreviation="EST",
        full="Monday 28 December 2026, 09:00 EST",
        span="Monday 28 December 2026, 09:00–09:20 EST",
        short="Mon 28 Dec, 09:00 EST",
        medium="Mon 28 Dec 2026, 09:00 EST",
        day="Monday 28 December 2026",
        iso="2026-12-28T09:00-05:00",
        kolkata="19:30",
        reminder_due="Sun 27 Dec 2026, 09:00 EST",
        booked_at="2026-12-25 07:07 EST",
        booked_medium="Fri 25 Dec 2026, 07:07 EST",
        later_full="Monday 28 December 2026, 09:20 EST",
        later_short="Mon 28 Dec, 09:20 EST",
    ),
    Visit(
        id="new-york-summer",
        zone="America/New_York",
        start=datetime(2027, 7, 5, 13, 0, tzinfo=UTC),
        abbreviation="EDT",
        full="Monday 5 July 2027, 09:00 EDT",
        span="Monday 5 July 2027, 09:00–09:20 EDT",
        short="Mon 5 Jul, 09:00 EDT",
        medium="Mon 5 Jul 2027, 09:00 EDT",
        day="Monday 5 July 2027",
        iso="2027-07-05T09:00-04:00",
        kolkata="18:30",
        reminder_due="Sun 4 Jul 2027, 09:00 EDT",
        booked_at="2027-07-02 07:07 EDT",
        booked_medium="Fri 2 Jul 2027, 07:07 EDT",
        later_full="Monday 5 July 2027, 09:20 EDT",
        later_short="Mon 5 Jul, 09:20 EDT",
    ),
]


def test_the_server_default_zone_is_not_the_locations():
    """The tests below only prove something while the clinic's own zone differs from every visit's."""
    assert settings.TIME_ZONE == "Asia/Kolkata"


@pytest.fixture(params=VISITS, ids=[visit.id for visit in VISITS])
def visit(request):
    return request.param


@pytest.fixture
def clock(visit):
    with time_machine.travel(visit.now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(visit, clock):
    location = LocationFactory(name="Harley Street", slug="harley-street", time_zone=visit.zone)
    doctor = DoctorFactory(name="Dr. Claire Hughes", location=location)
    week_hours(doctor, weekdays=[0], intervals=[(time(9, 0), time(13, 0))])  # Mondays only
    return doctor


@pytest.fixture
def appointment(doctor, visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(
            doctor=doctor,
            starts_at=visit.start,
            patient_name=NAME,
            patient_phone=PHONE,
            patient_email="asha@example.com",
            visit_type="first",
        )
    return Appointment.objects.select_related("doctor__specialty", "location").get(pk=booked.pk)


@pytest.fixture
def desk(clock, client, front_desk_user):
    """Signed in inside the travelled clock (a session from the real "now" would have expired)."""
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def admin(clock, client, admin_user):
    client.force_login(admin_user)
    return client


def later_start(visit) -> str:
    """The 09:20 slot as the picker writes it."""
    return (visit.start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")


def visible(response) -> str:
    """The text a person reads: tags and attributes (tokens, URLs) dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_reads(text: str, visit: Visit, *expected: str) -> None:
    for phrase in expected:
        assert phrase in text, f"{phrase!r} not shown"
    assert not re.search(rf"\b{visit.kolkata}\b", text), f"the server-zone time {visit.kolkata} is shown"


# Patient pages ----------------------------------------------------------------------------------


def test_the_manage_page_shows_the_locations_wall_clock(client, appointment, visit):
    """The issue's failing example: 09:00 Europe/London read "14:30–15:00 IST"."""
    response = client.get(manage_url(appointment))
    assert response.status_code == 200
    assert_reads(visible(response), visit, visit.span, f"({visit.zone})")


def test_the_cancel_page_shows_the_locations_wall_clock(client, appointment, visit):
    response = client.get(reverse("appointments:cancel", args=[manage_url(appointment).split("/")[-2]]))
    assert response.status_code == 200
    assert_reads(visible(response), visit, visit.full)


def test_the_reschedule_page_and_its_picker_show_the_locations_wall_clock(client, appointment, visit):
    token = manage_url(appointment).split("/")[-2]
    response = client.get(reverse("appointments:reschedule", args=[token]))
    assert response.status_code == 200
    text = visible(response)
    assert_reads(text, visit, visit.full, f"({visit.abbreviation}, {visit.zone})", "09:20")


def test_the_picker_shows_free_times_under_the_zone_abbreviation(client, appointment, visit):
    response = client.get(reverse("appointments:picker", args=[appointment.doctor.slug]))
    text = visible(response)
    assert_reads(text, visit, f"({visit.abbreviation}, {visit.zone})", f"09:20 {visit.day.rsplit(' ', 1)[0]}")
    assert "09:00 " + visit.day.rsplit(" ", 1)[0] not in text  # booked, so not offered


def test_the_details_page_shows_the_chosen_slot_on_the_wall_clock(client, doctor, visit):
    url = reverse("appointments:details", args=[doctor.slug]) + f"?start={later_start(visit)}"
    response = client.get(url, follow=True)  # the form holds its time first
    assert response.status_code == 200
    assert_reads(visible(response), visit, visit.later_full, f"({visit.zone})")


def booking_post(visit, **overrides):
    import uuid

    return {
        "start": later_start(visit),
        "booking_token": str(uuid.uuid4()),
        "patient_name": NAME,
        "patient_phone": PHONE,
        "patient_email": "asha@example.com",
        "visit_type": "first",
        "consent": "on",
    } | overrides


def test_the_you_already_have_a_booking_block_shows_no_time_of_the_existing_visit(client, appointment, visit):
    """Proof of possession (item 3): the block says so without details, so it has no time to get wrong."""
    response = client.post(
        reverse("appointments:details", args=[appointment.doctor.slug]), booking_post(visit)
    )
    assert response.status_code == 409
    text = visible(response)
    assert "You already have a booking with this doctor" in text
    assert visit.full not in text
    assert visit.short not in text
    assert_reads(text, visit)


def test_the_reschedule_question_shows_both_times_on_the_wall_clock(client, appointment, visit):
    token = manage_url(appointment).split("/")[-2]
    response = client.post(reverse("appointments:reschedule", args=[token]), {"start": later_start(visit)})
    assert response.status_code == 200
    assert_reads(visible(response), visit, f"Move from {visit.short} to {visit.later_short}?")


def test_cards_and_the_profile_show_the_next_free_time_on_the_wall_clock(client, appointment, visit):
    for url in [
        appointment.doctor.get_absolute_url(),
        reverse("doctors:list"),
        reverse("appointments:start"),
    ]:
        assert_reads(visible(client.get(url)), visit, f"Next available: {visit.later_short}")


def test_the_feedback_page_names_the_visits_local_day(client, appointment, visit, clock):
    # 23:30 local is already the next day in Kolkata (and in UTC for New York): the day must stay local.
    late = appointment.starts_at + timedelta(hours=14, minutes=30)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=late, ends_at=late + timedelta(minutes=20), status=AppointmentStatus.COMPLETED
    )
    clock.move_to(late + timedelta(days=1))
    response = client.get(feedback_url(appointment))
    assert response.status_code == 200
    assert f"Your visit on {visit.day}" in visible(response)


# Emails -----------------------------------------------------------------------------------------


def test_the_confirmation_email_sent_after_booking_shows_the_wall_clock(appointment, visit):
    (email,) = mail.outbox
    html = email.alternatives[0].content
    assert_reads(email.body, visit, visit.full, f"({visit.zone})")
    assert_reads(" ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()), visit, visit.full)


# The "my appointments" email names no visit (its link opens the list, tested below), and a waitlist offer
# is about a time, not a visit (its email is read in tests/waitlist/test_offers.py); every other one does.
VISIT_EMAILS = [
    kind for kind in MessageKind.values if kind not in {MessageKind.VISIT_LIST, MessageKind.WAITLIST_OFFER}
]


@pytest.mark.parametrize("kind", VISIT_EMAILS)
def test_every_email_shows_the_visit_on_the_wall_clock_in_text_html_and_subject(appointment, visit, kind):
    email = build(message=Message(appointment=appointment, kind=kind), appointment=appointment)
    html = " ".join(unescape(re.sub(r"<[^>]+>", " ", email.alternatives[0].content)).split())
    expected = visit.day if kind == MessageKind.FEEDBACK_REQUEST else visit.full
    assert_reads(email.body, visit, expected)
    assert_reads(html, visit, expected)
    if kind == MessageKind.REMINDER:
        assert email.subject == f"Reminder: Dr. Claire Hughes, {visit.full}"


def test_the_my_appointments_email_shows_no_time_and_its_list_shows_the_wall_clock(
    client, appointment, visit
):
    message = Message.objects.create(
        appointment=appointment,
        kind=MessageKind.VISIT_LIST,
        due_at=visit.now,
        planned_for=appointment.starts_at,
        recipient=appointment.patient_email,
    )
    email = build(message=message, appointment=appointment)
    assert_reads(email.body, visit)  # no visit time in it, least of all the server zone's
    response = client.get(visit_list_url(message))
    assert response.status_code == 200
    assert_reads(visible(response), visit, visit.full)


# Calendar files (ical.js reads them in test_calendar_clients.py) ------------------------------------


def test_the_ics_file_carries_the_wall_clock_with_its_tzid_and_a_vtimezone_for_its_days(
    client, appointment, visit
):
    token = manage_url(appointment).split("/")[-2]
    calendar = Calendar.from_ical(client.get(reverse("appointments:calendar", args=[token])).content)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == visit.zone
    assert event.decoded("DTSTART").isoformat(timespec="minutes") == visit.iso
    (zone,) = calendar.walk("VTIMEZONE")
    observances = zone.walk("STANDARD") + zone.walk("DAYLIGHT")
    assert [str(observance["TZNAME"]) for observance in observances] == [visit.abbreviation]
    assert "RDATE" not in observances[0]


def test_the_doctor_feed_carries_the_wall_clock_with_its_tzid(client, appointment, visit):
    feed = calendar_feed_rotate(doctor=appointment.doctor)
    calendar = Calendar.from_ical(client.get(reverse("appointments:doctor-feed", args=[feed.token])).content)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == visit.zone
    assert event.decoded("DTSTART").isoformat(timespec="minutes") == visit.iso
    assert [str(o["TZNAME"]) for o in calendar.walk("VTIMEZONE")[0].walk()[1:]] == [visit.abbreviation]


# Staff pages ------------------------------------------------------------------------------------


def test_the_day_schedule_shows_times_under_the_locations_abbreviation(desk, appointment, visit):
    response = desk.get(reverse("staff:day"), {"date": visit.iso[:10], "location": "harley-street"})
    text = visible(response)
    assert_reads(
        text, visit, f"Times are {visit.abbreviation}, local to the location ({visit.zone})", "09:00", "09:20"
    )
    assert f"{NAME}" in text


def test_the_week_shows_each_visit_with_its_abbreviation(desk, appointment, visit):
    url = reverse("staff:week", args=[appointment.doctor.slug])
    assert_reads(visible(desk.get(url, {"start": visit.iso[:10]})), visit, f"09:00 {visit.abbreviation}")


def test_the_appointment_page_shows_the_visit_its_history_and_its_emails_on_the_wall_clock(
    desk, appointment, visit
):
    response = desk.get(reverse("staff:appointment", args=[appointment.reference]))
    assert_reads(visible(response), visit, visit.span, visit.booked_at, visit.reminder_due)


def test_find_lists_the_visit_on_the_wall_clock(desk, appointment, visit):
    response = desk.post(reverse("staff:find"), {"q": appointment.reference})
    assert_reads(visible(response), visit, visit.medium)


def test_the_print_view_says_the_zone_and_when_it_was_printed(desk, appointment, visit):
    response = desk.get(reverse("staff:print"), {"date": visit.iso[:10], "location": "harley-street"})
    assert_reads(
        visible(response),
        visit,
        f"times in {visit.abbreviation} ({visit.zone})",
        f"printed {visit.booked_medium}",
        "09:00",
    )


def test_booking_a_caller_shows_free_times_under_the_abbreviation(desk, doctor, visit):
    response = desk.get(reverse("staff:book-doctor", args=[doctor.slug]), {"date": visit.iso[:10]})
    assert_reads(visible(response), visit, f"times in {visit.abbreviation} ({visit.zone})", "09:00")


def test_booking_a_caller_who_already_has_a_visit_shows_it_on_the_wall_clock(desk, appointment, visit):
    response = desk.post(
        reverse("staff:book-doctor", args=[appointment.doctor.slug]),
        booking_post(visit, date=visit.iso[:10]),
    )
    assert response.status_code == 409
    assert_reads(visible(response), visit, f"({visit.full})")


def test_the_staff_reschedule_picker_names_the_zone(desk, appointment, visit):
    response = desk.get(reverse("staff:reschedule", args=[appointment.reference]))
    assert_reads(visible(response), visit, f"({visit.abbreviation}, {visit.zone})")


def test_the_csv_export_has_the_local_date_time_and_abbreviation_and_the_offset(desk, appointment, visit):
    response = desk.get(
        reverse("staff:export"), {"from": visit.iso[:10], "to": visit.iso[:10], "location": "harley-street"}
    )
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    values = dict(zip(header, row, strict=True))
    assert (values["date"], values["time"], values["time_zone"], values["starts_at"]) == (
        visit.iso[:10],
        "09:00",
        visit.abbreviation,
        visit.iso,
    )


# Admin ------------------------------------------------------------------------------------------


def test_the_admin_lists_and_pages_show_the_wall_clock(admin, appointment, visit):
    changelist = admin.get(reverse("admin:appointments_appointment_changelist"))
    assert_reads(visible(changelist), visit, visit.span)
    change = admin.get(reverse("admin:appointments_appointment_change", args=[appointment.pk]))
    assert_reads(visible(change), visit, visit.span, visit.booked_at, visit.reminder_due)
    messages = admin.get(reverse("admin:notifications_message_changelist"))
    assert_reads(visible(messages), visit, visit.reminder_due)
    reminder = appointment.messages.get(kind=MessageKind.REMINDER)
    detail = admin.get(reverse("admin:notifications_message_change", args=[reminder.pk]))
    assert_reads(visible(detail), visit, visit.reminder_due, visit.medium)


def test_time_off_in_the_admin_is_read_on_the_doctors_wall_clock(admin, doctor, visit):
    TimeOff.objects.create(doctor=doctor, starts_at=visit.start, ends_at=visit.start + timedelta(hours=4))
    response = admin.get(reverse("admin:doctors_doctor_change", args=[doctor.pk]))
    html = response.content.decode()
    assert f"Time off (times in {visit.zone})" in visible(response)
    year, month, day = visit.iso[:10].split("-")
    assert f'name="time_off-0-starts_at_0" value="{day}/{month}/{year}"' in html
    assert 'name="time_off-0-starts_at_1" value="09:00:00"' in html


class _FormFields(HTMLParser):
    """The fields a browser would submit from the page's main form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data[name] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_time_off_typed_in_the_admin_is_saved_on_the_doctors_wall_clock(admin, doctor, visit):
    url = reverse("admin:doctors_doctor_change", args=[doctor.pk])
    form = _FormFields()
    form.feed(admin.get(url).content.decode())
    year, month, day = visit.iso[:10].split("-")
    form.data |= {
        "time_off-TOTAL_FORMS": "1",
        "time_off-0-starts_at_0": f"{day}/{month}/{year}",
        "time_off-0-starts_at_1": "09:00",
        "time_off-0-ends_at_0": f"{day}/{month}/{year}",
        "time_off-0-ends_at_1": "13:00",
        "time_off-0-reason": "Conference",
        "_save": "Save",
    }
    response = admin.post(url, form.data)
    assert response.status_code == 302, visible(response)[:2000]
    (off,) = TimeOff.objects.filter(doctor=doctor)
    assert (off.starts_at, off.ends_at) == (visit.start, visit.start + timedelta(hours=4))


# Query counts: showing times on each row's own wall clock costs no query per row -----------------


def count_queries(client, url, params=None, method="get"):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, params or {})
    assert response.status_code == 200
    return len(captured)


def more_messages(appointment):
    """The kinds the booking did not plan (one row per kind and channel), so the lists grow."""
    planned = set(appointment.messages.values_list("kind", flat=True))
    Message.objects.bulk_create(
        Message(
            appointment=appointment,
            kind=kind,
            due_at=appointment.starts_at - timedelta(hours=number + 1),
            planned_for=appointment.starts_at,
        )
        for number, kind in enumerate(sorted(set(MessageKind.values) - planned))
    )


@pytest.mark.parametrize("visit", VISITS[:1], ids=[VISITS[0].id])
def test_staff_pages_cost_the_same_whatever_the_number_of_rows(desk, appointment, doctor, visit):
    pages = [
        (reverse("staff:appointment", args=[appointment.reference]), None, "get"),
        (reverse("staff:week", args=[doctor.slug]), {"start": visit.iso[:10]}, "get"),
        (reverse("staff:find"), {"q": NAME}, "post"),
    ]
    [count_queries(desk, *page) for page in pages]  # warm up once-per-process caches
    few = [count_queries(desk, *page) for page in pages]
    more_messages(appointment)
    elsewhere = LocationFactory(time_zone="America/New_York")
    for days in range(1, 5):
        AppointmentFactory(
            doctor=doctor,
            location=elsewhere if days % 2 else doctor.location,
            starts_at=visit.start + timedelta(days=days),
            patient_name=NAME,
        )
    assert [count_queries(desk, *page) for page in pages] == few


@pytest.mark.parametrize("visit", VISITS[:1], ids=[VISITS[0].id])
def test_admin_lists_cost_the_same_whatever_the_number_of_rows(admin, appointment, doctor, visit):
    pages = [
        reverse("admin:appointments_appointment_changelist"),
        reverse("admin:notifications_message_changelist"),
        reverse("admin:appointments_appointment_change", args=[appointment.pk]),
    ]
    [count_queries(admin, page) for page in pages]  # warm up once-per-process caches
    few = [count_queries(admin, page) for page in pages]
    more_messages(appointment)
    for days in range(1, 5):
        AppointmentFactory(doctor=doctor, starts_at=visit.start + timedelta(days=days))
    assert [count_queries(admin, page) for page in pages] == few
