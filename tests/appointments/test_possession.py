"""Seeing or changing a booking needs its private link (SPEC 3.3, issue 10 item 3).

Typing a mobile number (and a name) proves nothing: the booking form never shows another booking's
date or link, "move it here" is gone, and "Send me my booking link" and Find my booking send the link
only to the email address on file, with the same answer whether or not anything matched.
"""

import re
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.links import manage_token, manage_url
from appointments.models import Appointment
from appointments.services import appointment_book
from notifications.models import Message, MessageKind
from tests.factories import AppointmentFactory, DoctorFactory, week_hours

# Real commits: the link emails are planned in the ledger and handed to the (immediate) task backend on commit.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
FIND = reverse("appointments:find-booking")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


@pytest.fixture
def asha(doctor):
    appointment = appointment_book(
        doctor=doctor,
        starts_at=TUESDAY_10,
        patient_name="Asha Rao",
        patient_phone="+919812345678",
        patient_email="asha@example.com",
    )
    mail.outbox.clear()  # the confirmation
    return appointment


def book(client, doctor, **overrides):
    data = {
        "start": "2026-11-25T05:50:00Z",  # Wednesday 11:20 IST
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "visit_type": "first",
        "consent": "on",
    } | overrides
    return client.post(reverse("appointments:details", kwargs={"slug": doctor.slug}), data)


