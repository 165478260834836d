"""The one way to show a time to a person: the wall clock of the place where it happens, with the
zone's abbreviation ("Monday 28 December 2026, 11:40 GMT").

SPEC 3.3: "Every time a patient or staff member sees is the location's wall clock with its zone
abbreviation, on every page, email, export and .ics." The reader's zone is never the server's default
(`settings.TIME_ZONE`, the clinic's home zone); it is the zone of the location the time belongs to.

Why one helper (docs/decisions.md, 2026-11-29): Django's `date` and `time` template filters first
convert an aware datetime to the *current* time zone (the server default), so
`appointment.starts_at.astimezone(london)|date:"H:i T"` shows Kolkata time again. `WallClock` keeps
the instant and its zone together and formats with `django.utils.dateformat` in that zone, so nothing
on the way can convert it back. Templates use the `wall_clock` filter (`clinic.templatetags.wallclock`);
Python code (emails, the CSV export, audit notes, the admin) uses `wall_clock()` and `WallClock.format`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import dateformat

# Named styles, so a page cannot forget the zone abbreviation ("T"). Every style but "clock", "day" and
# "weekday" carries it; "clock" is only for rows under a heading that names the zone (see `zone_label`);
# "day" and "weekday" give the local day alone.
STYLES = {
    "full": "l j F Y, H:i T",  # Monday 28 December 2026, 11:40 GMT
    "medium": "D j M Y, H:i T",  # Mon 28 Dec 2026, 11:40 GMT
    "short": "D j M, H:i T",  # Mon 28 Dec, 11:40 GMT
    "numeric": "Y-m-d H:i T",  # 2026-12-28 11:40 GMT
    "time": "H:i T",  # 11:40 GMT
    "clock": "H:i",  # 11:40, under a heading that says "GMT"
    "day": "l j F Y",  # Monday 28 December 2026 (the local day of the instant)
    "weekday": "l j F",  # Monday 28 December
}


@dataclass(frozen=True)
class WallClock:
    """An instant (and optionally the end of its interval) with the zone it is read in.

    `start` and `end` are aware datetimes in any zone (usually UTC, as stored); `zone` is the IANA zone
    of the place: a location's `zone`. Formatting always converts to `zone` first.
    """

    start: datetime
    zone: ZoneInfo
    end: datetime | None = None

    def __post_init__(self):
        for moment in (self.start, self.end):
            if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
                raise ValueError("WallClock needs aware datetimes (naive ones have no instant)")

    def __str__(self) -> str:
        return self.format("full")

    @property
    def local_start(self) -> datetime:
        """The start as an aware datetime in `zone` (for iCalendar TZIDs and local dates)."""
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime | None:
        return self.end.astimezone(self.zone) if self.end is not None else None

    @property
    def abbreviation(self) -> str:
        """The zone's abbreviation at the start: "GMT" or "BST", "EST" or "EDT", "IST"."""
        return self.local_start.tzname() or ""

    def format(self, style: str = "full") -> str:
        """The start in one of `STYLES`, or "span": start to end, e.g.
        "Monday 28 December 2026, 11:40–12:00 GMT" (both ends in full when they fall on different
        local days or in different abbreviations, as on the night the clocks change).

        Raises KeyError for an unknown style and ValueError for "span" without an end.
        """
        if style == "span":
            return self._span()
        return dateformat.format(self.local_start, STYLES[style])

    def _span(self) -> str:
        if self.end is None:
            raise ValueError("A span needs an end")
        start, end = self.local_start, self.local_end
        if start.date() == end.date() and start.tzname() == end.tzname():
            return f"{dateformat.format(start, 'l j F Y, H:i')}–{dateformat.format(end, 'H:i T')}"
        return f"{dateformat.format(start, STYLES['full'])} – {dateformat.format(end, STYLES['full'])}"


def to_zone(place) -> ZoneInfo:
    """The zone of `place`: a ZoneInfo, an IANA name ("Europe/London"), or anything with a `zone`
    (a Location, a Slot, a WallClock) or a `location` with a `zone` (an Appointment).

    Raises TypeError for anything else, so a missing zone fails loudly instead of falling back to the
    server default.
    """
    if isinstance(place, ZoneInfo):
        return place
    if isinstance(place, str) and place:
        return ZoneInfo(place)
    zone = getattr(place, "zone", None)
    if isinstance(zone, ZoneInfo):
        return zone
    location = getattr(place, "location", None)
    if location is not None and isinstance(getattr(location, "zone", None), ZoneInfo):
        return location.zone
    raise TypeError(f"Cannot tell the time zone of {place!r}")


def wall_clock(value, place=None) -> WallClock:
    """A WallClock for `value`:

    - an appointment (anything with `starts_at`, `ends_at` and a `location`): its visit, in its
      location's zone;
    - a slot (anything with `start`, `end` and a `zone`): that slot, in its zone;
    - an aware datetime with `place` (see `to_zone`): that instant where `place` is, e.g. an audit
      entry's time at the appointment's location;
    - a WallClock: itself.

    A bare datetime without `place` raises TypeError: an instant alone has no wall clock, and the
    server's default zone is never the answer.
    """
    if isinstance(value, WallClock) and place is None:
        return value
    if isinstance(value, datetime):
        if place is None:
            raise TypeError("A bare datetime has no wall clock: say whose time zone it is read in")
        return WallClock(value, to_zone(place))
    if place is not None:
        raise TypeError("`place` goes only with a datetime")
    if hasattr(value, "starts_at") and hasattr(value, "location"):
        return WallClock(value.starts_at, to_zone(value.location), value.ends_at)
    if hasattr(value, "start") and isinstance(getattr(value, "zone", None), ZoneInfo):
        return WallClock(value.start, value.zone, getattr(value, "end", None))
    raise TypeError(f"Cannot read a wall-clock time from {value!r}")


def zone_label(day: date, place) -> str:
    """The zone abbreviation(s) in force on the local `day` at `place`: "GMT", or "GMT/BST" on the day
    the clocks change. For headings above times shown in the "clock" style."""
    zone = to_zone(place)
    first = datetime.combine(day, time.min, tzinfo=zone)
    last = datetime.combine(day, time.max, tzinfo=zone)
    return "/".join(dict.fromkeys(name for name in (first.tzname(), last.tzname()) if name))
