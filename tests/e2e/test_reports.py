"""The clinic reports in a real browser: the front desk opens last month's report; every chart image
loads (its own policy lets its styles through, the page logs no CSP error), the page and its form
errors are axe-clean with an outline that skips no heading level, at phone and desktop widths, light
and dark."""

import importlib
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from appointments.models import AppointmentSource, AppointmentStatus, StaffProfile
from doctors.roles import FRONT_DESK
from notifications.models import Feedback
from reports.forms import last_month
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations, heading_outline_problems
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, UserFactory, week_hours

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clinic_month(transactional_db):
    """Two doctors with visits of every status and source last month, and a front desk at their clinic."""
    location = LocationFactory(name="Indiranagar", slug="indiranagar", time_zone="Asia/Kolkata")
    first, _last = last_month(timezone.now().astimezone(location.zone).date())
    doctors = [DoctorFactory(name=name, location=location) for name in ("Dr. Asha Menon", "Dr. Bhaskar Rao")]
    statuses, sources = list(AppointmentStatus), list(AppointmentSource)
    for number, doctor in enumerate(doctors):
        week_hours(doctor, weekdays=range(6), intervals=[(time(9), time(13))])
        for offset in range(0, 27, 2):
            starts = datetime.combine(
                first + timedelta(days=offset), time(9 + offset % 4), tzinfo=location.zone
            )
            visit = AppointmentFactory(
                doctor=doctor,
                starts_at=starts,
                status=statuses[(offset + number) % len(statuses)],
                source=sources[offset % len(sources)],
                cancel_reason="Feeling better" if offset % 3 else "",
                booked_at=starts - timedelta(days=offset),
            )
            if visit.status == AppointmentStatus.COMPLETED:
                Feedback.objects.create(appointment=visit, would_recommend=offset % 4 != 0)
    # Live-server tests flush the database, data-migration groups included: rebuild the front desk.
    front_desk, _ = Group.objects.get_or_create(name=FRONT_DESK)
    labels = importlib.import_module("appointments.migrations.0005_staff_permissions").PERMISSIONS[FRONT_DESK]
    front_desk.permissions.set(
        Permission.objects.get(content_type__app_label=label.split(".")[0], codename=label.split(".")[1])
        for label in labels
    )
    desk = UserFactory(username="desk", is_staff=True, groups=[front_desk])
    StaffProfile.objects.create(user=desk, default_location=location)
    return location


def sign_in(page):
    page.goto("/staff/login/?next=/staff/reports/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/reports/")


@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-light", "desktop-dark"],
)
def test_the_report_page_draws_every_chart_and_passes_axe(
    page, browser_log, clinic_month, viewport, color_scheme
):
    browser_log.expect_status(400)  # the wrong period below is answered with a 400 page
    sign_in(page)
    main = page.get_by_role("main")
    main.get_by_role("heading", name="Bookings by source").wait_for()
    charts = main.locator("img.report-chart")
    assert charts.count() == 8
    page.wait_for_load_state("networkidle")
    widths = charts.evaluate_all("images => images.map(image => image.complete && image.naturalWidth)")
    assert widths == [720] * 8  # every SVG loaded and decoded as an image
    assert main.get_by_role("table", name="No-shows and cancellations by doctor").is_visible()
    problems = axe_violations(page) + heading_outline_problems(page)
    assert problems == []

    # A wrong period: the message is next to the field, what was typed stays, still axe-clean.
    # (the day before the period's start: inside the staff window, so the message is about the order)
    before = (
        date.fromisoformat(page.locator("input[name=date_from]").input_value()) - timedelta(days=1)
    ).isoformat()
    page.get_by_label("To (included)").fill(before)
    page.get_by_role("button", name="Show").click()
    page.get_by_text("The end of the period must not be before its start.").first.wait_for()
    assert page.get_by_label("To (included)").input_value() == before
    assert axe_violations(page) + heading_outline_problems(page) == []


def test_a_download_is_a_file(page, clinic_month):
    sign_in(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (Bookings by source)").click()
    assert download.value.suggested_filename.startswith("sources-indiranagar-")