def words(response) -> str:
    """The page without its per-request parts (CSRF token, CSP nonce), to compare two answers."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'nonce="[^"]*"', "", text)


def link_emails():
    return [email for email in mail.outbox if "The link to your appointment" in email.subject]


def test_the_move_it_here_path_is_gone(client, doctor, asha):
    response = client.post(
        f"/book/{doctor.slug}/move/",
        {"start": "2026-11-25T04:30:00Z", "patient_name": "Asha Rao", "patient_phone": "+919812345678"},
    )
    assert response.status_code == 404
    asha.refresh_from_db()
    assert asha.starts_at == TUESDAY_10


@pytest.mark.parametrize("name", ["Asha Rao", "  asha   RAO "])
def test_a_second_booking_by_the_same_patient_says_so_without_details_and_offers_the_link(
    client, doctor, asha, name
):
    response = book(client, doctor, patient_name=name)
    assert response.status_code == 409
    assertContains(response, "You already have a booking with this doctor", status_code=409)
    assertContains(response, "Send me my booking link", status_code=409)
    for detail in ["24 November", "24 Nov", "10:00", asha.reference, manage_token(asha), "Move it here"]:
        assertNotContains(response, detail, status_code=409)
    assert Appointment.objects.count() == 1


def test_a_mobile_number_alone_reveals_nothing_a_family_shares_a_phone(client, doctor, asha):
    response = book(client, doctor, patient_name="Ravi Rao")  # same phone, another patient
    assert response.status_code == 302
    booked = Appointment.objects.exclude(pk=asha.pk).get()
    assert response.url == manage_url(booked)
    page = client.get(response.url)
    assertNotContains(page, asha.reference)
    assertNotContains(page, "Asha")


@override_settings(BOOKING_MAX_PER_MOBILE=2)
def test_one_mobile_number_holds_at_most_the_cap_of_upcoming_visits_with_a_doctor(client, doctor, asha):
    assert book(client, doctor, patient_name="Ravi Rao").status_code == 302
    response = book(client, doctor, patient_name="Meena Rao", start="2026-11-26T05:50:00Z")
    assert response.status_code == 409
    assertContains(response, "the most upcoming bookings with Dr. Meera Kulkarni", status_code=409)
    assertContains(response, "Send me my booking link", status_code=409)
    assertNotContains(response, asha.reference, status_code=409)
    assert Appointment.objects.count() == 2


def send_link(client, doctor, phone="+91 98123 45678"):
    return client.post(
        reverse("appointments:send-link", kwargs={"slug": doctor.slug}), {"patient_phone": phone}
    )


def test_send_me_my_booking_link_emails_the_link_to_the_address_on_file_only(client, doctor, asha):
    refused = book(client, doctor)
    button_form = re.search(
        r'<form method="post" action="([^"]+/send-link/)">(.*?)</form>', refused.text, re.S
    )
    phone = re.search(r'name="patient_phone" value="([^"]+)"', button_form.group(2)).group(1)
    response = client.post(button_form.group(1), {"patient_phone": phone})
    assert response.status_code == 200
    assertContains(response, "Check your email")
    assertNotContains(response, manage_token(asha))
    assertNotContains(response, asha.reference)
    [email] = link_emails()
    assert email.to == ["asha@example.com"]
    assert manage_url(asha) in email.body
    assert Message.objects.filter(appointment=asha, kind=MessageKind.LINK, state="sent").count() == 1


def test_send_link_answers_the_same_whether_or_not_there_is_a_booking_or_an_email(client, doctor, asha):
    found = send_link(client, doctor)
    AppointmentFactory(doctor=doctor, patient_phone="+919876543210", patient_email="")
    no_email = send_link(client, doctor, "+91 98765 43210")
    nothing = send_link(client, doctor, "+91 99999 12345")
    assert found.status_code == no_email.status_code == nothing.status_code == 200
    assert words(found) == words(no_email) == words(nothing)
    assert len(link_emails()) == 1


def test_send_link_does_not_flood_an_inbox(client, doctor, asha):
    for _ in range(3):
        assert send_link(client, doctor).status_code == 200
    assert len(link_emails()) == 1
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        send_link(client, doctor)
    assert len(link_emails()) == 2


@override_settings(BOOKING_RATE_LIMIT=2)
def test_send_link_is_rate_limited(client, doctor, asha):
    assert send_link(client, doctor, "+91 99999 12345").status_code == 200
    assert send_link(client, doctor, "+91 99999 12346").status_code == 200
    response = send_link(client, doctor)
    assert response.status_code == 429
    assert link_emails() == []


def test_send_link_refuses_what_is_not_a_number_and_a_get(client, doctor, asha):
    assert send_link(client, doctor, "not a number").status_code == 400
    assert client.get(reverse("appointments:send-link", kwargs={"slug": doctor.slug})).status_code == 405
    assert not Message.objects.filter(kind=MessageKind.LINK).exists()


# --- Find my booking ---------------------------------------------------------------------------


def find(client, reference, phone="+91 98123 45678"):
    return client.post(FIND, {"reference": reference, "patient_phone": phone})


def test_find_my_booking_is_in_the_footer_and_asks_for_reference_and_mobile(client):
    assertContains(client.get("/"), f'href="{FIND}"')
    page = client.get(FIND)
    assertContains(page, "Booking reference")
    assertContains(page, "Mobile number")
    assert "no-store" in page["Cache-Control"]


def test_find_my_booking_emails_the_link_to_the_address_on_file(client, asha):
    response = find(client, asha.reference.lower()[:4] + " " + asha.reference.lower()[4:])
    assert response.status_code == 200
    assertContains(response, "we have just sent its private link to that address")
    assertNotContains(response, manage_token(asha))
    assertNotContains(response, "asha@example.com")
    assert "no-store" in response["Cache-Control"]
    [email] = link_emails()
    assert email.to == ["asha@example.com"]
    assert manage_url(asha) in email.body


def test_find_my_booking_answers_the_same_page_and_status_whatever_matched(client, doctor, asha):
    no_email = AppointmentFactory(doctor=doctor, reference="NQEMAXK2", patient_phone="+919876543210")
    past = NOW - timedelta(days=45)
    expired = AppointmentFactory(
        doctor=doctor,
        reference="PA5TVXS3",
        starts_at=past,
        ends_at=past + timedelta(minutes=20),
        patient_phone="+919812345678",
        patient_email="asha@example.com",
    )
    answers = [
        find(client, asha.reference),  # a match: one email
        find(client, asha.reference, "+91 98765 43210"),  # the right reference, another mobile
        find(client, "ZZZZZZZZ"),  # no such reference
        find(client, no_email.reference, "+91 98765 43210"),  # a match without an email address
        find(client, expired.reference),  # a match whose link has expired
    ]
    assert [response.status_code for response in answers] == [200] * 5
    assert len({words(response) for response in answers}) == 1
    assert len(link_emails()) == 1


@pytest.mark.parametrize(
    ("reference", "phone", "message"),
    [
        ("ABC", "+91 98123 45678", "A reference has 8 letters and digits"),
        ("ABCDEFG0", "+91 98123 45678", "A reference has 8 letters and digits"),  # 0 is not in references
        ("", "+91 98123 45678", "Enter the booking reference"),
        ("ABCDEFGH", "12", "Enter a valid mobile number"),
        ("ABCDEFGH", "", "Enter the mobile number you booked with"),
    ],
)
def test_find_my_booking_refuses_malformed_input_next_to_the_field(client, asha, reference, phone, message):
    response = find(client, reference, phone)
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    if reference:
        assertContains(response, f'value="{reference}"', status_code=400)
    assert not Message.objects.filter(kind=MessageKind.LINK).exists()


@override_settings(BOOKING_RATE_LIMIT=3)
def test_find_my_booking_is_rate_limited(client, asha):
    for guess in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"]:
        assert find(client, guess).status_code == 200
    response = find(client, asha.reference)
    assert response.status_code == 429
    assert link_emails() == []


def test_the_confirmation_email_points_to_find_my_booking(doctor):
    appointment_book(
        doctor=doctor,
        starts_at=TUESDAY_10,
        patient_name="Asha Rao",
        patient_phone="+919812345678",
        patient_email="asha@example.com",
    )
    [email] = mail.outbox
    assert f"http://127.0.0.1:8000{FIND}" in email.body
    assert f"http://127.0.0.1:8000{FIND}" in email.alternatives[0].content
