"""Patient journeys in a real browser, on a phone and on a keyboard, with and without JavaScript:
finding a doctor, booking, the .ics, rescheduling, cancelling, a race for one slot, and booking from
an article.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from appointments.models import Appointment, AppointmentStatus, SlotHold
from tests.e2e.conftest import PHONE, ZONE

pytestmark = pytest.mark.e2e


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                id: el.id, tag: el.tagName, text: el.textContent.trim(),
                className: el.getAttribute("class") || "",
                cardLink: el.matches(".doctor-card__name a"),
                outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
            };
        }"""
    )


def tab_to(page, wanted, limit=40) -> dict:
    """Press Tab until `wanted(focused element)` holds; fail if it takes more than `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if wanted(element):
            return element
    pytest.fail(f"{limit} presses of Tab never reached the element")


def search_the_list(page, text, *, javascript_enabled=True):
    """Type into the list's search box; with JavaScript, close the suggestions (Escape) as a patient
    who wants the button would, so the open list does not cover it."""
    box = page.get_by_label("Search by condition, procedure, specialty or name")
    box.fill(text)
    if javascript_enabled:
        page.get_by_role("listbox", name="Suggestions").wait_for(state="visible")
        box.press("Escape")


def assert_profile_offers_booking_and_a_call(page, name):
    assert page.get_by_role("heading", level=1).inner_text() == name
    main = page.get_by_role("main")
    assert main.get_by_role("link", name="Book Appt.").is_visible()
    call = main.get_by_role("link", name="Call Now")
    assert call.is_visible()
    assert call.get_attribute("href").startswith("tel:+")
    conditions = main.get_by_role("region", name="Conditions treated")
    assert "Sciatica" in conditions.inner_text()


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_patient_on_a_phone_finds_a_doctor_for_their_condition(
    page, demo_site, viewport, javascript_enabled
):
    page.goto("/doctors/")
    search_the_list(page, "sciatica", javascript_enabled=javascript_enabled)
    page.get_by_role("button", name="Show doctors").click()
    page.wait_for_url("**/doctors/?q=sciatica*")
    assert page.get_by_role("heading", name="doctors found").is_visible()
    first = page.locator(".doctor-card__name a").first
    name = first.inner_text()
    # On a phone the card's two actions stack full width instead of sitting side by side.
    actions = page.locator(".doctor-card__actions").first.get_by_role("link").all()
    assert actions[0].bounding_box()["y"] < actions[1].bounding_box()["y"]
    first.click()
    page.wait_for_url("**/doctors/*/")
    assert_profile_offers_booking_and_a_call(page, name)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], "the profile scrolls sideways on a phone"


def test_a_keyboard_user_searches_from_home_and_opens_a_profile(page, demo_site):
    page.goto("/")
    search = tab_to(page, lambda element: element["id"] == "home-q")
    assert search["outlineStyle"] != "none"
    assert search["outlineWidth"] >= 2
    page.keyboard.type("sciatica")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doctors/?q=sciatica")
    link = tab_to(page, lambda element: element["cardLink"])
    assert link["outlineStyle"] != "none"
    assert link["outlineWidth"] >= 2
    page.keyboard.press("Enter")
    page.wait_for_url("**/doctors/*/")
    assert_profile_offers_booking_and_a_call(page, link["text"])


# Booking journeys (data: the `spine_surgeon` and `miss_article` fixtures in conftest.py) ----------

PATIENT = {"Full name": "Asha Rao", "Mobile number": "98123 45678", "Email (optional)": "asha@example.com"}


def start_of(link_or_button) -> datetime:
    """The UTC start a picker time carries: `?start=` of a link, or the value of a reschedule button."""
    value = link_or_button.get_attribute("value")
    if value is None:
        value = parse_qs(urlsplit(link_or_button.get_attribute("href")).query)["start"][0]
    return datetime.fromisoformat(value)


def next_day(page):
    """The picker's day after the one it opened on: its times are past the 4-hour cut-off, so a
    booking there can still be moved and cancelled online. Returns the link and its "24 Nov" label."""
    days = page.locator(".slot-day")
    selected = next(i for i, day in enumerate(days.all()) if day.get_attribute("aria-current") == "date")
    wanted = days.nth(selected + 1)
    return wanted, wanted.locator(".slot-day__date").inner_text()


def wait_for_day(page, label):
    """With JavaScript htmx swaps the picker in place; without, the page reloads on that day."""
    page.locator(".slot-day[aria-current=date] .slot-day__date", has_text=label).wait_for()
    start = start_of(page.locator(".slot-time").first)
    assert start.astimezone(ZoneInfo(ZONE)).strftime("%-d %b") == label


def pick_a_time_on_the_next_day(page):
    day, label = next_day(page)
    day.click()
    wait_for_day(page, label)
    time_link = page.locator(".slot-time").first
    start = start_of(time_link)
    time_link.click()
    page.wait_for_url("**/details/?start=*")
    return start


def find_the_surgeon_and_open_the_profile(page, surgeon, *, javascript_enabled=True):
    page.goto("/doctors/")
    search_the_list(page, "sciatica", javascript_enabled=javascript_enabled)
    page.get_by_role("button", name="Show doctors").click()
    page.wait_for_url("**/doctors/?q=sciatica*")
    names = page.locator(".doctor-card__name a")
    assert names.all_inner_texts() == [surgeon.name]  # the physiotherapist does not treat sciatica
    names.first.click()
    page.wait_for_url(f"**{surgeon.get_absolute_url()}")


def fill_details(page, patient=PATIENT):
    for label, value in patient.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Follow-up").check()
    page.get_by_label("I agree to the privacy notice").check()


def assert_manage_page_for(page, start):
    page.wait_for_url("**/a/*/")
    appointment = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert appointment.starts_at == start
    assert page.get_by_role("heading", level=1).inner_text() == f"Consultation with {appointment.doctor.name}"
    assert appointment.reference in page.locator(".reference").inner_text()
    local = start.astimezone(ZoneInfo(ZONE))
    assert f"{local:%H:%M}–" in page.get_by_role("main").inner_text()
    return appointment


def download_ics(page) -> Calendar:
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    assert download.value.suggested_filename.endswith(".ics")
    return Calendar.from_ical(Path(download.value.path()).read_bytes())


def is_movable(start, current) -> bool:
    """Another time, past the 4-hour cut-off (with a margin), so the booking stays changeable online."""
    return start != current and start > datetime.now(UTC) + timedelta(hours=5)


def movable_time(page, current):
    """A reschedule button for a movable time; the next day's when the first day has none."""
    found = [b for b in page.locator("button.slot-time").all() if is_movable(start_of(b), current)]
    if not found:
        day, label = next_day(page)
        day.click()
        wait_for_day(page, label)
        found = page.locator("button.slot-time").all()
    return found[0]


