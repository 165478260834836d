"""The staff day as a time grid in Chromium (issue 12 item 1): the demo Whitefield Tuesday, fully
booked, fits a 1280 x 800 desk screen with every doctor's header on one row; at 390 px one doctor at
a time with a switcher that works without JavaScript; axe-clean at both widths; the staff 403 and 404
pages in the staff frame."""

import importlib
from datetime import datetime, time, timedelta
from itertools import cycle

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from appointments import availability
from appointments.models import Appointment, AppointmentSource, AppointmentStatus
from doctors.models import Location
from doctors.roles import FRONT_DESK
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations, heading_outline_problems
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
SCREEN = {"width": 1280, "height": 800}


def next_tuesday(zone) -> datetime.date:
    today = timezone.now().astimezone(zone).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


@pytest.fixture
def tuesday(demo_site):
    """The demo Whitefield clinic on the next Tuesday, every doctor's day half booked (every other
    slot) in every status, and a front-desk sign-in (live-server tests flush the data-migration groups)."""
    whitefield = Location.objects.get(name__endswith="Whitefield")
    day = next_tuesday(whitefield.zone)
    start = datetime.combine(day, time.min, tzinfo=whitefield.zone)
    free = availability.free_slots_by_doctor(
        list(whitefield.doctors.values_list("pk", flat=True)), day, start, min_notice=timedelta(0)
    )
    statuses = cycle(list(AppointmentStatus))
    sources = cycle(list(AppointmentSource))
    rows = []
    for doctor_id, slots in free.items():
        for number, slot in enumerate(s for s in slots if s.location.pk == whitefield.pk):
            if number % 2:
                continue
            rows.append(
                Appointment(
                    doctor_id=doctor_id,
                    location=whitefield,
                    starts_at=slot.start,
                    ends_at=slot.end,
                    patient_name=f"Patient {doctor_id}-{number}",
                    patient_phone=f"+9198450{doctor_id:02d}{number:03d}",
                    reason="Low back pain after lifting a heavy box",
                    status=next(statuses),
                    source=next(sources),
                    reference=f"GRD{doctor_id % 100:02d}{number:03d}",  # 8 characters, as the column allows
                )
            )
    Appointment.objects.bulk_create(rows)
    front_desk, _ = Group.objects.get_or_create(name=FRONT_DESK)
    labels = importlib.import_module("appointments.migrations.0005_staff_permissions").PERMISSIONS[FRONT_DESK]
    front_desk.permissions.set(
        Permission.objects.get(content_type__app_label=label.split(".")[0], codename=label.split(".")[1])
        for label in labels
    )
    UserFactory(username="desk", is_staff=True, groups=[front_desk])
    return {"location": whitefield, "day": day, "doctors": len(free), "visits": len(rows)}


def sign_in(page):
    page.goto("/staff/login/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def open_day(page, tuesday):
    page.goto(f"/staff/?date={tuesday['day']:%Y-%m-%d}&location={tuesday['location'].slug}")


@pytest.mark.parametrize("viewport", [SCREEN], ids=["1280x800"])
def test_the_demo_tuesday_fits_a_desk_screen_with_every_doctor_on_one_row(page, tuesday, viewport):
    assert tuesday["doctors"] == 5
    assert tuesday["visits"] >= 40
    sign_in(page)
    open_day(page, tuesday)
    heads = page.locator(".dg-col .dg-head").evaluate_all(
        "heads => heads.map(h => { const r = h.getBoundingClientRect(); return [r.top, r.left, r.right]; })"
    )
    assert len(heads) == 5
    assert len({round(top) for top, _, _ in heads}) == 1  # one row
    assert heads[-1][2] <= SCREEN["width"]  # the fifth doctor is on screen, not wrapped or scrolled away
    header = page.locator(".staff-header").bounding_box()["height"]
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= SCREEN["height"] + header, f"page is {height}px"
    grid = page.locator(".dg-scroll").evaluate(
        "g => [g.scrollHeight, g.clientHeight, g.scrollWidth, g.clientWidth]"
    )
    assert grid[0] <= grid[1], f"the grid scrolls down inside: {grid}"
    assert grid[2] <= grid[3], f"the grid scrolls sideways: {grid}"
    # Blocks are sized by their length: a 20-minute visit is as tall as a 20-minute free cell.
    visit = page.locator(".dg-visit").first.bounding_box()["height"]
    free = page.locator(".dg-free").first.bounding_box()["height"]
    assert visit == pytest.approx(free, abs=1)
    # Counts by status in the header, never "0 booked" for a day of finished visits.
    counts = page.locator(".dg-col .dg-counts").first.inner_text()
    assert "completed" in counts
    assert "0 booked" not in counts


def test_hovering_or_focusing_a_visit_opens_it_with_its_actions(page, tuesday):
    sign_in(page)
    open_day(page, tuesday)
    booked = Appointment.objects.filter(
        reference__regex=r"^GRD\d{5}$", status=AppointmentStatus.BOOKED
    ).first()
    card = page.locator(f"#appt-{booked.reference}")
    confirm = card.get_by_role("button", name="Confirm")
    closed = card.bounding_box()["height"]
    card.get_by_role("link", name=booked.patient_name).focus()  # keyboard: tab onto the name
    assert card.bounding_box()["height"] > closed
    assert confirm.is_visible()
    assert "Low back pain after lifting a heavy box" in card.inner_text()


@pytest.mark.parametrize("javascript_enabled", [False])
@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_phone_shows_one_doctor_at_a_time_and_switches_without_javascript(
    page, tuesday, viewport, javascript_enabled
):
    sign_in(page)
    open_day(page, tuesday)
    scroller = page.locator(".dg-scroll")
    box = scroller.bounding_box()
    columns = page.locator(".dg-col")
    first = columns.nth(0).bounding_box()
    assert first["x"] + first["width"] <= box["x"] + box["width"] + 1  # the first doctor fills the width
    assert columns.nth(1).bounding_box()["x"] >= box["x"] + box["width"] - 1  # the next is off to the side
    third = columns.nth(2)
    name = third.locator(".dg-title").inner_text()
    page.locator(".dg-switch").get_by_role("link", name=name).click()
    page.wait_for_function("document.querySelector('.dg-scroll').scrollLeft > 0")
    shown = third.bounding_box()
    axis = page.locator(".dg-axis").bounding_box()
    assert shown["x"] == pytest.approx(axis["x"] + axis["width"], abs=2)  # beside the sticky time column
    assert axis["x"] == pytest.approx(box["x"] + 1, abs=2)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_grid_and_the_staff_error_pages_pass_axe(page, browser_log, tuesday, viewport):
    browser_log.expect_status(403, 404)
    sign_in(page)
    problems = {}
    doctor = tuesday["location"].doctors.order_by("name").first()
    pages = {
        "day": lambda: open_day(page, tuesday),
        "week": lambda: page.goto(f"/staff/doctors/{doctor.slug}/week/?start={tuesday['day']:%Y-%m-%d}"),
        "print": lambda: page.goto(
            f"/staff/print/?date={tuesday['day']:%Y-%m-%d}&location={tuesday['location'].slug}"
        ),
        "not found": lambda: page.goto("/staff/appointments/NOSUCHREF/"),
    }
    for name, go in pages.items():
        go()
        found = axe_violations(page) + heading_outline_problems(page)
        if found:
            problems[name] = found
    assert problems == {}
    assert "Back to the day" in page.get_by_role("main").inner_text()
