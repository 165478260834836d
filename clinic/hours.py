"""Opening hours of the clinic's phone line: parse the setting, say whether it is open now.

Pure functions over plain values, so they are tested without Django.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_ENTRY = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Interval:
    weekday: int  # Monday is 0
    opens: time
    closes: time


@dataclass(frozen=True)
class LineStatus:
    is_open: bool
    closes_at: datetime | None = None
    opens_at: datetime | None = None


def parse_hours(text: str) -> list[Interval]:
    """Read "Mon-Sat 08:00-20:00; Sun 09:00-13:00" into intervals; raise ValueError on nonsense."""
    intervals = []
    for raw in text.split(";"):
        entry = raw.strip().lower()
        if not entry:
            continue
        match = _ENTRY.match(entry)
        if not match or match["first"] not in DAYS or (match["last"] or match["first"]) not in DAYS:
            raise ValueError(f"Cannot read opening hours entry {raw.strip()!r}")
        first, last = DAYS.index(match["first"]), DAYS.index(match["last"] or match["first"])
        opens, closes = (
            time.fromisoformat(match["open"].zfill(5)),
            time.fromisoformat(match["close"].zfill(5)),
        )
        if closes <= opens:
            raise ValueError(f"Closing time must be after opening time in {raw.strip()!r}")
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        intervals.extend(Interval(day, opens, closes) for day in days)
    return sorted(intervals, key=lambda i: (i.weekday, i.opens))


def line_status(intervals: list[Interval], now: datetime) -> LineStatus:
    """Whether the line is open at `now` (an aware datetime in clinic time), and until or from when."""
    for interval in intervals:
        if interval.weekday == now.weekday() and interval.opens <= now.time() < interval.closes:
            return LineStatus(True, closes_at=_at(now, 0, interval.closes))
    for offset in range(8):
        day = (now.weekday() + offset) % 7
        for interval in intervals:
            if interval.weekday == day and (offset > 0 or interval.opens > now.time()):
                return LineStatus(False, opens_at=_at(now, offset, interval.opens))
    return LineStatus(False)


def day_label(when: datetime, now: datetime) -> str:
    """ "today", "tomorrow" or the weekday name of `when`, as seen from `now` (same zone)."""
    days = (when.date() - now.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return DAY_NAMES[when.weekday()]


def _at(now: datetime, days_ahead: int, at: time) -> datetime:
    date = (now + timedelta(days=days_ahead)).date()
    return datetime.combine(date, at, tzinfo=now.tzinfo)


def describe_hours(intervals: list[Interval]) -> list[tuple[str, str]]:
    """Group days with equal hours for the footer: [("Monday–Saturday", "08:00–20:00"), ...]."""
    by_day: dict[int, str] = {}
    for interval in intervals:
        span = f"{interval.opens:%H:%M}–{interval.closes:%H:%M}"
        by_day[interval.weekday] = (
            f"{by_day[interval.weekday]}, {span}" if interval.weekday in by_day else span
        )
    rows: list[tuple[str, str]] = []
    day = 0
    while day < 7:
        if day not in by_day:
            day += 1
            continue
        last = day
        while last + 1 < 7 and by_day.get(last + 1) == by_day[day]:
            last += 1
        label = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}–{DAY_NAMES[last]}"
        rows.append((label, by_day[day]))
        day = last + 1
    return rows
