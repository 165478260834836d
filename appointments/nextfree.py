"""Stored next free slots (NextFreeSlot): computed by the slot engine, read by lists with SQL.

A card's "Next available", the doctor list's "available today / this week" and "soonest available"
all read one row per doctor, so they cover every doctor at a fixed number of queries however many
doctors and appointments there are (issue 14, design item 2). Rows are recomputed:

- in the same transaction as a change that can move them (appointments.signals: bookings, cancels,
  reschedules, status changes, hours, time off, slot length, a location opening or closing);
- by the minute sweep (`manage.py send_due_messages`, `next_free_slots_sweep`) as slots pass;
- on read, for any row that is missing or past its `stale_at` (so a page is right even when the
  sweep is not running).
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Q, When
from django.utils import timezone

from appointments import availability
from appointments.models import NextFreeSlot
from appointments.slots import Slot
from clinic import pagecache
from doctors.models import Doctor

DIRTY = "nextfree:dirty:{}"
DIRTY_SECONDS = 60 * 60 * 24


def _next_midnight(now: datetime, zone) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)


def _bookable_from(now: datetime) -> datetime:
    """The earliest start a patient may book online at `now` (aware UTC)."""
    return now + settings.BOOKING_MIN_NOTICE


def refresh(doctor_ids, now: datetime | None = None) -> dict[int, list[Slot]]:
    """Recompute and store the rows of `doctor_ids` (Doctor primary keys); returns {id: [slots]}.

    Five queries and one upsert, whatever the number of doctors: the doctors' zones, the availability
    window (appointments.availability) and the write. A doctor without working hours gets a row
    without slots. A change calls `changed` instead, which takes care of concurrent transactions.
    """
    doctor_ids = set(doctor_ids)
    if not doctor_ids:
        return {}
    now = now or timezone.now()
    doctors = list(Doctor.objects.filter(pk__in=doctor_ids).select_related("location").only("pk", "location"))
    if not doctors:
        return {}
    found = availability.compute_next(doctors, now, limit=2)
    notice = settings.BOOKING_MIN_NOTICE
    rows = []
    for doctor in doctors:
        slots = found.get(doctor.pk, [])
        if len(slots) >= 2:
            stale_at = slots[1].start - notice
        else:
            stale_at = _next_midnight(now, doctor.location.zone)
            if slots:
                stale_at = min(stale_at, slots[0].start - notice)
        first = slots[0] if slots else None
        second = slots[1] if len(slots) > 1 else None
        rows.append(
            NextFreeSlot(
                doctor_id=doctor.pk,
                first_start=first.start if first else None,
                first_end=first.end if first else None,
                first_location_id=getattr(first.location, "pk", None) if first else None,
                second_start=second.start if second else None,
                second_end=second.end if second else None,
                second_location_id=getattr(second.location, "pk", None) if second else None,
                stale_at=stale_at,
                computed_at=now,
            )
        )
    NextFreeSlot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["doctor"],
        update_fields=[
            "first_start",
            "first_end",
            "first_location",
            "second_start",
            "second_end",
            "second_location",
            "stale_at",
            "computed_at",
        ],
    )
    return {doctor.pk: found.get(doctor.pk, []) for doctor in doctors}


def _claim(doctor_ids: set[int]) -> set[int]:
    """The rows this transaction may rewrite without waiting: on PostgreSQL, those it could lock
    (`SKIP LOCKED`) plus those that do not exist yet; elsewhere (SQLite serialises writers) all."""
    if not (connection.in_atomic_block and connection.features.has_select_for_update):
        return doctor_ids
    rows = NextFreeSlot.objects.filter(doctor_id__in=doctor_ids)
    locked = set(rows.select_for_update(skip_locked=True).values_list("doctor_id", flat=True))
    if locked == doctor_ids:
        return locked
    return locked | (doctor_ids - set(rows.values_list("doctor_id", flat=True)))


def changed(doctor_ids) -> None:
    """Recompute the rows of `doctor_ids` in the current transaction, after a change to their data.

    A row that another transaction is rewriting at this moment (a booking of the same doctor, not yet
    committed) is not waited for, so bookings of one doctor never queue behind each other: it is
    recomputed after this transaction commits, and if it is still locked then, marked dirty in the
    cache for the next read or the minute sweep (docs/decisions.md).
    """
    doctor_ids = {pk for pk in doctor_ids if pk is not None}
    claimed = _claim(doctor_ids)
    if claimed:
        refresh(claimed)
    if rest := doctor_ids - claimed:
        transaction.on_commit(lambda: _after_commit(rest))


def _after_commit(doctor_ids: set[int]) -> None:
    with transaction.atomic():
        claimed = _claim(doctor_ids)
        if claimed:
            refresh(claimed)
    if rest := doctor_ids - claimed:
        cache.set_many({DIRTY.format(pk): 1 for pk in rest}, DIRTY_SECONDS)


def _dirty(doctor_ids) -> set[int]:
    found = cache.get_many([DIRTY.format(pk) for pk in doctor_ids])
    return {int(key.rsplit(":", 1)[1]) for key in found}


def _clean(doctor_ids) -> None:
    if doctor_ids:
        cache.delete_many([DIRTY.format(pk) for pk in doctor_ids])


def _slot(start, end, location) -> Slot | None:
    if start is None or location is None:
        return None
    return Slot(start=start, end=end, zone=location.zone, location=location)


def read(doctors, now: datetime | None = None) -> list:
    """Set `doctor.next_free_slot` (a Slot or None) on each of `doctors`; one query when rows are fresh.

    Rows that are missing or stale are recomputed first (appointments.nextfree.refresh). The page
    cache learns which doctors' availability the page shows and when its first slot stops being
    bookable (clinic.pagecache).
    """
    doctors = list(doctors)
    if not doctors:
        return doctors
    now = now or timezone.now()
    bookable = _bookable_from(now)
    rows = {
        row.doctor_id: row
        for row in NextFreeSlot.objects.filter(doctor_id__in=[d.pk for d in doctors]).select_related(
            "first_location", "second_location"
        )
    }
    dirty = _dirty(d.pk for d in doctors)
    stale = [d.pk for d in doctors if d.pk not in rows or rows[d.pk].stale_at <= now or d.pk in dirty]
    fresh = refresh(stale, now) if stale else {}
    _clean(dirty)
    pagecache.depends_on_availability(d.pk for d in doctors)
    for doctor in doctors:
        if doctor.pk in fresh:
            slots = fresh[doctor.pk]
            slot = slots[0] if slots else None
        else:
            row = rows[doctor.pk]
            slot = None
            for candidate in (
                _slot(row.first_start, row.first_end, row.first_location),
                _slot(row.second_start, row.second_end, row.second_location),
            ):
                if candidate is not None and candidate.start >= bookable:
                    slot = candidate
                    break
        doctor.next_free_slot = slot
        pagecache.shows_day(now, doctor.location.zone)
        if slot is not None:
            pagecache.shows_slot_until(slot.start - settings.BOOKING_MIN_NOTICE)
    return doctors


def refresh_stale(now: datetime | None = None, *, within: timedelta = timedelta(0)) -> int:
    """Recompute every active doctor's row that is missing or goes stale before `now + within`;
    returns how many. Two queries when nothing is stale; the lists call it before reading rows with SQL.
    """
    now = now or timezone.now()
    ids = list(
        Doctor.objects.active()
        .filter(Q(next_free__isnull=True) | Q(next_free__stale_at__lte=now + within))
        .values_list("pk", flat=True)
    )
    if ids:
        refresh(ids, now)
    return len(ids)


def sweep(now: datetime | None = None) -> int:
    """The minute sweep: recompute rows that go stale within the next minute, missing ones and those
    marked dirty by a change that found them locked; returns how many."""
    count = refresh_stale(now, within=timedelta(minutes=1))
    dirty = _dirty(Doctor.objects.active().values_list("pk", flat=True))
    if dirty:
        refresh(dirty, now)
        _clean(dirty)
    return count + len(dirty)


def with_next_start(queryset, now: datetime | None = None):
    """Annotate doctors with `next_start`: their next bookable start (aware UTC) or None, in SQL.

    Every active doctor's row is brought up to date first (`refresh_stale`). The page then depends on
    every doctor's availability (clinic.pagecache), since any booking can change who is listed.
    """
    now = now or timezone.now()
    refresh_stale(now)
    pagecache.depends_on_all_availability()
    bookable = _bookable_from(now)
    return queryset.annotate(
        next_start=Case(
            When(next_free__first_start__gte=bookable, then=F("next_free__first_start")),
            When(next_free__second_start__gte=bookable, then=F("next_free__second_start")),
            default=None,
            output_field=DateTimeField(),
        )
    )


def available_within(queryset, days: int, zones, now: datetime | None = None):
    """Keep doctors (annotated by `with_next_start`) whose next start falls before the end of the
    `days`-th local day from today (1: today) in their main location's zone; `zones`: time-zone names."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for name in zones:
        zone = availability.zone_named(name)
        today: date = now.astimezone(zone).date()
        end = datetime.combine(today + timedelta(days=days), time(0), tzinfo=zone)
        pagecache.shows_day(now, zone)
        condition |= Q(location__time_zone=name, next_start__lt=end)
    return queryset.filter(next_start__isnull=False).filter(condition)
