"""One price everywhere (issue 10 item 4): the card said "₹1,400 consultation fee + ₹49 booking fee" while
the details form, the confirmation page and the email dropped the ₹49. Every page and email that shows a
price now renders it through one include, templates/includes/price.html.
"""

from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from appointments.links import manage_url
from appointments.services import appointment_book
from tests.factories import DoctorFactory, week_hours
from tests.text import visible_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
TUESDAY_10 = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
PRICE = "₹1,400 consultation fee + ₹49 booking fee"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", fee=Decimal(1400), booking_fee=Decimal(49))
    week_hours(doctor, intervals=[(time(9, 0), time(17, 0))])
    return doctor


def book(doctor):
    return appointment_book(
        doctor=doctor,
        starts_at=TUESDAY_10,
        patient_name="Asha Rao",
        patient_phone="+919812345678",
        patient_email="asha@example.com",
    )


def test_every_page_that_shows_a_price_shows_both_fees(client, doctor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(doctor)
    pages = {
        "card": reverse("doctors:list"),
        "profile": doctor.get_absolute_url(),
        "picker": reverse("appointments:picker", kwargs={"slug": doctor.slug}),
        "details form": reverse("appointments:details", kwargs={"slug": doctor.slug})
        + "?start=2026-11-25T04:30:00Z",
        "confirmation": manage_url(appointment),
    }
    missing = [
        name for name, url in pages.items() if PRICE not in visible_text(client.get(url, follow=True).content)
    ]
    [email] = mail.outbox
    if PRICE not in " ".join(email.body.split()):
        missing.append("email text")
    if PRICE not in visible_text(email.alternatives[0].content):
        missing.append("email html")
    assert missing == []


def test_after_booking_the_total_is_said_with_where_it_is_paid(client, doctor):
    page = visible_text(client.get(manage_url(book(doctor))).content)
    assert "₹1,449 in total, paid at the clinic" in page


def test_a_booking_keeps_the_price_it_was_booked_at(client, doctor):
    appointment = book(doctor)
    doctor.fee, doctor.booking_fee = Decimal(1600), Decimal(99)
    doctor.save()
    assert PRICE in visible_text(client.get(manage_url(appointment)).content)
    assert "₹1,600 consultation fee + ₹99 booking fee" in visible_text(
        client.get(doctor.get_absolute_url()).content
    )


def test_without_a_booking_fee_the_line_says_so(client, doctor):
    doctor.booking_fee = Decimal(0)
    doctor.save()
    appointment = book(doctor)
    assert "₹1,400 consultation fee No booking fee" in visible_text(
        client.get(manage_url(appointment)).content
    )


def test_only_the_price_include_formats_money():
    """The kind of fault: a template that prints a fee by itself can drop the booking fee again."""
    templates = Path(settings.BASE_DIR, "templates")
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.*")
        if path.suffix in {".html", ".txt"} and "|money" in path.read_text() and path.name != "price.html"
    ]
    assert offenders == []
