"""The slot engine's loader: reads one window of hours, time off and bookings, then asks `slots`.

Each call costs a fixed number of queries (hours with slot length, their locations, time off,
appointments and active slot holds in one UNION),
whatever the number of doctors asked about or the size of the appointments table: time off and
appointments are read only inside the window, through the (doctor, starts_at) indexes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from appointments import slots as engine
from appointments.models import (
    DEFAULT_SLOT_MINUTES,
    Appointment,
    SlotHold,
    TimeOff,
    Weekday,
    WorkingHours,
)
from appointments.slots import Slot
from clinic import pagecache
from doctors.models import Location

# No appointment lasts longer than this; appointments are read from this far before the window.
LONGEST_APPOINTMENT = timedelta(hours=12)


@dataclass
class DoctorWindow:
    """Everything the engine needs about one doctor for one window."""

    intervals: list[engine.WeeklyInterval] = field(default_factory=list)
    slot_minutes: int = DEFAULT_SLOT_MINUTES
    time_off: list[engine.Range] = field(default_factory=list)
    busy: list[engine.Range] = field(default_factory=list)


def _load(
    doctor_ids, first_day: date, days: int, now: datetime, exclude_appointment=None, hold_token=None
) -> dict[int, DoctorWindow]:
    """Hours, time off and busy intervals of `doctor_ids` around the window, in four queries.

    Busy means an active appointment (other than `exclude_appointment`) or a slot hold still active
    at `now` (aware) whose token is not `hold_token`: a held time is taken for everyone but its holder
    (issue 15 item 1).
    """
    start, end = engine.window_bounds(first_day, days)
    windows: dict[int, DoctorWindow] = defaultdict(DoctorWindow)
    hours = (
        WorkingHours.objects.filter(doctor_id__in=doctor_ids, location__is_active=True)
        .annotate(slot=Coalesce("doctor__schedule__slot_minutes", Value(DEFAULT_SLOT_MINUTES)))
        .values_list("doctor_id", "location_id", "weekday", "starts_at", "ends_at", "slot")
    )
    rows = list(hours)
    # A page's doctors share a handful of locations: load each once, not once per hours row.
    locations = Location.objects.in_bulk({row[1] for row in rows})
    for doctor_id, location_id, weekday, starts_at, ends_at, slot_minutes in rows:
        window = windows[doctor_id]
        window.slot_minutes = slot_minutes
        location = locations[location_id]
        window.intervals.append(
            engine.WeeklyInterval(
                weekday=weekday, start=starts_at, end=ends_at, zone=location.zone, location=location
            )
        )
    if not windows:
        return windows
    for doctor_id, off_start, off_end in TimeOff.objects.filter(
        doctor_id__in=list(windows), starts_at__lt=end, ends_at__gt=start
    ).values_list("doctor_id", "starts_at", "ends_at"):
        windows[doctor_id].time_off.append((off_start, off_end))
    near = {
        "doctor_id__in": list(windows),
        "starts_at__gte": start - LONGEST_APPOINTMENT,
        "starts_at__lt": end,
    }
    booked = Appointment.objects.active().filter(**near)
    if exclude_appointment is not None:
        booked = booked.exclude(pk=exclude_appointment.pk)
    held = SlotHold.objects.active(now).filter(**near)
    if hold_token is not None:
        held = held.exclude(token=hold_token)
    columns = ("doctor_id", "starts_at", "ends_at")
    busy = booked.order_by().values_list(*columns).union(held.order_by().values_list(*columns), all=True)
    for doctor_id, busy_start, busy_end in busy:
        windows[doctor_id].busy.append((busy_start, busy_end))
    return windows


def _policy() -> dict:
    return {
        "min_notice": settings.BOOKING_MIN_NOTICE,
        "horizon": timedelta(days=settings.BOOKING_HORIZON_DAYS),
    }


def _compute(window: DoctorWindow, first_day, days, now, *, busy=True, limit=None, min_notice=None):
    policy = _policy()
    if min_notice is not None:
        policy["min_notice"] = min_notice
    return engine.free_slots(
        intervals=window.intervals,
        first_day=first_day,
        days=days,
        slot_length=timedelta(minutes=window.slot_minutes),
        now=now,
        time_off=window.time_off,
        busy=window.busy if busy else (),
        limit=limit,
        **policy,
    )


def local_today(doctor, now: datetime | None = None) -> date:
    """Today in the doctor's main location's time zone."""
    return (now or timezone.now()).astimezone(doctor.location.zone).date()


def free_slots(
    doctor, start_date: date, days: int, now: datetime | None = None, *, exclude=None, min_notice=None
) -> list[Slot]:
    """Free slots of one doctor on `days` days from `start_date`, in four queries (held times are taken).

    Staff schedules pass `min_notice=timedelta(0)` (they book callers without the online notice)."""
    now = now or timezone.now()
    window = _load([doctor.pk], start_date, days, now, exclude_appointment=exclude).get(doctor.pk)
    found = _compute(window, start_date, days, now, min_notice=min_notice) if window else []
    pagecache.depends_on_availability([doctor.pk])
    pagecache.shows_day(now, doctor.location.zone)
    if found:
        pagecache.shows_slot_until(found[0].start - settings.BOOKING_MIN_NOTICE)
    return found


def slot_at(
    doctor,
    starts_at: datetime,
    now: datetime | None = None,
    *,
    exclude=None,
    min_notice=None,
    hold_token=None,
):
    """Check one requested start: returns (slot or None, taken).

    `slot` is the offered slot starting then, ignoring bookings; `taken` is whether a booking, or
    a slot hold active at `now` whose token is not `hold_token`, already covers it. A start that is
    not on the grid, outside hours, in time off, too soon or beyond the horizon gives (None, False).
    """
    now = now or timezone.now()
    first_day = starts_at.astimezone(doctor.location.zone).date() - timedelta(days=1)
    window = _load([doctor.pk], first_day, 3, now, exclude_appointment=exclude, hold_token=hold_token).get(
        doctor.pk
    )
    if window is None:
        return None, False
    grid = _compute(window, first_day, 3, now, busy=False, min_notice=min_notice)
    slot = next((s for s in grid if s.start == starts_at), None)
    if slot is None:
        return None, False
    taken = any(busy_start < slot.end and busy_end > slot.start for busy_start, busy_end in window.busy)
    return slot, taken


def compute_next(doctors, now: datetime, *, limit: int = 1) -> dict[int, list[Slot]]:
    """{doctor id: up to `limit` next free slots} within `BOOKING_CARD_LOOKAHEAD_DAYS`, in four queries.

    `doctors` need `location` loaded (for their local today). The slot engine itself: the stored rows
    of appointments.nextfree are made from this.
    """
    doctors = list(doctors)
    if not doctors:
        return {}
    days = settings.BOOKING_CARD_LOOKAHEAD_DAYS
    # One window for the page: from the earliest local "today" of any doctor's zone.
    first_day = min(local_today(doctor, now) for doctor in doctors)
    windows = _load([doctor.pk for doctor in doctors], first_day, days + 1, now)
    return {
        doctor.pk: _compute(windows[doctor.pk], first_day, days + 1, now, limit=limit)
        for doctor in doctors
        if doctor.pk in windows
    }


def next_free_slots(doctors, now: datetime | None = None) -> list:
    """Set `doctor.next_free_slot` (a Slot or None) on every doctor of a page.

    Reads the stored rows (appointments.nextfree): one query when they are fresh, a fixed few more
    when some must be recomputed first. Looks ahead `BOOKING_CARD_LOOKAHEAD_DAYS` days, not the whole
    horizon, so a page of cards reads a bounded window of appointments.
    """
    from appointments import nextfree

    return nextfree.read(doctors, now)


@cache
def zone_named(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name (memoised)."""
    return ZoneInfo(name)


