"""Our .ics files as real calendar clients read them: Mozilla's ical.js (Thunderbird, Nextcloud).

Issue 10 item 2: ical.js read a London visit on 28 Dec 2026 at 11:40 as 10:40 UTC, an hour early,
from a VTIMEZONE carrying the zone's whole 1970-2038 history. Each file here is read by ical.js in
Node (tests/js/read_ics.mjs, installed by `make test` with `npm ci`) using only the file's own
VTIMEZONE, and the UTC instant of every event is asserted. Without Node or ical.js these tests skip,
unless CI is set: then they fail.
"""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from appointments.links import manage_token
from appointments.services import calendar_feed_rotate
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory

pytestmark = pytest.mark.django_db

JS_DIR = Path(__file__).resolve().parents[1] / "js"
READER = JS_DIR / "read_ics.mjs"


@pytest.fixture(scope="session")
def ical_js():
    """`read(ics_bytes) -> {"events": [...], "timezones": [...]}` as ical.js sees the file."""
    node = shutil.which("node")
    if node is None:
        problem = "Node.js is not installed, so ical.js cannot read our calendar files"
    elif not (JS_DIR / "node_modules" / "ical.js" / "package.json").is_file():
        problem = "ical.js is not installed in tests/js/node_modules: `make test` runs `npm ci` there"
    else:
        problem = None
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}. CI is set, so this is a failure, not a skip.", pytrace=False)
        pytest.skip(problem)

    def read(ics: bytes) -> dict:
        done = subprocess.run(
            [node, str(READER)], input=ics, capture_output=True, cwd=JS_DIR, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout)

    return read


def location(zone: str):
    return LocationFactory(name=f"Clinic in {zone}", time_zone=zone)


def visit_at(doctor, place, local: str):
    """An appointment at `local` ("2026-12-28T11:40", wall clock) in `place`'s zone, 20 minutes long."""
    start = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(place.time_zone)).astimezone(UTC)
    return AppointmentFactory(
        doctor=doctor, location=place, starts_at=start, ends_at=start + timedelta(minutes=20)
    )


# (zone, local wall-clock start, the UTC instant a calendar must show)
SINGLE_VISITS = [
    ("Europe/London", "2026-12-28T11:40", "2026-12-28T11:40:00Z"),  # the example
    ("Europe/London", "2027-07-05T11:40", "2027-07-05T10:40:00Z"),
    ("America/New_York", "2026-12-28T11:40", "2026-12-28T16:40:00Z"),
    ("America/New_York", "2027-07-05T11:40", "2027-07-05T15:40:00Z"),
    ("Asia/Kolkata", "2026-12-28T11:40", "2026-12-28T06:10:00Z"),
    ("Asia/Kolkata", "2027-07-05T11:40", "2027-07-05T06:10:00Z"),
]


@pytest.mark.parametrize(
    ("zone", "local", "utc"), SINGLE_VISITS, ids=[f"{z.split('/')[1]}-{d[:7]}" for z, d, _ in SINGLE_VISITS]
)
def test_ical_js_reads_the_single_visit_file_at_the_right_instant(client, ical_js, zone, local, utc):
    place = location(zone)
    appointment = visit_at(DoctorFactory(location=place), place, local)
    with time_machine.travel(appointment.starts_at - timedelta(days=3), tick=False):
        response = client.get(reverse("appointments:calendar", args=[manage_token(appointment)]))
    assert response.status_code == 200
    read = ical_js(response.content)
    (event,) = read["events"]
    assert (event["tzid"], event["start_local"], event["start_utc"]) == (zone, f"{local}:00", utc)
    end = datetime.fromisoformat(utc) + timedelta(minutes=20)
    assert event["end_utc"] == end.strftime("%Y-%m-%dT%H:%M:%SZ")
    # One zone, with only the observances of the visit's days (no 1970-2038 history).
    assert read["timezones"] == [{"tzid": zone, "observances": 1}]


# A doctor's feed covers 90 days, so it crosses the clocks changing: spring and autumn, each zone.
FEEDS = {
    "spring": (
        datetime(2027, 3, 1, 9, 0, tzinfo=UTC),
        ["2027-03-08T11:40", "2027-03-22T11:40", "2027-04-05T11:40"],
        {
            "Europe/London": ["2027-03-08T11:40:00Z", "2027-03-22T11:40:00Z", "2027-04-05T10:40:00Z"],
            "America/New_York": ["2027-03-08T16:40:00Z", "2027-03-22T15:40:00Z", "2027-04-05T15:40:00Z"],
            "Asia/Kolkata": ["2027-03-08T06:10:00Z", "2027-03-22T06:10:00Z", "2027-04-05T06:10:00Z"],
        },
    ),
    "autumn": (
        datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        ["2026-10-19T11:40", "2026-10-26T11:40", "2026-11-02T11:40"],
        {
            "Europe/London": ["2026-10-19T10:40:00Z", "2026-10-26T11:40:00Z", "2026-11-02T11:40:00Z"],
            "America/New_York": ["2026-10-19T15:40:00Z", "2026-10-26T15:40:00Z", "2026-11-02T16:40:00Z"],
            "Asia/Kolkata": ["2026-10-19T06:10:00Z", "2026-10-26T06:10:00Z", "2026-11-02T06:10:00Z"],
        },
    ),
}


@pytest.mark.parametrize("season", FEEDS)
@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
def test_ical_js_reads_every_event_of_a_doctors_feed_at_the_right_instant(client, ical_js, season, zone):
    now, locals_, expected = FEEDS[season]
    place = location(zone)
    doctor = DoctorFactory(location=place)
    for local in locals_:
        visit_at(doctor, place, local)
    with time_machine.travel(now, tick=False):
        feed = calendar_feed_rotate(doctor=doctor)
        response = client.get(reverse("appointments:doctor-feed", args=[feed.token]))
    read = ical_js(response.content)
    assert [event["start_utc"] for event in read["events"]] == expected[zone]
    assert {event["tzid"] for event in read["events"]} == {zone}
    assert [timezone["tzid"] for timezone in read["timezones"]] == [zone]


def test_ical_js_reads_a_feed_with_visits_in_two_zones(client, ical_js):
    london, new_york = location("Europe/London"), location("America/New_York")
    doctor = DoctorFactory(location=london)
    visit_at(doctor, london, "2027-07-05T11:40")
    visit_at(doctor, new_york, "2027-07-07T11:40")
    with time_machine.travel(datetime(2027, 7, 1, tzinfo=UTC), tick=False):
        feed = calendar_feed_rotate(doctor=doctor)
        read = ical_js(client.get(reverse("appointments:doctor-feed", args=[feed.token])).content)
    assert [(event["tzid"], event["start_utc"]) for event in read["events"]] == [
        ("Europe/London", "2027-07-05T10:40:00Z"),
        ("America/New_York", "2027-07-07T15:40:00Z"),
    ]
    assert sorted(timezone["tzid"] for timezone in read["timezones"]) == ["America/New_York", "Europe/London"]
