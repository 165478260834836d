"""Demo data for privacy: consent records for the demo bookings, a patient to look up, and visits old
enough for the retention sweep.

Idempotent: its visits have references starting "PV" and are created once. The demo patient
(mobile DEMO_PHONE, email DEMO_EMAIL) has a completed visit with feedback and emails, a cancelled
one, and one still to come, so "what do you hold about me?" and "delete it" can be tried on
`make run`; two visits from four years ago show what `anonymise_old_visits --dry-run` would remove.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from appointments import availability
from appointments.models import Appointment, AppointmentSource, AppointmentStatus, StatusChange
from doctors.models import Doctor
from notifications.models import Feedback, Message, MessageKind, MessageState
from privacy.notices import consents_backfill

DEMO_PHONE = "+919800012345"
DEMO_EMAIL = "meena.joshi@example.com"
DEMO_NAME = "Meena Joshi"


@transaction.atomic
def seed() -> dict[str, int]:
    if not Appointment.objects.filter(reference__startswith="PV").exists():
        _seed_visits()
    return {"consents_added": consents_backfill()}


def _visit(doctor, start, reference, status, **fields):
    return Appointment.objects.create(
        doctor=doctor,
        location=doctor.location,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        status=status,
        reference=reference,
        **fields,
    )


def _seed_visits():
    doctor = Doctor.objects.active().select_related("location").order_by("pk").first()
    if doctor is None:
        return
    now = timezone.now().replace(second=0, microsecond=0)
    patient = {
        "patient_name": DEMO_NAME,
        "patient_phone": DEMO_PHONE,
        "patient_email": DEMO_EMAIL,
        "source": AppointmentSource.ONLINE,
    }
    seen = _visit(
        doctor,
        now.replace(minute=0) - timedelta(days=60, hours=3),
        "PVSEEN01",
        AppointmentStatus.COMPLETED,
        reason="Numbness in the left leg",
        **patient,
    )
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                appointment=seen, from_status="", to_status="booked", at=seen.starts_at - timedelta(days=5)
            ),
            StatusChange(appointment=seen, from_status="booked", to_status="completed", at=seen.ends_at),
        ]
    )
    Message.objects.bulk_create(
        [
            Message(
                appointment=seen,
                kind=kind,
                due_at=seen.starts_at - lead,
                planned_for=seen.starts_at,
                state=MessageState.SENT,
                attempts=1,
                recipient=DEMO_EMAIL,
                sent_at=seen.starts_at - lead,
            )
            for kind, lead in [
                (MessageKind.CONFIRMATION, timedelta(days=5)),
                (MessageKind.REMINDER, timedelta(days=1)),
            ]
        ]
    )
    Feedback.objects.create(appointment=seen, would_recommend=True, comment="Clear advice, no rush.")
    cancelled = _visit(
        doctor,
        now.replace(minute=0) - timedelta(days=20, hours=2),
        "PVCANC01",
        AppointmentStatus.CANCELLED,
        cancel_reason="Travelling that week",
        cancelled_at=now - timedelta(days=25),
        **patient,
    )
    StatusChange.objects.create(
        appointment=cancelled,
        from_status="booked",
        to_status="cancelled",
        at=cancelled.cancelled_at,
        note="Travelling that week",
    )
    today = availability.local_today(doctor, now)
    free = availability.free_slots(doctor, today + timedelta(days=5), 7, now)
    if free:
        slot = free[len(free) // 2]
        _visit(doctor, slot.start, "PVNEXT01", AppointmentStatus.BOOKED, **patient)
    # Past the default three-year window: the retention sweep's dry run lists these.
    for number, years in enumerate((4, 5)):
        _visit(
            doctor,
            now.replace(minute=0) - timedelta(days=365 * years + 10),
            f"PVOLD{number:03d}",
            AppointmentStatus.COMPLETED,
            patient_name="Old Visit",
            patient_phone=f"+91980009{number:04d}",
            reason="Review of MRI",
        )
