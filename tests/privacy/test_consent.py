"""Consent on record (issue 16, item 1): every booking stores the notice version its patient agreed to
and when; a phone booking stores that it was given by phone and to whom; staff and admin see it."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.models import Appointment, AppointmentSource, StatusChange
from privacy.models import Consent, ConsentMethod, PrivacyNotice
from privacy.notices import consents_backfill, notice_publish
from tests.factories import AppointmentFactory
from tests.privacy.conftest import NOW

pytestmark = pytest.mark.django_db

TUESDAY_10 = "2026-11-24T04:30:00Z"  # 10:00 IST
TODAY_1140 = "2026-11-23T06:10:00Z"  # 11:40 IST, inside the online minimum notice


@pytest.fixture
def desk(client, front_desk_user, clock):
    client.force_login(front_desk_user)
    return client


def patient_form(**overrides):
    return {
        "start": TUESDAY_10,
        "booking_token": str(uuid.uuid4()),
        "patient_name": "Asha Rao",
        "patient_phone": "98123 45678",
        "visit_type": "first",
        "consent": "on",
        "privacy_notice": "1",
    } | overrides


def book_online(client, doctor, **overrides):
    return client.post(
        reverse("appointments:details", kwargs={"slug": doctor.slug}), patient_form(**overrides)
    )


def test_an_online_booking_stores_the_version_agreed_and_when(client, doctor, first):
    form = client.get(
        reverse("appointments:details", kwargs={"slug": doctor.slug}), {"start": TUESDAY_10}, follow=True
    )
    assertContains(form, 'name="privacy_notice" value="1"')
    assertContains(form, "version 1, in effect since 1 November 2026")
    # The form holds its time for its own token (issue 15): the patient submits that form.
    token = form.context["form"]["booking_token"].value()
    assert book_online(client, doctor, booking_token=str(token)).status_code == 302
    consent = Consent.objects.select_related("notice").get(appointment=Appointment.objects.get())
    assert (consent.notice.version, consent.given_at, consent.method, consent.taken_by) == (
        1,
        NOW,
        ConsentMethod.ONLINE,
        None,
    )
    assert not consent.backfilled


def test_a_phone_booking_records_consent_by_phone_and_who_took_it(desk, front_desk_user, doctor, first):
    response = desk.post(
        reverse("staff:book-doctor", args=[doctor.slug]),
        patient_form(start=TODAY_1140, date="2026-11-23", patient_name="Ravi Caller"),
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    consent = appointment.consent
    assert (consent.notice.version, consent.method, consent.taken_by, consent.given_at) == (
        1,
        ConsentMethod.PHONE,
        front_desk_user,
        NOW,
    )
    page = desk.get(reverse("staff:appointment", args=[appointment.reference]))
    assertContains(page, "Privacy notice version 1")
    assertContains(page, "by phone, to a member of staff")
    assertContains(page, f"taken by {front_desk_user.username}")
    assertContains(page, "2026-11-23 08:00 IST")


def test_the_staff_page_shows_the_version_of_an_online_booking(desk, doctor, first):
    publish_and_move_to_version_2(first)
    appointment = AppointmentFactory(doctor=doctor, source=AppointmentSource.ONLINE)
    Consent.objects.create(
        appointment=appointment, notice=PrivacyNotice.objects.get(version=2), given_at=NOW, method="online"
    )
    page = desk.get(reverse("staff:appointment", args=[appointment.reference]))
    assertContains(page, "Privacy notice version 2")
    assertContains(page, f'href="{reverse("privacy:notice-version", args=[2])}"')
    assertContains(page, "online, on the booking form")


def test_a_booking_without_a_record_says_so_on_the_staff_page(desk, doctor):
    appointment = AppointmentFactory(doctor=doctor)
    assertContains(
        desk.get(reverse("staff:appointment", args=[appointment.reference])), "No consent on record"
    )


def publish_and_move_to_version_2(first):
    notice_publish(
        notice=PrivacyNotice(effective_on=date(2026, 11, 23), summary="Retention", body="Version two."),
        by=None,
        now=NOW,
    )


def test_a_notice_changed_while_the_form_was_open_must_be_agreed_again(client, doctor, first):
    publish_and_move_to_version_2(first)  # takes effect today, after the form showed version 1
    response = book_online(client, doctor, privacy_notice="1")
    assert response.status_code == 400
    assert not Appointment.objects.exists()
    assertContains(response, "it is now version 2", status_code=400)
    form = response.context["form"]
    assert form["privacy_notice"].value() == "2"  # the form now shows version 2 ...
    assert not form["consent"].value()  # ... with the box unticked
    assert form["patient_name"].value() == "Asha Rao"  # and what was typed kept

    assert book_online(client, doctor, privacy_notice="2").status_code == 302
    assert Appointment.objects.get().consent.notice.version == 2


@pytest.mark.parametrize("forged", ["999", "0", "abc", "1" * 300])
def test_a_forged_version_number_is_refused_like_a_changed_one(client, doctor, first, forged):
    response = book_online(client, doctor, privacy_notice=forged)
    assert response.status_code == 400
    assert "it is now version 1" in response.context["form"].errors["consent"][0]
    assert not Appointment.objects.exists()
    assert not Consent.objects.exists()


def test_without_a_version_in_the_form_the_one_in_effect_is_recorded(client, doctor, first):
    form = patient_form()
    del form["privacy_notice"]
    assert client.post(reverse("appointments:details", kwargs={"slug": doctor.slug}), form).status_code == 302
    assert Appointment.objects.get().consent.notice == first


def test_earlier_bookings_get_version_1_backfilled_with_who_created_them(front_desk_user, doctor, first):
    online = AppointmentFactory(doctor=doctor, source=AppointmentSource.ONLINE)
    phoned = AppointmentFactory(
        doctor=doctor, source=AppointmentSource.PHONE, starts_at=NOW + timedelta(days=2)
    )
    StatusChange.objects.create(
        appointment=phoned, from_status="", to_status="booked", by=front_desk_user, at=NOW
    )
    walk_in = AppointmentFactory(
        doctor=doctor, source=AppointmentSource.WALK_IN, starts_at=NOW + timedelta(days=3)
    )
    assert consents_backfill() == 3
    assert consents_backfill() == 0  # idempotent
    records = {c.appointment_id: c for c in Consent.objects.all()}
    assert all(c.notice == first and c.backfilled for c in records.values())
    assert (records[online.pk].method, records[online.pk].taken_by) == (ConsentMethod.ONLINE, None)
    assert (records[phoned.pk].method, records[phoned.pk].taken_by) == (ConsentMethod.PHONE, front_desk_user)
    assert (records[walk_in.pk].method, records[walk_in.pk].taken_by) == (ConsentMethod.IN_PERSON, None)
    assert records[online.pk].given_at == online.created_at


def test_the_admin_shows_an_appointments_consent(admin_client, doctor, first):
    appointment = AppointmentFactory(doctor=doctor)
    Consent.objects.create(
        appointment=appointment,
        notice=first,
        given_at=datetime(2026, 11, 20, 5, 0, tzinfo=UTC),
        method="online",
    )
    page = admin_client.get(reverse("admin:appointments_appointment_change", args=[appointment.pk]))
    assertContains(page, "Privacy notice version 1")
    assertContains(page, "2026-11-20 10:30 IST")


def test_the_migration_dates_version_1_by_the_oldest_booking_and_backfills_every_booking(
    front_desk_user, doctor, clock
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("privacy.migrations.0002_first_notice")
    Consent.objects.all().delete()
    PrivacyNotice.objects.all().delete()
    clock.move_to(NOW - timedelta(days=40))  # 14 October 2026, 08:00 IST
    oldest = AppointmentFactory(doctor=doctor, source=AppointmentSource.PHONE)
    StatusChange.objects.create(
        appointment=oldest, from_status="", to_status="booked", by=front_desk_user, at=NOW
    )
    clock.move_to(NOW)
    newer = AppointmentFactory(doctor=doctor, starts_at=NOW + timedelta(days=2))

    migration.create_first_version(apps, None)
    notice = PrivacyNotice.objects.get()
    assert (notice.version, notice.effective_on) == (1, date(2026, 10, 14))
    assert {c.appointment_id: (c.notice_id, c.backfilled) for c in Consent.objects.all()} == {
        oldest.pk: (notice.pk, True),
        newer.pk: (notice.pk, True),
    }
    assert Consent.objects.get(appointment=oldest).taken_by == front_desk_user


def test_the_privacy_admin_lists_show_times_as_the_place_reads_them(admin_client, officer, doctor, first):
    from privacy.notices import consent_record
    from privacy.services import request_open

    appointment = AppointmentFactory(doctor=doctor)
    consent_record(appointment=appointment, notice_version=1, now=NOW)
    request_open(requester="patient", channel="phone", identity_check="ok", phone="+919812345678", by=officer)
    for name in ("consent", "datarequest", "privacyevent"):
        page = admin_client.get(reverse(f"admin:privacy_{name}_changelist"))
        assertContains(page, "IST")
