"""The front desk in a real browser: sign in, run the day with htmx (and without JavaScript), axe-clean."""

import importlib
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from doctors.roles import FRONT_DESK
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture
def day(transactional_db):
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(0, 0), time(23, 40))])
    appointment = AppointmentFactory(
        doctor=doctor,
        starts_at=(timezone.now() - timedelta(minutes=5)).replace(second=0, microsecond=0),
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


def test_a_receptionist_checks_a_patient_in_and_completes_the_visit_in_place(page, day):
    sign_in(page)
    card = page.locator(f"#appt-{day.reference}")
    assert "Priya Sharma" in card.inner_text()
    url = page.url
    card.get_by_role("button", name="Check in Priya S.").click()
    page.locator(f"#appt-{day.reference} .status-badge", has_text="Checked in").wait_for()
    page.locator(f"#appt-{day.reference}").get_by_role("button", name="Complete Priya S.").click()
    page.locator(f"#appt-{day.reference} .status-badge", has_text="Completed").wait_for()
    assert page.url == url  # swapped in place, no navigation
    day.refresh_from_db()
    assert day.status == AppointmentStatus.COMPLETED
    assert list(day.status_changes.values_list("to_status", flat=True)) == ["checked_in", "completed"]


@pytest.mark.parametrize("javascript_enabled", [False])
def test_the_status_buttons_work_without_javascript(page, day, javascript_enabled):
    sign_in(page)
    page.get_by_role("button", name="Confirm Priya S.").click()
    page.wait_for_load_state()
    assert "is now confirmed" in page.get_by_role("main").inner_text()
    assert Appointment.objects.get().status == AppointmentStatus.CONFIRMED


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_staff_pages_pass_axe_with_one_h1(page, day, viewport):
    sign_in(page)
    problems = {}
    for url in [
        "/staff/",
        f"/staff/appointments/{day.reference}/",
        f"/staff/doctors/{day.doctor.slug}/week/",
        "/staff/find/",
        f"/staff/book/{day.doctor.slug}/",
        "/staff/print/",
    ]:
        page.goto(url)
        found = axe_violations(page)
        if page.locator("h1").count() != 1:
            found.append("not exactly one <h1>")
        if found:
            problems[url] = found
    assert problems == {}
