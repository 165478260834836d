"""Accessibility in a real browser: axe-core's WCAG 2.2 A/AA rules on every public page.

Each page is checked at phone and desktop width in the light colour scheme, and again in the dark
one (the site follows the device setting; colours do not depend on width), including the doctor
list showing form errors and every state of the booking flow (errors, "just taken", "already
booked" and "send me my link", the reschedule question, find my booking, 429, expired link).
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from appointments import availability
from appointments.links import manage_url
from doctors.models import Doctor
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.e2e

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def public_pages():
    doctor = Doctor.objects.active().order_by("name").first()
    return [
        "/",
        "/doctors/",
        "/doctors/?q=sciatica&sort=experience",
        "/doctors/?specialty=bogus&q=" + "x" * 101,  # the filter form showing errors
        "/doctors/?q=sciatca+bangalore",  # a corrected misspelling, reasons on the cards
        "/doctors/?q=physiotherapy+pune",  # nothing found: did you mean, common conditions, phone
        "/locations/",
        "/book/?city=Pune",
        doctor.get_absolute_url(),
        doctor.specialty.get_absolute_url(),
        doctor.location.get_absolute_url(),
        "/privacy/",
    ]


# Every heading a screen reader would announce, in document order, with its level.
_HEADINGS = """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6, [role=heading]"))
  .filter((el) => el.checkVisibility() && !el.closest("[aria-hidden=true]"))
  .map((el) => [Number(el.getAttribute("aria-level") || el.tagName.slice(1)), el.textContent.trim().slice(0, 50)])"""


def heading_outline_problems(page) -> list[str]:
    """Exactly one h1, first; going down, no level skipped (h2 then h4 is a gap; going up is fine).

    What Lighthouse's "heading-order" audit and WCAG 1.3.1 ask of a page outline (issue 10, item 7).
    """
    headings = page.evaluate(_HEADINGS)
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} <h1> elements, expected exactly one")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]} ({headings[0][1]!r}), not the h1")
    previous = 0
    for level, text in headings:
        if level > previous + 1:
            problems.append(f"h{level} {text!r} follows h{previous}: a heading level is skipped")
        previous = level
    return problems


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-light", "desktop-dark"],
)
def test_every_public_page_passes_axe_with_one_h1_and_no_skipped_heading_level(
    page, demo_site, viewport, color_scheme
):
    problems = {}
    for url in public_pages():
        page.goto(url)
        assert page.locator("html").get_attribute("data-bs-theme") == color_scheme
        found = axe_violations(page) + heading_outline_problems(page)
        if found:
            problems[url] = found
    assert problems == {}


def test_the_form_errors_are_shown_next_to_their_fields(page, demo_site):
    page.goto("/doctors/?specialty=bogus&q=" + "x" * 101)
    search = page.get_by_label("Search by condition, procedure, specialty or name")
    assert search.get_attribute("aria-invalid") == "true"
    assert search.input_value() == "x" * 101  # what the user typed is kept
    described_by = search.get_attribute("aria-describedby")
    assert "under 100 characters" in page.locator(f"#{described_by.split()[0]}").inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_skip_link_is_the_first_stop_and_moves_focus_to_main(page, demo_site, viewport):
    page.goto("/doctors/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.get_by_role("link", name="Skip to main content").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"


def test_axe_runs_under_the_sites_csp_and_catches_a_planted_violation(page, demo_site):
    """Guards the checks above against passing vacuously (e.g. axe blocked by our CSP)."""
    page.goto("/privacy/")
    page.evaluate(
        """() => {
            const text = document.createElement("p");
            text.textContent = "Barely visible";
            text.style.color = "#eeeeee";  // 1.2:1 on white
            document.querySelector("main").append(text);
        }"""
    )
    assert any(found.startswith("color-contrast") for found in axe_violations(page))


# The booking flow and the articles -----------------------------------------------------------------

VARIANTS = pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-light", "desktop-dark"],
)


def free_slots(doctor):
    """The surgeon's free times from tomorrow on (past the 4-hour cut-off, so changes stay open)."""
    tomorrow = availability.local_today(doctor) + timedelta(days=1)
    return availability.free_slots(doctor, tomorrow, 3)


