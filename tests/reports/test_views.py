"""The report page, its chart images and downloads: who may see which location, bad input, query counts,
and what the files hold."""

import csv
import io
import re
from datetime import date, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from appointments.models import AppointmentSource, AppointmentStatus
from doctors.roles import CONTENT_EDITORS, DOCTORS
from reports.figures import SECTIONS
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours
from tests.reports.conftest import MONDAY, SUNDAY, local

pytestmark = pytest.mark.django_db

WEEK = {"location": "indiranagar", "date_from": MONDAY.isoformat(), "date_to": SUNDAY.isoformat()}


def signed_in(client, user):
    client.force_login(user)
    return client


def test_without_parameters_the_page_shows_last_month_at_the_users_location(client, week):
    response = signed_in(client, week["desk"]).get(reverse("reports:index"))
    assert response.status_code == 200
    assertContains(response, "Indiranagar, visits from 1 October 2026 to 31 October 2026")
    assert response["Cache-Control"].count("no-store") == 1


def test_the_page_shows_every_section_with_its_chart_table_and_downloads(client, week):
    response = signed_in(client, week["desk"]).get(reverse("reports:index"), WEEK)
    html = response.content.decode()
    for slug in (
        "sources",
        "attendance",
        "utilisation-weekday",
        "utilisation-doctor",
        "utilisation-grid",
        "lead-time",
        "cancel-reasons",
        "feedback",
    ):
        query = "location=indiranagar&amp;date_from=2026-11-02&amp;date_to=2026-11-08"
        assert f'src="/staff/reports/charts/{slug}.svg?{query}"' in html
        assert f'href="/staff/reports/data/{slug}.csv?{query}"' in html
        assert f'href="/staff/reports/data/{slug}.xlsx?{query}"' in html
    assert re.search(r"<dt>No-show rate</dt><dd>25\.0 %</dd>", html)
    assert re.search(r"<dt>Busiest weekday</dt><dd>Monday</dd>", html)
    assertContains(response, '<th scope="row">Dr. Asha Menon</th><td>8</td><td>3</td><td>2</td><td>40.0</td>')
    assertContains(response, '<th scope="row">Saturday</th><td>0.0</td><td>0.0</td><td>–</td>')


def test_the_front_desk_reports_on_its_own_location_only(client, week):
    client = signed_in(client, week["desk"])
    response = client.get(reverse("reports:index"), WEEK | {"location": "whitefield"})
    assert response.status_code == 400
    assertContains(response, "Select a valid choice", status_code=400)
    assertNotContains(response, '<option value="whitefield"', status_code=400)
    for name in ("reports:chart", "reports:csv", "reports:xlsx"):
        refused = client.get(reverse(name, args=["sources"]), WEEK | {"location": "whitefield"})
        assert refused.status_code == 400


def test_an_admin_reports_on_every_location(client, week):
    client = signed_in(client, week["admin"])
    response = client.get(reverse("reports:index"), WEEK | {"location": "whitefield"})
    assert response.status_code == 200
    assertContains(response, '<option value="indiranagar"')
    assertContains(response, "Whitefield, visits from 2 November 2026 to 8 November 2026")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("reports:csv", args=["sources"]), WEEK | {"location": "whitefield"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[4:] == [
        ["Online", "0", "0.0"],
        ["Phone", "1", "100.0"],
        ["Walk-in", "0", "0.0"],
        ["All sources", "1", "100.0"],
    ]


def test_a_front_desk_without_a_location_is_told_to_ask_an_admin(client, week, front_desk_user):
    response = signed_in(client, front_desk_user).get(reverse("reports:index"))
    assertContains(response, "No location is set for your account")
    assert (
        signed_in(client, front_desk_user).get(reverse("reports:chart", args=["sources"])).status_code == 404
    )


@pytest.mark.parametrize("group", [DOCTORS, CONTENT_EDITORS])
def test_doctors_and_editors_are_refused(client, week, group):
    user = UserFactory(groups=[Group.objects.get(name=group)])
    for name, args in [("reports:index", []), ("reports:chart", ["sources"]), ("reports:csv", ["sources"])]:
        assert signed_in(client, user).get(reverse(name, args=args), WEEK).status_code == 403


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, week):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("staff:login"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-13-01"}, "“2026-13-01” is not a date."),
        ({"date_to": "2026-11-01"}, "The end of the period must not be before its start."),
        ({"date_from": "2025-11-01", "date_to": "2026-11-02"}, "Choose a period of at most 366 days."),
        ({"location": "nowhere"}, "Select a valid choice"),
        ({"date_to": ""}, "This field is required."),
        # The calendar's edges (found by a tester: 500 OverflowError): the staff window of clinic.params.
        ({"date_from": "9999-12-30", "date_to": "9999-12-31"}, "Choose a date from"),
        ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, "Choose a date from"),
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_keeps_what_was_typed(client, week, params, message):
    query = WEEK | params
    response = signed_in(client, week["desk"]).get(reverse("reports:index"), query)
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, 'id="error-summary"', status_code=400)
    for name, value in query.items():  # what was typed stays (an unreadable date is quoted instead)
        if name != "location" and value and "not a date" not in message:
            assertContains(response, f'name="{name}" value="{value}"', status_code=400)
    refused = signed_in(client, week["desk"]).get(reverse("reports:csv", args=["sources"]), query)
    assert refused.status_code == 400
    assert message in refused.content.decode()


