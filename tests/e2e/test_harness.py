"""The browser harness itself: it never skips in CI, and production cookie flags work in it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
def test_chromium_starts(browser):
    assert browser.is_connected()
    assert browser.version.split(".")[0].isdigit()


def run_browser_test_without_chromium(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI", "DJANGO_ALLOW_ASYNC"))}
    clean.update(env, CHROMIUM_PATH="/nonexistent/chromium")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", f"{__file__}::test_chromium_starts"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_browser_fails_the_run_when_ci_is_set():
    result = run_browser_test_without_chromium(CI="true")
    assert result.returncode == 1, result.stdout
    assert "CI is set, so a missing browser is a failure" in result.stdout
    assert "1 error" in result.stdout


def test_a_missing_browser_skips_outside_ci():
    result = run_browser_test_without_chromium()
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout


@pytest.mark.e2e
def test_secure_cookies_work_against_the_live_server_on_localhost(page, live_server):
    """The live server speaks plain HTTP; Chromium treats http://localhost as a secure context,
    so the production flags (Secure, HttpOnly) stay on in the browser tests."""
    assert settings.SESSION_COOKIE_SECURE
    assert settings.CSRF_COOKIE_SECURE
    assert live_server.url.startswith("http://localhost:")
    UserFactory(username="editor", is_staff=True, is_superuser=True)
    page.goto(f"/{settings.ADMIN_URL}login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/{settings.ADMIN_URL}")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["csrftoken"]["secure"]
    assert cookies["sessionid"]["secure"]
    assert cookies["sessionid"]["httpOnly"]
