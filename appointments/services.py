"""Writes to appointments: book, cancel, reschedule, status changes, feed tokens. Each is one transaction.

The database has the last word on double booking (unique constraint on every database, exclusion
constraint on PostgreSQL); the checks before the insert only give the friendlier message first.
"""

import unicodedata
import zlib
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import availability, holds
from appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    CalendarFeed,
    StatusChange,
    VisitType,
    new_feed_token,
    new_reference,
)
from appointments.policy import cutoff_refusal, is_changeable
from notifications import services as notify
from privacy.notices import consent_record

S = AppointmentStatus
# The front desk's workflow: booked -> confirmed -> checked in -> completed, or cancelled / no-show.
# Cancelled is final; completed and no-show can be undone on the visit's day, back to the status
# they came from (appointments.workflow, SPEC 3.5). Time guards are in `_time_refusal`.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.BOOKED: frozenset({S.CONFIRMED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW}),
    S.CONFIRMED: frozenset({S.CHECKED_IN, S.CANCELLED, S.NO_SHOW}),
    S.CHECKED_IN: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}


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
    """This patient (mobile number and name) already holds an upcoming appointment with this doctor.

    `existing` is for staff pages only: a patient's page never shows it (proof of possession, SPEC 3.3).
    """

    def __init__(self, existing: Appointment, message=None, code="already_booked"):
        self.existing = existing
        super().__init__(
            message or _("You already have an upcoming appointment with this doctor."), code=code
        )


class MobileLimitReached(AlreadyBooked):
    """This mobile number already holds BOOKING_MAX_PER_MOBILE upcoming appointments with this doctor."""

    def __init__(self, existing: Appointment):
        super().__init__(
            existing,
            _(
                "This mobile number already has the most upcoming appointments with this doctor we take online."
            ),
            code="mobile_limit",
        )


class StaleForm(ValidationError):
    """The form's one-time token already booked a different doctor, time or mobile number: nothing is written."""

    def __init__(self):
        super().__init__(
            _(
                "This form was already used for a booking, so we did not book again. Your details are kept: "
                "check them and confirm to book this time."
            ),
            code="stale_form",
        )


class NotActive(ValidationError):
    """The appointment is cancelled, completed or a no-show: it cannot be cancelled or moved any more."""

    def __init__(self, appointment: Appointment):
        if appointment.status == AppointmentStatus.CANCELLED:
            message = _("This appointment is already cancelled.")
        else:
            message = _("This appointment is %(status)s and cannot be changed.") % {
                "status": appointment.get_status_display().lower()
            }
        super().__init__(message, code="not_active")


class TransitionRefused(ValidationError):
    """The workflow does not allow this status change (now, or ever)."""


class PastCutoff(ValidationError):
    """An online change after the cut-off (and after any grace period): the patient must call."""

    def __init__(self):
        super().__init__(cutoff_refusal(), code="past_cutoff")


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


def waitlist_hooks():
    """The waitlist's services (issue 15 item 2), imported on use: they build on this module's.

    They run after the booking transaction commits, in their own: a booking holds a slot lock, and a
    waitlist pass takes the waitlist's lock before slot locks, so nesting them could deadlock.
    """
    from waitlist import services

    return services


