"""The staff day and week as a time grid (appointments/daygrid.py, issue 12 item 1): placement in
five-minute rows (the night the clocks change included), counts by status, free cells that link to
the caller booking, cancelled visits listed apart, the current time, and the generated stylesheet."""

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments import daygrid
from appointments.models import AppointmentSource, AppointmentStatus
from appointments.slots import END_OF_DAY
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, week_hours

S = AppointmentStatus
KOLKATA = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST
STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "daygrid.css"


def visit(start, minutes=20, status=S.BOOKED, zone=KOLKATA):
    return SimpleNamespace(
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        status=status,
        location=SimpleNamespace(zone=zone),
    )


# Placement, without a database -----------------------------------------------------------------


def test_a_visit_spans_one_row_per_five_minutes_from_the_grids_origin():
    origin = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 09:30 IST
    assert daygrid.place(origin + timedelta(minutes=10), origin + timedelta(minutes=30), origin, 96) == (
        daygrid.Placement(row=3, span=4)
    )
    assert daygrid.Placement(row=3, span=4).css == "dg-r3 dg-s4"
    # Off the five-minute grid: the block covers every row it touches, and is never empty.
    assert daygrid.place(origin + timedelta(minutes=7), origin + timedelta(minutes=8), origin, 96) == (
        daygrid.Placement(row=2, span=1)
    )
    # Clipped to the grid at both ends.
    assert daygrid.place(origin - timedelta(hours=1), origin + timedelta(minutes=10), origin, 96).row == 1
    assert daygrid.place(
        origin + timedelta(hours=7, minutes=50), origin + timedelta(hours=9), origin, 96
    ) == (daygrid.Placement(row=95, span=2))


def test_the_grid_opens_and_closes_on_half_hours_around_hours_and_visits():
    assert daygrid.extent([(9 * 60 + 30, 17 * 60 + 30)]) == (570, 1050)
    assert daygrid.extent([(9 * 60 + 40, 13 * 60), (14 * 60, 17 * 60 + 10)]) == (570, 1050)
    assert daygrid.extent([(0, 24 * 60)]) == (0, 1440)
    assert daygrid.extent([]) == daygrid.DEFAULT_EXTENT
    assert daygrid.hours_minutes(time(20, 0), END_OF_DAY) == (1200, 1440)


def test_the_night_the_clocks_go_back_a_visit_keeps_its_real_length():
    """25 October 2026 in London: 01:00-02:00 happens twice. The grid counts elapsed time, so the
    01:30 BST-01:30 GMT visit (an hour) spans twelve rows and nothing overlaps."""
    day = date(2026, 10, 25)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    column = daygrid.Column(key="a", day=day)
    grid = daygrid.build(
        columns=[column],
        zone=LONDON,
        now=datetime(2026, 10, 26, tzinfo=UTC),
        hours={"a": [(0, 4 * 60)]},
        visits={"a": [visit(first, 60, zone=LONDON), visit(second, 30, zone=LONDON)]},
        free={},
    )
    assert grid.rows == 5 * 60 // 5  # 00:00-04:00 on the wall clock is five hours that night
    first_cell, second_cell = (cell for cell in column.cells if cell.kind == "visit")
    assert first_cell.placement.span == 12
    assert second_cell.placement.row == first_cell.placement.row + 12
    assert [text for _, text in grid.labels].count("01:00") == 2


def test_counts_by_status_never_say_zero_booked_for_a_day_of_completed_visits():
    start = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    done = [visit(start + timedelta(minutes=20 * n), status=S.COMPLETED) for n in range(5)]
    assert daygrid.status_counts(done) == [(S.COMPLETED, "5 completed")]
    mixed = [visit(start, status=s) for s in (S.CHECKED_IN, S.BOOKED, S.NO_SHOW, S.BOOKED, S.CANCELLED)]
    assert [text for _, text in daygrid.status_counts(mixed)] == ["2 booked", "1 checked in", "1 no-show"]


