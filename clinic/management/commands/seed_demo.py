"""Load the demo data set; run it again and nothing doubles."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from appointments import demo as appointments_demo
from appointments import nextfree
from appointments.models import StaffProfile
from articles import demo as articles_demo
from clinic import versions
from doctors import demo as doctors_demo
from doctors.models import Doctor
from doctors.roles import DOCTORS, FRONT_DESK, PRIVACY_OFFICERS
from notifications import demo as notifications_demo
from privacy import demo as privacy_demo


class Command(BaseCommand):
    help = (
        "Create demo locations, doctors, working hours, appointments and articles (idempotent). "
        "--doctors, --appointments and --articles add large synthetic sets for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--doctors", type=int, default=0, help="Also generate N synthetic doctors.")
        parser.add_argument(
            "--articles", type=int, default=0, help="Also generate N short synthetic published articles."
        )
        parser.add_argument(
            "--appointments", type=int, default=0, help="Also generate N appointments (for benchmarks)."
        )

    def handle(self, *args, **options):
        counts = doctors_demo.seed(synthetic_doctors=options["doctors"])
        self.stdout.write(f"Doctors: {counts['doctors']}, locations: {counts['locations']}")
        article_counts = articles_demo.seed(synthetic_articles=options["articles"])
        self.stdout.write(f"Articles: {article_counts['articles']}")
        booking = appointments_demo.seed(appointments=options["appointments"])
        self.stdout.write(f"Working hours: {booking['hours']}, appointments: {booking['appointments']}")
        # The seed writes appointments as raw rows (no signals): store every doctor's next free slots now.
        nextfree.refresh(Doctor.objects.values_list("pk", flat=True))
        versions.bump([versions.CONTENT, versions.ANY_AVAILABILITY])
        feedback = notifications_demo.seed()
        self.stdout.write(
            f"Verified answers: {feedback['answers']}, doctors showing figures: {feedback['with_figures']}"
        )
        privacy = privacy_demo.seed()
        self.stdout.write(
            f"Consent records added: {privacy['consents_added']}; demo patient for data requests: "
            f"{privacy_demo.DEMO_PHONE} / {privacy_demo.DEMO_EMAIL}"
        )
        if settings.DEBUG:
            self._create_demo_users()

    @transaction.atomic
    def _create_demo_users(self):
        """Development only: a superuser, a front-desk user, a doctor and a privacy officer, with fresh
        passwords printed each run.

        The front desk opens the day schedule at the first demo doctor's location; the doctor login
        is that doctor.
        """
        User = get_user_model()
        first_doctor = Doctor.objects.select_related("location").order_by("pk").first()
        for username, role in [
            ("admin", "superuser"),
            ("frontdesk", FRONT_DESK),
            ("doctor", DOCTORS),
            ("privacy", PRIVACY_OFFICERS),
        ]:
            password = secrets.token_urlsafe(12)
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            user.is_staff = role != DOCTORS  # doctors use the staff pages, not the admin
            user.is_superuser = role == "superuser"
            user.set_password(password)
            user.save()
            if role != "superuser":
                user.groups.add(Group.objects.get(name=role))
            if role == FRONT_DESK and first_doctor:
                StaffProfile.objects.update_or_create(
                    user=user, defaults={"default_location": first_doctor.location}
                )
            if role == DOCTORS and first_doctor:
                Doctor.objects.filter(user=user).exclude(pk=first_doctor.pk).update(user=None)
                first_doctor.user = user
                first_doctor.save(update_fields=["user"])
            self.stdout.write(self.style.SUCCESS(f"Login {username!r} with password {password!r}"))