def same_patient_name(a: str, b: str) -> bool:
    """Whether two typed names are one patient's: Unicode-normalised, case and spacing ignored."""

    def normal(name: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()

    return normal(a) == normal(b)


def upcoming_with_doctor(*, doctor, patient_phone, now: datetime) -> list[Appointment]:
    """Active appointments of one mobile number with one doctor that have not started, soonest first."""
    return list(
        Appointment.objects.active()
        .filter(doctor=doctor, patient_phone=patient_phone, starts_at__gte=now)
        .select_related("doctor", "location")
        .order_by("starts_at")
    )


def _same_form(appointment: Appointment, *, doctor, starts_at: datetime, patient_phone) -> bool:
    """Whether a repeated form token carries the details it booked with: doctor, start and mobile (SPEC 3.3)."""
    return (
        appointment.doctor_id == doctor.pk
        and appointment.starts_at == starts_at
        and appointment.patient_phone == patient_phone  # PhoneNumber compares in E.164, strings parsed
    )


def _token_booking(*, booking_token, doctor, starts_at, patient_phone) -> Appointment | None:
    """The booking a repeated form token made, when the details match; StaleForm when they do not."""
    if booking_token is None:
        return None
    made = (
        Appointment.objects.filter(booking_token=booking_token).select_related("doctor", "location").first()
    )
    if made is None:
        return None
    if not _same_form(made, doctor=doctor, starts_at=starts_at, patient_phone=patient_phone):
        raise StaleForm()
    return made


def _lock_patient(*, doctor_id: int, patient_phone) -> None:
    """Serialise bookings of one mobile number with one doctor until this transaction ends.

    "One upcoming appointment per mobile per doctor" cannot be a constraint ("upcoming" moves with
    the clock), so two simultaneous bookings of different slots could both pass the check. On
    PostgreSQL a transaction-scoped advisory lock on (doctor, number) makes the second one wait and
    then see the first; other patients and other doctors are not held up. SQLite's IMMEDIATE
    transactions already let one writer in at a time.
    """
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(str(patient_phone).encode()) - 2**31  # into PostgreSQL's signed int4 range
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [doctor_id % 2**31, key])


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
    by=None,
    skip_min_notice: bool = False,
    privacy_notice_version: int | None = None,
    booker_name: str = "",
    booker_relationship: str = "",
) -> Appointment:
    """Book `starts_at` (aware) with `doctor`; raise SlotUnavailable, SlotTaken, AlreadyBooked,
    MobileLimitReached or StaleForm.

    A repeated `booking_token` (a double-clicked submit) returns the appointment it already made, but
    only when doctor, start and mobile are the ones it booked with; other details raise StaleForm
    (SPEC 3.3: a form's token never hands over someone else's booking). One upcoming appointment per
    patient (mobile + name) per doctor, and BOOKING_MAX_PER_MOBILE per mobile per doctor. The price
    (fee and booking fee) is kept on the appointment as it was when booked.
    `by` is the staff user booking for a caller; `skip_min_notice` lets them book a free slot that
    starts sooner than the online minimum notice (never one in the past).
    Every booking records the patient's consent (SPEC 5): to `privacy_notice_version`, the version
    the form showed (None: the one in effect now), by the source's method, taken by `by` for staff.
    Booking for someone else: `patient_name` is the patient's, `booker_name` and `booker_relationship`
    (a Relationship value) the booker's, whose mobile and email these are; the per-patient rule and
    the cap per mobile read the patient's name and that mobile (issue 15 item 3).
    """
    now = now or timezone.now()
    # First the lock, then the token: a twin submit waits here until this form's first submit commits,
    # then finds its booking below instead of tripping over it as "already booked" or "taken".
    _lock_patient(doctor_id=doctor.pk, patient_phone=patient_phone)
    holds.slot_lock(doctor.pk, starts_at)  # then the time: its holds and bookings are checked one at a time
    made = _token_booking(
        booking_token=booking_token, doctor=doctor, starts_at=starts_at, patient_phone=patient_phone
    )
    if made is not None:
        return made
    if not doctor.is_active or not doctor.location.is_active:
        raise SlotUnavailable(_("This doctor is not taking bookings."))
    min_notice = timedelta(0) if skip_min_notice else None
    # Another form's active hold makes the time taken; this form's own hold (its token) does not.
    slot, taken = availability.slot_at(
        doctor, starts_at, now, min_notice=min_notice, hold_token=booking_token
    )
    if slot is None:
        raise SlotUnavailable()
    if taken:
        raise SlotTaken()
    upcoming = upcoming_with_doctor(doctor=doctor, patient_phone=patient_phone, now=now)
    for existing in upcoming:
        if same_patient_name(existing.patient_name, patient_name):
            raise AlreadyBooked(existing)
    if len(upcoming) >= settings.BOOKING_MAX_PER_MOBILE:
        raise MobileLimitReached(upcoming[0])

    appointment = Appointment(
        doctor=doctor,
        location=slot.location,
        starts_at=slot.start,
        ends_at=slot.end,
        patient_name=patient_name,
        patient_phone=patient_phone,
        patient_email=patient_email,
        booker_name=booker_name,
        booker_relationship=booker_relationship,
        reason=reason,
        visit_type=visit_type,
        source=source,
        booking_token=booking_token,
        reference=unique_reference(),
        fee=doctor.fee,
        booking_fee=doctor.booking_fee,
    )
    try:
        appointment.full_clean()
        with transaction.atomic():
            appointment.save()
    except (ValidationError, IntegrityError) as error:
        # A twin that got past the lock (SQLite has none; an unlocked caller): show the one that won.
        made = _token_booking(
            booking_token=booking_token, doctor=doctor, starts_at=starts_at, patient_phone=patient_phone
        )
        if made is not None:
            return made
        if _is_slot_conflict(error):
            raise SlotTaken() from error
        raise
    holds.hold_release(token=booking_token)
    appointment_id = appointment.pk
    transaction.on_commit(
        lambda: waitlist_hooks().entries_close_for_booking(appointment_id=appointment_id), robust=True
    )
    _record(appointment, "", appointment.status, by=by, at=now)
    consent_record(appointment=appointment, notice_version=privacy_notice_version, by=by, now=now)
    notify.messages_plan_booking(appointment=appointment, now=now)
    return appointment


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    reason: str = "",
    now: datetime | None = None,
    by=None,
    override: bool = False,
) -> Appointment:
    """Cancel an active appointment before the cut-off; its slot is free at once.

    Staff pass `by` and `override=True` to cancel past the cut-off; the audit row records it.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not appointment.is_active:
        raise NotActive(appointment)
    past_cutoff = not is_changeable(appointment, now)
    if past_cutoff and not override:
        raise PastCutoff()
    previous = appointment.status
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason
    appointment.cancelled_at = now
    appointment.full_clean()
    appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    _record(appointment, previous, appointment.status, by=by, at=now, note=reason, override=past_cutoff)
    notify.messages_plan_cancellation(appointment=appointment, now=now)
    # The freed time goes to the first matching waiter, as soon as the cancel is committed (issue 15).
    transaction.on_commit(
        lambda: waitlist_hooks().slot_freed(appointment_id=appointment.pk, cancelled=True), robust=True
    )
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: datetime,
    now: datetime | None = None,
    by=None,
    override: bool = False,
    hold_token: UUID | None = None,
) -> Appointment:
    """Move an active appointment to another free slot of the same doctor; the reference stays.

    Staff pass `by` and `override=True` to move it past the cut-off (and into a slot sooner than the
    online minimum notice); the audit row records it. A time held by someone else is taken, unless
    `hold_token` is that hold's (a waitlist offer being accepted); the hold is then released.
    """
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update().select_related("doctor__location").get(pk=appointment.pk)
    )
    if not appointment.is_active:
        raise NotActive(appointment)
    past_cutoff = not is_changeable(appointment, now)
    if past_cutoff and not override:
        raise PastCutoff()
    previous = appointment.wall_clock  # read where it was: a move may change the location
    min_notice = timedelta(0) if override else None
    holds.slot_lock(appointment.doctor_id, starts_at)
    slot, taken = availability.slot_at(
        appointment.doctor, starts_at, now, exclude=appointment, min_notice=min_notice, hold_token=hold_token
    )
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
    holds.hold_release(token=hold_token)
    moved = _("Moved from %(old)s to %(new)s") % {
        "old": previous.format("numeric"),
        "new": appointment.wall_clock.format("numeric"),
    }
    _record(
        appointment, appointment.status, appointment.status, by=by, at=now, note=moved, override=past_cutoff
    )
    notify.messages_replan(appointment=appointment, now=now)
    # The time it left is free: offered to the waitlist once the move is committed.
    transaction.on_commit(lambda: waitlist_hooks().slot_freed(appointment_id=appointment.pk), robust=True)
    return appointment


@transaction.atomic
def manage_link_resend(*, doctor, patient_phone, now: datetime | None = None) -> int:
    """ "Send me my booking link": email each upcoming booking of this mobile with `doctor` its own link.

    Each link goes only to the email address on that booking (notifications.messages_plan_link, which
    also skips bookings without one and limits how often). Returns how many emails were planned, for
    tests and logs only: the requester gets the same answer whatever it is (SPEC 3.3).
    """
    now = now or timezone.now()
    found = (
        Appointment.objects.select_for_update()
        .active()
        .filter(doctor=doctor, patient_phone=patient_phone, starts_at__gte=now)
        .order_by("pk")
    )
    return sum(
        notify.messages_plan_link(appointment=appointment, now=now) is not None for appointment in found
    )


@transaction.atomic
def manage_link_find(*, reference: str, patient_phone, now: datetime | None = None) -> int:
    """Find my booking: email the manage link of the booking with this reference and mobile number.

    Only to the email address on file, only while the link still works (MANAGE_LINK_DAYS); returns
    how many emails were planned (0 or 1), never shown to the requester (SPEC 3.3).
    """
    now = now or timezone.now()
    found = (
        Appointment.objects.select_for_update()
        .filter(
            reference=reference,
            patient_phone=patient_phone,
            ends_at__gte=now - timedelta(days=settings.MANAGE_LINK_DAYS),
        )
        .first()
    )
    if found is None:
        return 0
    return int(notify.messages_plan_link(appointment=found, now=now) is not None)


def _record(appointment, from_status, to_status, *, by, at, note="", override=False) -> StatusChange:
    change = StatusChange(
        appointment=appointment,
        from_status=from_status,
        to_status=to_status,
        by=by,
        at=at,
        note=note[:200],
        override=override,
    )
    change.full_clean()
    change.save()
    return change


def allowed_transitions(appointment: Appointment, now: datetime | None = None) -> list[str]:
    """The statuses this appointment may move to now, in workflow order (for the status buttons)."""
    now = now or timezone.now()
    return [
        status
        for status in AppointmentStatus.values
        if status in TRANSITIONS[appointment.status] and _time_refusal(appointment, status, now) is None
    ]


def _time_refusal(appointment: Appointment, to_status: str, now: datetime) -> str | None:
    """Why `to_status` cannot be set yet, or None.

    Check-in opens on the visit's own day (in the location's time zone): patients arrive early.
    A no-show can only be marked, and a visit completed, once the visit has started.
    """
    if to_status == S.CHECKED_IN:
        zone = appointment.location.zone
        if appointment.starts_at.astimezone(zone).date() > now.astimezone(zone).date():
            return _("A visit on a later day cannot be checked in yet.")
    if to_status == S.NO_SHOW and appointment.starts_at > now:
        return _("A visit that has not started yet cannot be marked as a no-show.")
    if to_status == S.COMPLETED and appointment.starts_at > now:
        # SPEC 3.5: "completed (not before the start)"; issue 12: a 15:40 visit completed at 15:26.
        return _("A visit cannot be completed before it starts (%(time)s).") % {
            "time": appointment.wall_clock.format("time")
        }
    return None


def refuse_if_stale(appointment: Appointment, expected_status: str | None) -> None:
    """Raise TransitionRefused(code="stale") when `expected_status` (the status a page was drawn for;
    None: not checked) is not the appointment's status now, in words naming both. Issue 12 finding 1."""
    if expected_status is None or expected_status == appointment.status:
        return
    if expected_status not in AppointmentStatus.values:
        raise TransitionRefused(
            _(
                "Nothing was changed: the page did not say which status it was showing. Reload it and choose again."
            ),
            code="stale",
        )
    shown = AppointmentStatus(expected_status).label.lower()
    raise TransitionRefused(
        _(
            "Nothing was changed: this visit was %(shown)s on your screen but is %(now)s now (changed "
            "elsewhere meanwhile). Check its history and choose again."
        )
        % {"shown": shown, "now": AppointmentStatus(appointment.status).label.lower()},
        code="stale",
    )


