"""Demo data for figures and the ledger: completed past visits with verified answers.

Idempotent: its appointments have 7-character references starting "FB" (booked references are 8
characters, so they never collide) and are created once. Several doctors get 10+ answers so their
cards show figures; one gets fewer, to show that figures stay hidden below the minimum.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus
from doctors.models import Doctor
from notifications.models import Feedback
from notifications.services import doctor_figures_refresh_all, messages_plan_feedback

# (answers, of which "yes") for the first demo doctors; the last stays under the minimum of 10.
ANSWERS = [(118, 109), (64, 55), (37, 33), (23, 19), (14, 13), (11, 9), (6, 6)]
COMMENTS = [
    ("Explained the MRI clearly and did not rush me.", True),
    ("Long wait at reception, but the consultation was thorough.", True),
    ("Helpful advice on exercises for my lower back.", False),
]
NAMES = ["Aditi Rao", "Rahul Sharma", "Kavya Pillai", "Nikhil Kapoor", "Sana Nair", "Ravi Gupta"]


def _visit(doctor, start, reference, rng, *, email=""):
    return Appointment(
        doctor=doctor,
        location=doctor.location,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        patient_name=rng.choice(NAMES),
        patient_phone=f"+9197{rng.randrange(10**8):08d}",
        patient_email=email,
        status=AppointmentStatus.COMPLETED,
        reference=reference,
    )


@transaction.atomic
def seed() -> dict[str, int]:
    if not Appointment.objects.filter(reference__startswith="FB").exists():
        _seed_visits()
    doctor_figures_refresh_all()
    return {
        "answers": Feedback.objects.count(),
        "with_figures": sum(1 for d in Doctor.objects.active() if d.recommendation),
    }


def _seed_visits():
    rng = random.Random(11)
    now = timezone.now().replace(second=0, microsecond=0)
    doctors = list(Doctor.objects.active().select_related("location").order_by("pk")[: len(ANSWERS)])
    feedback = []
    for index, (doctor, (answers, yes)) in enumerate(zip(doctors, ANSWERS, strict=False)):
        visits = []
        # A few more completed visits than answers: not every patient answers.
        for number in range(answers + answers // 3 + 3):
            start = now.replace(minute=0) - timedelta(days=1 + number // 4, hours=2 + 2 * (number % 4))
            visits.append(_visit(doctor, start, f"FB{index:02d}{number:03d}", rng))
        Appointment.objects.bulk_create(visits)
        for number, visit in enumerate(visits[:answers]):
            comment, approved = COMMENTS[number] if number < len(COMMENTS) else ("", False)
            feedback.append(
                Feedback(
                    appointment=visit,
                    would_recommend=number < yes,
                    comment=comment,
                    comment_approved=approved,
                )
            )
    Feedback.objects.bulk_create(feedback)
    if doctors:
        # A visit that ended half an hour ago: its feedback request is planned (due in the admin).
        just_seen = _visit(
            doctors[0], now - timedelta(minutes=50), "FBQ0001", rng, email="aditi.rao@example.com"
        )
        just_seen.save()
        messages_plan_feedback(appointment=just_seen, now=now)
