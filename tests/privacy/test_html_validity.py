"""The privacy pages and the printable export are valid HTML, as the W3C Nu validator reads them
(one run of vnu.jar, like tests/clinic/test_html_validity.py, whose helpers this uses)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from privacy.models import PrivacyNotice
from privacy.notices import notice_publish
from privacy.services import request_open
from tests.clinic.test_html_validity import PLANTED, validate
from tests.privacy.conftest import NOW

pytestmark = pytest.mark.django_db


def test_the_privacy_pages_and_the_export_are_valid_html(tmp_path, first, officer, doctor, asha, bina):
    notice_publish(
        notice=PrivacyNotice(
            effective_on=date(2026, 12, 1), summary="Retention", body="## Keeping\n\nThree years."
        ),
        by=None,
        now=NOW,
    )
    data_request = request_open(
        requester="patient",
        channel="phone",
        identity_check="Reference matched",
        phone=asha["seen"].patient_phone,
        by=officer,
    )
    client = Client()
    client.force_login(officer)
    pk = data_request.pk

    def get(url):
        response = client.get(url)
        return response.status_code, response.content

    pages = {
        "notice": get(reverse("privacy")),
        "notice-version": get(reverse("privacy:notice-version", args=[2])),
        "requests": get(reverse("privacy:requests")),
        "request": get(reverse("privacy:request", args=[pk])),
        "erase": get(reverse("privacy:erase", args=[pk])),
        "export": get(reverse("privacy:export-html", args=[pk])),
    }
    requests_errors = client.post(reverse("privacy:requests"), {"requester": "patient", "channel": "phone"})
    erase_errors = client.post(reverse("privacy:erase", args=[pk]), {})
    pages["requests-with-errors"] = (requests_errors.status_code, requests_errors.content)
    pages["erase-with-errors"] = (erase_errors.status_code, erase_errors.content)
    assert {name: status for name, (status, _) in pages.items()} == {
        name: 400 if name.endswith("with-errors") else 200 for name in pages
    }
    files = []
    for name, (_, content) in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(content)
    planted = tmp_path / "planted.html"
    planted.write_text(PLANTED)
    errors = validate([*files, planted])
    assert errors.pop("planted.html")  # the validator ran and found the planted faults
    invalid = [f"{name}: {error}" for name, found in errors.items() for error in found]
    assert not invalid, f"{len(invalid)} HTML errors:\n" + "\n".join(invalid)