def test_an_unknown_section_is_not_found(client, week):
    client = signed_in(client, week["desk"])
    for name in ("reports:chart", "reports:csv", "reports:xlsx"):
        assert client.get(reverse(name, args=["revenue"]), WEEK).status_code == 404


def test_a_chart_is_a_sanitised_svg_with_its_own_policy(client, week):
    response = signed_in(client, week["desk"]).get(reverse("reports:chart", args=["attendance"]), WEEK)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    assert "<script" not in svg
    assert "<!--" not in svg
    assert " style=" not in svg
    assert "Dr. Asha Menon" in svg
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "unsafe-inline" not in policy
    assert svg.count("<style") == 1
    assert 'viewBox="0 0 720 360"' in svg


def test_horizontal_charts_grow_with_their_rows_and_the_page_says_so(client, week):
    client = signed_in(client, week["desk"])
    svg = client.get(reverse("reports:chart", args=["utilisation-doctor"]), WEEK).content.decode()
    assert 'viewBox="0 0 720 240"' in svg  # two doctors: the smallest height
    grow(week["location"], doctors=10, days=1)
    svg = client.get(
        reverse("reports:chart", args=["utilisation-doctor"]), WEEK | {"date_from": "2026-01-01"}
    ).content.decode()
    assert 'viewBox="0 0 720 608"' in svg  # twelve doctors: 80 + 12 x 44
    page = client.get(reverse("reports:index"), WEEK | {"date_from": "2026-01-01"}).content.decode()
    assert re.search(
        r'src="/staff/reports/charts/utilisation-doctor\.svg\?[^"]*" width="720" height="608"', page
    )


def test_the_csv_holds_the_table_with_a_bom_and_guards_formulas(client, week):
    AppointmentFactory(
        doctor=week["asha"],
        starts_at=local(MONDAY, 11),
        status=AppointmentStatus.CANCELLED,
        cancel_reason='=HYPERLINK("http://x")',
    )
    client = signed_in(client, week["desk"])
    response = client.get(reverse("reports:csv", args=["cancel-reasons"]), WEEK)
    assert response["Content-Disposition"] == (
        'attachment; filename="cancel-reasons-indiranagar-20261102-20261108.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[:4] == [
        ["Cancellations by reason"],
        ["Indiranagar", "2026-11-02", "2026-11-08"],
        [],
        ["Reason", "Cancellations", "Share (%)"],
    ]
    assert rows[4:] == [
        ["Feeling better", "2", "50.0"],
        ['\'=hyperlink("http://x")', "1", "25.0"],
        ["No reason given", "1", "25.0"],
        ["All cancellations", "4", "100.0"],
    ]


