"""Writes to appointments: book, cancel, reschedule. Each is one transaction.

The database has the last word on double booking (unique constraint on every database, exclusion
constraint on PostgreSQL); the checks before the insert only give the friendlier message first.
"""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import availability
from appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    VisitType,
    new_reference,
)
from notifications import services as notify


class SlotUnavailable(ValidationError):
    """The requested time is not one this doctor offers (tampered, past, outside hours, time off)."""

    def __init__(self, message=None):
        super().__init__(
            message or _("That time is not available. Please choose another."), code="unavailable"
        )


class SlotTaken(ValidationError):
    """The requested time is offered but someone else holds it (a lost race)."""

    def __init__(self):
        super().__init__(_("Sorry, that time was just taken. Please choose another."), code="slot_taken")


class AlreadyBooked(ValidationError):
    """This mobile number already holds an upcoming appointment with this doctor."""

    def __init__(self, existing: Appointment):
        self.existing = existing
        super().__init__(
            _("You already have an upcoming appointment with this doctor."), code="already_booked"
        )


class PastCutoff(ValidationError):
    def __init__(self):
        super().__init__(cutoff_policy(), code="past_cutoff")


def cutoff_policy() -> str:
    hours = settings.BOOKING_CUTOFF.total_seconds() / 3600
    return _(
        "Online changes close %(hours)s hours before the appointment. "
        "To cancel or move it now, please call us on %(phone)s."
    ) % {"hours": f"{hours:g}", "phone": settings.CLINIC_PHONE}


def is_changeable(appointment: Appointment, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return appointment.is_active and appointment.starts_at - now >= settings.BOOKING_CUTOFF


def unique_reference() -> str:
    for _attempt in range(10):
        reference = new_reference()
        if not Appointment.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find a free appointment reference")  # pragma: no cover


def _is_slot_conflict(error: Exception) -> bool:
    """Whether a failed save lost the race for the slot (and not some other rule)."""
    if isinstance(error, IntegrityError):
        # Unique (doctor, starts_at) on any database, or the PostgreSQL exclusion constraint.
        text = str(error)
        return any(
            marker in text
            for marker in ("appointment_one_per_slot", "appointment_no_overlap", "appointment.starts_at")
        )
    errors = error.error_dict.values() if hasattr(error, "error_dict") else [error.error_list]
    return any(item.code == "slot_taken" for items in errors for item in items)


def upcoming_for_phone(*, doctor, patient_phone, now: datetime) -> Appointment | None:
    return (
        Appointment.objects.active()
        .filter(doctor=doctor, patient_phone=patient_phone, starts_at__gte=now)
        .select_related("doctor", "location")
        .first()
    )


@transaction.atomic
def appointment_book(
    *,
    doctor,
    starts_at: datetime,
    patient_name: str,
    patient_phone,
    patient_email: str = "",
    reason: str = "",
    visit_type: str = VisitType.FIRST,
    source: str = AppointmentSource.ONLINE,
    booking_token: UUID | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book `starts_at` with `doctor`, or raise SlotUnavailable / SlotTaken / AlreadyBooked.

    A repeated `booking_token` (a double-clicked submit) returns the appointment it already made.
    """
    now = now or timezone.now()
    if booking_token is not None:
        existing = Appointment.objects.filter(booking_token=booking_token).first()
        if existing is not None:
            return existing
    if not doctor.is_active or not doctor.location.is_active:
        raise SlotUnavailable(_("This doctor is not taking bookings."))
    slot, taken = availability.slot_at(doctor, starts_at, now)
    if slot is None:
        raise SlotUnavailable()
    if taken:
        raise SlotTaken()
    existing = upcoming_for_phone(doctor=doctor, patient_phone=patient_phone, now=now)
    if existing is not None:
        raise AlreadyBooked(existing)

    appointment = Appointment(
        doctor=doctor,
        location=slot.location,
        starts_at=slot.start,
        ends_at=slot.end,
        patient_name=patient_name,
        patient_phone=patient_phone,
        patient_email=patient_email,
        reason=reason,
        visit_type=visit_type,
        source=source,
        booking_token=booking_token,
        reference=unique_reference(),
    )
    try:
        appointment.full_clean()
        with transaction.atomic():
            appointment.save()
    except (ValidationError, IntegrityError) as error:
        if booking_token is not None:
            # A double submit that raced its twin: show the one that won.
            twin = Appointment.objects.filter(booking_token=booking_token).first()
            if twin is not None:
                return twin
        if _is_slot_conflict(error):
            raise SlotTaken() from error
        raise
    notify.messages_plan_booking(appointment=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Cancel an active appointment before the cut-off; its slot is free at once."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not appointment.is_active:
        raise ValidationError(_("This appointment is already cancelled."), code="not_active")
    if not is_changeable(appointment, now):
        raise PastCutoff()
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason
    appointment.cancelled_at = now
    appointment.full_clean()
    appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    notify.messages_plan_cancellation(appointment=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, starts_at: datetime, now: datetime | None = None
) -> Appointment:
    """Move an active appointment to another free slot of the same doctor; the reference stays."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update().select_related("doctor__location").get(pk=appointment.pk)
    )
    if not appointment.is_active:
        raise ValidationError(_("This appointment is cancelled and cannot be moved."), code="not_active")
    if not is_changeable(appointment, now):
        raise PastCutoff()
    slot, taken = availability.slot_at(appointment.doctor, starts_at, now, exclude=appointment)
    if slot is None:
        raise SlotUnavailable()
    if taken:
        raise SlotTaken()
    appointment.starts_at = slot.start
    appointment.ends_at = slot.end
    appointment.location = slot.location
    try:
        appointment.full_clean()
        with transaction.atomic():
            appointment.save()
    except (ValidationError, IntegrityError) as error:
        if _is_slot_conflict(error):
            raise SlotTaken() from error
        raise
    notify.messages_replan(appointment=appointment, now=now)
    return appointment
