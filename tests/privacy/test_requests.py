"""One patient's data (issue 16, item 3): a privacy officer records a request, sees every visit,
message, feedback answer and audit entry held for a mobile number or email, exports it as JSON and
as a printable HTML file, and erases it (visits still to come are kept until cancelled). Every step
is in the request's log."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.models import StatusChange
from appointments.services import appointment_cancel
from doctors.models import Doctor
from notifications.models import Feedback, Message
from notifications.services import doctor_figures_refresh
from privacy.models import (
    ANONYMISED_NAME,
    Anonymisation,
    DataRequest,
    EventAction,
    PrivacyEvent,
)
from privacy.services import request_open
from tests.factories import UserFactory
from tests.privacy.conftest import ASHA_EMAIL, ASHA_PHONE, NOW, past_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_request(officer, asha, bina):
    return request_open(
        requester="patient",
        channel="phone",
        identity_check="Reference and visit date matched",
        phone="98123 45678",
        email=ASHA_EMAIL,
        by=officer,
    )


def actions(request):
    return list(request.events.values_list("action", flat=True))


# Opening a request -------------------------------------------------------------------------------


def test_a_privacy_officer_lands_on_the_requests_page_after_signing_in(client, officer):
    response = client.post(
        reverse("staff:login"), {"username": "officer", "password": "correct horse battery staple"}
    )
    assertRedirects(response, reverse("privacy:requests"), fetch_redirect_response=False)


def test_opening_a_request_records_it_and_goes_to_what_is_held(officer_client, officer, asha):
    response = officer_client.post(
        reverse("privacy:requests"),
        {
            "requester": "patient",
            "channel": "phone",
            "identity_check": "Reference matched",
            "phone": "98123 45678",
            "email": "",
        },
    )
    request = DataRequest.objects.get()
    assertRedirects(response, reverse("privacy:request", args=[request.pk]), fetch_redirect_response=False)
    assert (request.phone.as_e164, request.opened_by, request.opened_at, request.masked) == (
        ASHA_PHONE,
        officer,
        NOW,
        "+91 ••••••••78",
    )
    assert actions(request) == [EventAction.OPENED]
    assert "98123" not in response.url
    assert ASHA_PHONE not in response.url


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "", "Enter the mobile number or the email address to search for."),
        ("phone", "12", "Enter a valid mobile number"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("identity_check", "", "Say how you checked who is asking"),
    ],
)
def test_a_bad_request_form_says_why_next_to_the_field_and_writes_nothing(
    officer_client, field, value, message
):
    data = {
        "requester": "patient",
        "channel": "email",
        "identity_check": "Reply from the address",
        "phone": "",
        "email": "",
    }
    if field != "phone" or value:
        data["email" if field != "email" else "phone"] = ASHA_EMAIL if field != "email" else ""
    data[field] = value
    response = officer_client.post(reverse("privacy:requests"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assertContains(response, "There is a problem", status_code=400)
    assert not DataRequest.objects.exists()
    assert not PrivacyEvent.objects.exists()


# What is held -------------------------------------------------------------------------------------


def test_the_request_page_shows_every_kind_of_row_for_the_patient_and_nothing_of_another(
    officer_client, data_request, asha, bina
):
    page = officer_client.get(reverse("privacy:request", args=[data_request.pk]))
    assert page["Cache-Control"].count("no-store") == 1
    for reference in ("ASHASEEN", "ASHACANC", "ASHAFAMI", "ASHANEXT"):
        assertContains(page, reference)
    for text in (
        "Asha felt listened to",
        "Asha paid in cash",
        "Asha was unwell",
        "Confirmation",
        "version 1",
    ):
        assertContains(page, text)
    assertContains(page, "is still to come")
    for text in ("BINAVIST", "Bina", "bina@example.com", "+91 98111 11111"):
        assertNotContains(page, text)
    viewed = data_request.events.get(action=EventAction.VIEWED)
    assert viewed.by.username == "officer"
    assert sorted(viewed.detail["references"]) == ["ASHACANC", "ASHAFAMI", "ASHANEXT", "ASHASEEN"]


def export(client, data_request, kind):
    return client.get(reverse(f"privacy:export-{kind}", args=[data_request.pk]))


def test_the_json_export_holds_every_kind_of_row_for_the_patient_and_nothing_of_another(
    officer_client, officer, data_request, asha, bina
):
    other = request_open(
        requester="patient", channel="email", identity_check="Earlier request", email=ASHA_EMAIL, by=officer
    )
    response = export(officer_client, data_request, "json")
    assert response["Content-Disposition"] == f'attachment; filename="patient-data-{data_request.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    data = json.loads(body)
    visits = {visit["reference"]: visit for visit in data["visits"]}
    assert set(visits) == {"ASHASEEN", "ASHACANC", "ASHAFAMI", "ASHANEXT"}
    seen = visits["ASHASEEN"]
    assert (seen["patient_name"], seen["mobile"], seen["email"], seen["reason"]) == (
        "Asha Rao",
        ASHA_PHONE,
        ASHA_EMAIL,
        "Low back pain",
    )
    assert seen["starts_at"]["text"].endswith("IST")
    assert seen["starts_at"]["time_zone"] == "Asia/Kolkata"
    assert seen["consent"]["privacy_notice_version"] == 1
    assert [change["to"] for change in seen["status_history"]] == ["Booked", "Completed"]
    assert seen["status_history"][1] | {"at": None} == {
        "at": None,
        "by": "you (online)",
        "from": "Booked",
        "to": "Completed",
        "note": "Asha paid in cash",
    }
    assert seen["messages"][0]["kind"] == "Confirmation"
    assert seen["messages"][0]["sent_to"] == ASHA_EMAIL
    assert seen["feedback"]["comment"] == "Asha felt listened to"
    assert visits["ASHACANC"]["cancel_reason"] == "Asha was unwell"
    assert visits["ASHAFAMI"]["mobile"] == "+919800000111"  # found by her email
    assert [item["request"] for item in data["privacy_requests"]] == [other.pk]
    for text in ("BINAVIST", "Bina", "bina@example.com", "+919811111111", "manage_key", officer.username):
        assert text not in body
    assert data_request.events.filter(action=EventAction.EXPORTED_JSON, by=officer).exists()


def test_the_html_export_is_a_printable_file_with_the_same_rows(
    officer_client, officer, data_request, asha, bina
):
    response = export(officer_client, data_request, "html")
    assert response["Content-Disposition"] == f'attachment; filename="patient-data-{data_request.pk}.html"'
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    for text in (
        "ASHASEEN",
        "ASHACANC",
        "ASHAFAMI",
        "ASHANEXT",
        "Asha felt listened to",
        "Asha paid in cash",
        "Asha was unwell",
        "Privacy notice version 1",
        "IST",
        "@media print",
    ):
        assert text in body
    for text in ("BINAVIST", "Bina", "bina@example.com", "<link ", "<script"):
        assert text not in body  # another patient's data, or anything the file would fetch
    assert data_request.events.filter(action=EventAction.EXPORTED_HTML, by=officer).exists()


# Erasure -------------------------------------------------------------------------------------------


def erase(client, data_request, confirm=True):
    return client.post(reverse("privacy:erase", args=[data_request.pk]), {"confirm": "on"} if confirm else {})


def snapshot(appointment):
    appointment.refresh_from_db()
    phone = appointment.patient_phone.as_e164 if appointment.patient_phone else ""
    return (appointment.patient_name, phone, appointment.patient_email, appointment.reason)


def test_erase_needs_the_box_ticked_and_writes_nothing_without_it(officer_client, data_request, asha):
    response = erase(officer_client, data_request, confirm=False)
    assert response.status_code == 400
    assertContains(response, "Tick the box to confirm the erasure.", status_code=400)
    assert not Anonymisation.objects.exists()
    assert snapshot(asha["seen"])[0] == "Asha Rao"


def test_erase_keeps_the_upcoming_visit_anonymises_the_rest_and_a_second_erase_is_harmless(
    officer_client, officer, doctor, data_request, asha, bina
):
    figures_before = figures(doctor)
    response = erase(officer_client, data_request)
    assertRedirects(
        response, reverse("privacy:request", args=[data_request.pk]), fetch_redirect_response=False
    )
    for name in ("seen", "cancelled", "family"):
        assert snapshot(asha[name]) == (ANONYMISED_NAME, "", "", "")
        assert asha[name].anonymisation.request == data_request
    assert asha["cancelled"].cancel_reason == ""
    assert snapshot(asha["upcoming"]) == ("Asha Rao", ASHA_PHONE, ASHA_EMAIL, "")  # refused: still to come
    assert not Message.objects.filter(appointment__in=[asha["seen"], asha["family"]]).exists()
    assert Feedback.objects.get(appointment=asha["seen"]).comment == ""
    assert not StatusChange.objects.filter(appointment=asha["seen"]).exclude(note="").exists()
    assert snapshot(bina)[0] == "Bina Shah"
    assert Feedback.objects.get(appointment=bina).comment
    assert figures(doctor) == figures_before

    erased = data_request.events.get(action=EventAction.ERASED)
    assert erased.by == officer
    assert sorted(erased.detail["references"]) == ["ASHACANC", "ASHAFAMI", "ASHASEEN"]
    assert erased.detail["kept_upcoming"] == ["ASHANEXT"]
    assert (erased.detail["messages"], erased.detail["feedback_comments"]) == (2, 1)
    data_request.refresh_from_db()
    assert data_request.is_open  # something is still held
    page = officer_client.get(reverse("privacy:request", args=[data_request.pk]))
    assertContains(page, "kept (still to come): ASHANEXT")

    anonymised = Anonymisation.objects.count()
    assert erase(officer_client, data_request).status_code == 302  # the second erase
    assert Anonymisation.objects.count() == anonymised
    assert snapshot(asha["upcoming"])[0] == "Asha Rao"
    assert snapshot(bina)[0] == "Bina Shah"
    second = data_request.events.filter(action=EventAction.ERASED).last()
    assert (second.detail["visits"], second.detail["kept_upcoming"]) == (0, ["ASHANEXT"])


def test_once_the_upcoming_visit_is_cancelled_erase_finishes_and_closes_the_request(
    officer_client, data_request, asha, bina
):
    erase(officer_client, data_request)
    appointment_cancel(appointment=asha["upcoming"], reason="Asha asked to be forgotten", now=NOW)
    erase(officer_client, data_request)
    assert snapshot(asha["upcoming"]) == (ANONYMISED_NAME, "", "", "")
    data_request.refresh_from_db()
    assert not data_request.is_open
    assert (str(data_request.phone), data_request.email) == ("", "")
    assert data_request.masked == "+91 ••••••••78, a•••@example.com"
    assert actions(data_request)[-2:] == [EventAction.ERASED, EventAction.CLOSED]
    # Erasing a closed request is refused in words and changes nothing.
    events = PrivacyEvent.objects.count()
    response = erase(officer_client, data_request)
    assertRedirects(
        response, reverse("privacy:request", args=[data_request.pk]), fetch_redirect_response=False
    )
    assert PrivacyEvent.objects.count() == events
    page = officer_client.get(response.url)
    assertContains(page, "This request is closed")
    assertNotContains(page, "Asha")
    assert snapshot(bina)[0] == "Bina Shah"


def test_an_erased_visits_old_manage_link_stops_working(client, officer_client, data_request, asha):
    from appointments.links import manage_url

    link = manage_url(asha["cancelled"])
    assert client.get(link).status_code == 200
    erase(officer_client, data_request)
    assert client.get(link).status_code == 404


def test_closing_a_request_forgets_its_identifiers(officer_client, officer, data_request):
    response = officer_client.post(reverse("privacy:close", args=[data_request.pk]))
    assertRedirects(
        response, reverse("privacy:request", args=[data_request.pk]), fetch_redirect_response=False
    )
    data_request.refresh_from_db()
    assert (data_request.is_open, str(data_request.phone), data_request.email) == (False, "", "")
    assert data_request.events.filter(action=EventAction.CLOSED, by=officer).exists()
    assert export(officer_client, data_request, "json").status_code == 302  # nothing left to export


def figures(doctor):
    doctor_figures_refresh(doctor_id=doctor.pk)
    doctor = Doctor.objects.get(pk=doctor.pk)
    return (doctor.recommend_answers, doctor.recommend_yes, doctor.completed_visits)


# Query counts ------------------------------------------------------------------------------------


def test_the_privacy_pages_cost_the_same_queries_for_one_visit_or_eight(officer_client, officer, doctor):
    def costs(phone):
        request = request_open(
            requester="patient", channel="phone", identity_check="ok", phone=phone, by=officer
        )
        urls = [
            reverse("privacy:requests"),
            reverse("privacy:request", args=[request.pk]),
            reverse("privacy:export-json", args=[request.pk]),
            reverse("privacy:export-html", args=[request.pk]),
            reverse("privacy:erase", args=[request.pk]),
        ]
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert officer_client.get(url).status_code == 200
            result.append(len(captured))
        return result

    past_visit(doctor, 3, "ONEVISIT", phone="+919822222222", email="one@example.com")
    few = costs("+919822222222")
    for number in range(8):
        visit = past_visit(
            doctor, 3 + number, f"MANY{number:04d}", phone="+919833333333", email=f"m{number}@example.com"
        )
        Feedback.objects.create(appointment=visit, would_recommend=True, comment="Fine")
    for _ in range(5):
        request_open(
            requester="patient", channel="email", identity_check="ok", email="x@example.com", by=UserFactory()
        )
    assert costs("+919833333333") == few


def test_an_erased_visit_is_read_only_in_the_admin(admin_client, officer_client, data_request, asha):
    erase(officer_client, data_request)
    url = reverse("admin:appointments_appointment_change", args=[asha["seen"].pk])
    page = admin_client.get(url)
    assertContains(page, ANONYMISED_NAME)
    assertContains(page, "(erasure request)")
    form = page.context["adminform"].form
    assert not {"patient_name", "patient_phone", "patient_email", "reason"} & set(form.fields)