def test_the_xlsx_holds_typed_cells_and_no_formula(client, week):
    AppointmentFactory(
        doctor=week["asha"],
        starts_at=local(MONDAY, 11),
        status=AppointmentStatus.CANCELLED,
        cancel_reason="=1+1",
    )
    response = signed_in(client, week["desk"]).get(reverse("reports:xlsx", args=["attendance"]), WEEK)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "No-shows and cancellations by doctor"
    assert values[3] == [
        "Doctor",
        "Bookings",
        "Came",
        "No-shows",
        "No-show rate (%)",
        "Cancelled",
        "Cancellation rate (%)",
        "Open",
    ]
    assert values[4] == ["Dr. Asha Menon", 9, 3, 2, 40.0, 3, 33.3, 1]
    assert values[6] == ["All doctors", 13, 6, 2, 25.0, 4, 30.8, 1]
    reasons = signed_in(client, week["desk"]).get(reverse("reports:xlsx", args=["cancel-reasons"]), WEEK)
    cells = [cell for row in load_workbook(io.BytesIO(reasons.content)).active.iter_rows() for cell in row]
    formula = next(cell for cell in cells if cell.value == "=1+1")
    assert formula.data_type == "s"  # text, not a formula


def test_every_section_downloads_as_xlsx_and_csv(client, week):
    client = signed_in(client, week["desk"])
    for slug in SECTIONS:
        book = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx", args=[slug]), WEEK).content))
        lines = list(
            csv.reader(
                io.StringIO(client.get(reverse("reports:csv", args=[slug]), WEEK).content.decode("utf-8-sig"))
            )
        )
        assert book.active.max_row == len(lines) >= 5
    sources = load_workbook(io.BytesIO(client.get(reverse("reports:xlsx", args=["sources"]), WEEK).content))
    assert list(sources.active.iter_rows(min_row=5, values_only=True)) == [
        ("Online", 7, 58.3),
        ("Phone", 4, 33.3),
        ("Walk-in", 1, 8.3),
        ("All sources", 12, 100.0),
    ]


def test_an_empty_rate_is_an_empty_cell(client, week):
    response = signed_in(client, week["desk"]).get(
        reverse("reports:xlsx", args=["utilisation-weekday"]), WEEK
    )
    values = [
        list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]
    assert values[9] == ["Saturday", 0.0, 0.0, None]


def grow(location, *, doctors: int, days: int):
    """More doctors with hours and a visit of every status and source on each of `days` days."""
    statuses = list(AppointmentStatus)
    sources = list(AppointmentSource)
    for number in range(doctors):
        doctor = DoctorFactory(location=location)
        week_hours(doctor, intervals=[(time(8), time(20))])
        for offset in range(days):
            starts = local(date(2026, 1, 1) + timedelta(days=offset), 8 + offset % 10)
            AppointmentFactory(
                doctor=doctor,
                starts_at=starts,
                status=statuses[(offset + number) % len(statuses)],
                source=sources[offset % len(sources)],
                cancel_reason=f"Reason {offset % 12}",
                booked_at=starts - timedelta(hours=offset * 7),
            )


def page_queries(client, django_assert_num_queries, *, first, last, expected):
    with django_assert_num_queries(expected):
        response = client.get(
            reverse("reports:index"), {"location": "indiranagar", "date_from": first, "date_to": last}
        )
    assert response.status_code == 200


def test_the_page_costs_the_same_queries_for_a_day_or_a_year_of_data(client, week, django_assert_num_queries):
    client = signed_in(client, week["desk"])
    page_queries(client, django_assert_num_queries, first="2026-11-02", last="2026-11-02", expected=QUERIES)
    grow(week["location"], doctors=6, days=60)
    page_queries(client, django_assert_num_queries, first="2025-11-23", last="2026-11-22", expected=QUERIES)


def test_a_chart_and_a_download_cost_a_fixed_number_of_queries(client, week, django_assert_num_queries):
    client = signed_in(client, week["desk"])
    grow(week["location"], doctors=3, days=30)
    # Sign-in (session, user, permissions x2), profile, locations, doctors, then the section's own:
    # utilisation reads hours, time off and booked minutes; attendance the counts; lead time its buckets.
    for slug, expected in [("utilisation-grid", 10), ("attendance", 8), ("lead-time", 8)]:
        for first in ("2026-01-01", "2025-11-23"):
            query = {"location": "indiranagar", "date_from": first, "date_to": "2026-11-22"}
            with django_assert_num_queries(expected):
                assert client.get(reverse("reports:chart", args=[slug]), query).status_code == 200
            with django_assert_num_queries(expected):
                assert client.get(reverse("reports:csv", args=[slug]), query).status_code == 200


# Session, user, the user's permissions (2), staff profile, locations, doctors, counts, working hours,
# time off, booked minutes, lead time, reasons, feedback, and the navigation's "is this user a doctor".
QUERIES = 15
