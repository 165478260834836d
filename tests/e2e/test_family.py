"""Booking for someone else and My appointments in a real browser (issue 15 items 3 and 4), on a phone,
with and without JavaScript, and axe-clean in every state (errors, the cap per mobile, the list, an
expired link).
"""

import re
from datetime import timedelta

import pytest
from django.core import mail

from appointments import availability
from appointments.models import Appointment
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations, heading_outline_problems
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.e2e

MOBILE = "98123 45678"
EMAIL = "ravi@example.com"


def free_slots(doctor):
    """Free times from tomorrow on (past the 4-hour cut-off, whatever the hour now)."""
    tomorrow = availability.local_today(doctor) + timedelta(days=1)
    return availability.free_slots(doctor, tomorrow, 3)


def open_details(page, doctor, slot):
    page.goto(f"/book/{doctor.slug}/details/?start={slot.start_param}")


def booker_fields(page):
    return page.get_by_role("group", name="If you are booking for someone else")


def fill_for_mother(page, *, patient="Asha Rao", relationship="Parent", mobile=MOBILE):
    page.get_by_label("Someone else").check()
    page.get_by_label("Full name").fill(patient)
    page.get_by_label("Your own name").fill("Ravi Rao")
    page.get_by_label("The patient is your").select_option(label=relationship)
    page.get_by_label("Mobile number").fill(mobile)
    page.get_by_label("Email (optional)").fill(EMAIL)
    page.get_by_label("I agree to the privacy notice").check()


