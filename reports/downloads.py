"""A report table as a file: CSV (UTF-8 with a BOM, so spreadsheet apps read the accents) and .xlsx.

Cells keep their types in .xlsx (counts as integers, percentages and hours as numbers); a missing
rate is an empty cell in both. Labels are doctor names, reasons as patients typed them and the like,
so every text cell that a spreadsheet would run as a formula is written as text: in CSV with a
leading apostrophe, in .xlsx as a string cell (openpyxl would otherwise store "=..." as a formula).
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils import get_column_letter

from reports.figures import Report, Table

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _heading(report: Report, table: Table) -> list[list]:
    return [
        [table.title],
        [report.location.name, report.first.isoformat(), report.last.isoformat()],
        [],
        table.columns,
    ]


def table_csv(report: Report, table: Table) -> bytes:
    """The table as CSV bytes: title, location and period lines, a blank line, headings, rows, totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _heading(report, table):
        writer.writerow([_text(cell) for cell in line])
    for row in [*table.rows, *([table.footer] if table.footer else [])]:
        writer.writerow(
            ["" if cell is None else (_text(cell) if isinstance(cell, str) else cell) for cell in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(report: Report, table: Table) -> bytes:
    """The table as an .xlsx workbook with one sheet laid out like the CSV."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.slug[:31]
    lines = [*_heading(report, table), *table.rows, *([table.footer] if table.footer else [])]
    for row_number, line in enumerate(lines, start=1):
        for column, value in enumerate(line, start=1):
            cell = sheet.cell(row=row_number, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # "=..." stays text, never a formula
    for column in range(1, len(table.columns) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18 if column > 1 else 32
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