@transaction.atomic
def appointment_set_status(
    *,
    appointment: Appointment,
    to_status: str,
    by,
    note: str = "",
    now: datetime | None = None,
    expected_status: str | None = None,
) -> Appointment:
    """Move an appointment along the front-desk workflow (TRANSITIONS), recording who, when, from, to.

    `expected_status` is the status the page showed when the button was drawn (the form's
    `from_status`); when given and the appointment has moved on since (another tab, another desk),
    TransitionRefused(code="stale") is raised and nothing is written (issue 12 finding 1).
    Cancelling goes through `appointment_cancel` (staff override of the cut-off included), so
    everything that happens on a cancellation happens here too.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().select_related("location").get(pk=appointment.pk)
    from_status = appointment.status
    refuse_if_stale(appointment, expected_status)
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise TransitionRefused(
            _("An appointment that is %(from)s cannot become %(to)s.")
            % {
                "from": AppointmentStatus(from_status).label.lower(),
                "to": AppointmentStatus(to_status).label.lower()
                if to_status in AppointmentStatus.values
                else to_status,
            },
            code="illegal_transition",
        )
    refusal = _time_refusal(appointment, to_status, now)
    if refusal:
        raise TransitionRefused(refusal, code="too_early")
    if to_status == S.CANCELLED:
        return appointment_cancel(appointment=appointment, reason=note, now=now, by=by, override=True)
    appointment.status = to_status
    appointment.full_clean()
    appointment.save(update_fields=["status", "updated_at"])
    _record(appointment, from_status, to_status, by=by, at=now, note=note)
    # Same transaction: completed plans the feedback request and counts the visit; no-show
    # cancels the pending reminder.
    notify.messages_status_changed(appointment=appointment, old_status=from_status, now=now)
    return appointment


@transaction.atomic
def calendar_feed_rotate(*, doctor) -> CalendarFeed:
    """Give `doctor` a new private feed token (creating the feed on first use); the old URL stops working."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(doctor=doctor)
    if not created:
        feed.token = new_feed_token()
        feed.full_clean()
        feed.save()
    return feed