def confirm(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm booking").click()


def list_link() -> str:
    [email] = [email for email in mail.outbox if email.subject.startswith("Your appointments at")]
    return re.search(r"http://[^/\s]+(/my-appointments/[^/\s]+/)", email.body).group(1)


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_son_books_for_himself_and_his_mother_with_his_phone_then_finds_both_by_email(
    page, spine_surgeon, viewport, javascript_enabled
):
    mail.outbox.clear()
    slots = free_slots(spine_surgeon)

    open_details(page, spine_surgeon, slots[0])
    assert page.get_by_label("Me", exact=True).is_checked()
    assert not booker_fields(page).is_visible()  # hidden by the stylesheet while "Me" is chosen
    page.get_by_label("Full name").fill("Ravi Rao")
    page.get_by_label("Mobile number").fill(MOBILE)
    page.get_by_label("Email (optional)").fill(EMAIL)
    page.get_by_label("I agree to the privacy notice").check()
    confirm(page)
    assert "Booked by" not in page.get_by_role("main").inner_text()

    open_details(page, spine_surgeon, slots[1])
    page.get_by_label("Someone else").check()
    assert booker_fields(page).is_visible()
    fill_for_mother(page)
    confirm(page)
    page.wait_for_url("**/a/*/")
    main = page.get_by_role("main").inner_text()
    assert "Asha Rao, your parent" in main
    assert "Booked by\nRavi Rao" in main or "Booked by Ravi Rao" in main
    mother = Appointment.objects.get(patient_name="Asha Rao")
    assert (mother.booker_name, mother.booker_relationship, mother.patient_email) == (
        "Ravi Rao",
        "parent",
        EMAIL,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Later, without the emails: every visit booked with his address, from the footer.
    page.get_by_role("contentinfo").get_by_role("link", name="My appointments").click()
    page.get_by_label("Email address").fill(EMAIL.upper())
    with page.expect_navigation():
        page.get_by_role("button", name="Email me the list").click()
    assert "we have just sent it a link" in page.get_by_role("main").inner_text()
    page.goto(list_link())
    listed = page.get_by_role("main").inner_text()
    for appointment in Appointment.objects.all():
        assert appointment.reference in listed
    assert "Patient: Asha Rao, your parent" in listed
    page.get_by_role("link", name=f"Open {mother.reference}").click()
    page.wait_for_url("**/a/*/")
    assert mother.reference in page.locator(".reference").inner_text()


def test_a_fourth_visit_on_one_mobile_is_refused_at_the_mobile_field_with_the_details_kept(
    page, browser_log, spine_surgeon
):
    browser_log.expect_status(409)
    slots = free_slots(spine_surgeon)
    for slot, name in zip(slots[:3], ["Ravi Rao", "Meena Rao", "Kiran Rao"], strict=True):
        AppointmentFactory(
            doctor=spine_surgeon,
            location=slot.location,
            starts_at=slot.start,
            ends_at=slot.end,
            patient_name=name,
            patient_phone="+919812345678",
        )
    open_details(page, spine_surgeon, slots[3])
    fill_for_mother(page)
    confirm(page)
    mobile = page.locator("#id_patient_phone")
    assert mobile.input_value() == MOBILE
    assert mobile.get_attribute("aria-invalid") == "true"
    message = page.locator("#div_id_patient_phone").inner_text()
    assert "This mobile number already has 3 upcoming appointments with Dr. Meera Kulkarni" in message
    assert page.get_by_label("Full name").input_value() == "Asha Rao"
    assert page.get_by_label("Your own name").input_value() == "Ravi Rao"
    assert booker_fields(page).is_visible()
    assert Appointment.objects.count() == 3


VARIANTS = pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-light", "desktop-dark"],
)


@VARIANTS
def test_the_family_and_my_appointments_pages_pass_axe_in_every_state(
    page, browser_log, spine_surgeon, settings, viewport, color_scheme
):
    browser_log.expect_status(400, 409, 410)
    mail.outbox.clear()
    slots = free_slots(spine_surgeon)
    for slot, name in zip(slots[:3], ["Ravi Rao", "Meena Rao", "Kiran Rao"], strict=True):
        AppointmentFactory(
            doctor=spine_surgeon,
            location=slot.location,
            starts_at=slot.start,
            ends_at=slot.end,
            patient_name=name,
            patient_email=EMAIL,
            patient_phone="+919812345678",
            **({"booker_name": "Ravi Rao", "booker_relationship": "child"} if name == "Kiran Rao" else {}),
        )

    def someone_else_with_errors():
        open_details(page, spine_surgeon, slots[4])
        page.get_by_label("Someone else").check()
        confirm(page)
        assert page.get_by_role("heading", name="There is a problem").is_visible()
        assert booker_fields(page).is_visible()

    def mobile_cap():
        open_details(page, spine_surgeon, slots[3])
        fill_for_mother(page)
        confirm(page)
        assert "This mobile number already has 3" in page.get_by_role("main").inner_text()

    def my_appointments_errors():
        page.goto("/my-appointments/")
        page.get_by_label("Email address").fill("not an email")
        with page.expect_navigation():
            page.get_by_role("button", name="Email me the list").click()
        assert page.get_by_role("heading", name="There is a problem").is_visible()

    def my_appointments_sent():
        page.goto("/my-appointments/")
        page.get_by_label("Email address").fill(EMAIL)
        with page.expect_navigation():
            page.get_by_role("button", name="Email me the list").click()

    def my_appointments_list():
        page.goto(list_link())
        assert "Kiran Rao, your child" in page.get_by_role("main").inner_text()

    def my_appointments_expired():
        settings.MY_APPOINTMENTS_LINK_MINUTES = -1  # the emailed link is past its lifetime
        page.goto(list_link())
        assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"

    states = [
        ("details form, someone else, with errors (400)", someone_else_with_errors),
        ("details form, fourth visit on one mobile (409)", mobile_cap),
        ("my appointments", lambda: page.goto("/my-appointments/")),
        ("my appointments with errors (400)", my_appointments_errors),
        ("my appointments: sent", my_appointments_sent),
        ("my appointments: the list", my_appointments_list),
        ("my appointments: expired link (410)", my_appointments_expired),
    ]
    problems = {}
    for name, go in states:
        go()
        found = axe_violations(page) + heading_outline_problems(page)
        if found:
            problems[name] = found
    assert problems == {}
