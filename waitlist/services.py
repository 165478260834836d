"""Waitlist services: join, offer a free time to the first matching waiter, accept, expire, pass on.

Fairness (issue 15 item 2; docs/decisions.md "Waitlist"):
- First come, first served: waiters of a doctor are served in `created_at` order; each free time goes
  to the first waiter it suits who has no open offer.
- Never two offers for one time: an offer is a `SlotHold` (appointments/holds.py) placed under the
  doctor's lock, so an offered time is taken for everyone else (other waiters, the public, staff);
  the partial unique constraint `waitlistoffer_one_open_per_slot` is the last line.
- No offer inside the minimum notice: only times that start at least BOOKING_MIN_NOTICE plus the
  offer's hold (WAITLIST_OFFER_MINUTES) from now are offered, so an offer taken at its last minute
  still meets the notice.
- An offer not taken in time expires (`offers_expire`): its pending email is marked expired in the
  ledger, the hold goes, and the time is offered to the next waiter, or back to the public when
  nobody else waits for it. A waiter is never offered the same time twice.
- Booking the doctor another way, or cancelling the booking they wanted moved, ends a waiter's entry:
  their open offer is withdrawn and its pending email cancelled, in the same transaction.

Offers are made when a time frees (cancel, reschedule: called by appointments.services inside their
transaction) and by the periodic sweep (`waitlist_sweep`, from `send_due_messages`), which also
catches times freed by time off removed or hours added in the admin, and expired offers.
"""

import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import availability
from appointments.holds import HoldRefused, hold_place, hold_release, lock_key
from appointments.models import SlotHold
from appointments.services import same_patient_name
from notifications.models import Message, MessageKind, MessageState
from waitlist.models import EntryStatus, OfferState, PartOfDay, WaitlistEntry, WaitlistOffer

NOON = time(12, 0)
OFFER_SALT = "waitlist.offer-link"


class OfferGone(ValidationError):
    """The offer link is genuine but the offer can no longer be taken (code: expired, taken, withdrawn)."""


def waitlist_lock(doctor_id: int) -> None:
    """Serialise the waitlist work of one doctor (joining, offering, expiring) until the transaction ends.

    PostgreSQL advisory lock (SQLite's IMMEDIATE transactions serialise writers already). Taken before
    any offer or entry row and before slot locks (appointments/holds.py), never inside a booking's
    transaction: the booking services call the waitlist after they commit.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key("waitlist", doctor_id)])


def offer_length() -> timedelta:
    """How long an offered time is held for its waiter: WAITLIST_OFFER_MINUTES (default 15)."""
    return timedelta(minutes=settings.WAITLIST_OFFER_MINUTES)


def earliest_offer_start(now: datetime) -> datetime:
    """The soonest start that may be offered at `now`: the minimum notice plus the offer's hold."""
    return now + settings.BOOKING_MIN_NOTICE + offer_length()


def suits(entry: WaitlistEntry, slot) -> bool:
    """Whether a free `slot` (appointments.slots.Slot) is one `entry` asked for.

    On or before `not_after` (local date at the slot's location), in the chosen part of the day
    (morning: starts before 12:00 local; afternoon: from 12:00), and for a waiter with a booking,
    earlier than that booking.
    """
    local = slot.start.astimezone(slot.zone)
    if local.date() > entry.not_after:
        return False
    if entry.part_of_day == PartOfDay.MORNING and local.time() >= NOON:
        return False
    if entry.part_of_day == PartOfDay.AFTERNOON and local.time() < NOON:
        return False
    return entry.appointment is None or slot.start < entry.appointment.starts_at


