"""The front desk in a real browser: sign in, run the day with htmx (and without JavaScript), book a
caller; the staff pages, sign-in (error, lockout) and the patients' feedback pages are axe-clean."""

import importlib
import io
import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from appointments.models import Appointment, AppointmentSource, AppointmentStatus
from appointments.slots import END_OF_DAY
from doctors.roles import FRONT_DESK
from notifications.links import feedback_url
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations, heading_outline_problems
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, UserFactory, week_hours

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def daytime_zone(now):
    """A clinic time zone where it is now between 04:00 and 20:00, so "now", the visit five minutes ago
    and the next two hours all fall on the clinic's today (the doctor works the whole day, 00:00-24:00)."""
    for zone in ("Asia/Kolkata", "America/New_York", "Asia/Tokyo", "Europe/London"):
        if 4 <= now.astimezone(ZoneInfo(zone)).hour < 20:
            return zone
    raise AssertionError(f"no candidate time zone has daytime at {now:%H:%M} UTC")


@pytest.fixture
def day(transactional_db):
    now = timezone.now()
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=LocationFactory(time_zone=daytime_zone(now)))
    week_hours(doctor, intervals=[(time(0, 0), END_OF_DAY)])
    appointment = AppointmentFactory(
        doctor=doctor,
        starts_at=(now - timedelta(minutes=5)).replace(second=0, microsecond=0),
        patient_name="Priya Sharma",
        reason="Low back pain",
    )
    # Live-server tests flush the database, data-migration groups included: rebuild the front desk.
    front_desk, _ = Group.objects.get_or_create(name=FRONT_DESK)
    labels = importlib.import_module("appointments.migrations.0005_staff_permissions").PERMISSIONS[FRONT_DESK]
    front_desk.permissions.set(
        Permission.objects.get(content_type__app_label=label.split(".")[0], codename=label.split(".")[1])
        for label in labels
    )
    UserFactory(username="desk", is_staff=True, groups=[front_desk])
    return appointment


def sign_in(page):
    page.goto("/staff/")
    assert "/staff/login/" in page.url
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def press_in_place(page, appointment, action, status):
    """Press a status button on the day schedule; htmx swaps just that card (no page load). A visit on the
    time grid opens with its actions while focus is in it (or the pointer is over it): focus on the
    name first, as a keyboard user tabs onto it, so scrolling the button into view cannot close it."""
    card = page.locator(f"#appt-{appointment.reference}")
    card.locator(".appt__who").focus()
    card.get_by_role("button", name=f"{action} Priya S.").click()
    page.locator(f"#appt-{appointment.reference} .status-badge", has_text=status).wait_for()


def test_a_receptionist_signs_in_confirms_and_checks_in_an_appointment_and_books_a_caller(page, day):
    sign_in(page)
    card = page.locator(f"#appt-{day.reference}")
    assert "Priya Sharma" in card.inner_text()
    url = page.url
    page.evaluate("window.stillTheSamePage = true")  # gone if the browser loads a new page
    press_in_place(page, day, "Confirm", "Confirmed")
    press_in_place(page, day, "Check in", "Checked in")
    press_in_place(page, day, "Complete", "Completed")
    assert page.url == url
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in place, no navigation
    day.refresh_from_db()
    assert day.status == AppointmentStatus.COMPLETED
    assert list(day.status_changes.order_by("pk").values_list("to_status", flat=True)) == [
        "confirmed",
        "checked_in",
        "completed",
    ]

    # A caller rings: book them with the same doctor at the first free time, within the notice that
    # online patients must give.
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Book", exact=True).click()
    page.get_by_label("Doctor").select_option(label="Dr. Meera Kulkarni")
    page.get_by_role("button", name="Show free times").click()
    times = page.get_by_role("group", name=re.compile("^Free times on"))
    first = times.get_by_role("radio").first
    first.check()
    page.get_by_label("Patient's name").fill("Rahul Verma")
    page.get_by_label("Mobile number").fill("98450 12345")
    page.get_by_label("The patient agreed to the privacy notice").check()
    page.get_by_role("button", name="Book this time").click()
    page.wait_for_url("**/staff/appointments/*/")
    booked = Appointment.objects.get(patient_name="Rahul Verma")
    assert booked.source == AppointmentSource.PHONE
    assert booked.patient_phone.as_e164 == "+919845012345"
    assert booked.doctor == day.doctor
    assert booked.starts_at - timezone.now() < django_settings.BOOKING_MIN_NOTICE  # staff may skip it
    assert page.url.endswith(f"/staff/appointments/{booked.reference}/")
    assert f"Reference {booked.reference}" in page.get_by_role("main").inner_text()

    page.goto("/staff/")
    new_card = page.locator(f"#appt-{booked.reference}")
    assert "Rahul Verma" in new_card.inner_text()
    assert new_card.locator(".appt__source").inner_text() == "Phone"


