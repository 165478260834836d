"""Browser harness: Playwright for Python driving Debian's Chromium against pytest-django's live server.

One Chromium per test process (session scope); every test gets a fresh browser context, so no
cookies or storage leak between tests. Tests choose the context through three fixtures they can
override with `pytest.mark.parametrize`: `viewport` (PHONE or DESKTOP), `color_scheme` ("light" or
"dark") and `javascript_enabled`.

Every page records each request it makes and every console error; at teardown a test fails if
the browser asked any host but the live server for anything (SPEC 5: no third-party requests) or
if the console logged an error (a Content-Security-Policy violation shows up there first).
"""

import io
import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ConditionFactory,
    DoctorFactory,
    FAQFactory,
    LocationFactory,
    SpecialtyFactory,
    week_hours,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
ZONE = "Asia/Kolkata"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run browser tests last, after pytest-django's own ordering.

    Playwright's sync API keeps an asyncio loop running on the main thread from the moment the
    browser starts, and live-server tests flush the database (data-migration rows included).
    Running them last keeps both away from the rest of the suite.
    """
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def browser_unavailable(reason: str):
    """A missing browser fails the run in CI (the `CI` variable is set) and skips elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. CI is set, so a missing browser is a failure, not a skip.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        browser_unavailable("Playwright is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).is_file():
        browser_unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an asyncio loop on this thread; Django's guard against ORM calls
    # from async code would trip on the test's own (synchronous) factory calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as error:
        playwright.stop()
        browser_unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
    yield chromium
    chromium.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def viewport():
    return DESKTOP


@pytest.fixture
def color_scheme():
    return "light"


@pytest.fixture
def javascript_enabled():
    return True


@dataclass
class BrowserLog:
    """What the browser did during one test."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)

    def foreign_requests(self) -> list[str]:
        local = (f"{self.origin}/", "data:", "blob:", "about:")
        return [url for url in self.requests if not url.startswith(local)]

    def expect_status(self, *statuses: int) -> None:
        """A test that means to get these error statuses (a 409 page): Chromium logs each such response
        as a console error ("Failed to load resource: ... status of 409"); only those are let through."""
        self.expected_statuses.update(statuses)

    def unexpected_errors(self) -> list[str]:
        allowed = tuple(
            f"the server responded with a status of {status} " for status in self.expected_statuses
        )
        return [error for error in self.errors if not (allowed and any(a in error for a in allowed))]


@pytest.fixture
def browser_log(live_server):
    return BrowserLog(origin=live_server.url)


@pytest.fixture
def open_page(
    browser, transactional_db, live_server, browser_log, viewport, color_scheme, javascript_enabled
):
    """Open a page in a new browser context (its own cookies), logged like `page`; closed at teardown.

    Tests that need two independent visitors at once (a race for one slot) call it twice.
    """
    contexts = []

    def open_one():
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            color_scheme=color_scheme,
            java_script_enabled=javascript_enabled,
            accept_downloads=True,
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", lambda request: browser_log.requests.append(request.url))
        new = context.new_page()
        new.on("console", lambda message: message.type == "error" and browser_log.errors.append(message.text))
        new.on("pageerror", lambda error: browser_log.errors.append(str(error)))
        return new

    yield open_one
    for context in contexts:
        context.close()
    assert not browser_log.foreign_requests(), "the browser contacted another host"
    unexpected = browser_log.unexpected_errors()
    assert not unexpected, "the browser console logged errors:\n" + "\n".join(unexpected)


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def demo_site(transactional_db):
    """The demo doctors, specialties and locations (`manage.py seed_demo`)."""
    call_command("seed_demo", stdout=io.StringIO())


# Booking data. Real time, no time-machine (the live server runs in another thread and Chromium keeps
# its own clock): the doctors work 08:00-20:00 clinic time on every weekday, so there are always free
# times within the booking horizon and the picker opens on the first day that has some.


@pytest.fixture
def spine_surgeon(transactional_db):
    """A spine surgeon who treats sciatica and a physiotherapist who does not, both taking bookings."""
    location = LocationFactory(name="Residency Road", slug="residency-road", time_zone=ZONE)
    surgeon = DoctorFactory(
        name="Dr. Meera Kulkarni",
        slug="meera-kulkarni",
        specialty=SpecialtyFactory(name="Spine Surgery", slug="spine-surgery"),
        location=location,
        conditions=[ConditionFactory(name="Sciatica", slug="sciatica")],
    )
    physio = DoctorFactory(
        name="Dr. Arjun Iyer",
        specialty=SpecialtyFactory(name="Physiotherapy", slug="physiotherapy"),
        location=location,
        conditions=[ConditionFactory(name="Neck pain", slug="neck-pain")],
    )
    for doctor in (surgeon, physio):
        week_hours(doctor, intervals=[(time(8, 0), time(20, 0))])
    return surgeon


@pytest.fixture
def miss_article(spine_surgeon):
    category = CategoryFactory(name="Musculoskeletal Disorders", slug="musculoskeletal-disorders")
    article = ArticleFactory(
        title="Minimally invasive spine surgery",
        slug="minimally-invasive-spine-surgery",
        category=category,
        author=spine_surgeon,
        specialties=[spine_surgeon.specialty],
    )
    FAQFactory(article=article, question="How long is the hospital stay?", answer="Often one night.")
    FAQFactory(article=article, question="Will I have a large scar?", answer="No, the cuts are small.")
    return article
