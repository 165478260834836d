"""Waitlist entries are patient data too (issue 16 item 3 with issue 15's waitlist): one patient's export
lists them and nobody else's, erase removes them, and the retention sweep removes entries older than the
window. Found missing when the waitlist and the privacy tools met."""

import json
from datetime import date, timedelta

import pytest
import time_machine

from privacy.models import EventAction
from privacy.services import request_open, retention_sweep
from tests.privacy.conftest import ASHA_EMAIL, ASHA_PHONE, NOW
from tests.privacy.test_requests import erase, export
from waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def entry(doctor, *, name, phone, email, joined=NOW):
    return WaitlistEntry.objects.create(
        doctor=doctor,
        patient_name=name,
        patient_phone=phone,
        patient_email=email,
        not_after=date(2026, 12, 4),
        created_at=joined,
    )


@pytest.fixture
def data_request(officer, asha, bina):
    return request_open(
        requester="patient",
        channel="phone",
        identity_check="Reference matched",
        phone="98123 45678",
        email=ASHA_EMAIL,
        by=officer,
    )


@pytest.fixture
def waiting(doctor):
    return {
        "asha": entry(doctor, name="Asha Rao", phone=ASHA_PHONE, email="other@example.com"),
        "asha_mail": entry(doctor, name="A. Rao", phone="+919800000222", email=ASHA_EMAIL.upper()),
        "bina": entry(doctor, name="Bina Shah", phone="+919811111111", email="bina@example.com"),
    }


def test_the_export_lists_the_patients_waitlist_entries_and_nobody_elses(
    officer_client, data_request, waiting
):
    body = export(officer_client, data_request, "json").content.decode()
    rows = json.loads(body)["waitlist"]
    assert sorted(row["patient_name"] for row in rows) == ["A. Rao", "Asha Rao"]
    assert {row["mobile"] for row in rows} == {ASHA_PHONE, "+919800000222"}
    assert "Bina" not in body
    assert "bina@example.com" not in body
    html = export(officer_client, data_request, "html").content.decode()
    assert "Waiting for an earlier time" in html
    assert "A. Rao" in html
    assert "Bina" not in html


def test_erase_removes_the_patients_waitlist_entries_only(officer_client, data_request, waiting):
    erase(officer_client, data_request)
    assert list(WaitlistEntry.objects.values_list("patient_name", flat=True)) == ["Bina Shah"]
    erased = data_request.events.get(action=EventAction.ERASED)
    assert erased.detail["waitlist_entries"] == 2


def test_the_retention_sweep_removes_entries_older_than_the_window(doctor, settings):
    settings.PATIENT_RETENTION_DAYS = 365
    old = entry(
        doctor, name="Old Waiter", phone=ASHA_PHONE, email="a@example.com", joined=NOW - timedelta(days=400)
    )
    young = entry(
        doctor, name="New Waiter", phone=ASHA_PHONE, email="a@example.com", joined=NOW - timedelta(days=30)
    )
    with time_machine.travel(NOW, tick=False):
        removed = retention_sweep()
    assert removed.waitlist_entries == 1
    assert list(WaitlistEntry.objects.all()) == [young]
    assert not WaitlistEntry.objects.filter(pk=old.pk).exists()
