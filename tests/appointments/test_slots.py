"""The pure slot engine: no database, plain values in, slots out."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointments.slots import END_OF_DAY, WeeklyInterval, free_slots, nearest, wall_end

KOLKATA = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 11, 23)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def slots(intervals, first_day=MONDAY, days=1, *, length=30, now=LONG_AGO, notice=0, horizon=400, **kwargs):
    return free_slots(
        intervals=intervals,
        first_day=first_day,
        days=days,
        slot_length=timedelta(minutes=length),
        now=now,
        min_notice=timedelta(minutes=notice),
        horizon=timedelta(days=horizon),
        **kwargs,
    )


def local_times(found):
    return [slot.local_start.strftime("%H:%M") for slot in found]


def interval(start, end, weekday=0, zone=KOLKATA):
    return WeeklyInterval(weekday=weekday, start=time(*start), end=time(*end), zone=zone)


def test_hours_are_cut_into_slots_in_the_location_zone_and_returned_in_utc():
    found = slots([interval((10, 0), (11, 30))])
    assert local_times(found) == ["10:00", "10:30", "11:00"]
    assert found[0].start == datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # IST is UTC+5:30
    assert found[0].end - found[0].start == timedelta(minutes=30)


def test_a_break_between_two_intervals_is_not_offered():
    found = slots([interval((9, 0), (10, 0)), interval((14, 0), (15, 0))])
    assert local_times(found) == ["09:00", "09:30", "14:00", "14:30"]


def test_a_slot_that_would_run_past_the_end_is_not_offered():
    assert local_times(slots([interval((9, 0), (9, 50))], length=20)) == ["09:00", "09:20"]


def test_only_the_interval_weekday_has_slots():
    found = slots([interval((9, 0), (10, 0), weekday=2)], days=7)
    assert {slot.local_date for slot in found} == {date(2026, 11, 25)}


def test_time_off_removes_the_slots_it_touches():
    off = (datetime(2026, 11, 23, 9, 15, tzinfo=KOLKATA), datetime(2026, 11, 23, 10, 0, tzinfo=KOLKATA))
    assert local_times(slots([interval((9, 0), (11, 0))], time_off=[off])) == ["10:00", "10:30"]


def test_booked_slots_and_partial_overlaps_are_not_offered():
    busy = [
        (datetime(2026, 11, 23, 9, 0, tzinfo=KOLKATA), datetime(2026, 11, 23, 9, 30, tzinfo=KOLKATA)),
        (datetime(2026, 11, 23, 10, 10, tzinfo=KOLKATA), datetime(2026, 11, 23, 10, 20, tzinfo=KOLKATA)),
    ]
    assert local_times(slots([interval((9, 0), (11, 0))], busy=busy)) == ["09:30", "10:30"]


def test_minimum_notice_hides_slots_too_soon():
    now = datetime(2026, 11, 23, 8, 10, tzinfo=KOLKATA)
    found = slots([interval((9, 0), (12, 0))], now=now, notice=120)
    assert local_times(found)[0] == "10:30"


def test_past_slots_are_never_offered():
    now = datetime(2026, 11, 23, 10, 45, tzinfo=KOLKATA)
    assert local_times(slots([interval((9, 0), (12, 0))], now=now)) == ["11:00", "11:30"]


def test_the_horizon_ends_the_offer():
    now = datetime(2026, 11, 23, 0, 0, tzinfo=KOLKATA)
    found = slots([interval((9, 0), (10, 0), weekday=d) for d in range(7)], days=10, now=now, horizon=3)
    assert max(slot.local_date for slot in found) == date(2026, 11, 25)


def test_limit_stops_at_the_first_free_slots():
    found = slots([interval((9, 0), (17, 0), weekday=d) for d in range(7)], days=30, limit=1)
    assert len(found) == 1
    assert local_times(found) == ["09:00"]


def test_overlapping_intervals_do_not_duplicate_slots():
    assert local_times(slots([interval((9, 0), (10, 0)), interval((9, 0), (10, 30))])) == [
        "09:00",
        "09:30",
        "10:00",
    ]


# Daylight saving: a doctor working through the night of a change (clinics rarely do, the
# engine must still be right). Spring: the skipped hour offers nothing; autumn: the repeated
# hour is offered once; every slot lasts its real length and no two overlap.
@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # London springs forward 01:00 -> 02:00 on 29 March 2026.
        (LONDON, date(2026, 3, 29), ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"]),
        # New York springs forward 02:00 -> 03:00 on 8 March 2026.
        (NEW_YORK, date(2026, 3, 8), ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]),
        # London falls back 02:00 -> 01:00 on 25 October 2026: 01:00-01:30 once.
        (
            LONDON,
            date(2026, 10, 25),
            ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"],
        ),
        # New York falls back 02:00 -> 01:00 on 1 November 2026.
        (
            NEW_YORK,
            date(2026, 11, 1),
            ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"],
        ),
    ],
)
def test_daylight_saving_days_have_no_missing_nor_repeated_times(zone, day, expected):
    found = slots([interval((0, 0), (4, 0), weekday=day.weekday(), zone=zone)], first_day=day)
    assert local_times(found) == expected
    starts = [slot.start for slot in found]
    assert len(set(starts)) == len(starts)
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(slot.start.tzinfo is UTC for slot in found)


def test_daylight_saving_changes_the_utc_time_of_the_same_wall_clock_slot():
    before = slots([interval((9, 0), (9, 30), weekday=5, zone=LONDON)], first_day=date(2026, 3, 28))
    after = slots([interval((9, 0), (9, 30), weekday=0, zone=LONDON)], first_day=date(2026, 3, 30))
    assert before[0].start.hour == 9  # GMT
    assert after[0].start.hour == 8  # BST, UTC+1
    assert before[0].local_start.tzname() == "GMT"
    assert after[0].local_start.tzname() == "BST"


def test_kolkata_has_no_daylight_saving_and_a_half_hour_offset():
    found = slots(
        [interval((9, 0), (9, 30), weekday=d) for d in range(7)], first_day=date(2026, 3, 1), days=365
    )
    assert {(slot.start.hour, slot.start.minute) for slot in found} == {(3, 30)}


def test_nearest_returns_the_closest_slots_in_time_order():
    found = slots([interval((9, 0), (12, 0))])
    target = datetime(2026, 11, 23, 10, 10, tzinfo=KOLKATA)
    assert local_times(nearest(found, target, 3)) == ["09:30", "10:00", "10:30"]


def test_a_slot_length_of_zero_is_refused():
    with pytest.raises(ValueError, match="positive"):
        slots([interval((9, 0), (10, 0))], length=0)


# Working to midnight: an interval may end at 24:00, written END_OF_DAY (00:00) --------------------
SANTIAGO = ZoneInfo("America/Santiago")  # changes its clocks at midnight


def test_an_interval_ending_at_midnight_offers_the_last_slot_before_it():
    found = slots([interval((20, 0), (0, 0))], length=20)
    assert local_times(found) == [f"{h}:{m}" for h in ("20", "21", "22", "23") for m in ("00", "20", "40")]
    last = found[-1]
    assert last.local_start.strftime("%H:%M") == "23:40"
    assert last.local_end == datetime(2026, 11, 24, 0, 0, tzinfo=KOLKATA)  # midnight, the next day
    assert last.local_date == MONDAY


def test_end_of_day_is_the_midnight_spelled_zero():
    assert time(0) == END_OF_DAY
    assert wall_end(MONDAY, END_OF_DAY).isoformat() == "2026-11-24T00:00:00"
    assert wall_end(MONDAY, time(23, 59)).isoformat() == "2026-11-23T23:59:00"


def test_a_whole_day_runs_from_midnight_to_midnight():
    assert len(slots([interval((0, 0), (0, 0))], length=60)) == 24


def test_an_interval_to_midnight_does_not_spill_into_the_next_day():
    found = slots([interval((22, 0), (0, 0), weekday=0)], days=2, length=60)
    assert [(slot.local_date, slot.local_start.hour) for slot in found] == [(MONDAY, 22), (MONDAY, 23)]


def test_a_booking_at_the_last_slot_before_midnight_is_respected():
    busy = [(datetime(2026, 11, 23, 23, 40, tzinfo=KOLKATA), datetime(2026, 11, 24, 0, 0, tzinfo=KOLKATA))]
    assert local_times(slots([interval((23, 0), (0, 0))], length=20, busy=busy)) == ["23:00", "23:20"]


@pytest.mark.parametrize(
    ("zone", "day", "expected_end_utc"),
    [
        # Saturday before London springs forward (Sunday 29 March 2026, 01:00 GMT): midnight is GMT.
        (LONDON, date(2026, 3, 28), datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),
        # Saturday before London falls back (Sunday 25 October 2026): midnight is still BST.
        (LONDON, date(2026, 10, 24), datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),
        # Saturday before New York springs forward (Sunday 8 March 2026, 02:00): EST.
        (NEW_YORK, date(2026, 3, 7), datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),
        # Saturday before New York falls back (Sunday 1 November 2026): EDT.
        (NEW_YORK, date(2026, 10, 31), datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
        # Santiago springs forward at midnight (5 September 2026 24:00 -> 6 September 01:00): the
        # Saturday ends at 04:00 UTC, the midnight that never shows on a clock there.
        (SANTIAGO, date(2026, 9, 5), datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),
    ],
)
def test_an_evening_to_midnight_before_a_clock_change_ends_at_the_real_midnight(zone, day, expected_end_utc):
    found = slots([interval((20, 0), (0, 0), weekday=day.weekday(), zone=zone)], first_day=day, length=20)
    assert len(found) == 12
    assert found[-1].local_start.strftime("%H:%M") == "23:40"
    assert found[-1].end == expected_end_utc
    assert all(slot.end - slot.start == timedelta(minutes=20) for slot in found)


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (LONDON, date(2026, 3, 29), 23),  # 01:00-02:00 does not exist
        (NEW_YORK, date(2026, 3, 8), 23),  # 02:00-03:00 does not exist
        (LONDON, date(2026, 10, 25), 24),  # 01:00-02:00 happens twice, offered once
        (NEW_YORK, date(2026, 11, 1), 24),  # 01:00-02:00 happens twice, offered once
        (SANTIAGO, date(2026, 9, 6), 23),  # 00:00-01:00 does not exist
    ],
)
def test_a_whole_day_on_a_clock_change_day_ends_at_the_next_midnight(zone, day, hours):
    found = slots([interval((0, 0), (0, 0), weekday=day.weekday(), zone=zone)], first_day=day, length=60)
    assert len(found) == hours
    assert found[-1].local_start.strftime("%H:%M") == "23:00"
    assert found[-1].local_end == datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(slot.local_date == day for slot in found)
