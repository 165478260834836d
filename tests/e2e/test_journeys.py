"""Patient journeys in a real browser, on a phone and on a keyboard, with and without JavaScript.

Booking steps join these journeys once the booking pages land.
"""

import pytest

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                id: el.id, tag: el.tagName, text: el.textContent.trim(),
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
    page.get_by_label("Search by name, specialty or condition").fill("sciatica")
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
