"""Exports that open cleanly (issue 12 item 6): .xlsx with typed cells and text phones, CSV with a BOM,
separate date and time columns on the location's clock, a formula guard that leaves phones alone."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from appointments.exports import EXPORT_COLUMNS, formula_guard
from appointments.models import AppointmentSource, new_reference
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST
TEN_THIRTY = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 10:30 IST
RANGE = {"date_from": "2026-11-23", "date_to": "2026-11-29"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def whitefield():
    return LocationFactory(name="Whitefield", slug="whitefield")


@pytest.fixture
def london():
    return LocationFactory(name="Harley Street", slug="harley-street", time_zone="Europe/London")


@pytest.fixture
def visits(whitefield, london):
    here = DoctorFactory(name="Dr. Meera Kulkarni", location=whitefield)
    there = DoctorFactory(name="Dr. Amelia Hart", location=london)
    return {
        "priya": AppointmentFactory(
            doctor=here,
            starts_at=TEN_THIRTY,
            patient_name="Priya Sharma",
            patient_phone="+919812345678",
            source=AppointmentSource.PHONE,
        ),
        "injector": AppointmentFactory(
            doctor=here, starts_at=TEN_THIRTY + timedelta(hours=1), patient_name="=cmd|' /C calc'!A0"
        ),
        "zoe": AppointmentFactory(
            doctor=there,
            starts_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
            patient_name="Zoë Ó Súilleabháin",
        ),
    }


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def read_xlsx(response):
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))["Appointments"]


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        ("=cmd", True),
        ("@SUM(A1)", True),
        ("+cmd", True),
        ("-cmd", True),
        ("+ 1", True),
        ("\tx", True),
        ("\rx", True),
        ("-2+3+cmd|' /C calc'!A0", True),  # a sign and a digit, but a formula after it
        ("+919812345678", False),
        ("+44 20 7946 0018", False),
        ("-5", False),
        ("Priya Sharma", False),
        ("O'Brien", False),
        ("", False),
    ],
)
def test_the_formula_guard_catches_formulas_and_leaves_numbers_alone(value, guarded):
    assert formula_guard(value) == (f"'{value}" if guarded else value)


def test_the_csv_has_a_bom_date_and_time_columns_and_plain_phone_numbers(desk, visits):
    response = desk.get(reverse("staff:export"), {**RANGE, "location": "whitefield"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == EXPORT_COLUMNS
    priya = dict(zip(rows[0], rows[1], strict=True))
    assert (priya["date"], priya["time"], priya["time_zone"]) == ("2026-11-23", "10:30", "IST")
    # International format with spaces: no apostrophe, and no spreadsheet reads it as 9.198E+11.
    assert priya["mobile"] == "+91 98123 45678"
    injector = dict(zip(rows[0], rows[2], strict=True))
    assert injector["patient_name"] == "'=cmd|' /C calc'!A0"
    assert len(rows) == 3  # London's visit is another location


@pytest.mark.parametrize("number_like", ["23456789", "2345E678", "9E999999"])
def test_a_new_reference_never_looks_like_a_number_to_a_spreadsheet(monkeypatch, number_like):
    drawn = iter(number_like + "ABCD2345")
    monkeypatch.setattr("appointments.models.secrets.choice", lambda alphabet: next(drawn))
    assert new_reference() == "ABCD2345"


def test_the_csv_keeps_non_english_names_in_utf8(desk, visits):
    rows = read_csv(desk.get(reverse("staff:export"), {**RANGE, "location": "harley-street"}))
    zoe = dict(zip(rows[0], rows[1], strict=True))
    assert zoe["patient_name"] == "Zoë Ó Súilleabháin"
    assert (zoe["date"], zoe["time"], zoe["time_zone"]) == ("2026-11-24", "09:00", "GMT")


def test_the_xlsx_opens_with_typed_cells_and_text_phones(desk, visits):
    sheet = read_xlsx(
        desk.get(reverse("staff:export-xlsx"), {**RANGE, "location": ["whitefield", "harley-street"]})
    )
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == EXPORT_COLUMNS
    by_name = {row[EXPORT_COLUMNS.index("patient_name")].value: row for row in rows[1:]}
    assert set(by_name) == {"Priya Sharma", "=cmd|' /C calc'!A0", "Zoë Ó Súilleabháin"}
    priya = dict(zip(EXPORT_COLUMNS, by_name["Priya Sharma"], strict=True))
    assert priya["date"].is_date
    assert priya["date"].value.date() == date(2026, 11, 23)
    assert priya["time"].value == time(10, 30)
    assert priya["time_zone"].value == "IST"
    assert (priya["mobile"].value, priya["mobile"].data_type) == ("+91 98123 45678", "s")
    injector = dict(zip(EXPORT_COLUMNS, by_name["=cmd|' /C calc'!A0"], strict=True))
    # Stored as text, exactly as typed: a spreadsheet shows it and never runs it.
    assert (injector["patient_name"].value, injector["patient_name"].data_type) == ("=cmd|' /C calc'!A0", "s")
    zoe = dict(zip(EXPORT_COLUMNS, by_name["Zoë Ó Súilleabháin"], strict=True))
    assert (zoe["time"].value, zoe["time_zone"].value) == (time(9, 0), "GMT")


def test_the_xlsx_holds_no_formula_anywhere(desk, visits):
    response = desk.get(reverse("staff:export-xlsx"), RANGE)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert all(cell.data_type != "f" for row in workbook["Appointments"].iter_rows() for cell in row)


def test_a_range_and_several_locations_are_chosen_on_a_small_form(desk, visits, whitefield):
    page = desk.get(reverse("staff:exports"))
    assertContains(page, "Download Excel (.xlsx)")
    assertContains(page, 'value="whitefield"')
    assertContains(page, 'value="harley-street"')
    assertContains(page, 'type="date"')


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-11-30", "date_to": "2026-11-23"}, "The end date is before the start date."),
        ({"date_from": "2026-01-01", "date_to": "2026-12-31"}, "Export at most 92 days at a time."),
        ({"date_from": "x", "date_to": "2026-11-23"}, "Enter a date as YYYY-MM-DD"),
        ({"date_from": "9999-12-25", "date_to": "9999-12-31"}, "Choose a date from"),  # issue 10: was a 500
        ({**RANGE, "location": "atlantis"}, "Choose locations from the list."),
    ],
)
@pytest.mark.parametrize("url", ["staff:export", "staff:export-xlsx"])
def test_bad_export_input_shows_the_form_with_the_message_and_what_was_typed(
    desk, visits, params, message, url
):
    response = desk.get(reverse(url), params)
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, f'value="{params["date_to"]}"', status_code=400)


def test_exports_cost_the_same_queries_for_3_or_40_visits(desk, whitefield):
    doctor = DoctorFactory(location=whitefield)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = desk.get(reverse(url), RANGE)
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured)

    for n in range(3):
        AppointmentFactory(
            doctor=DoctorFactory(location=whitefield), starts_at=TEN_THIRTY + timedelta(days=n)
        )
    few = {url: queries(url) for url in ("staff:export", "staff:export-xlsx")}
    for n in range(37):
        AppointmentFactory(doctor=doctor, starts_at=TEN_THIRTY + timedelta(days=n % 6, minutes=20 * (n // 6)))
    assert {url: queries(url) for url in few} == few
