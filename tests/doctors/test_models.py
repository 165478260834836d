from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from doctors.models import Doctor, doctor_slug
from tests.factories import ConditionFactory, DoctorFactory, LocationFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


def test_the_database_rejects_a_fee_above_the_original_fee():
    with pytest.raises(IntegrityError), transaction.atomic():
        DoctorFactory(fee=Decimal(1500), original_fee=Decimal(1200))


def test_full_clean_explains_a_fee_above_the_original_fee():
    doctor = DoctorFactory.build(
        specialty=SpecialtyFactory(), location=LocationFactory(), fee=Decimal(900), original_fee=Decimal(800)
    )
    with pytest.raises(ValidationError, match="cannot be higher than the original fee"):
        doctor.full_clean()


def test_the_database_rejects_a_negative_booking_fee():
    with pytest.raises(IntegrityError), transaction.atomic():
        DoctorFactory(booking_fee=Decimal(-1))


def test_a_discount_needs_an_original_fee_above_the_fee():
    assert DoctorFactory(fee=Decimal(800), original_fee=Decimal(1000)).is_discounted
    assert not DoctorFactory(fee=Decimal(800), original_fee=Decimal(800)).is_discounted
    assert not DoctorFactory(fee=Decimal(800), original_fee=None).is_discounted


def test_experience_is_counted_from_the_start_year_at_read_time():
    doctor = DoctorFactory(practising_since=2010)
    with time_machine.travel("2026-06-01T12:00:00+05:30", tick=False):
        assert doctor.years_of_experience == 16
    with time_machine.travel("2030-06-01T12:00:00+05:30", tick=False):
        assert doctor.years_of_experience == 20


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Dr. Meera Kulkarni", "MK"), ("Dr Asha", "A"), ("Prof. Dr. Ravi Shankar Rao", "RR")],
)
def test_initials_skip_titles(name, initials):
    assert DoctorFactory.build(name=name).initials == initials


def test_search_ranks_name_over_specialty_over_condition():
    disc = ConditionFactory(name="Slipped disc")
    by_condition = DoctorFactory(name="Dr. Alpha", conditions=[disc])
    by_specialty = DoctorFactory(name="Dr. Beta", specialty=SpecialtyFactory(name="Disc Surgery"))
    by_name = DoctorFactory(name="Dr. Disco Gamma")
    DoctorFactory(name="Dr. Unrelated")

    found = list(Doctor.objects.search("disc").sorted_by("relevance"))

    assert found == [by_name, by_specialty, by_condition]


def test_a_doctor_matching_through_two_conditions_is_listed_once():
    doctor = DoctorFactory(
        conditions=[ConditionFactory(name="Lumbar stenosis"), ConditionFactory(name="Cervical stenosis")]
    )
    assert list(Doctor.objects.search("stenosis")) == [doctor]


def test_inactive_doctors_and_doctors_at_closed_locations_are_not_active():
    active = DoctorFactory()
    DoctorFactory(is_active=False)
    DoctorFactory(location=LocationFactory(is_active=False))
    assert list(Doctor.objects.active()) == [active]


def test_a_location_rejects_an_unknown_time_zone():
    location = LocationFactory.build(time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="IANA time zone"):
        location.full_clean()


# Names: title and surname, and slugs without the title (issue 13, item 7) ------------------------------


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Dr. Meera Kulkarni", "Dr. Kulkarni"),
        ("Dr Kiran Rao", "Dr Rao"),
        ("Prof. Dr. Asha Rao, MD", "Prof. Dr. Rao"),
        ("Dr. Aditi Rao (12)", "Dr. Rao"),
        ("Kiran Rao", "Kiran Rao"),  # no title to add: the whole name, never a bare surname
    ],
)
def test_short_name_is_title_and_surname(name, short):
    assert Doctor(name=name).short_name == short


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Dr. Kiran Rao", "kiran-rao"),
        ("Dr Kiran Rao", "kiran-rao"),
        ("dr. kiran rao", "kiran-rao"),
        ("Prof. Dr. Asha Rao", "asha-rao"),
        ("Doctor Neha Bhatt", "neha-bhatt"),
        ("Drake Menon", "drake-menon"),  # a name that starts like a title keeps it
        ("Kiran Rao", "kiran-rao"),
    ],
)
def test_a_doctors_slug_leaves_the_title_out(name, slug):
    assert doctor_slug(name) == slug
