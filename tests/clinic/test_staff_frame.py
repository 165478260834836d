"""The staff frame (issue 12 item 2): every staff page, for every role that reaches it, wears the staff
header (staff navigation, who is signed in, sign out) and none of the public calls to action; the
staff 403 and 404 pages say what to do. The URLs come from the URLconf, as in the permissions matrix,
so a new staff page is checked without a new line here."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from tests.clinic.test_permissions import NOW, ROLES, project_patterns, url_for
from tests.clinic.test_permissions import world as world  # the permissions matrix's fixture
from tests.factories import DoctorFactory, LocationFactory, UserFactory, week_hours

pytestmark = pytest.mark.django_db

PUBLIC_CALLS_TO_ACTION = ["Book Appt.", "Call Now", "phone-line", "site-footer", "site-header"]
# Staff URLs that answer with something other than a page in the frame: a file, or the printed sheet
# (no navigation at all, tested in tests/appointments/test_staff_views.py).
NOT_FRAMED = {"staff:export", "staff:print", "privacy:export-json", "privacy:export-html"}


def test_every_staff_page_wears_the_staff_frame_for_every_role(world):
    staff = {
        key: pattern
        for key, pattern in project_patterns()
        if url_for(key, pattern, world["kwargs"], "front_desk").startswith("/staff/")
        and key not in NOT_FRAMED
    }
    assert {"staff:day", "staff:week", "staff:find", "staff:login", "privacy:requests"} <= set(staff)
    wrong = []
    with time_machine.travel(NOW, tick=False):
        for key, pattern in staff.items():
            for role in ROLES:
                response = world["clients"][role].get(url_for(key, pattern, world["kwargs"], role))
                if response.status_code not in (200, 403, 404) or "text/html" not in response["Content-Type"]:
                    continue  # a redirect to sign in, or a 405 for a POST-only URL
                html = response.content.decode()
                problems = [text for text in PUBLIC_CALLS_TO_ACTION if text in html]
                if 'class="staff-header' not in html:
                    problems.append("no staff header")
                if response.wsgi_request.user.is_authenticated and "Sign out" not in html:
                    problems.append("no sign out")
                if problems:
                    wrong.append(f"{key} as {role} ({response.status_code}): {problems}")
    assert wrong == []


def test_the_header_names_the_place_and_day_and_who_is_signed_in(client, front_desk_user):
    client.force_login(front_desk_user)
    with time_machine.travel(NOW, tick=False):
        doctor = DoctorFactory(location=LocationFactory(name="Residency Road", slug="residency-road"))
        week_hours(doctor)
        response = client.get(reverse("staff:day"), {"date": "2026-11-24", "location": "residency-road"})
    assertContains(
        response, '<div class="staff-header__context">Residency Road · Tue 24 Nov 2026</div>', html=False
    )
    assertContains(response, f"Signed in as {front_desk_user.get_username()}")
    # Header, messages and content share one container, so they line up.
    html = response.content.decode()
    assert html.count('class="container-xxl') >= 2
    assert 'class="container ' not in html


def test_a_signed_in_user_without_the_role_gets_a_styled_403_that_says_what_to_do(content_editor):
    client = Client()
    client.force_login(content_editor)
    response = client.get(reverse("staff:day"))
    assert response.status_code == 403
    assertTemplateUsed(response, "appointments/staff_403.html")
    assertContains(response, "This page is not part of your role", status_code=403)
    assertContains(response, f"You are signed in as {content_editor.get_username()}", status_code=403)
    assertContains(response, "Sign in as someone else", status_code=403)
    assertContains(response, "Back to the admin", status_code=403)  # an editor's way back
    for text in PUBLIC_CALLS_TO_ACTION:
        assertNotContains(response, text, status_code=403)
    # "Sign in as someone else" signs out and comes back to this page after signing in.
    assertContains(response, f'value="{reverse("staff:login")}?next=/staff/"', status_code=403, html=False)


def test_a_staff_404_offers_the_day_and_find(client, front_desk_user):
    client.force_login(front_desk_user)
    response = client.get(reverse("staff:appointment", args=["NOSUCHREF"]))
    assert response.status_code == 404
    assertTemplateUsed(response, "appointments/staff_404.html")
    assertContains(response, "Back to the day", status_code=404)
    assertContains(response, reverse("staff:find"), status_code=404)
    unknown = client.get("/staff/no/such/page/")
    assertContains(unknown, "We could not find that", status_code=404)


def test_pages_outside_staff_keep_djangos_error_pages(client):
    response = client.get("/doctors/no-such-doctor/")
    assert response.status_code == 404
    assert "appointments/staff_404.html" not in [t.name for t in response.templates]
    user = UserFactory()
    client.force_login(user)
    assert client.get("/staff/").status_code == 403
