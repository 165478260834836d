"""Privacy in a real browser: a privacy officer answers "what do you hold about me?" and "delete it";
the notice's pages, the officer's pages (with their errors) and the printable export are axe-clean
with an outline that skips no heading level."""

import importlib
import json
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from appointments.models import AppointmentStatus
from doctors.roles import PRIVACY_OFFICERS
from notifications.models import Feedback
from privacy.models import ANONYMISED_NAME, DataRequest, EventAction
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations, heading_outline_problems
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
PHONE_NUMBER = "+919812345678"


@pytest.fixture
def patient(transactional_db):
    """A privacy officer, and a patient with a past visit (answered) and one still to come."""
    # Live-server tests flush the database, data-migration groups included: rebuild the group.
    group, _ = Group.objects.get_or_create(name=PRIVACY_OFFICERS)
    labels = importlib.import_module("privacy.migrations.0003_privacy_officers").PERMISSIONS[PRIVACY_OFFICERS]
    group.permissions.set(
        Permission.objects.get(content_type__app_label=label.split(".")[0], codename=label.split(".")[1])
        for label in labels
    )
    UserFactory(username="dpo", is_staff=True, groups=[group])
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(8, 0), time(20, 0))])
    past = timezone.now() - timedelta(days=30)
    seen = AppointmentFactory(
        doctor=doctor,
        starts_at=past,
        status=AppointmentStatus.COMPLETED,
        patient_name="Asha Rao",
        patient_phone=PHONE_NUMBER,
        patient_email="asha@example.com",
        reason="Low back pain",
    )
    Feedback.objects.create(appointment=seen, would_recommend=True, comment="Kind and clear")
    upcoming = AppointmentFactory(
        doctor=doctor,
        starts_at=timezone.now() + timedelta(days=3),
        patient_name="Asha Rao",
        patient_phone=PHONE_NUMBER,
    )
    return {"seen": seen, "upcoming": upcoming}


def sign_in(page):
    page.goto("/staff/login/")
    page.get_by_label("Username").fill("dpo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/privacy/")


def open_request(page, phone="98123 45678"):
    page.get_by_label("How they asked").select_option(label="Phone")
    page.get_by_label("How you checked who they are").fill("Reference and visit date matched")
    page.get_by_label("Mobile number").fill(phone)
    page.get_by_role("button", name="Open the request and search").click()
    page.wait_for_url("**/staff/privacy/requests/*/")


def test_an_officer_answers_what_do_you_hold_and_delete_it(page, patient):
    sign_in(page)
    open_request(page)
    main = page.get_by_role("main")
    assert patient["seen"].reference in main.inner_text()
    assert "Kind and clear" in main.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert {visit["reference"] for visit in data["visits"]} == {p.reference for p in patient.values()}

    page.get_by_role("link", name="Erase…").click()
    kept = page.get_by_role("status").filter(has_text="still to come")
    assert patient["upcoming"].reference in kept.inner_text()
    page.get_by_label("The person asking wants this data erased").check()
    page.get_by_role("button", name="Erase now").click()
    page.wait_for_url("**/staff/privacy/requests/*/")
    assert "Erased the patient details of 1 visit(s)" in page.get_by_role("main").inner_text()
    patient["seen"].refresh_from_db()
    assert patient["seen"].patient_name == ANONYMISED_NAME
    request = DataRequest.objects.get()
    assert list(request.events.values_list("action", flat=True)) == [
        EventAction.OPENED,
        EventAction.VIEWED,
        EventAction.EXPORTED_JSON,
        EventAction.ERASED,
        EventAction.VIEWED,
    ]


def privacy_states(page, patient):
    """(name, how to get there): the notice's pages and every officer page, with their error states."""

    def request_errors():
        page.goto("/staff/privacy/")
        page.get_by_role("button", name="Open the request and search").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="There is a problem").is_visible()

    def erase_errors():
        page.goto(f"/staff/privacy/requests/{DataRequest.objects.get().pk}/erase/")
        page.get_by_role("button", name="Erase now").click()
        page.wait_for_load_state()
        assert "Tick the box to confirm the erasure." in page.get_by_role("main").inner_text()

    def printable_export():
        url = f"/staff/privacy/requests/{DataRequest.objects.get().pk}/export.html"
        body = page.request.get(url).text()  # a download: check the file as the patient will open it
        page.goto("about:blank")
        page.set_content(body)
        assert "Kind and clear" in page.get_by_role("main").inner_text()

    return [
        ("requests", lambda: page.goto("/staff/privacy/")),
        ("requests with errors (400)", request_errors),
        ("request", lambda: (page.goto("/staff/privacy/"), open_request(page))),
        ("erase", lambda: page.goto(f"/staff/privacy/requests/{DataRequest.objects.get().pk}/erase/")),
        ("erase without the box ticked (400)", erase_errors),
        ("printable export", printable_export),
        ("notice", lambda: page.goto("/privacy/")),
        ("notice version 1", lambda: page.goto("/privacy/versions/1/")),
    ]


@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-light", "desktop-dark"],
)
def test_the_privacy_pages_and_the_export_pass_axe_with_one_h1_and_no_skipped_heading_level(
    page, browser_log, patient, viewport, color_scheme
):
    browser_log.expect_status(400)
    sign_in(page)
    problems = {}
    for name, go in privacy_states(page, patient):
        go()
        found = axe_violations(page) + heading_outline_problems(page)
        if found:
            problems[name] = found
    assert problems == {}
