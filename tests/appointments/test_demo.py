import pytest
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
