import zoneinfo
from datetime import datetime

import pytest
import time_machine

from clinic.hours import day_label, describe_hours, line_status, parse_hours

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
HOURS = parse_hours("Mon-Sat 08:00-20:00; Sun 09:00-13:00")


def test_parse_expands_day_ranges():
    assert len(HOURS) == 7
    assert HOURS[6].weekday == 6
    assert str(HOURS[6].closes) == "13:00:00"


@pytest.mark.parametrize("text", ["Mon 08:00", "Xyz 08:00-10:00", "Mon 10:00-09:00", "Mon-Fri 8-9"])
def test_parse_refuses_nonsense(text):
    with pytest.raises(ValueError, match=r"opening hours|Closing time"):
        parse_hours(text)


def test_open_line_says_until_when():
    status = line_status(HOURS, datetime(2026, 11, 23, 10, 30, tzinfo=IST))  # a Monday
    assert status.is_open
    assert status.closes_at == datetime(2026, 11, 23, 20, 0, tzinfo=IST)


def test_closed_line_after_hours_opens_next_morning():
    status = line_status(HOURS, datetime(2026, 11, 23, 21, 0, tzinfo=IST))
    assert not status.is_open
    assert status.opens_at == datetime(2026, 11, 24, 8, 0, tzinfo=IST)


def test_closed_line_before_opening_opens_the_same_day():
    status = line_status(HOURS, datetime(2026, 11, 22, 7, 0, tzinfo=IST))  # a Sunday
    assert status.opens_at == datetime(2026, 11, 22, 9, 0, tzinfo=IST)


def test_describe_groups_equal_days():
    assert describe_hours(HOURS) == [("Monday–Saturday", "08:00–20:00"), ("Sunday", "09:00–13:00")]


@pytest.mark.django_db
def test_header_says_open_now_in_clinic_time(client):
    # 04:00 UTC is 09:30 in Kolkata on a Monday: open.
    with time_machine.travel(datetime(2026, 11, 23, 4, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False):
        response = client.get("/privacy/")
    assert "Lines open now, until 20:00" in response.text


@pytest.mark.django_db
def test_header_says_when_the_line_opens_when_closed(client):
    # 16:00 UTC on Monday is 21:30 in Kolkata: closed until Tuesday 08:00 (UTC would say open).
    with time_machine.travel(datetime(2026, 11, 23, 16, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False):
        response = client.get("/privacy/")
    assert "Lines closed, open tomorrow at 08:00" in response.text


@pytest.mark.django_db
def test_header_counts_days_in_clinic_time(client):
    # 16:00 UTC on Saturday is 21:30 in Kolkata: closed, and Sunday 09:00 is "tomorrow" there.
    with time_machine.travel(datetime(2026, 11, 21, 16, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False):
        assert "open tomorrow at 09:00" in client.get("/privacy/").text


def test_day_label_names_today_tomorrow_and_later_days():
    now = datetime(2026, 11, 23, 7, 0, tzinfo=IST)  # Monday
    assert day_label(datetime(2026, 11, 23, 8, 0, tzinfo=IST), now) == "today"
    assert day_label(datetime(2026, 11, 24, 8, 0, tzinfo=IST), now) == "tomorrow"
    assert day_label(datetime(2026, 11, 26, 8, 0, tzinfo=IST), now) == "Thursday"
