"""factory-boy factories for every model; unique fields use sequences."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from appointments.models import Appointment, TimeOff, WorkingHours
from articles.models import FAQ, Article, ArticleStatus, Category
from articles.services import article_render
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


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ArticleFactory(DjangoModelFactory):
    """A published article, rendered the way the admin renders it."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "What this article is about."
    body = "## First section\n\nSome words.\n\n## Second section\n\nMore words."
    category = factory.SubFactory(CategoryFactory)
    author = factory.SubFactory(DoctorFactory)
    reviewer = factory.SubFactory(DoctorFactory)
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    last_reviewed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        article = model_class(*args, **kwargs)
        article_render(article=article)
        article.save()
        return article

    @factory.post_generation
    def specialties(self, create, extracted, **kwargs):
        if create and extracted:
            self.specialties.set(extracted)

    @factory.post_generation
    def conditions(self, create, extracted, **kwargs):
        if create and extracted:
            self.conditions.set(extracted)


class FAQFactory(DjangoModelFactory):
    class Meta:
        model = FAQ

    article = factory.SubFactory(ArticleFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer."
    order = factory.Sequence(lambda n: n)


class WorkingHoursFactory(DjangoModelFactory):
    class Meta:
        model = WorkingHours

    doctor = factory.SubFactory(DoctorFactory)
    location = factory.LazyAttribute(lambda o: o.doctor.location)
    weekday = 0
    starts_at = time(9, 0)
    ends_at = time(13, 0)


class TimeOffFactory(DjangoModelFactory):
    class Meta:
        model = TimeOff

    doctor = factory.SubFactory(DoctorFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment
        skip_postgeneration_save = True

    doctor = factory.SubFactory(DoctorFactory)
    location = factory.LazyAttribute(lambda o: o.doctor.location)
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=1)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=20))
    patient_name = factory.Sequence(lambda n: f"Patient {n}")
    patient_phone = factory.Sequence(lambda n: f"+9198{n:08d}")
    reference = factory.Sequence(lambda n: f"T{n:07d}")

    @factory.post_generation
    def booked_at(self, create, extracted, **kwargs):
        """When the booking was made: `created_at` is set by the database's clock, so move it after saving."""
        if create and extracted is not None:
            Appointment.objects.filter(pk=self.pk).update(created_at=extracted)
            self.created_at = extracted


def week_hours(doctor, *, weekdays=range(7), intervals=((time(9, 0), time(13, 0)),), location=None):
    """Give `doctor` the same hours on each of `weekdays`."""
    return [
        WorkingHoursFactory(
            doctor=doctor, location=location or doctor.location, weekday=day, starts_at=s, ends_at=e
        )
        for day in weekdays
        for s, e in intervals
    ]