def book_in_db(doctor, slot, **fields):
    return AppointmentFactory(
        doctor=doctor, location=slot.location, starts_at=slot.start, ends_at=slot.end, **fields
    )


def submit_details(page, doctor, slot, name="Asha Rao", phone="98123 45678"):
    page.goto(f"/book/{doctor.slug}/details/?start={slot.start_param}")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Mobile number").fill(phone)
    page.get_by_label("I agree to the privacy notice").check()
    page.get_by_role("button", name="Confirm booking").click()
    page.wait_for_load_state()


def booking_states(page, doctor, article, settings):
    """(name, how to get there): every public page and state of the booking flow and the articles."""
    slots = free_slots(doctor)
    mine = book_in_db(
        doctor, slots[0], patient_name="Asha Rao", patient_phone="+919812345678", reference="K7QM2XTA"
    )
    manage = manage_url(mine)
    no_email = book_in_db(
        doctor, slots[4], patient_name="Ravi Kumar", patient_phone="+919876500011", patient_email=""
    )
    past = timezone.now() - timedelta(days=45)
    expired = AppointmentFactory(doctor=doctor, starts_at=past, ends_at=past + timedelta(minutes=20))

    def invalid_details():
        page.goto(f"/book/{doctor.slug}/details/?start={slots[1].start_param}")
        page.get_by_role("button", name="Confirm booking").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="There is a problem").is_visible()

    def just_taken():
        page.goto(f"/book/{doctor.slug}/details/?start={slots[2].start_param}")
        book_in_db(doctor, slots[2])  # someone else books it while this patient types
        page.get_by_label("Full name").fill("Vikram Shah")
        page.get_by_label("Mobile number").fill("98765 43210")
        page.get_by_label("I agree to the privacy notice").check()
        page.get_by_role("button", name="Confirm booking").click()
        page.wait_for_load_state()
        assert "that time was just taken" in page.get_by_role("main").inner_text()

    def already_booked():
        submit_details(page, doctor, slots[3])  # the same mobile and name as `mine`
        assert page.get_by_role("button", name="Send me my booking link").is_visible()

    def link_sent():
        already_booked()
        with page.expect_navigation():
            page.get_by_role("button", name="Send me my booking link").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    def reschedule_question():
        page.goto(manage + "reschedule/")
        with page.expect_navigation():
            page.locator("button.slot-time").first.click()
        assert page.get_by_role("heading", level=1).inner_text().startswith("Move from")

    def find_booking_errors():
        page.goto("/find-booking/")
        with page.expect_navigation():
            page.get_by_role("button", name="Email me the link").click()
        assert page.get_by_role("heading", name="There is a problem").is_visible()

    def find_booking_sent():
        page.goto("/find-booking/")
        page.get_by_label("Booking reference").fill(mine.reference)
        page.get_by_label("Mobile number").fill("98123 45678")
        with page.expect_navigation():
            page.get_by_role("button", name="Email me the link").click()
        assert "we have just sent its private link" in page.get_by_role("main").inner_text()

    def rate_limited():
        page.goto(manage + "cancel/")
        settings.BOOKING_RATE_LIMIT = 0
        page.get_by_role("button", name="Yes, cancel it").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Too many attempts"

    def beyond_horizon():
        last = availability.local_today(doctor) + timedelta(days=settings.BOOKING_HORIZON_DAYS)
        page.goto(f"/book/{doctor.slug}/?date={last.isoformat()}")
        assert page.locator(".slot-day.is-beyond").count() > 0  # the strip of the last day runs past it

    def another_day_on_the_profile():
        page.goto(doctor.get_absolute_url())
        days = page.locator(".slot-day")
        chosen = days.nth(1 if days.first.get_attribute("aria-current") == "date" else 0)
        label = chosen.locator(".slot-day__date").inner_text()
        chosen.click()  # htmx swaps the picker in place: its heading must keep the profile's level
        page.locator(".slot-day[aria-current=date] .slot-day__date", has_text=label).wait_for()
        # Under the profile's h2 "Book a consultation", as before the swap (the same URL serves the
        # picker's own page, where it is an h2).
        assert page.locator(f"#slot-times-{doctor.slug}").evaluate("(el) => el.tagName") == "H3"

    return [
        ("profile, another day chosen (htmx)", another_day_on_the_profile),
        ("book start", lambda: page.goto("/book/")),
        ("slot picker", lambda: page.goto(f"/book/{doctor.slug}/")),
        ("details form", lambda: page.goto(f"/book/{doctor.slug}/details/?start={slots[1].start_param}")),
        ("details form with errors", invalid_details),
        ("just taken (409)", just_taken),
        ("already booked: send me my link (409)", already_booked),
        ("link sent", link_sent),
        ("manage page", lambda: page.goto(manage)),
        ("manage page of a booking without email: keep the link", lambda: page.goto(manage_url(no_email))),
        ("slot picker past the booking horizon", beyond_horizon),
        ("cancel confirmation", lambda: page.goto(manage + "cancel/")),
        ("reschedule", lambda: page.goto(manage + "reschedule/")),
        ("reschedule: move from … to …?", reschedule_question),
        ("find my booking", lambda: page.goto("/find-booking/")),
        ("find my booking with errors (400)", find_booking_errors),
        ("find my booking: sent", find_booking_sent),
        ("expired link (410)", lambda: page.goto(manage_url(expired))),
        ("articles", lambda: page.goto("/articles/")),
        ("article", lambda: page.goto(article.get_absolute_url())),
        ("category", lambda: page.goto(article.category.get_absolute_url())),
        ("too many attempts (429)", rate_limited),  # last: it uses up the allowance
    ]


