"""Pages with patient data send Cache-Control: no-store (SPEC 5), for every role and every answer.

Walks the URLconf with the permissions matrix's URLs, roles and sample data
(tests/clinic/test_permissions.py): every URL must be classified here, so a new URL without a
decision fails by name, and every staff URL must carry no-store without being listed.
"""

import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from appointments.links import manage_token
from tests.clinic import test_permissions as permissions
from tests.clinic.test_permissions import NOW, ROLES, project_patterns, url_for

pytestmark = pytest.mark.django_db

world = permissions.world  # the matrix's doctors, patients, clients and URL arguments, as a fixture here too

# Public pages: no patient data, free for shared caches to keep (the public caching scheme decides).
PUBLIC = {
    "home",
    "healthz",
    "privacy",
    "favicon.ico",
    "sitemap",
    "robots",
    "doctors:list",
    "doctors:detail",
    "doctors:specialty",
    "doctors:location",
    "doctors:locations",
    "doctors:suggest",
    "articles:list",
    "articles:feed",
    "articles:category",
    "articles:detail",
    "appointments:start",
    "appointments:picker",
    "appointments:release-hold",  # a POST that gives a held time back: no patient data either way
    "appointments:api-availability",
    "privacy:notice-version",
}
# Pages that show or take patient data, outside the staff namespace (which is private as a whole).
PATIENT_DATA = {
    "appointments:details",
    "appointments:send-link",
    "appointments:find-booking",
    "appointments:my-appointments",
    "appointments:my-appointments-list",
    "appointments:manage",
    "appointments:cancel",
    "appointments:reschedule",
    "appointments:calendar",
    "appointments:doctor-feed",
    "notifications:feedback",
    "privacy:requests",
    "privacy:request",
    "privacy:export-json",
    "privacy:export-html",
    "privacy:erase",
    "privacy:close",
    "reports:index",  # cancellation reasons as patients typed them
    "reports:chart",
    "reports:csv",
    "reports:xlsx",
    "waitlist:join",
    "waitlist:join-booking",
    "waitlist:offer",
    "waitlist:staff",
}


def is_private(key: str) -> bool:
    return key.startswith("staff:") or key in PATIENT_DATA


def test_every_url_is_classified_public_or_patient_data():
    unclassified = {key for key, _ in project_patterns() if not is_private(key) and key not in PUBLIC}
    assert unclassified == set(), (
        f"Decide whether these URLs show patient data (PATIENT_DATA here and settings.PATIENT_DATA_URLS) "
        f"or not (PUBLIC): {sorted(unclassified)}"
    )


def test_every_patient_data_page_sends_no_store_to_every_role_whatever_the_answer(world):
    missing, checked = [], 0
    with time_machine.travel(NOW, tick=False):
        for key, pattern in project_patterns():
            if not is_private(key):
                continue
            for role in ROLES:
                url = url_for(key, pattern, world["kwargs"], role)
                response = world["clients"][role].get(url)
                checked += 1
                directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
                if not {"no-store", "private"} <= directives:
                    missing.append(
                        f"{key} as {role} ({response.status_code}): {response.get('Cache-Control')!r}"
                    )
    assert checked > 100
    assert missing == []


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_form_errors_that_echo_a_patients_details_are_not_stored(world):
    doctor_slug = world["kwargs"]["default_slug"]
    with time_machine.travel(NOW, tick=False):
        anonymous = Client()
        booking = anonymous.post(
            reverse("appointments:details", kwargs={"slug": doctor_slug}),
            {"start": "2026-11-24T04:30:00Z", "booking_token": str(uuid.uuid4()), "patient_name": "Anita"},
        )
        assert booking.status_code == 400
        assert no_store(booking)
        token = manage_token(world["patient_a"])
        cancel = anonymous.post(
            reverse("appointments:cancel", kwargs={"token": token}), {"reason": "x" * 5000}
        )
        assert no_store(cancel)
        find = world["clients"]["front_desk"].post(reverse("staff:find"), {"q": "Anita Visible"})
        assert find.status_code == 200
        assert b"Anita Visible" in find.content
        assert no_store(find)


def test_public_pages_are_left_to_the_public_caching_scheme(world):
    response = Client().get(reverse("doctors:list"))
    assert response.status_code == 200
    assert not no_store(response)
