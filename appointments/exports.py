"""Exports of the appointments of a date range and location(s): a small form, `.xlsx` and CSV.

Both files carry the same columns, read on each visit's own location's wall clock (SPEC 3.3, 3.5):
a date column, a time column and the zone abbreviation, then the same instant in ISO 8601 with its
offset for programs. The `.xlsx` (openpyxl) has typed date and time cells and every text as a text
cell, so no cell can ever run as a formula. The CSV starts with a UTF-8 byte-order mark (Excel reads
non-English names right) and guards only the values a spreadsheet would run as a formula
(`formula_guard`), never a phone number such as +919812345678 (docs/decisions.md, "Exports").
"""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from appointments.access import staff_required, visible_appointments, visible_doctors
from appointments.models import StaffProfile
from appointments.staff_forms import ExportForm

# Date, time and zone abbreviation on the location's wall clock (what the front desk reads), and the
# same instant in ISO 8601 with its UTC offset (what a program reads).
EXPORT_COLUMNS = [
    "reference",
    "date",
    "time",
    "time_zone",
    "starts_at",
    "doctor",
    "location",
    "patient_name",
    "mobile",
    "status",
    "source",
]
COLUMN_WIDTHS = {"reference": 11, "date": 11, "time": 7, "time_zone": 9, "starts_at": 22, "mobile": 16}
CSV_BOM = "\ufeff"
# A value a spreadsheet runs as a formula: "=", "@", a leading tab or carriage return, or "+"/"-" not
# followed by a digit (OWASP CSV injection). A sign and a digit is a number or a phone number, left
# alone only when nothing but digits and phone punctuation follow ("-2+3+cmd|..." is still guarded).
_FORMULA_START = re.compile(r"[=@\t\r]|[+-](?!\d)")
_SIGNED_NUMBER = re.compile(r"[+-]\d[\d ().-]*")


def formula_guard(value: str) -> str:
    """A CSV cell value a spreadsheet shows as typed: an apostrophe before a value that would run as a
    formula, nothing added otherwise. In and out: str. "=cmd" -> "'=cmd"; "+919812345678" unchanged;
    "-5" unchanged; "+cmd" and "-2+3+cmd|' /C calc'!A0" guarded. Rule: OWASP CSV injection, issue 12."""
    if not value:
        return value
    if _FORMULA_START.match(value) or (value[0] in "+-" and not _SIGNED_NUMBER.fullmatch(value)):
        return f"'{value}"
    return value


def export_scope(form: ExportForm, user):
    """(rows, first, last, scope) for a valid form: the user's visible appointments (doctor and
    locations applied) with their doctor and location joined, the local date range and a file-name
    part. Raises Http404 for a doctor the user may not see (a doctor probing another's schedule)."""
    first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    locations, doctor = list(form.cleaned_data["location"]), form.cleaned_data["doctor"]
    rows = visible_appointments(user).select_related("doctor", "location")
    if doctor is not None:
        if not visible_doctors(user).filter(pk=doctor.pk).exists():
            raise Http404("No such doctor")
        rows = rows.filter(doctor=doctor)
    if locations:
        rows = rows.filter(location__in=locations)
    # Local days differ per location: read a little more, then keep each row by its own local date.
    zone_slack = timedelta(hours=14)
    server_zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=server_zone) - zone_slack
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=server_zone) + zone_slack
    rows = rows.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")
    if doctor is not None:
        scope = doctor.slug
    elif len(locations) == 1:
        scope = locations[0].slug
    else:
        scope = f"{len(locations)}-locations" if locations else "all"
    return rows, first, last, scope


def export_values(rows, first: date, last: date) -> Iterator[list]:
    """One list of typed values per appointment whose local date is within [first, last], in
    EXPORT_COLUMNS order: str, a `date`, a naive local `time`, str... (one query, iterated in chunks)."""
    for appointment in rows.iterator(chunk_size=500):
        when = appointment.wall_clock
        local = when.local_start
        if not first <= local.date() <= last:
            continue
        yield [
            appointment.reference,
            local.date(),
            local.time().replace(second=0, microsecond=0, tzinfo=None),
            when.abbreviation,
            local.isoformat(timespec="minutes"),
            appointment.doctor.name,
            appointment.location.name,
            appointment.patient_name,
            # "+91 98450 31234": with its spaces no spreadsheet reads it as a number (9.198E+11),
            # and the formula guard leaves it alone (issue 12 finding 3).
            appointment.patient_phone.as_international if appointment.patient_phone else "",
            appointment.get_status_display(),
            appointment.get_source_display(),
        ]


def _form_or_page(request):
    """(form, None) for a valid query, or (None, the export page with the errors, status 400)."""
    form = ExportForm(request.GET)
    if form.is_valid():
        return form, None
    return None, render(request, "appointments/staff_export.html", {"form": form}, status=400)


def _default_form(request) -> ExportForm:
    """No query at all: the next 7 days, every location the user may see (an old bookmark keeps working)."""
    first = timezone.localdate()
    form = ExportForm({"date_from": first.isoformat(), "date_to": (first + timedelta(days=6)).isoformat()})
    form.is_valid()
    return form


@require_GET
@staff_required()
def export_form(request):
    """The export page: date range (this week by default), locations (the user's own ticked), doctor."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    profile = StaffProfile.objects.filter(user=request.user).select_related("default_location").first()
    initial = {"date_from": monday, "date_to": monday + timedelta(days=6)}
    if profile and profile.default_location:
        initial["location"] = [profile.default_location.slug]
    return render(request, "appointments/staff_export.html", {"form": ExportForm(initial=initial)})


class _Echo:
    def write(self, value):
        return value


@require_GET
@staff_required()
def export_csv(request):
    """CSV (UTF-8 with BOM), streamed; dates as YYYY-MM-DD and times as HH:MM on the location's clock."""
    if request.GET:
        form, page = _form_or_page(request)
        if page is not None:
            return page
    else:
        form = _default_form(request)
    rows, first, last, scope = export_scope(form, request.user)

    def lines():
        writer = csv.writer(_Echo())
        yield CSV_BOM + writer.writerow(EXPORT_COLUMNS)
        for values in export_values(rows, first, last):
            cells = [
                value.isoformat()
                if isinstance(value, date)
                else value.strftime("%H:%M")
                if isinstance(value, time)
                else formula_guard(str(value))
                for value in values
            ]
            yield writer.writerow(cells)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="appointments-{scope}-{first:%Y%m%d}-{last:%Y%m%d}.csv"'
    )
    return response  # Cache-Control: no-store comes from clinic.middleware (settings.PATIENT_DATA_URLS)


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that is text whatever it starts with ("=cmd", "+91..."): never a formula, never a number."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


@require_GET
@staff_required()
def export_xlsx(request):
    """The same rows as an Excel workbook: date cells (yyyy-mm-dd), time cells (hh:mm), text cells."""
    if request.GET:
        form, page = _form_or_page(request)
        if page is not None:
            return page
    else:
        form = _default_form(request)
    rows, first, last, scope = export_scope(form, request.user)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Appointments")
    for index, name in enumerate(EXPORT_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = COLUMN_WIDTHS.get(name, 22)
    sheet.freeze_panes = "A2"
    header = []
    for name in EXPORT_COLUMNS:
        cell = _text_cell(sheet, name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in export_values(rows, first, last):
        cells = []
        for value in values:
            if isinstance(value, date | time):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd" if isinstance(value, date) else "hh:mm"
            else:
                cell = _text_cell(sheet, str(value))
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="appointments-{scope}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"'
    )
    return response
