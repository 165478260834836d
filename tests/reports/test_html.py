"""The report page is valid HTML as the W3C Nu validator reads it: with figures, empty, with form errors,
and for a front desk without a location (one run of vnu.jar, as in tests/clinic/test_html_validity.py)."""

import pytest
from django.urls import reverse

from tests.clinic.test_html_validity import PLANTED, validate
from tests.reports.conftest import MONDAY, SUNDAY

pytestmark = pytest.mark.django_db


def test_the_report_pages_are_valid_html(tmp_path, client, week, front_desk_user):
    client.force_login(week["desk"])
    week_query = {"location": "indiranagar", "date_from": MONDAY.isoformat(), "date_to": SUNDAY.isoformat()}
    pages = {
        "report-week": client.get(reverse("reports:index"), week_query),
        "report-default": client.get(reverse("reports:index")),
        "report-errors": client.get(reverse("reports:index"), {"location": "x", "date_from": "2026-02-30"}),
    }
    client.force_login(front_desk_user)
    pages["report-no-location"] = client.get(reverse("reports:index"))
    assert {name: response.status_code for name, response in pages.items()} == {
        "report-week": 200,
        "report-default": 200,
        "report-errors": 400,
        "report-no-location": 200,
    }
    files = []
    for name, response in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    planted = tmp_path / "planted.html"
    planted.write_text(PLANTED)
    errors = validate([*files, planted])
    assert errors.pop("planted.html"), "the validator found nothing in a page with known faults"
    invalid = [f"{name}: {error}" for name, found in errors.items() for error in found]
    assert not invalid, f"{len(invalid)} HTML errors:\n" + "\n".join(invalid)
