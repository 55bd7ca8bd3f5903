"""The periodic report forms (`tiepdan.cases.reports`) and the reception register
(`tiepdan.cases.register`) as .xlsx workbooks (openpyxl).

Each sheet has a title row naming the form, the unit and the period, then Vietnamese column
headers, then the rows, with thin borders and set column widths. A report's cells are codes,
fixed labels and counts only. The register's rows come from `register.register_rows`, which
already masks sealed identities (denouncers) in every column.
"""
from __future__ import annotations

import io
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .register import REGISTER_COLUMNS, RegisterRow
from .reports import NO_DATA, Report

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
REPORT_HEADERS = ("Mã số", "Chỉ tiêu", "Số liệu")
REPORT_WIDTHS = (10, 70, 14)
# Widths of the register's 13 columns, in REGISTER_COLUMNS order.
REGISTER_WIDTHS = (6, 12, 30, 18, 45, 12, 10, 24, 10, 28, 28, 24, 30)


def _sheet_name(text: str) -> str:
    return text.replace("/", "-")[:31]


def _title(ws, text: str, subtitle: str, ncols: int) -> None:
    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(row=1, column=1).alignment = CENTER
    ws.cell(row=2, column=1, value=subtitle).alignment = CENTER
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)


def _headers(ws, row: int, headers: Iterable[str], widths: Iterable[int]) -> None:
    for col, (header, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=row, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = CENTER
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(col)].width = width


HEADER_ROW = 4  # title, subtitle, blank, headers


def add_report_sheet(wb: Workbook, report: Report):
    ws = wb.create_sheet(_sheet_name(report.form))
    _title(ws, f"Biểu số {report.form}: {report.title}",
           f"Đơn vị: {report.unit_name} (bao gồm đơn vị trực thuộc); kỳ báo cáo: {report.period.label}", 3)
    _headers(ws, HEADER_ROW, REPORT_HEADERS, REPORT_WIDTHS)
    r = HEADER_ROW
    for row in report.rows:
        r += 1
        values = (row.code, row.label, NO_DATA if row.value is None else row.value)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = BORDER
            cell.alignment = WRAP
    for note in report.notes:
        r += 1
        ws.cell(row=r + 1, column=1, value=f"Ghi chú: {note}")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    return ws


def add_register_sheet(wb: Workbook, rows: list[RegisterRow], unit_name: str, date_from: date, date_to: date):
    ws = wb.create_sheet("So tiep cong dan")
    ncols = len(REGISTER_COLUMNS)
    _title(ws, "SỔ TIẾP CÔNG DÂN (Mẫu 03/TCD)",
           f"Đơn vị: {unit_name}; từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}", ncols)
    _headers(ws, HEADER_ROW, [h for _, h, _ in REGISTER_COLUMNS], REGISTER_WIDTHS)
    for i, reg in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(reg.cells(), start=1):
            cell = ws.cell(row=i, column=col, value=value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            cell.border = BORDER
            cell.alignment = WRAP
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    return ws


def _new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _save(wb: Workbook, path: Path | str) -> Path:
    """Write atomically: a temporary file in the same directory, then rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=path.parent or ".")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def reports_workbook(reports: list[Report]) -> Workbook:
    """One sheet per form."""
    wb = _new_workbook()
    for report in reports:
        add_report_sheet(wb, report)
    return wb


def register_workbook(rows: list[RegisterRow], *, unit_name: str, date_from: date, date_to: date) -> Workbook:
    wb = _new_workbook()
    add_register_sheet(wb, rows, unit_name, date_from, date_to)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx file's bytes (a web download)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_reports(reports: list[Report], path: Path | str) -> Path:
    return _save(reports_workbook(reports), path)


def write_register(rows: list[RegisterRow], path: Path | str, *, unit_name: str, date_from: date, date_to: date) -> Path:
    return _save(register_workbook(rows, unit_name=unit_name, date_from=date_from, date_to=date_to), path)
