"""Slot holds and the waitlist in Chromium (issue 15 items 1 and 2), axe-clean.

Real time here (the live server runs in another thread and Chromium keeps its own clock), so every
dated object is built from the current time.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, SlotHold
from tests.e2e.conftest import DESKTOP, PHONE, ZONE
from tests.e2e.test_accessibility import axe_violations, heading_outline_problems
from tests.e2e.test_journeys import PATIENT, fill_details, start_of
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.e2e

VARIANTS = pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-dark"],
)


def accessible(page) -> list[str]:
    return axe_violations(page) + heading_outline_problems(page)


@VARIANTS
def test_a_second_patient_cannot_take_a_time_someone_is_typing_for_until_it_is_given_back(
    open_page, spine_surgeon, viewport, color_scheme
):
    first, second = open_page(), open_page()
    first.goto(f"/book/{spine_surgeon.slug}/")
    time_link = first.locator(".slot-time").first
    start = start_of(time_link)
    time_link.click()
    first.wait_for_url("**/details/?start=*&hold=*")
    local = start.astimezone(ZoneInfo(ZONE))
    notice = first.get_by_role("status").filter(has_text="We're holding")
    assert re.fullmatch(
        rf"We're holding {local:%H:%M} for you until \d\d:\d\d IST\.", notice.inner_text().strip()
    )
    assert accessible(first) == []

    second.goto(f"/book/{spine_surgeon.slug}/?date={local:%Y-%m-%d}")
    assert start not in [start_of(link) for link in second.locator(".slot-time").all()]
    second.goto(f"/book/{spine_surgeon.slug}/details/?start={start:%Y-%m-%dT%H:%M:%SZ}")
    second.wait_for_url(f"**/book/{spine_surgeon.slug}/?date={local:%Y-%m-%d}")  # the picker on that day
    assert "That time is not available any more" in second.get_by_role("main").inner_text()

    first.get_by_role("button", name="Choose another time").click()
    first.wait_for_url(f"**/book/{spine_surgeon.slug}/?date={local:%Y-%m-%d}")
    assert not SlotHold.objects.exists()

    second.goto(f"/book/{spine_surgeon.slug}/?date={local:%Y-%m-%d}")
    second.locator(f'.slot-time[href*="{start:%Y-%m-%dT%H:%M:%SZ}"]').click()
    second.wait_for_url("**/details/?start=*&hold=*")
    fill_details(second, PATIENT | {"Full name": "Vikram Shah", "Mobile number": "98765 43210"})
    second.get_by_role("button", name="Confirm booking").click()
    second.wait_for_url("**/a/*/")
    assert Appointment.objects.get(starts_at=start).patient_name == "Vikram Shah"
    assert not SlotHold.objects.exists()


@pytest.fixture
def booked_up_doctor(transactional_db):
    """A doctor with one 20-minute time a day (09:00), every one of them booked for the next 32 days;
    the visit in four days is Asha's, with her email."""
    location = LocationFactory(name="Residency Road", slug="residency-road", time_zone=ZONE)
    doctor = DoctorFactory(name="Dr. Kavya Menon", slug="kavya-menon", location=location)
    week_hours(doctor, intervals=[(time(9, 0), time(9, 20))])
    zone = ZoneInfo(ZONE)
    today = timezone.now().astimezone(zone).date()
    visits = {}
    for offset in range(33):
        start = datetime.combine(today + timedelta(days=offset), time(9, 0), zone).astimezone(ZoneInfo("UTC"))
        name = "Asha Rao" if offset == 4 else f"Patient {offset}"
        visits[offset] = AppointmentFactory(
            doctor=doctor, starts_at=start, patient_name=name, patient_email=f"p{offset}@example.com"
        )
    return doctor, visits


@VARIANTS
def test_a_waiter_gets_and_takes_a_time_another_patient_gave_up(
    open_page, booked_up_doctor, viewport, color_scheme
):
    from appointments.links import manage_url

    doctor, visits = booked_up_doctor
    waiter, leaver = open_page(), open_page()

    waiter.goto(f"/book/{doctor.slug}/")
    waiter.get_by_role("link", name="None of these suit? Tell me if an earlier time frees up").click()
    waiter.wait_for_url(f"**/book/{doctor.slug}/waitlist/")
    assert accessible(waiter) == []
    last_day = (timezone.now().astimezone(ZoneInfo(ZONE)) + timedelta(days=10)).date()
    waiter.get_by_label("Up to which day would a time suit you?").fill(last_day.isoformat())
    waiter.get_by_label("Mornings only (before 12:00)").check()
    waiter.get_by_label("Full name").fill("Vikram Shah")
    waiter.get_by_label("Mobile number").fill("98765 43210")
    waiter.get_by_role("textbox", name=re.compile(r"^Email")).fill("vikram@example.com")
    waiter.get_by_label("I agree to the privacy notice").check()
    waiter.get_by_role("button", name="Put me on the waitlist").click()
    waiter.wait_for_url(f"**/book/{doctor.slug}/")
    assert "You are on the waitlist" in waiter.get_by_role("main").inner_text()
    assert WaitlistEntry.objects.get().patient_name == "Vikram Shah"
    assert not [m for m in mail.outbox if m.to == ["vikram@example.com"]]  # nothing free yet

    freed = visits[4]
    leaver.goto(manage_url(freed))
    leaver.get_by_role("link", name="Cancel").first.click()
    leaver.get_by_role("button", name="Yes, cancel it").click()
    leaver.wait_for_url("**/a/*/")

    [offer_mail] = [m for m in mail.outbox if m.to == ["vikram@example.com"]]
    link = re.search(r"https?://\S+/waitlist/offer/\S+/", offer_mail.body).group(0)
    waiter.goto("/" + link.split("/", 3)[3])
    assert accessible(waiter) == []
    waiter.get_by_role("button", name="Book this time").click()
    waiter.wait_for_url("**/a/*/")
    taken = Appointment.objects.get(starts_at=freed.starts_at, status=AppointmentStatus.BOOKED)
    assert (taken.patient_name, taken.patient_email) == ("Vikram Shah", "vikram@example.com")
    assert taken.reference in waiter.locator(".reference").inner_text()


@VARIANTS
def test_the_staff_waitlist_page_passes_axe(open_page, booked_up_doctor, viewport, color_scheme, live_server):
    from tests.factories import UserFactory
    from waitlist.services import entry_join

    doctor, _ = booked_up_doctor
    entry_join(
        doctor=doctor,
        patient_name="Vikram Shah",
        patient_phone="+919876543210",
        patient_email="vikram@example.com",
        not_after=timezone.now().astimezone(ZoneInfo(ZONE)).date() + timedelta(days=5),
    )
    desk = UserFactory(is_staff=True, is_superuser=True)  # the flushed database has no groups
    desk.set_password("a long enough test password")
    desk.save()
    page = open_page()
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(desk.username)
    page.get_by_label("Password").fill("a long enough test password")
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url("**/staff/")
    page.goto(f"/staff/waitlist/?doctor={doctor.slug}")
    assert "Vikram Shah" in page.get_by_role("main").inner_text()
    assert accessible(page) == []
