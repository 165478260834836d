"""Booking for someone else (issue 15 item 3): "Who is this appointment for? Me / Someone else".

The patient's name and the booker's name and relationship are kept on the appointment; the mobile
number and email are the booker's and get the messages. One upcoming visit per patient (mobile + name)
per doctor, and at most BOOKING_MAX_PER_MOBILE per mobile and doctor, refused next to the mobile field.
"""

import html
import re
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.links import manage_url
from appointments.models import Appointment, Relationship
from appointments.services import appointment_book
from privacy.services import retention_sweep
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours

# Real commits: confirmations are planned in the ledger and sent by the (immediate) task backend on commit.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
WEDNESDAY = "2026-11-25T{}:00Z"  # + "HH:MM" in UTC


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    location = LocationFactory(name="Residency Road", slug="residency-road")
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=location)
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


def details_url(doctor):
    return reverse("appointments:details", kwargs={"slug": doctor.slug})


def book(client, doctor, start="05:50", **overrides):
    data = {
        "start": WEDNESDAY.format(start),  # 05:50 UTC = 11:20 IST
        "booking_token": str(uuid.uuid4()),
        "for_whom": "me",
        "patient_name": "Ravi Rao",
        "patient_phone": "98123 45678",
        "patient_email": "ravi@example.com",
        "visit_type": "first",
        "consent": "on",
    } | overrides
    return client.post(details_url(doctor), data)


def for_mother(**overrides):
    return {
        "for_whom": "someone_else",
        "patient_name": "Asha Rao",
        "booker_name": "Ravi Rao",
        "booker_relationship": Relationship.PARENT,
    } | overrides


def field_errors(response, field: str) -> str:
    """The text of the error messages crispy renders under one field (ids `error_N_id_<field>`)."""
    found = re.findall(rf'<[^>]+id="error_\d+_id_{field}"[^>]*>(.*?)</', response.content.decode(), re.S)
    return " ".join(" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()) for text in found)


def test_the_details_form_asks_who_the_appointment_is_for_with_me_chosen(client, doctor):
    page = client.get(details_url(doctor), {"start": WEDNESDAY.format("05:50")}, follow=True)
    assert page.status_code == 200
    assertContains(page, "Who is this appointment for?")
    assert re.search(r'<input type="radio"[^>]*name="for_whom" value="me"[^>]*checked', page.text)
    assert re.search(r'<input type="radio"[^>]*name="for_whom" value="someone_else"', page.text)
    assertContains(page, "If you are booking for someone else")
    assertContains(page, "Your own name")
    assertContains(page, "The patient is your")


def test_a_family_shares_one_mobile_for_the_same_doctor(client, doctor):
    """The journey: a son books for himself, then for his mother, with his own phone and email."""
    himself = book(client, doctor)
    assert himself.status_code == 302
    mother = book(client, doctor, start="06:10", **for_mother())
    assert mother.status_code == 302

    ravi, asha = Appointment.objects.order_by("starts_at")
    assert (ravi.patient_name, ravi.booker_name, ravi.booker_relationship) == ("Ravi Rao", "", "")
    assert (asha.patient_name, asha.booker_name, asha.booker_relationship) == (
        "Asha Rao",
        "Ravi Rao",
        "parent",
    )
    assert asha.patient_phone == ravi.patient_phone
    assert mother.url == manage_url(asha)

    # The booker gets the messages, addressed to him and naming the patient.
    confirmation = [email for email in mail.outbox if "is booked" in email.subject][-1]
    assert confirmation.to == ["ravi@example.com"]
    assert confirmation.body.startswith("Dear Ravi Rao, your appointment is booked.")
    assert "Patient: Asha Rao, your parent" in confirmation.body
    assert "Asha Rao, your parent" in confirmation.alternatives[0].content

    page = client.get(mother.url)
    assertContains(page, "<dt>Patient</dt><dd>Asha Rao, your parent</dd>", html=True)
    assertContains(page, "<dt>Booked by</dt><dd>Ravi Rao</dd>", html=True)
    own = client.get(himself.url)
    assertNotContains(own, "Booked by")  # a visit booked for oneself names nobody (as before)
    assertNotContains(own, "<dt>Patient</dt>", html=False)


def test_booking_for_oneself_ignores_booker_fields_typed_before_switching_back(client, doctor):
    response = book(client, doctor, booker_name="Someone", booker_relationship="friend")
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.booker_name, appointment.booker_relationship) == ("", "")


def test_a_post_without_the_question_books_for_the_patient_themselves(client, doctor):
    data = {"for_whom": ""}
    assert book(client, doctor, **data).status_code == 302
    assert Appointment.objects.get().booker_name == ""


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"booker_name": "  "}, "booker_name", "Enter your own full name"),
        ({"booker_relationship": ""}, "booker_relationship", "Choose who the patient is to you."),
        ({"booker_relationship": "cousin"}, "booker_relationship", "Select a valid choice"),
        ({"booker_name": "asha  RAO"}, "booker_name", "This is the patient's name too."),
    ],
)
def test_booking_for_someone_else_needs_the_bookers_name_and_relationship(
    client, doctor, overrides, field, message
):
    response = book(client, doctor, patient_email="ravi.typed@example.com", **for_mother(**overrides))
    assert response.status_code == 400
    assert message in field_errors(response, field)
    # What was typed is kept; nothing is written.
    assertContains(response, 'value="Asha Rao"', status_code=400, html=False)
    assertContains(response, 'value="ravi.typed@example.com"', status_code=400, html=False)
    assert re.search(
        r'<input type="radio"[^>]*name="for_whom" value="someone_else"[^>]*checked', response.text
    )
    assert not Appointment.objects.exists()
    assert mail.outbox == []


