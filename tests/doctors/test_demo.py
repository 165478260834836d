"""The demo doctors read as a clinic would write them (issue 13, item 7)."""

import io

import pytest
from django.core.management import call_command

from doctors import demo
from doctors.models import Doctor

pytestmark = pytest.mark.django_db


def test_demo_bios_call_the_doctor_by_title_and_surname():
    call_command("seed_demo", stdout=io.StringIO())
    doctors = Doctor.objects.filter(name__in=[row[0] for row in demo.DOCTORS])
    assert doctors.count() == len(demo.DOCTORS)
    for doctor in doctors:
        surname = doctor.name.split()[-1]
        assert f"Dr. {surname} listens first" in doctor.bio, doctor.bio
        assert f"team. {surname} listens" not in doctor.bio  # the bare surname it used to say


def test_demo_doctor_slugs_have_no_title():
    call_command("seed_demo", stdout=io.StringIO())
    assert not Doctor.objects.filter(slug__startswith="dr-").exists()
