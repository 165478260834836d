"""Working hours that run to midnight (24:00), through every layer that reads them: the model and its
constraint, the admin inline, the loader, the profile, the patient's booking and the staff pages.

The slot engine's own rules (clock changes included) are tested without a database in test_slots.py.
"""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from appointments import availability
from appointments.admin import WorkingHoursForm, WorkingHoursInline
from appointments.models import Appointment, WorkingHours
from appointments.slots import END_OF_DAY
from doctors.models import Doctor
from tests.factories import DoctorFactory, LocationFactory, WorkingHoursFactory, week_hours

pytestmark = pytest.mark.django_db

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST
MONDAY = date(2026, 11, 23)
MONDAY_23_40 = datetime(2026, 11, 23, 23, 40, tzinfo=KOLKATA)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def evening_doctor():
    """Works 20:00-24:00 (stored 20:00-00:00) every day in Kolkata; 20-minute slots."""
    doctor = DoctorFactory(name="Dr. Night Owl", location=LocationFactory(time_zone="Asia/Kolkata"))
    week_hours(doctor, intervals=[(time(20, 0), END_OF_DAY)])
    return doctor


# The model -------------------------------------------------------------------------------------


def test_hours_may_end_at_midnight():
    hours = WorkingHoursFactory.build(doctor=DoctorFactory(), starts_at=time(20, 0), ends_at=time(0, 0))
    hours.location = hours.doctor.location
    hours.full_clean()  # 20:00-00:00 was refused as "must end after they start"
    hours.save()
    assert hours.ends_at_midnight
    assert hours.span == "20:00–24:00"
    assert str(hours) == "Monday 20:00–24:00"


def test_a_whole_day_is_midnight_to_midnight():
    hours = WorkingHoursFactory(starts_at=time(0, 0), ends_at=END_OF_DAY)
    assert hours.span == "00:00–24:00"


@pytest.mark.parametrize(("starts", "ends"), [(time(20, 0), time(19, 0)), (time(9, 0), time(9, 0))])
def test_other_intervals_must_still_end_after_they_start(starts, ends):
    hours = WorkingHoursFactory.build(doctor=DoctorFactory(), starts_at=starts, ends_at=ends)
    hours.location = hours.doctor.location
    with pytest.raises(ValidationError, match="must end after they start"):
        hours.full_clean()


def test_the_database_allows_midnight_and_refuses_an_end_before_the_start():
    WorkingHoursFactory(starts_at=time(20, 0), ends_at=END_OF_DAY)
    with transaction.atomic(), pytest.raises(IntegrityError):
        WorkingHoursFactory(starts_at=time(20, 0), ends_at=time(1, 0))


# The admin inline ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["24:00", "00:00", "24:00:00", " 24:00 "])
def test_the_admin_form_reads_24_00_and_00_00_as_midnight(typed):
    doctor = DoctorFactory()
    form = WorkingHoursForm(
        {"weekday": 0, "starts_at": "20:00", "ends_at": typed, "location": doctor.location.pk},
        instance=WorkingHours(doctor=doctor),
    )
    assert form.is_valid(), form.errors
    assert form.save().ends_at == END_OF_DAY


@pytest.mark.parametrize("typed", ["24:01", "25:00", "24:30"])
def test_the_admin_form_refuses_times_past_midnight(typed):
    doctor = DoctorFactory()
    form = WorkingHoursForm(
        {"weekday": 0, "starts_at": "20:00", "ends_at": typed, "location": doctor.location.pk},
        instance=WorkingHours(doctor=doctor),
    )
    assert not form.is_valid()
    assert form.errors["ends_at"] == ["Enter a valid time."]


def test_the_admin_form_refuses_24_00_as_a_start():
    doctor = DoctorFactory()
    form = WorkingHoursForm(
        {"weekday": 0, "starts_at": "24:00", "ends_at": "24:00", "location": doctor.location.pk},
        instance=WorkingHours(doctor=doctor),
    )
    assert not form.is_valid()
    assert form.errors["starts_at"] == ["Enter a valid time."]


def test_the_doctor_admin_inline_saves_20_to_24_and_shows_it_as_24_00(admin_user, admin_client):
    doctor = DoctorFactory()
    request = RequestFactory().post("/")
    request.user = admin_user
    inline = WorkingHoursInline(Doctor, admin.site)
    formset_class = inline.get_formset(request, doctor)
    data = {
        "working_hours-TOTAL_FORMS": "1",
        "working_hours-INITIAL_FORMS": "0",
        "working_hours-0-weekday": "4",
        "working_hours-0-starts_at": "20:00",
        "working_hours-0-ends_at": "24:00",
        "working_hours-0-location": str(doctor.location.pk),
    }
    formset = formset_class(data, instance=doctor, prefix="working_hours")
    assert formset.is_valid(), formset.errors
    formset.save()
    assert doctor.working_hours.get().span == "20:00–24:00"

    page = admin_client.get(reverse("admin:doctors_doctor_change", args=[doctor.pk]))
    assertContains(page, 'name="working_hours-0-ends_at" value="24:00"')


