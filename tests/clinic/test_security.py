"""Security headers and cookie flags on production-settings responses (SPEC 5).

`tests/settings.py` is production settings (debug off) with the HTTPS redirect off, because the test
client speaks plain HTTP; `secure=True` makes a request as if it came in over HTTPS.
"""

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = f"/{settings.ADMIN_URL}login/"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def test_https_responses_tell_browsers_to_stay_on_https_for_a_year_with_subdomains_and_preload(client):
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize("url", ["/", "/doctors/", "/privacy/", ADMIN_LOGIN])
def test_no_page_allows_inline_or_evaluated_script_or_style(client, url):
    directives = csp_directives(client.get(url, secure=True))
    for name, sources in directives.items():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"} & set(
            sources
        ), name
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def test_no_page_needs_a_per_response_nonce_so_a_cached_body_stays_valid(client):
    """Every script is a file of our own origin; JSON-LD blocks are data (docs/decisions.md)."""
    response = client.get("/")
    assert "nonce" not in response.headers["Content-Security-Policy"]
    assert "nonce=" not in response.content.decode()


def test_pages_cannot_be_framed_or_open_cross_origin_windows(client):
    response = client.get("/", secure=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_browser_features_the_site_never_uses_are_switched_off(client):
    policy = client.get("/", secure=True).headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_the_csrf_cookie_is_secure(client):
    response = client.get(ADMIN_LOGIN, secure=True)
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"


def test_the_session_cookie_is_secure_httponly_and_same_site(client):
    UserFactory(username="staff", is_staff=True)
    response = client.post(
        ADMIN_LOGIN, {"username": "staff", "password": "correct horse battery staple"}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # the production default; tests turn it off
    response = client.get("/doctors/?q=sciatica")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/doctors/?q=sciatica"


def test_the_health_check_answers_over_plain_http_for_load_balancers(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