@pytest.mark.parametrize("javascript_enabled", [False])
def test_the_status_buttons_work_without_javascript(page, day, javascript_enabled):
    sign_in(page)
    page.locator(f"#appt-{day.reference} .appt__who").focus()  # a visit on the grid opens with focus in it
    page.get_by_role("button", name="Confirm Priya S.").click()
    page.wait_for_load_state()
    assert "is now confirmed" in page.get_by_role("main").inner_text()
    assert Appointment.objects.get().status == AppointmentStatus.CONFIRMED


def field_error(page, label):
    """The error text a field points at with aria-describedby (crispy's error paragraph under it)."""
    field = page.get_by_label(label)
    assert field.get_attribute("aria-invalid") == "true"
    ids = field.get_attribute("aria-describedby").split()
    return " ".join(page.locator(f"#{i}").inner_text() for i in ids)


def signed_out_states(page, day):
    """(name, how to get there): sign-in, its error and lockout, and the patients' feedback pages."""
    past = timezone.now() - timedelta(days=2)
    seen = AppointmentFactory(doctor=day.doctor, starts_at=past, status=AppointmentStatus.COMPLETED)
    cancelled = AppointmentFactory(doctor=day.doctor, starts_at=past, status=AppointmentStatus.CANCELLED)

    def wrong_password():
        page.goto("/staff/login/")
        page.get_by_label("Username").fill("locum")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "Please enter a correct username" in page.get_by_role("alert").inner_text()
        assert page.get_by_label("Username").input_value() == "locum"  # what was typed is kept

    def locked_out():  # AXES_FAILURE_LIMIT is 2: wrong_password() was the first failure
        page.get_by_label("Password").fill("still not the password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Sign-in locked for now"

    def unanswered_feedback():
        page.goto(feedback_url(seen))
        page.get_by_label("Anything you would like to tell us? (optional)").fill("Very patient with me")
        page.get_by_role("button", name="Send my answer").click()
        page.wait_for_load_state()
        answer = page.get_by_role("group", name="Would you recommend Dr. Meera Kulkarni?")
        assert "Choose Yes or No." in answer.inner_text()  # the error sits with the question
        kept = page.get_by_label("Anything you would like to tell us? (optional)").input_value()
        assert kept == "Very patient with me"

    def refused():
        page.goto(feedback_url(cancelled))
        assert "This visit was cancelled" in page.get_by_role("main").inner_text()

    return [
        ("sign-in", lambda: page.goto("/staff/login/")),
        ("sign-in, wrong password", wrong_password),
        ("sign-in locked (429)", locked_out),
        ("feedback", lambda: page.goto(feedback_url(seen))),
        ("feedback without an answer (400)", unanswered_feedback),
        ("feedback refused: cancelled visit (403)", refused),
    ]


def staff_states(page, day):
    """(name, how to get there): every staff page, find with results and the booking form with errors."""

    def found():
        page.goto("/staff/find/")
        page.get_by_label("Reference, mobile number (4 or more digits) or name").fill("priya")
        page.get_by_role("button", name="Find").click()
        page.wait_for_load_state()
        assert page.get_by_role("table").get_by_role("link", name=day.reference).is_visible()

    def booking_errors():
        page.goto(f"/staff/book/{day.doctor.slug}/")
        page.get_by_label("Patient's name").fill("Rahul Verma")
        page.get_by_role("button", name="Book this time").click()
        page.wait_for_load_state()
        assert "Enter the patient's mobile number" in field_error(page, "Mobile number")
        assert page.get_by_label("Patient's name").input_value() == "Rahul Verma"  # what was typed is kept

    def nothing_found():
        page.goto("/staff/find/")
        page.get_by_label("Reference, mobile number (4 or more digits) or name").fill("O'Nobody")
        page.get_by_role("button", name="Find").click()
        page.wait_for_load_state()
        assert "Nothing matches “O'Nobody”" in page.get_by_role("main").inner_text()

    def export_errors():
        page.goto("/staff/export/")
        # A year back: before "From", inside the days staff pages read (clinic.params: two years either side).
        a_year_back = timezone.localdate() - timedelta(days=365)
        page.get_by_label("To (inclusive)").fill(a_year_back.isoformat())
        page.get_by_role("button", name="Download CSV").click()
        page.wait_for_load_state()
        assert "The end date is before the start date." in page.get_by_role("main").inner_text()

    missed = AppointmentFactory(
        doctor=day.doctor,
        starts_at=day.starts_at + timedelta(minutes=1),
        patient_name="Nisha Missed",
        status=AppointmentStatus.NO_SHOW,
    )
    return [
        ("day", lambda: page.goto("/staff/")),
        ("appointment with undo", lambda: page.goto(f"/staff/appointments/{missed.reference}/")),
        ("find: nothing matches", nothing_found),
        ("export form", lambda: page.goto("/staff/export/")),
        ("export form with errors (400)", export_errors),
        ("emails needing attention", lambda: page.goto("/staff/messages/")),
        ("appointment", lambda: page.goto(f"/staff/appointments/{day.reference}/")),
        ("reschedule", lambda: page.goto(f"/staff/appointments/{day.reference}/reschedule/")),
        ("week", lambda: page.goto(f"/staff/doctors/{day.doctor.slug}/week/")),
        ("find", lambda: page.goto("/staff/find/")),
        ("find with results", found),
        ("book a caller: doctor", lambda: page.goto("/staff/book/")),
        ("book a caller: form", lambda: page.goto(f"/staff/book/{day.doctor.slug}/")),
        ("book a caller: form with errors (400)", booking_errors),
        ("print", lambda: page.goto("/staff/print/")),
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_staff_and_feedback_pages_pass_axe_with_one_h1_and_no_skipped_heading_level(
    page, browser_log, day, settings, viewport
):
    browser_log.expect_status(400, 403, 429)
    settings.AXES_FAILURE_LIMIT = 2
    problems = {}

    def check(states):
        for name, go in states:
            go()
            found = axe_violations(page) + heading_outline_problems(page)
            if found:
                problems[name] = found

    check(signed_out_states(page, day))
    sign_in(page)
    check(staff_states(page, day))
    assert problems == {}


def test_a_receptionist_undoes_a_wrong_no_show_in_place_and_finds_obrien(page, day):
    day.patient_name = "Siobhán O\u2019Brien"
    day.save()
    sign_in(page)
    card = page.locator(f"#appt-{day.reference}")
    card.locator(".appt__who").focus()  # a visit on the grid opens with focus in it
    card.get_by_role("button", name="No-show Siobhán O.").click()
    card = page.locator(f"#appt-{day.reference}")
    card.locator(".status-badge", has_text="No-show").wait_for()
    card.locator(".appt__who").focus()
    card.get_by_text("Undo no-show").click()
    card.get_by_label("Why are you undoing it? (required)").fill("She was in the waiting room")
    card.get_by_role("button", name="Undo: back to the previous status").click()
    page.locator(f"#appt-{day.reference} .status-badge", has_text="Booked").wait_for()
    day.refresh_from_db()
    assert day.status == AppointmentStatus.BOOKED
    undo = day.status_changes.order_by("pk").last()
    assert (undo.undo, undo.note, undo.by.username) == (True, "She was in the waiting room", "desk")

    page.goto("/staff/find/")
    page.get_by_label("Reference, mobile number (4 or more digits) or name").fill("o'brien")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state()
    assert page.get_by_role("table").get_by_role("link", name=day.reference).is_visible()


def test_a_receptionist_downloads_the_week_as_a_spreadsheet(page, day):
    sign_in(page)
    page.goto("/staff/export/")
    visit_day = day.starts_at.astimezone(day.location.zone).date()  # its own local day, whatever the date
    page.get_by_label("From").fill((visit_day - timedelta(days=1)).isoformat())
    page.get_by_label("To (inclusive)").fill((visit_day + timedelta(days=1)).isoformat())
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))["Appointments"]
    names = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Priya Sharma"]
