"""Load the demo data set; run it again and nothing doubles."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from appointments import demo as appointments_demo
from articles import demo as articles_demo
from doctors import demo as doctors_demo
from doctors.roles import FRONT_DESK
from notifications import demo as notifications_demo


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
        feedback = notifications_demo.seed()
        self.stdout.write(
            f"Verified answers: {feedback['answers']}, doctors showing figures: {feedback['with_figures']}"
        )
        if settings.DEBUG:
            self._create_demo_users()

    @transaction.atomic
    def _create_demo_users(self):
        """Development only: a superuser and a front-desk user, with fresh passwords printed each run."""
        User = get_user_model()
        for username, superuser in [("admin", True), ("frontdesk", False)]:
            password = secrets.token_urlsafe(12)
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if not superuser:
                user.groups.add(Group.objects.get(name=FRONT_DESK))
            self.stdout.write(self.style.SUCCESS(f"Login {username!r} with password {password!r}"))
