"""A hand-made week at one clinic (Monday 2 to Sunday 8 November 2026, Asia/Kolkata) whose figures are
worked out by hand in tests/reports/test_figures.py.

Dr. Asha Menon works Monday to Friday 09:00-13:00 (5 x 240 = 1,200 offered minutes). Dr. Bhaskar Rao
works Monday and Wednesday 14:00-18:00 with time off on Wednesday 14:00-16:00 (240 + 120 = 360).
Visits around the week's edges test the location's calendar: one at 00:30 on Monday (Sunday in UTC) is
in, one at 00:10 the next Monday (still Sunday in UTC) and one at 23:50 the Sunday before are out; so
are a visit at another location and every visit's feedback outside the week.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group

from appointments.models import AppointmentSource, AppointmentStatus, StaffProfile
from doctors.roles import FRONT_DESK
from notifications.models import Feedback
from tests.factories import (
    AppointmentFactory,
    DoctorFactory,
    LocationFactory,
    TimeOffFactory,
    UserFactory,
    week_hours,
)

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # Monday 12:00 IST, two weeks after the hand-made week
KOLKATA = ZoneInfo("Asia/Kolkata")
MONDAY = date(2026, 11, 2)
SUNDAY = date(2026, 11, 8)
S = AppointmentStatus
SRC = AppointmentSource


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=KOLKATA)


@pytest.fixture
def week(now):
    """The hand-made week; returns its location, doctors, a second location and the users."""
    location = LocationFactory(name="Indiranagar", slug="indiranagar", time_zone="Asia/Kolkata")
    elsewhere = LocationFactory(name="Whitefield", slug="whitefield", time_zone="Asia/Kolkata")
    asha = DoctorFactory(name="Dr. Asha Menon", location=location)
    bhaskar = DoctorFactory(name="Dr. Bhaskar Rao", location=location)
    week_hours(asha, weekdays=range(5), intervals=[(time(9), time(13))])
    week_hours(bhaskar, weekdays=[0, 2], intervals=[(time(14), time(18))])
    week_hours(asha, weekdays=[1], intervals=[(time(9), time(13))], location=elsewhere)
    TimeOffFactory(
        doctor=bhaskar,
        starts_at=local(MONDAY + timedelta(days=2), 14),
        ends_at=local(MONDAY + timedelta(days=2), 16),
    )

    def visit(
        doctor, day_offset, hour, minute=0, *, status, source, ahead, minutes=20, reason="", at=location
    ):
        starts = local(MONDAY + timedelta(days=day_offset), hour, minute)
        return AppointmentFactory(
            doctor=doctor,
            location=at,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            status=status,
            source=source,
            cancel_reason=reason,
            booked_at=starts - ahead,
        )

    day, hour = timedelta(days=1), timedelta(hours=1)
    visits = {
        "a_mon_0900": visit(asha, 0, 9, status=S.COMPLETED, source=SRC.ONLINE, ahead=10 * day),
        "a_mon_0920": visit(asha, 0, 9, 20, status=S.NO_SHOW, source=SRC.PHONE, ahead=2 * day),
        "a_mon_0940": visit(
            asha, 0, 9, 40, status=S.CANCELLED, source=SRC.ONLINE, ahead=5 * day, reason="Feeling better"
        ),
        "a_tue_1000": visit(asha, 1, 10, status=S.COMPLETED, source=SRC.WALK_IN, ahead=1 * hour),
        "a_tue_1020": visit(asha, 1, 10, 20, status=S.COMPLETED, source=SRC.ONLINE, ahead=40 * day),
        "a_wed_1100": visit(
            asha, 2, 11, status=S.CANCELLED, source=SRC.PHONE, ahead=20 * day, reason="  FEELING BETTER "
        ),
        "a_thu_0900": visit(asha, 3, 9, status=S.BOOKED, source=SRC.ONLINE, ahead=168 * hour),
        "a_fri_1200": visit(asha, 4, 12, status=S.NO_SHOW, source=SRC.ONLINE, ahead=72 * hour),
        "b_mon_0030": visit(bhaskar, 0, 0, 30, status=S.COMPLETED, source=SRC.PHONE, ahead=30 * hour),
        "b_mon_1400": visit(
            bhaskar, 0, 14, status=S.COMPLETED, source=SRC.ONLINE, ahead=24 * hour, minutes=60
        ),
        "b_mon_1500": visit(bhaskar, 0, 15, status=S.CANCELLED, source=SRC.ONLINE, ahead=6 * hour),
        "b_wed_1600": visit(bhaskar, 2, 16, status=S.COMPLETED, source=SRC.PHONE, ahead=8 * day, minutes=40),
        # Outside the week or the location: never counted.
        "before": visit(asha, -1, 23, 50, status=S.COMPLETED, source=SRC.ONLINE, ahead=day),
        "after": visit(asha, 7, 0, 10, status=S.NO_SHOW, source=SRC.ONLINE, ahead=day),
        "elsewhere": visit(asha, 1, 11, status=S.CANCELLED, source=SRC.PHONE, ahead=day, at=elsewhere),
    }
    Feedback.objects.create(appointment=visits["a_mon_0900"], would_recommend=True)
    Feedback.objects.create(appointment=visits["a_tue_1000"], would_recommend=False)
    Feedback.objects.create(appointment=visits["b_mon_1400"], would_recommend=True)
    Feedback.objects.create(appointment=visits["before"], would_recommend=False)
    desk = UserFactory(is_staff=True, groups=[Group.objects.get(name=FRONT_DESK)])
    StaffProfile.objects.create(user=desk, default_location=location)
    return {
        "location": location,
        "elsewhere": elsewhere,
        "asha": asha,
        "bhaskar": bhaskar,
        "visits": visits,
        "desk": desk,
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