def reschedule_and_cancel(page, appointment):
    page.get_by_role("link", name="Reschedule").click()
    page.wait_for_url("**/reschedule/")
    other = movable_time(page, appointment.starts_at)
    new_start = start_of(other)
    other.click()
    question = page.get_by_role("heading", level=1, name=re.compile(r"^Move from .+ to .+\?$"))
    question.wait_for()
    assert f"to {new_start.astimezone(ZoneInfo(ZONE)):%a %-d %b, %H:%M} IST?" in question.inner_text()
    assert Appointment.objects.get(pk=appointment.pk).starts_at == appointment.starts_at  # asked first
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/a/*/")
    assert "Your appointment is moved" in page.get_by_role("main").inner_text()
    assert page.get_by_role("main").locator(".alert").count() == 1  # one banner, not two
    moved = Appointment.objects.get(pk=appointment.pk)
    assert (moved.starts_at, moved.reference) == (new_start, appointment.reference)

    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/cancel/")
    assert page.get_by_role("heading", level=1).inner_text() == "Cancel this appointment?"
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.BOOKED  # asked first
    page.get_by_label("Reason (optional)").fill("Feeling better")
    page.get_by_role("button", name="Yes, cancel it").click()
    page.wait_for_url("**/a/*/")
    main = page.get_by_role("main")
    assert main.locator(".alert").all_inner_texts() == [
        "Your appointment is cancelled. The time is free for someone else now."
    ]
    assert main.locator(".manage__status").inner_text() == "Cancelled"
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_patient_on_a_phone_books_downloads_the_ics_reschedules_and_cancels(
    page, spine_surgeon, viewport, javascript_enabled
):
    find_the_surgeon_and_open_the_profile(page, spine_surgeon, javascript_enabled=javascript_enabled)
    start = pick_a_time_on_the_next_day(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your details"
    fill_details(page)
    page.get_by_role("button", name="Confirm booking").click()
    appointment = assert_manage_page_for(page, start)
    assert (appointment.patient_name, appointment.visit_type) == ("Asha Rao", "follow_up")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    event = download_ics(page).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == ZONE
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").tzinfo.key == ZONE  # wall-clock time in the clinic's zone

    reschedule_and_cancel(page, appointment)


def focused_outline(page) -> dict:
    element = focused(page)
    assert element["tag"] != "BODY", "focus was lost"
    assert element["outlineStyle"] != "none", f"no visible focus on {element}"
    assert element["outlineWidth"] >= 2, f"no visible focus on {element}"
    return element


def press(page, key, times=1) -> dict:
    """Press a key; the element that has focus afterwards must show it."""
    for _ in range(times):
        page.keyboard.press(key)
        element = focused_outline(page)
    return element


def tab_until(page, wanted, limit=80, key="Tab") -> dict:
    for _ in range(limit):
        element = press(page, key)
        if wanted(element):
            return element
    pytest.fail(f"{limit} presses of {key} never reached the element")


def test_a_keyboard_user_books_reschedules_and_cancels(page, spine_surgeon):
    page.goto("/doctors/?q=sciatica")
    tab_until(page, lambda element: element["cardLink"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{spine_surgeon.get_absolute_url()}")

    _, label = next_day(page)
    tab_until(page, lambda element: "slot-day" in element["className"] and label in element["text"])
    page.keyboard.press("Enter")
    wait_for_day(page, label)
    assert label in focused_outline(page)["text"]  # choosing a day keeps focus on it
    tab_until(page, lambda element: "slot-time" in element["className"])
    start = start_of(page.locator(":focus"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/details/?start=*")

    tab_until(page, lambda element: element["id"] == "id_patient_name")
    page.keyboard.type("Asha Rao")
    press(page, "Tab")
    page.keyboard.type("98123 45678")
    tab_until(page, lambda element: element["id"] == "id_visit_type_0")  # the checked radio
    press(page, "ArrowDown")  # arrow keys move within the radio group and select
    assert page.get_by_label("Follow-up").is_checked()
    tab_until(page, lambda element: element["text"] == "Confirm booking")
    consent = tab_until(page, lambda element: element["id"] == "id_consent", key="Shift+Tab")
    assert consent["tag"] == "INPUT"
    press(page, "Space")
    assert page.get_by_label("I agree to the privacy notice").is_checked()
    tab_until(page, lambda element: element["text"] == "Confirm booking")
    page.keyboard.press("Enter")
    appointment = assert_manage_page_for(page, start)
    assert appointment.visit_type == "follow_up"

    tab_until(page, lambda element: element["text"] == "Reschedule")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reschedule/")
    _, label = next_day(page)  # the booked day: its other times are past the cut-off too
    tab_until(page, lambda element: "slot-day" in element["className"] and label in element["text"])
    page.keyboard.press("Enter")
    wait_for_day(page, label)
    moved_to = None
    for _ in range(120):
        element = press(page, "Tab")
        if "slot-time" in element["className"] and is_movable(start_of(page.locator(":focus")), start):
            moved_to = start_of(page.locator(":focus"))
            break
    assert moved_to, "no movable time reached with Tab"
    page.keyboard.press("Space")  # a button answers to Space as well as Enter
    page.get_by_role("heading", level=1, name=re.compile("^Move from")).wait_for()
    tab_until(page, lambda element: element["text"] == "Confirm")
    page.keyboard.press("Enter")
    page.wait_for_url("**/a/*/")
    assert Appointment.objects.get(pk=appointment.pk).starts_at == moved_to

    tab_until(page, lambda element: element["text"] == "Cancel")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cancel/")
    tab_until(page, lambda element: element["text"] == "Yes, cancel it")
    page.keyboard.press("Enter")
    page.wait_for_url("**/a/*/")
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED


def is_booking_post(response) -> bool:
    return response.request.method == "POST" and "/details/" in response.url


def test_two_patients_race_for_one_slot_and_exactly_one_gets_it(open_page, browser_log, spine_surgeon):
    """Both forms open on one time: the first one's hold has run out when the second opens it (holds
    themselves are tested in test_holds_waitlist.py), and both submit at once."""
    first, second = open_page(), open_page()
    browser_log.expect_status(409)
    for visitor in (first, second):
        visitor.goto(f"/book/{spine_surgeon.slug}/")
    time_link = first.locator(".slot-time").first
    start = start_of(time_link)
    assert start_of(second.locator(".slot-time").first) == start
    names = {first: "Asha Rao", second: "Vikram Shah"}
    for visitor, mobile in ((first, "98123 45678"), (second, "98765 43210")):
        SlotHold.objects.update(expires_at=timezone.now())  # the other form's hold ran out
        visitor.locator(".slot-time").first.click()
        visitor.wait_for_url("**/details/?start=*")
        fill_details(visitor, PATIENT | {"Full name": names[visitor], "Mobile number": mobile})

    # Both submit before either answer arrives, once the second form's hold has run out too.
    SlotHold.objects.update(expires_at=timezone.now())
    with (
        first.expect_response(is_booking_post) as first_post,
        second.expect_response(is_booking_post) as second_post,
    ):
        first.get_by_role("button", name="Confirm booking").click(no_wait_after=True)
        second.get_by_role("button", name="Confirm booking").click(no_wait_after=True)
    statuses = {first: first_post.value.status, second: second_post.value.status}
    assert sorted(statuses.values()) == [302, 409]
    winner, loser = sorted(statuses, key=statuses.get)
    winner.wait_for_url("**/a/*/")
    loser.wait_for_load_state()

    booked = Appointment.objects.get(starts_at=start)
    assert booked.patient_name == names[winner]
    assert booked.reference in winner.locator(".reference").inner_text()
    main = loser.get_by_role("main")
    assert "that time was just taken" in main.inner_text()
    alternatives = main.get_by_role("group", name="The nearest free times").get_by_role("button")
    assert alternatives.count() >= 1
    assert all(start_of(button) != start for button in alternatives.all())
    assert loser.get_by_label("Full name").input_value() == names[loser]  # what they typed is kept
    assert loser.get_by_label("I agree to the privacy notice").is_checked()
    assert Appointment.objects.count() == 1


def test_a_reader_expands_an_faq_and_books_from_a_consult_a_specialist_card(
    page, miss_article, spine_surgeon
):
    page.goto("/articles/")
    page.get_by_role("link", name=miss_article.title).first.click()
    page.wait_for_url(f"**{miss_article.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == miss_article.title

    answer = page.get_by_text("Often one night.")
    assert not answer.is_visible()
    page.get_by_text("How long is the hospital stay?").click()
    assert answer.is_visible()
    assert page.locator("details").first.get_attribute("open") is not None

    consult = page.get_by_role("region", name="Consult a Specialist")
    card = consult.locator(".doctor-card").first  # soonest free time first
    assert spine_surgeon.name in card.inner_text()
    card.get_by_role("link", name=f"Book Appt. with {spine_surgeon.name}").click()
    page.wait_for_url(f"**/book/{spine_surgeon.slug}/")
    time_link = page.locator(".slot-time").first
    start = start_of(time_link)
    time_link.click()
    fill_details(page)
    page.get_by_role("button", name="Confirm booking").click()
    assert_manage_page_for(page, start)