@VARIANTS
def test_every_booking_and_article_page_passes_axe_with_one_h1_and_no_skipped_heading_level(
    page, browser_log, spine_surgeon, miss_article, settings, viewport, color_scheme
):
    browser_log.expect_status(400, 409, 410, 429)
    problems = {}
    for name, go in booking_states(page, spine_surgeon, miss_article, settings):
        go()
        found = axe_violations(page) + heading_outline_problems(page)
        if found:
            problems[name] = found
    assert problems == {}


def test_the_details_form_lists_its_errors_first_with_links_to_the_fields(page, browser_log, spine_surgeon):
    browser_log.expect_status(400)
    slot = free_slots(spine_surgeon)[0]
    page.goto(f"/book/{spine_surgeon.slug}/details/?start={slot.start_param}")
    page.get_by_label("Mobile number").fill("12")
    page.get_by_role("button", name="Confirm booking").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # focus moves to it
    links = summary.get_by_role("link")
    assert [link.get_attribute("href") for link in links.all()] == [
        "#id_patient_name",
        "#id_patient_phone",
        "#id_consent",
    ]
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "id_patient_phone"
    assert page.get_by_label("Mobile number").input_value() == "12"  # what was typed is kept
    assert page.get_by_label("Mobile number").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize("path", ["picker", "reschedule"])
def test_the_slot_picker_is_a_labelled_group_of_named_times(page, spine_surgeon, path):
    if path == "picker":
        page.goto(f"/book/{spine_surgeon.slug}/")
        times, role = page.get_by_role("list", name=re.compile("^Free times on")), "link"
    else:
        mine = book_in_db(spine_surgeon, free_slots(spine_surgeon)[0])
        page.goto(manage_url(mine) + "reschedule/")
        times, role = page.get_by_role("form", name=re.compile("^Free times on")), "button"
    # Each time is named with its day, not only "09:00" out of context.
    named = times.get_by_role(role, name=re.compile(r"^\d\d:\d\d \w+day \d{1,2} \w+$"))
    assert named.count() == times.get_by_role(role).count() > 0


def test_the_heading_check_catches_a_skipped_level_and_a_second_h1(page, demo_site):
    """Guards the outline check above against passing vacuously."""
    page.goto("/privacy/")
    assert heading_outline_problems(page) == []
    page.evaluate(
        """() => {
            const title = document.querySelector("h1");
            title.after(Object.assign(document.createElement("h4"), {textContent: "Too deep"}));
            document.querySelector("main").append(
                Object.assign(document.createElement("h1"), {textContent: "Another title"})
            );
        }"""
    )
    problems = heading_outline_problems(page)
    assert "2 <h1> elements, expected exactly one" in problems
    assert "h4 'Too deep' follows h1: a heading level is skipped" in problems