def free_slots_by_doctor(doctor_ids, day: date, now: datetime | None = None, *, min_notice=None):
    """{doctor id: free slots on `day`} for many doctors at once (the staff day schedule), in four queries.

    Staff book callers without the online minimum notice, so they pass `min_notice=timedelta(0)`.
    """
    now = now or timezone.now()
    windows = _load(list(doctor_ids), day, 1, now)
    return {
        doctor_id: _compute(window, day, 1, now, min_notice=min_notice)
        for doctor_id, window in windows.items()
    }


def days_with_slots(doctor, first_day: date, days: int, now: datetime | None = None, *, exclude=None):
    """[(date, [slots])] for a day-by-day picker, every day of the range listed, in four queries."""
    by_day: dict[date, list[Slot]] = {first_day + timedelta(days=n): [] for n in range(days)}
    for slot in free_slots(doctor, first_day, days, now, exclude=exclude):
        if slot.local_date in by_day:
            by_day[slot.local_date].append(slot)
    return list(by_day.items())


def weekly_hours(doctor) -> list[tuple[str, list[WorkingHours]]]:
    """The doctor's week for the profile, in one query: [(day name, [hours rows])], working days only."""
    rows = (
        WorkingHours.objects.filter(doctor=doctor, location__is_active=True)
        .select_related("location")
        .order_by("weekday", "starts_at")
    )
    days: dict[int, list[WorkingHours]] = {}
    for row in rows:
        days.setdefault(row.weekday, []).append(row)
    return [(Weekday(day).label, intervals) for day, intervals in days.items()]
