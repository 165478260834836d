"""The one helper that shows times: clinic.wallclock and its template filters, plus a guard that no
template formats an instant with Django's `date`/`time` filters (they convert to the server's zone)."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template

from clinic.wallclock import WallClock, to_zone, wall_clock, zone_label

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
WINTER_NINE = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)  # 09:00 GMT, 14:30 IST


def test_every_style_reads_the_instant_on_the_zones_wall_clock():
    when = WallClock(WINTER_NINE, LONDON, WINTER_NINE + timedelta(minutes=20))
    assert {
        style: when.format(style) for style in ["full", "medium", "short", "numeric", "time", "clock"]
    } == {
        "full": "Monday 28 December 2026, 09:00 GMT",
        "medium": "Mon 28 Dec 2026, 09:00 GMT",
        "short": "Mon 28 Dec, 09:00 GMT",
        "numeric": "2026-12-28 09:00 GMT",
        "time": "09:00 GMT",
        "clock": "09:00",
    }
    assert when.format("span") == "Monday 28 December 2026, 09:00–09:20 GMT"
    assert when.format("day") == "Monday 28 December 2026"
    assert when.format("weekday") == "Monday 28 December"
    assert str(when) == when.format("full")
    assert WallClock(WINTER_NINE, NEW_YORK).format("time") == "04:00 EST"
    assert WallClock(datetime(2027, 7, 5, 13, 0, tzinfo=UTC), NEW_YORK).format("time") == "09:00 EDT"


def test_a_span_over_midnight_or_a_clock_change_names_both_ends_in_full():
    late = datetime(2026, 12, 28, 23, 50, tzinfo=UTC)
    assert WallClock(late, LONDON, late + timedelta(minutes=20)).format("span") == (
        "Monday 28 December 2026, 23:50 GMT – Tuesday 29 December 2026, 00:10 GMT"
    )
    change = datetime(2027, 3, 28, 0, 50, tzinfo=UTC)  # 00:50 GMT; clocks go to BST at 01:00 UTC
    assert WallClock(change, LONDON, change + timedelta(minutes=20)).format("span") == (
        "Sunday 28 March 2027, 00:50 GMT – Sunday 28 March 2027, 02:10 BST"
    )


def test_appointments_slots_and_placed_instants_all_give_a_wall_clock():
    location = SimpleNamespace(zone=LONDON)
    appointment = SimpleNamespace(
        starts_at=WINTER_NINE, ends_at=WINTER_NINE + timedelta(minutes=20), location=location
    )
    slot = SimpleNamespace(start=WINTER_NINE, end=WINTER_NINE + timedelta(minutes=20), zone=LONDON)
    assert wall_clock(appointment) == wall_clock(slot) == WallClock(WINTER_NINE, LONDON, appointment.ends_at)
    for place in [appointment, location, LONDON, "Europe/London"]:
        assert wall_clock(WINTER_NINE, place) == WallClock(WINTER_NINE, LONDON)
    assert wall_clock(wall_clock(slot)) == wall_clock(slot)


def test_an_instant_without_a_place_never_falls_back_to_the_server_zone():
    with pytest.raises(TypeError, match="say whose time zone"):
        wall_clock(WINTER_NINE)
    with pytest.raises(TypeError, match="Cannot tell the time zone"):
        to_zone(SimpleNamespace())
    with pytest.raises(TypeError, match="Cannot read a wall-clock time"):
        wall_clock("09:00")
    with pytest.raises(ValueError, match="aware"):
        WallClock(datetime(2026, 12, 28, 9, 0), LONDON)  # noqa: DTZ001 (the naive value is the point)


def test_the_zone_label_of_a_day_names_both_abbreviations_when_the_clocks_change():
    assert zone_label(date(2026, 12, 28), LONDON) == "GMT"
    assert zone_label(date(2027, 3, 28), LONDON) == "GMT/BST"
    assert zone_label(date(2026, 11, 1), "America/New_York") == "EDT/EST"
    assert zone_label(date(2027, 3, 28), "Asia/Kolkata") == "IST"


def test_the_filters_render_in_the_places_zone_whatever_the_active_zone():
    assert settings.TIME_ZONE == "Asia/Kolkata"
    template = Template(
        "{% load wallclock %}{{ appointment|wall_clock:'span' }} | {{ at|at_place:appointment|wall_clock:'time' }}"
        " | {{ day|zone_label:appointment }} | {{ missing|wall_clock }}"
    )
    appointment = SimpleNamespace(
        starts_at=WINTER_NINE,
        ends_at=WINTER_NINE + timedelta(minutes=20),
        location=SimpleNamespace(zone=LONDON),
    )
    context = Context({"appointment": appointment, "at": WINTER_NINE, "day": date(2026, 12, 28)})
    assert template.render(context) == "Monday 28 December 2026, 09:00–09:20 GMT | 09:00 GMT | GMT | "


# The guard: Django's `date` and `time` filters convert an aware instant to the server's zone first, which is
# how a 09:00 London visit read "14:30 IST". Templates may use them for calendar days only.
TEMPLATES = Path(settings.BASE_DIR) / "templates"
FILTER = re.compile(r"([\w.]+)\|(date|time)\b(?::(['\"])(.*?)\3)?")
TIME_OF_DAY = set("aAfgGhHiPsuceIOrTUZ")  # hours, minutes, seconds, zones, full timestamps
ALLOWED = {
    # Weekly hours are TimeFields: wall-clock times of the location with no instant to convert.
    ("hours.starts_at", "time", "H:i"),
    ("hours.ends_at", "time", "H:i"),
    # Machine-readable publication instants (ISO 8601 with their offset), not read by a person.
    ("article.published_at", "date", "c"),
    ("article.updated_at", "date", "c"),
}


def instant_formatting_in_templates(root: Path = TEMPLATES) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in FILTER.finditer(line):
                value, name, _, fmt = match.groups()
                fmt = fmt or ""
                formats_time = name == "time" or bool(TIME_OF_DAY & set(fmt))
                localised = "local_" in value  # already in its zone: |date would move it again
                if (formats_time or localised) and (value, name, fmt) not in ALLOWED:
                    found.append(f"{path.relative_to(root)}:{number}: {match.group(0)}")
    return found


def test_no_template_formats_an_instant_with_djangos_date_or_time_filter():
    assert instant_formatting_in_templates() == [], "use {% load wallclock %} and |wall_clock instead"


def test_the_guard_catches_the_issues_pattern(tmp_path):
    """The guard itself: the manage page's old line is reported."""
    (tmp_path / "page.html").write_text(
        '{{ appointment.local_starts_at|date:"l j F Y, H:i" }}–{{ appointment.local_ends_at|date:"H:i T" }}\n'
        "{{ day|date:'Y-m-d' }} {{ slot.start|timezone:slot.zone|time:'H:i' }}\n"
    )
    assert instant_formatting_in_templates(tmp_path) == [
        'page.html:1: appointment.local_starts_at|date:"l j F Y, H:i"',
        'page.html:1: appointment.local_ends_at|date:"H:i T"',
        "page.html:2: slot.zone|time:'H:i'",
    ]
