"""Cached pages in Chromium: a page served from the page cache runs its scripts under the response's CSP.

The page cache keeps bodies without any per-response part (no CSP nonce; the phone-line hint is filled
in per answer), so htmx and our own scripts must work, and the console stay clean (the `page` fixture
fails the test on any console error, CSP violations included), on a cached answer as on a fresh one.
"""

import pytest

from tests.e2e.test_journeys import next_day, wait_for_day

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


def test_a_cached_profile_swaps_its_slot_picker_in_place(page, spine_surgeon):
    path = spine_surgeon.get_absolute_url()
    assert page.goto(path).headers.get("x-page-cache") is None  # rendered, then kept
    response = page.goto(path)
    assert response.headers["x-page-cache"] == "hit"
    assert "nonce" not in response.headers["content-security-policy"]
    day, label = next_day(page)
    day.click()  # htmx fetches the picker for that day and swaps it in place
    wait_for_day(page, label)


def test_a_cached_home_page_suggests_as_you_type(page, demo_site):
    page.goto("/")
    assert page.goto("/").headers["x-page-cache"] == "hit"
    box = page.get_by_role("combobox", name="Search by condition, procedure, specialty or name")
    box.click()
    page.keyboard.type("herni")
    page.get_by_role("listbox", name="Suggestions").wait_for(state="visible")
