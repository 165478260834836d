"""The report's figures against the hand-made week of tests/reports/conftest.py, worked out by hand.

Runs on SQLite and, with DATABASE_URL set, on PostgreSQL: the weekday and period boundaries are read
by the database on the location's clock, so both must agree with the numbers below.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from reports.figures import Report, period_bounds
from tests.factories import (
    AppointmentFactory,
    DoctorFactory,
    LocationFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)
from tests.reports.conftest import MONDAY, SUNDAY, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(week):
    return Report.build(location=week["location"], first=MONDAY, last=SUNDAY)


def rows(report, slug):
    return report.tables[slug].rows


def test_the_period_is_read_on_the_locations_calendar(week):
    start, end = period_bounds(week["location"], MONDAY, SUNDAY)
    assert start == datetime(2026, 11, 1, 18, 30, tzinfo=UTC)  # Monday 00:00 IST
    assert end == datetime(2026, 11, 8, 18, 30, tzinfo=UTC)  # the next Monday 00:00 IST


def test_bookings_by_source(report):
    assert rows(report, "sources") == [
        ["Online", 7, 58.3],
        ["Phone", 4, 33.3],
        ["Walk-in", 1, 8.3],
    ]
    assert report.tables["sources"].footer == ["All sources", 12, 100.0]


def test_no_show_and_cancellation_rates_by_doctor(report):
    # Doctor, bookings, came, no-shows, no-show rate, cancelled, cancellation rate, open
    assert rows(report, "attendance") == [
        ["Dr. Asha Menon", 8, 3, 2, 40.0, 2, 25.0, 1],
        ["Dr. Bhaskar Rao", 4, 3, 0, 0.0, 1, 25.0, 0],
    ]
    assert report.tables["attendance"].footer == ["All doctors", 12, 6, 2, 25.0, 3, 25.0, 1]


def test_utilisation_by_doctor_counts_booked_time_against_hours_minus_time_off(report):
    # Asha: 120 booked minutes (no-shows and the open visit included) of 1,200; Bhaskar: 120 of 360.
    assert rows(report, "utilisation-doctor") == [
        ["Dr. Asha Menon", 20.0, 2.0, 10.0],
        ["Dr. Bhaskar Rao", 6.0, 2.0, 33.3],
    ]
    assert report.tables["utilisation-doctor"].footer == ["All doctors", 26.0, 4.0, 15.4]


def test_utilisation_by_weekday_uses_the_locations_weekday(report):
    # Bhaskar's 00:30 Monday visit is Sunday in UTC: it counts on Monday.
    assert rows(report, "utilisation-weekday") == [
        ["Monday", 8.0, 2.0, 25.0],
        ["Tuesday", 4.0, 0.7, 16.7],
        ["Wednesday", 6.0, 0.7, 11.1],
        ["Thursday", 4.0, 0.3, 8.3],
        ["Friday", 4.0, 0.3, 8.3],
        ["Saturday", 0.0, 0.0, None],
        ["Sunday", 0.0, 0.0, None],
    ]
    assert report.headline["busiest_weekday"] == "Monday"


def test_utilisation_by_doctor_and_weekday(report):
    assert rows(report, "utilisation-grid") == [
        ["Dr. Asha Menon", 16.7, 16.7, 0.0, 8.3, 8.3, None, None],
        ["Dr. Bhaskar Rao", 33.3, None, 33.3, None, None, None, None],
    ]


def test_lead_time_buckets_include_their_lower_bound(report):
    # 24 h is "1-2 days", 72 h "3-6 days", 168 h "7-13 days": each bucket starts at its lower bound.
    assert rows(report, "lead-time") == [
        ["Under 1 day", 2, 16.7],
        ["1–2 days", 3, 25.0],
        ["3–6 days", 2, 16.7],
        ["7–13 days", 3, 25.0],
        ["14–29 days", 1, 8.3],
        ["30 days or more", 1, 8.3],
    ]


def test_cancellations_by_reason_group_case_and_spaces(report):
    assert rows(report, "cancel-reasons") == [
        ["Feeling better", 2, 66.7],
        ["No reason given", 1, 33.3],
    ]


def test_feedback_answers_by_doctor(report):
    # Doctor, yes, no, would recommend %, completed visits, answered %
    assert rows(report, "feedback") == [
        ["Dr. Asha Menon", 1, 1, 50.0, 3, 66.7],
        ["Dr. Bhaskar Rao", 1, 0, 100.0, 3, 33.3],
    ]
    assert report.tables["feedback"].footer == ["All doctors", 2, 1, 66.7, 6, 50.0]


def test_the_headline_figures(report):
    assert report.headline == {
        "bookings": 12,
        "no_show_rate": 25.0,
        "cancellation_rate": 25.0,
        "utilisation": 15.4,
        "busiest_weekday": "Monday",
    }


def test_an_empty_period_has_zeros_and_no_rates(week):
    report = Report.build(location=week["location"], first=date(2026, 12, 7), last=date(2026, 12, 7))
    assert report.tables["sources"].footer == ["All sources", 0, None]
    assert rows(report, "attendance") == []
    assert report.headline["no_show_rate"] is None
    assert report.tables["cancel-reasons"].rows == []


def test_offered_time_on_the_day_the_clocks_go_back_is_25_hours():
    """London, Sunday 25 October 2026: 00:00-24:00 on the wall clock lasts 25 real hours."""
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC), tick=False):
        london = LocationFactory(time_zone="Europe/London")
        doctor = DoctorFactory(location=london)
        WorkingHoursFactory(doctor=doctor, weekday=6, starts_at=time(0), ends_at=time(0))
        TimeOffFactory(
            doctor=doctor,
            starts_at=datetime(2026, 10, 25, 11, tzinfo=UTC),
            ends_at=datetime(2026, 10, 25, 12, tzinfo=UTC),
        )
        AppointmentFactory(
            doctor=doctor,
            starts_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST: Sunday in London
            ends_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        )
        report = Report.build(location=london, first=date(2026, 10, 25), last=date(2026, 10, 25))
    assert rows(report, "utilisation-doctor") == [[doctor.name, 24.0, 1.0, 4.2]]
    assert rows(report, "utilisation-weekday")[6] == ["Sunday", 24.0, 1.0, 4.2]


def test_a_clinic_in_another_zone_than_the_servers_is_read_on_its_own_clock(now):
    """New York, Monday 2 November 2026, 20:00 EST: Tuesday in UTC and in the server's zone (Kolkata)."""
    new_york = LocationFactory(time_zone="America/New_York")
    doctor = DoctorFactory(location=new_york)
    WorkingHoursFactory(doctor=doctor, weekday=0, starts_at=time(18), ends_at=time(22))
    AppointmentFactory(
        doctor=doctor,
        starts_at=datetime(2026, 11, 3, 1, tzinfo=UTC),
        ends_at=datetime(2026, 11, 3, 2, tzinfo=UTC),
    )
    report = Report.build(location=new_york, first=MONDAY, last=MONDAY)
    assert rows(report, "utilisation-weekday")[:2] == [
        ["Monday", 4.0, 1.0, 25.0],
        ["Tuesday", 0.0, 0.0, None],
    ]
    assert report.tables["sources"].footer == ["All sources", 1, 100.0]


def test_a_visit_outside_its_doctors_hours_raises_no_other_doctors_share(week):
    """Bhaskar has no Tuesday hours; a Tuesday visit of his shows in his own row but not in the totals
    across doctors (a tester saw "All doctors" at 57 % with one doctor at 48 % and the other without hours)."""
    starts = local(MONDAY + timedelta(days=1), 10)
    AppointmentFactory(
        doctor=week["bhaskar"],
        location=week["location"],
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    report = Report.build(location=week["location"], first=MONDAY, last=SUNDAY)
    assert rows(report, "utilisation-weekday")[1] == ["Tuesday", 4.0, 0.7, 16.7]  # Asha's alone, as before
    assert report.tables["utilisation-doctor"].footer == ["All doctors", 26.0, 4.0, 15.4]
    assert rows(report, "utilisation-doctor")[1][:3] == ["Dr. Bhaskar Rao", 6.0, 3.0]
    assert report.headline["utilisation"] == 15.4
