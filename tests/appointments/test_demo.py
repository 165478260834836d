from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from appointments.models import Appointment, WorkingHours
from doctors.models import Doctor

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_every_doctor_hours_and_a_spread_of_appointments_once():
    call_command("seed_demo")
    call_command("seed_demo")
    assert set(WorkingHours.objects.values_list("doctor_id", flat=True)) == set(
        Doctor.objects.values_list("pk", flat=True)
    )
    assert WorkingHours.objects.values("location").distinct().count() > 1
    demo = Appointment.objects.filter(reference__startswith="DEMO")
    assert demo.filter(starts_at__lt=timezone.now()).exists()
    assert demo.filter(starts_at__gt=timezone.now(), status="booked").exists()
    count = Appointment.objects.count()
    call_command("seed_demo", appointments=500)
    call_command("seed_demo", appointments=500)
    assert Appointment.objects.count() == count + 500


def test_the_admin_shows_appointments_and_doctor_inlines(admin_client):
    call_command("seed_demo", appointments=50)
    doctor = Doctor.objects.first()
    appointment = Appointment.objects.first()
    assert admin_client.get("/admin/appointments/appointment/?q=DEMO").status_code == 200
    assert admin_client.get("/admin/appointments/appointment/?status__exact=booked").status_code == 200
    assert admin_client.get(f"/admin/appointments/appointment/{appointment.pk}/change/").status_code == 200
    response = admin_client.get(f"/admin/doctors/doctor/{doctor.pk}/change/")
    assert response.status_code == 200
    assert b"working_hours-TOTAL_FORMS" in response.content
    assert b"time_off-TOTAL_FORMS" in response.content


@time_machine.travel(datetime(2026, 11, 23, 5, 30, tzinfo=UTC), tick=False)  # Monday 11:00 IST
def test_an_appointment_added_in_the_admin_gets_a_reference(admin_client):
    from datetime import time

    from tests.factories import DoctorFactory, week_hours

    doctor = DoctorFactory()
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    response = admin_client.post(
        "/admin/appointments/appointment/add/",
        {
            "doctor": doctor.pk,
            "starts_at_0": "2026-11-25",
            "starts_at_1": "10:00:00",  # the admin reads the clinic's zone (IST), the doctor's too
            "source": "phone",
            "patient_name": "Ravi Caller",
            "patient_phone": "+919812345678",
            "visit_type": "first",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert len(Appointment.objects.get().reference) == 8


@time_machine.travel(datetime(2026, 11, 23, 5, 30, tzinfo=UTC), tick=False)  # Monday 11:00 IST
def test_seed_demo_fills_todays_day_schedule_once():
    call_command("seed_demo")
    assert Appointment.objects.filter(reference__startswith="DT", status="completed").exists()
    today = Appointment.objects.filter(reference__startswith="DT")
    count = today.count()
    assert count > 0
    call_command("seed_demo")
    assert today.count() == count


def test_seed_demo_in_debug_creates_a_doctor_login_and_the_front_desks_location(settings):
    from io import StringIO

    from appointments.models import StaffProfile

    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Login 'doctor' with password" in out.getvalue()
    first = Doctor.objects.order_by("pk").first()
    assert first.user.username == "doctor"
    assert not first.user.is_staff
    assert StaffProfile.objects.get(user__username="frontdesk").default_location == first.location
    call_command("seed_demo", stdout=out)  # again: still one doctor login
    assert Doctor.objects.filter(user__username="doctor").count() == 1


def test_bulk_seeded_appointments_read_back_like_ones_saved_through_the_orm():
    """The bulk seeder writes raw rows for speed: they must still be valid appointments."""
    from datetime import timedelta

    from appointments.links import appointment_from_token, manage_token

    call_command("seed_demo", appointments=300)
    bulk = Appointment.objects.filter(reference__startswith="0").order_by("reference")
    assert bulk.count() == 300
    now = timezone.now()
    assert not bulk.filter(starts_at__lt=now, status="booked").exists()
    assert not bulk.filter(starts_at__gt=now).exclude(status="booked").exists()
    for appointment in bulk[::37]:
        appointment.full_clean()
        assert appointment.starts_at.tzinfo is not None
        assert appointment.ends_at - appointment.starts_at == timedelta(minutes=20)
        assert appointment.patient_phone.is_valid()
        assert appointment.created_at <= now
        if appointment.ends_at > now - timedelta(days=30):
            assert appointment_from_token(manage_token(appointment)) == appointment