@transaction.atomic
def entry_join(
    *,
    doctor,
    patient_name: str,
    patient_phone,
    patient_email: str,
    not_after: date,
    part_of_day: str = PartOfDay.ANY,
    appointment=None,
    privacy_notice_version: int | None = None,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put a waiter in line for `doctor` (or update their place's wishes; the place in line stays).

    One waiting entry per booking (`appointment`, from its manage page) or per patient (mobile and
    name, from the picker). Offers any time already free for them at once. Raises ValidationError for
    a date in the past or beyond the booking horizon.
    """
    now = now or timezone.now()
    today = availability.local_today(doctor, now)
    if not today <= not_after <= today + timedelta(days=settings.BOOKING_HORIZON_DAYS):
        raise ValidationError(
            {
                "not_after": _("Choose a day from today to %(days)s days ahead.")
                % {"days": settings.BOOKING_HORIZON_DAYS}
            }
        )
    waitlist_lock(doctor.pk)
    waiting = WaitlistEntry.objects.select_for_update().waiting().filter(doctor=doctor)
    if appointment is not None:
        entry = waiting.filter(appointment=appointment).first()
    else:
        entry = next(
            (
                candidate
                for candidate in waiting.filter(appointment=None, patient_phone=patient_phone)
                if same_patient_name(candidate.patient_name, patient_name)
            ),
            None,
        )
    if entry is None:
        entry = WaitlistEntry(doctor=doctor, appointment=appointment, created_at=now)
    entry.patient_name = patient_name
    entry.patient_phone = patient_phone
    entry.patient_email = patient_email
    entry.not_after = not_after
    entry.part_of_day = part_of_day
    entry.privacy_notice_version = privacy_notice_version
    entry.full_clean()
    entry.save()
    offers_make(doctor=doctor, now=now)
    return entry


@transaction.atomic
def entry_leave(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """Take a waiter out of line; an open offer is withdrawn and its time offered on."""
    now = now or timezone.now()
    waitlist_lock(entry.doctor_id)
    _close(entries=[entry], status=EntryStatus.LEFT, reason=_("Left the waitlist"), now=now)
    offers_make(doctor=entry.doctor, now=now)


def _withdraw(offers, *, state: str, reason: str, now: datetime) -> int:
    """End open `offers` (expired or withdrawn): holds released, pending emails cancelled or expired."""
    offers = list(offers)
    for offer in offers:
        hold_release(token=offer.token)
    ids = [offer.pk for offer in offers]
    message_state = MessageState.EXPIRED if state == OfferState.EXPIRED else MessageState.CANCELLED
    Message.objects.filter(offer_id__in=ids, state=MessageState.PENDING).update(
        state=message_state, last_error=reason, updated_at=now
    )
    return WaitlistOffer.objects.filter(pk__in=ids, state=OfferState.OPEN).update(state=state)


def _close(*, entries, status: str, reason: str, now: datetime, keep_token=None) -> None:
    entries = list(entries)
    if not entries:
        return
    open_offers = WaitlistOffer.objects.filter(entry__in=entries, state=OfferState.OPEN)
    if keep_token is not None:
        open_offers = open_offers.exclude(token=keep_token)
    _withdraw(open_offers, state=OfferState.WITHDRAWN, reason=reason, now=now)
    WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(status=status, updated_at=now)


@transaction.atomic
def entries_close_for_booking(*, appointment_id: int, now: datetime | None = None) -> None:
    """A new booking with a doctor ends the waiting of the same patient for that doctor.

    Called after `appointment_book` commits. The same patient: same mobile and name, or same email.
    An offer whose token booked this appointment is the one being taken: it stays. A withdrawn offer's
    time goes to the next waiter.
    """
    from appointments.models import Appointment

    now = now or timezone.now()
    appointment = Appointment.objects.select_related("doctor__location").filter(pk=appointment_id).first()
    if appointment is None:
        return
    candidates = WaitlistEntry.objects.waiting().filter(doctor_id=appointment.doctor_id, appointment=None)
    if not candidates.exists():
        return
    waitlist_lock(appointment.doctor_id)
    mine = [
        entry
        for entry in candidates.select_for_update()
        if (
            entry.patient_phone == appointment.patient_phone
            and same_patient_name(entry.patient_name, appointment.patient_name)
        )
        or (
            appointment.patient_email
            and entry.patient_email.casefold() == appointment.patient_email.casefold()
        )
    ]
    if not mine:
        return
    _close(
        entries=mine,
        status=EntryStatus.BOOKED,
        reason=_("Booked another way"),
        now=now,
        keep_token=appointment.booking_token,
    )
    offers_make(doctor=appointment.doctor, now=now)


@transaction.atomic
def slot_freed(
    *, appointment_id: int, cancelled: bool = False, now: datetime | None = None
) -> list[WaitlistOffer]:
    """A visit was cancelled or moved (called after that commits): offer the doctor's free times.

    A cancelled booking is not moved any more, so its own waiting ends first.
    """
    from appointments.models import Appointment

    now = now or timezone.now()
    appointment = Appointment.objects.select_related("doctor__location").filter(pk=appointment_id).first()
    if appointment is None:
        return []
    waitlist_lock(appointment.doctor_id)
    if cancelled:
        _close(
            entries=WaitlistEntry.objects.waiting().filter(appointment=appointment),
            status=EntryStatus.LEFT,
            reason=_("Appointment cancelled"),
            now=now,
        )
    return offers_make(doctor=appointment.doctor, now=now)


def offers_expire(*, doctor_id: int, now: datetime) -> int:
    """Expire the doctor's open offers whose hold ran out at `now`; call under the doctor's lock."""
    overdue = WaitlistOffer.objects.filter(doctor_id=doctor_id, state=OfferState.OPEN, expires_at__lte=now)
    return _withdraw(overdue, state=OfferState.EXPIRED, reason=_("The offer ran out"), now=now)


@transaction.atomic
def offers_make(*, doctor, now: datetime | None = None) -> list[WaitlistOffer]:
    """Offer the doctor's free times to their waiters, first come first served; returns the new offers.

    Under the doctor's lock: expires overdue offers first, then walks the waiting line in order and
    gives each waiter without an open offer the earliest free time that suits them and that they
    were not offered before. Costs a fixed number of queries plus a few per offer made; one query
    when nobody waits.
    """
    now = now or timezone.now()
    waitlist_lock(doctor.pk)
    offers_expire(doctor_id=doctor.pk, now=now)
    today = availability.local_today(doctor, now)
    line = list(
        WaitlistEntry.objects.waiting()
        .filter(doctor=doctor, not_after__gte=today)
        .exclude(offers__state=OfferState.OPEN)
        .select_related("appointment")
        .order_by("created_at", "pk")
    )
    if not line:
        return []
    last_day = max(entry.not_after for entry in line)
    soonest = earliest_offer_start(now)
    free = [
        slot
        for slot in availability.free_slots(doctor, today, (last_day - today).days + 1, now)
        if slot.start >= soonest
    ]
    offered_before = set(WaitlistOffer.objects.filter(entry__in=line).values_list("entry_id", "starts_at"))
    made = []
    for entry in line:
        slot = next(
            (s for s in free if suits(entry, s) and (entry.pk, s.start) not in offered_before),
            None,
        )
        if slot is None:
            continue
        offer = _offer(entry=entry, slot=slot, now=now)
        if offer is not None:
            free.remove(slot)
            made.append(offer)
    return made


def _offer(*, entry: WaitlistEntry, slot, now: datetime) -> WaitlistOffer | None:
    token = uuid.uuid4()
    try:
        hold = hold_place(
            doctor=entry.doctor,
            starts_at=slot.start,
            token=token,
            now=now,
            length=offer_length(),
        )
    except HoldRefused:
        return None
    offer = WaitlistOffer(
        entry=entry,
        doctor=entry.doctor,
        location=slot.location,
        starts_at=hold.starts_at,
        ends_at=hold.ends_at,
        token=token,
        expires_at=hold.expires_at,
        created_at=now,
    )
    offer.full_clean()
    offer.save()
    message = Message(
        offer=offer,
        kind=MessageKind.WAITLIST_OFFER,
        due_at=now,
        planned_for=offer.starts_at,
    )
    message.full_clean()
    message.save()
    from notifications.services import dispatch

    message_id = message.pk
    transaction.on_commit(lambda: dispatch(message_id=message_id, due_at=now), robust=True)
    return offer


def waitlist_sweep(*, now: datetime | None = None) -> int:
    """The periodic pass: expire overdue offers and offer free times for every doctor with waiters.

    Catches times freed without a service call (time off removed, hours added in the admin) and
    passes expired offers on. Returns how many offers were made. Safe to run often and in parallel:
    each doctor is done under their lock.
    """
    from doctors.models import Doctor

    now = now or timezone.now()
    doctor_ids = set(WaitlistEntry.objects.waiting().values_list("doctor_id", flat=True).distinct()) | set(
        WaitlistOffer.objects.filter(state=OfferState.OPEN, expires_at__lte=now).values_list(
            "doctor_id", flat=True
        )
    )
    made = 0
    for doctor in Doctor.objects.filter(pk__in=doctor_ids).select_related("location"):
        made += len(offers_make(doctor=doctor, now=now))
    return made


# Accepting -------------------------------------------------------------------------------------


def offer_token(offer: WaitlistOffer) -> str:
    """The signed token of an offer's one-tap link (its own salt; carries no patient data)."""
    return signing.dumps(str(offer.token), salt=OFFER_SALT)


def offer_url(offer: WaitlistOffer, *, absolute: bool = False) -> str:
    path = reverse("waitlist:offer", kwargs={"token": offer_token(offer)})
    return f"{settings.SITE_URL}{path}" if absolute else path


def offer_from_token(token: str) -> WaitlistOffer | None:
    """The offer a signed link names, or None for anything forged or tampered."""
    try:
        value = uuid.UUID(signing.loads(token, salt=OFFER_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        WaitlistOffer.objects.select_related("entry__appointment", "doctor__specialty", "location")
        .filter(token=value)
        .first()
    )


def offer_refusal(offer: WaitlistOffer, now: datetime | None = None) -> str:
    """ "" while the offer can be taken; else "taken", "withdrawn" or "expired"."""
    now = now or timezone.now()
    if offer.state == OfferState.ACCEPTED:
        return "taken"
    if offer.state == OfferState.WITHDRAWN:
        return "withdrawn"
    if offer.state == OfferState.EXPIRED or offer.expires_at <= now:
        return "expired"
    return ""


@transaction.atomic
def offer_accept(*, offer: WaitlistOffer, now: datetime | None = None):
    """Take an offer: book the time for a waiter without a booking, or move their booking to it.

    Returns the appointment. Raises OfferGone when the offer is no longer open at `now` (its hold
    ran out, it was withdrawn or taken already), and whatever the booking services raise.
    """
    from appointments.models import Appointment
    from appointments.services import _lock_patient, appointment_book, appointment_reschedule

    now = now or timezone.now()
    # Locks in the one order (appointments/holds.py): the patient (or the booking to move), then the
    # offer's row, then (inside the booking services) the time's slot lock.
    entry = WaitlistEntry.objects.get(pk=offer.entry_id)
    if entry.appointment_id is not None:
        list(Appointment.objects.select_for_update().filter(pk=entry.appointment_id).values_list("pk"))
    else:
        _lock_patient(doctor_id=offer.doctor_id, patient_phone=entry.patient_phone)
    offer = (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry__appointment", "doctor__location")
        .get(pk=offer.pk)
    )
    refusal = offer_refusal(offer, now)
    if refusal:
        raise OfferGone(_("This offer can no longer be taken."), code=refusal)
    entry = offer.entry
    if entry.appointment is not None:
        appointment = appointment_reschedule(
            appointment=entry.appointment, starts_at=offer.starts_at, now=now, hold_token=offer.token
        )
    else:
        appointment = appointment_book(
            doctor=offer.doctor,
            starts_at=offer.starts_at,
            patient_name=entry.patient_name,
            patient_phone=entry.patient_phone,
            patient_email=entry.patient_email,
            booking_token=offer.token,
            now=now,
            privacy_notice_version=entry.privacy_notice_version,
        )
    WaitlistOffer.objects.filter(pk=offer.pk).update(state=OfferState.ACCEPTED)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.BOOKED, updated_at=now)
    return appointment


@transaction.atomic
def offer_decline(*, offer: WaitlistOffer, now: datetime | None = None) -> None:
    """ "No thanks": the waiter keeps their place for other times; this one goes to the next waiter."""
    now = now or timezone.now()
    waitlist_lock(offer.doctor_id)
    offer = WaitlistOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state != OfferState.OPEN:
        return
    _withdraw([offer], state=OfferState.WITHDRAWN, reason=_("Declined"), now=now)
    offers_make(doctor=offer.doctor, now=now)


# Sending ---------------------------------------------------------------------------------------


def offer_message_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one waitlist-offer ledger row if its offer is still open; returns the row's state.

    A row whose offer ran out before it could go is marked expired; one whose offer was withdrawn,
    cancelled. A failed send is not retried: the offer lasts minutes and passes on when it runs out.
    """
    from waitlist import emails

    now = now or timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != MessageState.PENDING or message.due_at > now:
            return message.state if message else ""
        offer = WaitlistOffer.objects.select_related(
            "entry__appointment", "doctor__specialty", "location"
        ).get(pk=message.offer_id)
        refusal = offer_refusal(offer, now)
        if refusal:
            message.state = MessageState.EXPIRED if refusal == "expired" else MessageState.CANCELLED
            message.last_error = refusal
            message.save(update_fields=["state", "last_error", "updated_at"])
            return message.state
        Message.objects.filter(pk=message_id).update(
            state=MessageState.SENDING, attempts=message.attempts + 1, updated_at=now
        )
    try:
        emails.build(offer=offer).send()
    except Exception as error:  # the mail server's problem; the offer runs out and passes on
        Message.objects.filter(pk=message_id, state=MessageState.SENDING).update(
            state=MessageState.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:1000],
            updated_at=timezone.now(),
        )
        return MessageState.FAILED
    Message.objects.filter(pk=message_id, state=MessageState.SENDING).update(
        state=MessageState.SENT,
        sent_at=timezone.now(),
        recipient=offer.entry.patient_email,
        last_error="",
        updated_at=timezone.now(),
    )
    return MessageState.SENT


def active_hold_of(offer: WaitlistOffer, now: datetime | None = None) -> SlotHold | None:
    """The slot hold that keeps an open offer's time, while it lasts."""
    now = now or timezone.now()
    return SlotHold.objects.active(now).filter(token=offer.token).first()