def test_the_stylesheet_in_static_is_the_one_the_module_writes():
    """`manage.py daygrid_css` writes it; every row and span a 25-hour day needs has a class."""
    css = STYLESHEET.read_text(encoding="utf-8")
    assert css == daygrid.stylesheet(), "run: manage.py daygrid_css"
    assert f".dg-r{daygrid.MAX_ROWS} " in css
    assert f".dg-s{daygrid.MAX_ROWS} " in css


# The day and week views ------------------------------------------------------------------------


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def doctor(db):
    with time_machine.travel(NOW, tick=False):
        doctor = DoctorFactory(
            name="Dr. Meera Kulkarni", location=LocationFactory(name="Residency Road", slug="residency-road")
        )
        week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    return doctor


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def grid_classes(html: str) -> set[str]:
    return set(re.findall(r"\bdg-[rso]\d+\b", html))


def test_the_day_is_a_grid_with_visits_sized_by_length_and_free_cells_linking_to_the_caller_booking(
    desk, doctor
):
    ten = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # 10:00 IST
    AppointmentFactory(
        doctor=doctor, starts_at=ten, ends_at=ten + timedelta(minutes=40), patient_name="Long Visit"
    )
    response = desk.get(reverse("staff:day"))
    grid = response.context["grid"]
    assert grid.rows == 8 * 12  # 09:00-17:00
    (column,) = grid.columns
    (long_visit,) = [cell for cell in column.cells if cell.kind == "visit"]
    assert long_visit.placement == daygrid.Placement(row=13, span=8)  # 10:00, forty minutes
    html = response.content.decode()
    assert 'class="dg-visit dg-r13 dg-s8"' in html
    # Free time from now (11:00) on: a light cell per slot, a link to book that time for a caller.
    assertContains(
        response,
        'class="dg-free dg-r25 dg-s4" '
        f'href="{reverse("staff:book-doctor", args=[doctor.slug])}?date=2026-11-23&amp;start=2026-11-23T05:30:00Z"',
        html=False,
    )
    assertNotContains(response, "btn-book")  # no button per slot
    assertNotContains(response, "start=2026-11-23T04:10:00Z")  # 09:40 has passed
    # Working hours as open bands, the lunch hour closed; every class used exists in the stylesheet.
    assert 'class="dg-open dg-r1 dg-s48"' in html
    assert 'class="dg-open dg-r61 dg-s36"' in html
    css = STYLESHEET.read_text(encoding="utf-8")
    assert all(f".{name} " in css for name in grid_classes(html))


def test_the_current_time_is_marked_today_only(desk, doctor):
    today = desk.get(reverse("staff:day"))
    assert today.context["grid"].now == daygrid.Placement(row=25)  # 11:00 is 24 rows after 09:00
    assertContains(today, 'class="dg-now dg-now--label dg-r25 dg-s1">11:00</span>', html=False)
    tomorrow = desk.get(reverse("staff:day"), {"date": "2026-11-24", "location": "residency-road"})
    assert tomorrow.context["grid"].now is None
    assertNotContains(tomorrow, "dg-now")


def test_a_cancelled_visit_is_listed_under_the_grid_and_its_time_is_free_again(desk, doctor):
    noon = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 12:00 IST
    AppointmentFactory(doctor=doctor, starts_at=noon, patient_name="Gone Patient", status=S.CANCELLED)
    AppointmentFactory(doctor=doctor, starts_at=noon + timedelta(minutes=20), patient_name="Here Patient")
    response = desk.get(reverse("staff:day"))
    (column,) = response.context["grid"].columns
    assert [c.appointment.patient_name for c in column.cells if c.kind == "visit"] == ["Here Patient"]
    assert [a.patient_name for a in column.cancelled] == ["Gone Patient"]
    assert any(c.kind == "free" and c.slot.start == noon for c in column.cells)
    assertContains(response, "1 cancelled visit (its time is free again)")
    assert [text for _, text in column.counts] == ["1 booked"]