def test_the_doctor_admin_inline_says_why_an_interval_is_refused(admin_user):
    doctor = DoctorFactory()
    request = RequestFactory().post("/")
    request.user = admin_user
    formset_class = WorkingHoursInline(Doctor, admin.site).get_formset(request, doctor)
    data = {
        "working_hours-TOTAL_FORMS": "1",
        "working_hours-INITIAL_FORMS": "0",
        "working_hours-0-weekday": "4",
        "working_hours-0-starts_at": "20:00",
        "working_hours-0-ends_at": "19:00",
        "working_hours-0-location": str(doctor.location.pk),
    }
    formset = formset_class(data, instance=doctor, prefix="working_hours")
    assert not formset.is_valid()
    assert "must end after they start" in str(formset.errors)
    assert not WorkingHours.objects.exists()


# The loader ------------------------------------------------------------------------------------


def test_the_loader_offers_the_last_slot_before_midnight(evening_doctor):
    found = availability.free_slots(evening_doctor, MONDAY, 1)
    assert [slot.local_start.strftime("%H:%M") for slot in found][-3:] == ["23:00", "23:20", "23:40"]
    assert found[-1].local_end == datetime(2026, 11, 24, 0, 0, tzinfo=KOLKATA)
    slot, taken = availability.slot_at(evening_doctor, MONDAY_23_40.astimezone(UTC))
    assert slot is not None
    assert not taken


def test_the_loader_ends_a_london_evening_at_the_real_midnight_before_the_clocks_go_back():
    # Saturday 24 October 2026: London is on BST until the Sunday, so midnight is 23:00 UTC.
    doctor = DoctorFactory(location=LocationFactory(time_zone="Europe/London"))
    week_hours(doctor, weekdays=[5], intervals=[(time(20, 0), END_OF_DAY)])
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), tick=False):
        found = availability.free_slots(doctor, date(2026, 10, 24), 1)
    assert found[-1].local_start.strftime("%H:%M %Z") == "23:40 BST"
    assert found[-1].end == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)


# Pages -----------------------------------------------------------------------------------------


def test_the_profile_shows_hours_to_midnight_as_24_00(client, evening_doctor):
    response = client.get(evening_doctor.get_absolute_url())
    assertContains(response, "20:00–24:00")


def test_a_patient_can_book_the_last_slot_before_midnight(client, evening_doctor):
    picker = client.get(reverse("appointments:picker", args=[evening_doctor.slug]), {"date": "2026-11-23"})
    start = "2026-11-23T18:10:00Z"  # 23:40 IST
    assertContains(picker, f"?start={start}")
    response = client.post(
        reverse("appointments:details", args=[evening_doctor.slug]),
        {
            "start": start,
            "booking_token": str(uuid.uuid4()),
            "patient_name": "Asha Rao",
            "patient_phone": "98123 45678",
            "visit_type": "first",
            "consent": "on",
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert appointment.starts_at == MONDAY_23_40
    assert appointment.ends_at == datetime(2026, 11, 24, 0, 0, tzinfo=KOLKATA)


def test_the_staff_day_offers_23_40_and_the_front_desk_books_it(client, front_desk_user, evening_doctor):
    client.force_login(front_desk_user)
    day = client.get(reverse("staff:day"), {"date": "2026-11-23", "location": evening_doctor.location.slug})
    assertContains(day, "Dr. Night Owl, 23:40")  # the free time's Book button
    form = client.get(reverse("staff:book-doctor", args=[evening_doctor.slug]), {"date": "2026-11-23"})
    start = "2026-11-23T18:10:00Z"
    assertContains(form, f'value="{start}"')
    response = client.post(
        reverse("staff:book-doctor", args=[evening_doctor.slug]),
        {
            "start": start,
            "date": "2026-11-23",
            "booking_token": str(uuid.uuid4()),
            "patient_name": "Ravi Caller",
            "patient_phone": "98123 00000",
            "visit_type": "first",
            "consent": "on",
        },
    )
    appointment = Appointment.objects.get()
    assertRedirects(
        response, reverse("staff:appointment", args=[appointment.reference]), fetch_redirect_response=False
    )
    assert appointment.starts_at == MONDAY_23_40
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=20)
