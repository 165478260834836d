"""The slot engine's pure core: weekly hours, time off and busy times in, free slots out.

Plain values only (no ORM, no settings, no request), so every rule is tested without a database.

Slots are laid out on the location's wall clock, then turned into UTC instants:
- a wall-clock time that does not exist (the hour skipped when clocks go forward) is not offered;
- a wall-clock time that happens twice (the hour repeated when clocks go back) is offered once,
  at its first occurrence, so a patient never sees two "01:30" on one day;
- a slot always lasts its real length, and must end by the interval's real end;
- an interval may end at midnight, the end of its day ("24:00"), written as `END_OF_DAY` (00:00):
  no interval ends at the very start of its own day, and `datetime.time` has no 24:00
  (docs/decisions.md, 2026-11-29).
"""

from bisect import bisect_left
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# An interval's end of 00:00 means midnight at the end of its day: 20:00-00:00 is 20:00-24:00.
END_OF_DAY = time(0)


@dataclass(frozen=True)
class WeeklyInterval:
    """A doctor works from `start` to `end` every `weekday` (0 = Monday) at a place in `zone`.

    `start` and `end` are wall-clock times in `zone`; an `end` of `END_OF_DAY` (00:00) is midnight at
    the end of the day, so the interval runs to the first instant of the next calendar day.
    """

    weekday: int
    start: time
    end: time
    zone: ZoneInfo
    location: Hashable = None


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime = field(compare=False)
    zone: ZoneInfo = field(compare=False)
    location: Hashable = field(default=None, compare=False)

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.zone)

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def start_param(self) -> str:
        """The start as the picker writes it into links and forms: ISO 8601 in UTC."""
        return self.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Range = tuple[datetime, datetime]


def _wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time, or None when that time does not exist that day."""
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first of two repeated times
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _merge(ranges: Iterable[Range]) -> tuple[list[datetime], list[datetime]]:
    """Sorted, disjoint ranges as two parallel lists (starts, ends) for bisection."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in sorted(ranges):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _overlaps(merged: tuple[list[datetime], list[datetime]], start: datetime, end: datetime) -> bool:
    starts, ends = merged
    # The last merged range starting before `end` is the only one that can overlap.
    index = bisect_left(starts, end) - 1
    return index >= 0 and ends[index] > start


def free_slots(
    *,
    intervals: Iterable[WeeklyInterval],
    first_day: date,
    days: int,
    slot_length: timedelta,
    now: datetime,
    min_notice: timedelta,
    horizon: timedelta,
    time_off: Iterable[Range] = (),
    busy: Iterable[Range] = (),
    limit: int | None = None,
) -> list[Slot]:
    """Free slots on the `days` calendar days from `first_day` (each read in its interval's zone).

    A slot is offered when it lies inside working hours, starts at least `min_notice` after `now`
    and before `now + horizon`, and overlaps no time off and no busy (booked) range.
    With `limit`, stops after that many slots (for "next available").
    """
    if slot_length <= timedelta(0):
        raise ValueError("slot_length must be positive")
    by_weekday: dict[int, list[WeeklyInterval]] = {}
    for interval in intervals:
        by_weekday.setdefault(interval.weekday, []).append(interval)
    earliest = now + min_notice
    latest = now + horizon
    blocked = _merge([*time_off, *busy])
    found: list[Slot] = []
    seen: set[datetime] = set()
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        day_slots: list[Slot] = []
        for interval in by_weekday.get(day.weekday(), ()):
            day_slots.extend(_interval_slots(interval, day, slot_length, earliest, latest, blocked, seen))
        day_slots.sort()
        found.extend(day_slots)
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


def wall_end(day: date, end: time) -> datetime:
    """The naive wall-clock end of an interval on `day`: `END_OF_DAY` is 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1) if end == END_OF_DAY else day, end)


def _interval_slots(interval, day, slot_length, earliest, latest, blocked, seen):
    end_wall = wall_end(day, interval.end)
    # A midnight that does not exist (a zone that springs forward at 00:00) is read with the offset in
    # force before the change (fold=0): the instant the day really ended.
    interval_end = _wall_to_utc(end_wall.date(), end_wall.time(), interval.zone) or end_wall.replace(
        tzinfo=interval.zone
    ).astimezone(UTC)
    wall = datetime.combine(day, interval.start)
    while wall + slot_length <= end_wall:
        start = _wall_to_utc(wall.date(), wall.time(), interval.zone)
        wall += slot_length
        if start is None or start in seen:
            continue
        end = start + slot_length
        if end > interval_end or start < earliest or start >= latest:
            continue
        if _overlaps(blocked, start, end):
            continue
        seen.add(start)
        yield Slot(start=start, end=end, zone=interval.zone, location=interval.location)


def window_bounds(first_day: date, days: int) -> Range:
    """UTC instants that cover `days` calendar days from `first_day` in any time zone on Earth."""
    start = datetime.combine(first_day, time.min, tzinfo=UTC) - timedelta(hours=14)
    end = datetime.combine(first_day + timedelta(days=days), time.min, tzinfo=UTC) + timedelta(hours=14)
    return start, end


def nearest(slots: Iterable[Slot], target: datetime, count: int) -> list[Slot]:
    """The `count` slots closest in time to `target`, in time order."""
    closest = sorted(slots, key=lambda slot: (abs(slot.start - target), slot.start))[:count]
    return sorted(closest)
