"""Search suggestions in Chromium: an ARIA combobox over htmx-fetched options (SPEC 3.2, issue 13).

Roles and states as the WAI-ARIA Authoring Practices' "combobox with list autocomplete" sets them,
the keys a keyboard user presses (arrows, Enter, Escape), a click, axe with the list open, and the
plain search form without JavaScript.
"""

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.e2e

LABEL = "Search by condition, procedure, specialty or name"


def open_suggestions(page, text):
    box = page.get_by_role("combobox", name=LABEL)
    box.click()
    page.keyboard.type(text)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for(state="visible")
    return box, listbox


@pytest.mark.parametrize("path", ["/", "/doctors/"], ids=["home", "list"])
def test_suggestions_are_a_combobox_a_keyboard_drives(page, demo_site, path):
    page.goto(path)
    box = page.get_by_role("combobox", name=LABEL)
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-autocomplete") == "list"

    box, listbox = open_suggestions(page, "herni")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    options = listbox.get_by_role("option")
    assert options.count() == 1
    assert "Slipped disc" in options.first.inner_text()
    assert "also called herniated disc" in options.first.inner_text()
    assert "1 suggestion" in page.get_by_role("status").filter(has_text="suggestion").inner_text()
    assert box.get_attribute("aria-activedescendant") is None

    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == box.get_attribute("id")  # focus stays in the box

    page.keyboard.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "herni"  # Escape closes the list and keeps what was typed

    page.keyboard.press("ArrowDown")  # reopens on the first option
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/doctors/\?q=Slipped\+disc"))
    assert page.get_by_role("heading", name="5 doctors found").is_visible()
    assert page.locator(".doctor-card__reason").first.inner_text().endswith("Treats slipped disc")


def test_arrow_keys_wrap_around_the_options(page, demo_site):
    page.goto("/")
    box, listbox = open_suggestions(page, "back")
    options = listbox.get_by_role("option")
    count = options.count()
    assert count >= 3
    page.keyboard.press("ArrowUp")  # from the box, up goes to the last option
    assert box.get_attribute("aria-activedescendant") == options.nth(count - 1).get_attribute("id")
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    page.keyboard.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    assert options.first.get_attribute("aria-selected") == "false"


def test_a_doctor_suggestion_opens_the_profile(page, demo_site):
    page.goto("/doctors/")
    open_suggestions(page, "dr shet")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doctors/vikram-shetty/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dr. Vikram Shetty"


def test_a_click_on_a_suggestion_searches_for_it(page, demo_site):
    page.goto("/")
    _box, listbox = open_suggestions(page, "kypho")
    listbox.get_by_role("option", name=re.compile("Kyphoplasty")).click()
    page.wait_for_url(re.compile(r"/doctors/\?q=Kyphoplasty"))
    assert page.get_by_role("heading", name="3 doctors found").is_visible()


def test_enter_without_choosing_searches_for_what_was_typed(page, demo_site):
    page.goto("/")
    open_suggestions(page, "sciatca")
    page.keyboard.press("Enter")
    page.wait_for_url("**/doctors/?q=sciatca")
    assert "Showing results for Sciatica" in page.get_by_role("main").inner_text()


def test_clearing_the_box_closes_the_list(page, demo_site):
    page.goto("/")
    box, listbox = open_suggestions(page, "sci")
    box.fill("")
    listbox.wait_for(state="hidden")
    assert box.get_attribute("aria-expanded") == "false"


@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(PHONE, "light"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-light", "desktop-light", "desktop-dark"],
)
def test_the_open_suggestions_pass_axe(page, demo_site, viewport, color_scheme):
    problems = {}
    for path in ["/", "/doctors/"]:
        page.goto(path)
        open_suggestions(page, "spin")
        page.keyboard.press("ArrowDown")
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


@pytest.mark.parametrize("javascript_enabled", [False], ids=["no-js"])
def test_without_javascript_the_box_is_a_plain_search_form(page, demo_site, javascript_enabled):
    page.goto("/")
    box = page.get_by_label(LABEL)
    assert box.get_attribute("role") is None
    assert page.get_by_role("searchbox", name=LABEL).count() == 1
    box.fill("backpain")
    box.press("Enter")
    page.wait_for_url("**/doctors/?q=backpain")
    assert page.get_by_role("heading", name="5 doctors found").is_visible()