def test_a_free_slot_under_a_visit_still_drawn_is_not_offered_on_the_grid(desk, doctor):
    """A no-show marked before its end leaves its slot to the engine; the grid never stacks both."""
    start = datetime(2026, 11, 23, 6, 50, tzinfo=UTC)  # 12:20 IST
    AppointmentFactory(doctor=doctor, starts_at=start, status=S.NO_SHOW, source=AppointmentSource.PHONE)
    (column,) = desk.get(reverse("staff:day")).context["grid"].columns
    free_starts = {c.slot.start for c in column.cells if c.kind == "free"}
    assert start not in free_starts
    assert start + timedelta(minutes=20) in free_starts


def test_a_doctor_sees_their_own_column_without_free_links(client, make_doctor_user, doctor):
    client.force_login(make_doctor_user(doctor))
    response = client.get(reverse("staff:day"))
    assert [c.doctor for c in response.context["grid"].columns] == [doctor]
    assertNotContains(response, "dg-free")


def test_the_week_is_the_same_grid_with_a_column_per_day(desk, doctor):
    tuesday_ten = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
    AppointmentFactory(doctor=doctor, starts_at=tuesday_ten, patient_name="Tuesday Patient")
    response = desk.get(reverse("staff:week", args=[doctor.slug]), {"start": "2026-11-23"})
    grid = response.context["grid"]
    assert [c.day for c in grid.columns] == [date(2026, 11, 23) + timedelta(days=n) for n in range(7)]
    tuesday = grid.columns[1]
    assert [c.appointment.patient_name for c in tuesday.cells if c.kind == "visit"] == ["Tuesday Patient"]
    assert any(c.kind == "free" for c in tuesday.cells)
    assert grid.columns[0].now == daygrid.Placement(row=25)
    assert all(c.now is None for c in grid.columns[1:])
    assertContains(response, "dg-scroll--week")


def week_cost(client, doctor):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("staff:week", args=[doctor.slug]), {"start": "2026-11-23"})
    assert response.status_code == 200
    return len(captured)


def test_the_week_costs_the_same_with_one_or_sixty_visits(desk, doctor):
    first = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    AppointmentFactory(doctor=doctor, starts_at=first)
    few = week_cost(desk, doctor)
    for day in range(6):
        for number in range(10):
            start = first + timedelta(days=day, minutes=20 * (number + 1))
            AppointmentFactory(doctor=doctor, starts_at=start, status=list(S)[number % 6])
    assert week_cost(desk, doctor) == few


def test_overlapping_visits_sit_side_by_side_in_lanes():
    """A no-show holds no slot, so a walk-in can be booked into its time: both are drawn, side by side."""
    ten = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    missed = visit(ten, status=S.NO_SHOW)
    walk_in = visit(ten + timedelta(minutes=1))
    later = visit(ten + timedelta(minutes=40))
    column = daygrid.Column(key="a", day=date(2026, 11, 23))
    daygrid.build(
        columns=[column],
        zone=KOLKATA,
        now=NOW,
        hours={"a": [(9 * 60, 17 * 60)]},
        visits={"a": [later, walk_in, missed]},
        free={},
    )
    lanes = {
        cell.appointment.starts_at: (cell.lane, cell.lanes) for cell in column.cells if cell.kind == "visit"
    }
    assert lanes == {ten: (0, 2), ten + timedelta(minutes=1): (1, 2), ten + timedelta(minutes=40): (0, 1)}
    first = next(cell for cell in column.cells if cell.kind == "visit" and cell.lanes == 2 and cell.lane == 1)
    assert first.lane_css == "dg-lanes dg-n2 dg-i1"
    css = STYLESHEET.read_text(encoding="utf-8")
    assert ".dg-n2 " in css
    assert ".dg-i1 " in css