def test_one_patient_still_holds_one_upcoming_visit_per_doctor_when_booked_by_someone_else(client, doctor):
    assert book(client, doctor, **for_mother()).status_code == 302
    again = book(client, doctor, start="06:10", **for_mother(booker_name="Meena Rao"))
    assert again.status_code == 409
    assertContains(again, "You already have a booking with this doctor", status_code=409)
    assert Appointment.objects.count() == 1


def test_a_fourth_upcoming_visit_on_one_mobile_is_refused_next_to_the_mobile_field(client, doctor):
    """The cap (BOOKING_MAX_PER_MOBILE, 3 by default) per mobile number and doctor."""
    assert book(client, doctor, start="05:30").status_code == 302
    assert book(client, doctor, start="05:50", **for_mother()).status_code == 302
    assert (
        book(
            client, doctor, start="06:10", **for_mother(patient_name="Kiran Rao", booker_relationship="child")
        ).status_code
        == 302
    )
    fourth = book(
        client,
        doctor,
        start="06:30",
        reason="Neck pain",
        **for_mother(patient_name="Meena Rao", booker_relationship="partner"),
    )
    assert fourth.status_code == 409
    assert (
        "This mobile number already has 3 upcoming appointments with Dr. Meera Kulkarni, the most we take "
        "online for one number. Use another mobile number, or call us on"
        in field_errors(fourth, "patient_phone")
    )
    for typed in ['value="Meena Rao"', 'value="Ravi Rao"', 'value="98123 45678"', "Neck pain"]:
        assertContains(fourth, typed, status_code=409, html=False)
    assertContains(fourth, "Send me my booking link", status_code=409)
    assert Appointment.objects.count() == 3
    # Another number in the family books it.
    assert (
        book(
            client,
            doctor,
            start="06:30",
            patient_phone="98123 45679",
            **for_mother(patient_name="Meena Rao", booker_relationship="partner"),
        ).status_code
        == 302
    )


def test_visits_that_are_over_do_not_count_towards_the_cap(client, doctor):
    for days, name in enumerate(["Old One", "Old Two", "Old Three"], start=1):
        AppointmentFactory(
            doctor=doctor,
            patient_name=name,
            patient_phone="+919812345678",
            starts_at=NOW - timedelta(days=days),
        )
    assert book(client, doctor).status_code == 302


def test_the_appointment_keeps_booker_name_and_relationship_together():
    appointment = AppointmentFactory.build(booker_name="Ravi Rao", booker_relationship="")
    with pytest.raises(ValidationError, match="gives their name and relationship"):
        appointment.full_clean(validate_unique=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(booker_name="Ravi Rao", booker_relationship="")
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(booker_name="Ravi Rao", booker_relationship="cousin")


# Staff pages show patient and booker ----------------------------------------------------------


@pytest.fixture
def asha(doctor):
    return appointment_book(
        doctor=doctor,
        starts_at=datetime(2026, 11, 23, 5, 50, tzinfo=UTC),  # today 11:20 IST
        patient_name="Asha Rao",
        patient_phone="+919812345678",
        patient_email="ravi@example.com",
        booker_name="Ravi Rao",
        booker_relationship=Relationship.PARENT,
    )


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.mark.django_db  # the staff groups come from a data migration, which a transactional flush removes
def test_staff_pages_show_the_patient_and_who_booked_for_them(desk, doctor, asha):
    booked_by = "Ravi Rao, for their parent"
    detail = desk.get(reverse("staff:appointment", args=[asha.reference]))
    assertContains(detail, "<dt>Patient</dt><dd>Asha Rao</dd>", html=True)
    assertContains(detail, booked_by)
    assertContains(detail, "the mobile and email are theirs")
    day = desk.get(reverse("staff:day"), {"date": "2026-11-23", "location": "residency-road"})
    assertContains(day, "Asha Rao")
    assertContains(day, f"Booked by {booked_by}")
    printed = desk.get(reverse("staff:print"), {"date": "2026-11-23", "location": "residency-road"})
    assertContains(printed, f"booked by {booked_by}")
    for query in ["Asha", "ravi rao"]:  # the patient's name or the caller's, who booked
        found = desk.post(reverse("staff:find"), {"q": query})
        assertContains(found, asha.reference)
        assertContains(found, f"booked by {booked_by}")


@pytest.mark.django_db
def test_a_visit_booked_for_oneself_shows_no_booker_on_staff_pages(desk, doctor):
    own = appointment_book(
        doctor=doctor,
        starts_at=datetime(2026, 11, 23, 5, 50, tzinfo=UTC),
        patient_name="Ravi Rao",
        patient_phone="+919812345678",
    )
    assertNotContains(desk.get(reverse("staff:appointment", args=[own.reference])), "Booked by")
    assertNotContains(desk.get(reverse("staff:day"), {"date": "2026-11-23"}), "Booked by")


def test_anonymising_a_visit_removes_the_bookers_name_too(asha):
    with time_machine.travel(NOW + timedelta(days=4000), tick=False):
        retention_sweep()
    asha.refresh_from_db()
    assert (asha.booker_name, asha.booker_relationship) == ("", "")
