"""factory-boy factories for every model; unique fields use sequences."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from doctors.models import Condition, Doctor, Language, Location, Procedure, Specialty


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)
        if create:
            self.save()


class SpecialtyFactory(DjangoModelFactory):
    class Meta:
        model = Specialty

    name = factory.Sequence(lambda n: f"Specialty {n}")
    slug = factory.Sequence(lambda n: f"specialty-{n}")


class ConditionFactory(DjangoModelFactory):
    class Meta:
        model = Condition

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure

    name = factory.Sequence(lambda n: f"Procedure {n}")
    slug = factory.Sequence(lambda n: f"procedure-{n}")


class LanguageFactory(DjangoModelFactory):
    class Meta:
        model = Language

    code = factory.Sequence(lambda n: f"l{n}")
    name = factory.Sequence(lambda n: f"Language {n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Clinic branch {n}")
    slug = factory.Sequence(lambda n: f"branch-{n}")
    city = "Bengaluru"
    address = "1 Test Road"
    time_zone = "Asia/Kolkata"


class DoctorFactory(DjangoModelFactory):
    class Meta:
        model = Doctor
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dr. Test Doctor {n}")
    slug = factory.Sequence(lambda n: f"test-doctor-{n}")
    specialty = factory.SubFactory(SpecialtyFactory)
    location = factory.SubFactory(LocationFactory)
    qualifications = "MBBS, MS"
    practising_since = 2010
    fee = Decimal("1000.00")
    booking_fee = Decimal("0.00")

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)

    @factory.post_generation
    def conditions(self, create, extracted, **kwargs):
        if create and extracted:
            self.conditions.set(extracted)

    @factory.post_generation
    def procedures(self, create, extracted, **kwargs):
        if create and extracted:
            self.procedures.set(extracted)
