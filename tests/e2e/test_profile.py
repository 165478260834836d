"""Issue 13, item 5 and 7 in a real browser: a compact phone header, profiles that lead with booking, the
header's actions at the right edge on a desktop, keeping a booking's link, and the admin's doctor slug.

Measured with the layout Chromium computes, at the widths the issue names (320 x 568 for the smallest phone,
390 px for a common one, 1280 px for a desktop).
"""

import pytest
from django.contrib.auth import get_user_model

from appointments.links import manage_url
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations, book_in_db, free_slots
from tests.factories import LocationFactory, SpecialtyFactory

pytestmark = pytest.mark.e2e

SMALLEST_PHONE = {"width": 320, "height": 568}
COMPACT_HEADER_PX = 100

BOX = "(el) => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"


def box(page, selector):
    return page.locator(selector).first.evaluate(BOX)


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [SMALLEST_PHONE], ids=["320x568"])
def test_on_the_smallest_phone_the_home_search_box_shows_on_arrival(
    page, demo_site, viewport, javascript_enabled
):
    page.goto("/")
    header = box(page, ".site-header")
    assert header["bottom"] <= COMPACT_HEADER_PX
    search = box(page, "#home-q")
    assert search["top"] >= 0
    assert search["bottom"] <= viewport["height"]
    # Book Appt. and Call Now stay one tap away, inside the header and on screen.
    for name in ["Book Appt.", "Call Now"]:
        action = page.get_by_role("banner").get_by_role("link", name=name)
        assert action.is_visible()
        place = action.evaluate(BOX)
        assert place["bottom"] <= header["bottom"]
        assert place["right"] <= viewport["width"]
    assert page.get_by_role("banner").get_by_role("status").is_visible()  # whether the line is open
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # no sideways scroll
    if javascript_enabled:  # axe runs in the page
        assert axe_violations(page) == []


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["390"])
def test_on_a_phone_the_profile_shows_the_free_times_before_the_bio(
    page, spine_surgeon, viewport, javascript_enabled
):
    spine_surgeon.bio = "Listens first."
    spine_surgeon.save()
    page.goto(spine_surgeon.get_absolute_url())
    first_time = box(page, ".slot-picker .slot-time")
    summary = box(page, "h1")
    for later in ["#about", "#conditions", "#where"]:
        assert first_time["bottom"] < box(page, later)["top"], later
    assert summary["bottom"] < box(page, "#book")["top"]
    if javascript_enabled:
        assert axe_violations(page) == []


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["1280"])
def test_on_a_desktop_the_header_actions_end_at_the_containers_right_edge(page, demo_site, viewport):
    for url in ["/", "/doctors/"]:
        page.goto(url)
        inner = page.locator(".site-header__inner")
        content_right = inner.evaluate(
            "(el) => el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight)"
        )
        call_now = box(page, ".site-header .site-actions .btn-outline-brand")
        book = box(page, ".site-header .site-actions .btn-book")
        assert abs(call_now["right"] - content_right) <= 1
        assert book["right"] <= call_now["left"]  # side by side, Book Appt. first
        assert abs(box(page, ".site-header .phone-line")["right"] - content_right) <= 1
        assert call_now["top"] < box(page, ".site-header .phone-line")["top"]
        # One row with the clinic name and the links, not wrapped under them.
        assert call_now["top"] < box(page, ".site-nav")["bottom"]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_a_cards_next_available_opens_the_details_form_for_that_time(page, spine_surgeon, viewport):
    page.goto("/doctors/")
    card = page.locator("article.doctor-card", has_text=spine_surgeon.name)
    link = card.get_by_role("link", name="Next available")
    when = link.inner_text().removeprefix("Next available: ")
    link.click()
    page.wait_for_url("**/details/?start=*")
    assert page.get_by_role("heading", level=1).inner_text() == "Your details"
    booked_time = page.locator(".booking-form__time").inner_text()
    assert when.split(", ")[1].split()[0] in booked_time  # the same wall-clock time, e.g. 09:30


@pytest.mark.parametrize("javascript_enabled", [True, False], ids=["js", "no-js"])
def test_a_booking_without_email_offers_its_link_to_copy_and_print(page, spine_surgeon, javascript_enabled):
    appointment = book_in_db(spine_surgeon, free_slots(spine_surgeon)[0], patient_email="")
    page.goto(manage_url(appointment))
    link = page.get_by_label("Your private link")
    assert link.input_value() == page.url  # the whole address of this page
    assert link.get_attribute("readonly") is not None
    buttons = page.get_by_role("button", name="Copy link")
    if not javascript_enabled:
        assert buttons.count() == 0  # nothing that cannot work: the field is there to select
        link.focus()
        page.keyboard.press("ControlOrMeta+a")
        assert (
            page.evaluate("window.getSelection().toString() || document.activeElement.value")
            == link.input_value()
        )
        return
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    assert page.get_by_role("button", name="Print this page").is_visible()
    buttons.click()
    page.get_by_role("status").filter(has_text="Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()


def test_the_admin_fills_in_a_new_doctors_slug_without_the_title(page, live_server):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "correct horse battery staple")
    SpecialtyFactory()
    LocationFactory()
    page.goto("/admin/login/?next=/admin/doctors/doctor/add/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/doctors/doctor/add/")
    page.locator("#id_name").press_sequentially("Dr. Kiran Rao")
    assert page.locator("#id_slug").input_value() == "kiran-rao"
    page.locator("#id_name").fill("")
    page.locator("#id_name").press_sequentially("Prof. Dr Asha Rao")
    assert page.locator("#id_slug").input_value() == "asha-rao"
