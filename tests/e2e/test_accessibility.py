"""Accessibility in a real browser: axe-core's WCAG 2.2 A/AA rules on every public page.

Each page is checked at phone and desktop width in the light colour scheme, and again in the dark
one (the site follows the device setting; colours do not depend on width), including the doctor
list showing form errors.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from doctors.models import Doctor
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def public_pages():
    doctor = Doctor.objects.active().order_by("name").first()
    return [
        "/",
        "/doctors/",
        "/doctors/?q=sciatica&sort=experience",
        "/doctors/?specialty=bogus&q=" + "x" * 101,  # the filter form showing errors
        doctor.get_absolute_url(),
        doctor.specialty.get_absolute_url(),
        doctor.location.get_absolute_url(),
        "/privacy/",
    ]


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
def test_every_public_page_passes_axe_with_one_h1(page, demo_site, viewport, color_scheme):
    problems = {}
    for url in public_pages():
        page.goto(url)
        assert page.locator("html").get_attribute("data-bs-theme") == color_scheme
        found = axe_violations(page)
        h1_count = page.locator("h1").count()
        if h1_count != 1:
            found.append(f"{h1_count} <h1> elements, expected exactly one")
        if found:
            problems[url] = found
    assert problems == {}


def test_the_form_errors_are_shown_next_to_their_fields(page, demo_site):
    page.goto("/doctors/?specialty=bogus&q=" + "x" * 101)
    search = page.get_by_label("Search by name, specialty or condition")
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
