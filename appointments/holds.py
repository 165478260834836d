"""Slot holds: opening the details form keeps its time for that form for a few minutes (issue 15 item 1).

A hold is a `SlotHold` row keyed to the form's one-time booking token (or a waitlist offer's token).
While it is active the time is taken for everyone else: the slot engine's loader counts it as busy
(pickers, the JSON endpoint, cards, the staff grid), and `appointment_book` / `appointment_reschedule`
refuse it with SlotTaken. Its holder may still book it, and after expiry anyone may: an expired hold
books only if the time is still free.

The guarantee. Holds and appointments live in two tables, so no single constraint covers both.
Every write that places a hold or books or moves a visit first takes that slot's lock (`slot_lock`:
doctor and start) and checks both tables under it:
- PostgreSQL: a transaction-scoped advisory lock per (doctor, start), so the check and the insert of
  one writer finish before the next writer of that time checks; other times of the same doctor are
  not held up. The appointment table's unique and exclusion constraints stay the last line for
  appointments, `slothold_one_per_slot` for holds.
- SQLite: every transaction is IMMEDIATE (clinic/dbconfig.py), so one writer runs at a time and
  the check and insert are already under one lock.
Lock order, everywhere: the patient's lock or the appointment's row, then the waitlist's per-doctor
lock (waitlist transactions only), then offer and entry rows, then slot locks.
Decision: docs/decisions.md ("Slot holds").
"""

import hashlib
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from appointments import availability
from appointments.models import SlotHold


def slot_lock(doctor_id: int, starts_at: datetime) -> None:
    """Serialise writes to one time of one doctor (holds, bookings, moves) until the transaction ends.

    PostgreSQL only: an advisory transaction lock on a 64-bit hash of (doctor, start), in the one-bigint
    key space (apart from the two-int (doctor, mobile) lock of appointments.services._lock_patient).
    Two times whose hashes collide merely wait for each other. SQLite's IMMEDIATE transactions already
    serialise every writer. Call inside `transaction.atomic`.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [lock_key("slot", doctor_id, starts_at.isoformat())]
        )


def lock_key(*parts) -> int:
    """A signed 64-bit advisory-lock key for `parts` (a namespace first)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold_minutes() -> timedelta:
    """How long opening the details form holds its time: BOOKING_HOLD_MINUTES (default 5)."""
    return timedelta(minutes=settings.BOOKING_HOLD_MINUTES)


class HoldRefused(Exception):
    """The time cannot be held: `reason` is "unavailable" (not an offered time) or "taken"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def hold_place(
    *,
    doctor,
    starts_at: datetime,
    token: UUID,
    now: datetime | None = None,
    length: timedelta | None = None,
    min_notice: timedelta | None = None,
) -> SlotHold:
    """Hold the slot of `doctor` starting at `starts_at` (aware) for `token` until now + `length`.

    `length` defaults to BOOKING_HOLD_MINUTES. The same token holding it again (a reload) extends its
    hold; a token holds one time at most, so holding another time moves the hold. Raises HoldRefused
    ("unavailable" when it is not an offered time at `now`, "taken" when an appointment or another
    token's active hold covers it). Expired holds on the way are deleted.
    """
    now = now or timezone.now()
    slot_lock(doctor.pk, starts_at)
    slot, taken = availability.slot_at(doctor, starts_at, now, hold_token=token, min_notice=min_notice)
    if slot is None:
        raise HoldRefused("unavailable")
    if taken:
        raise HoldRefused("taken")
    SlotHold.objects.filter(doctor=doctor, starts_at__lt=slot.end, ends_at__gt=slot.start).exclude(
        token=token
    ).delete()  # only expired ones are left there: an active one made the time taken above
    hold = SlotHold.objects.filter(token=token).first() or SlotHold(token=token)
    hold.doctor = doctor
    hold.starts_at, hold.ends_at = slot.start, slot.end
    hold.created_at = now
    hold.expires_at = now + (length or hold_minutes())
    hold.full_clean(validate_constraints=False)  # checked above under the doctor's lock
    try:
        with transaction.atomic():
            hold.save()
    except IntegrityError as error:  # a writer that skipped the lock: the unique constraint still holds
        raise HoldRefused("taken") from error
    return hold


def hold_release(*, token: UUID | None) -> int:
    """Give back the time held for `token` (submit, "choose another time", an offer declined); 0 or 1."""
    if token is None:
        return 0
    deleted, _ = SlotHold.objects.filter(token=token).delete()
    return deleted


def hold_of(*, token: UUID | None, doctor=None) -> SlotHold | None:
    """The hold of `token` (optionally only one with `doctor`), active or expired; None when there is none."""
    if token is None:
        return None
    holds = SlotHold.objects.filter(token=token)
    if doctor is not None:
        holds = holds.filter(doctor=doctor)
    return holds.first()


def holds_sweep(*, now: datetime | None = None) -> int:
    """Delete holds that expired before `now` (they already count for nothing); returns how many."""
    now = now or timezone.now()
    deleted, _ = SlotHold.objects.filter(expires_at__lte=now).delete()
    return deleted
