"""The report forms and the reception register as .xlsx, read back with openpyxl, and the
`tiepdan report` command, on both backends: content, layout, and no denouncer's identity in any
cell."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tiepdan.cases import register, report_export, reports
from tiepdan.cases.identity import SEALED_MASK
from tiepdan.cli import main

from .test_reports import (
    DENOUNCER, DENOUNCER_ADDRESS, DENOUNCER_CCCD, Q1_GQKN, Q1_GQTC, Q1_KQTH, Q1_TCD, Q1_XLD, build_cases,
)

EXPECTED = {"01/TCD": Q1_TCD, "02/XLD": Q1_XLD, "03/GQKN": Q1_GQKN, "04/GQTC": Q1_GQTC, "05/KQTH": Q1_KQTH}
SHEETS = ["01-TCD", "02-XLD", "03-GQKN", "04-GQTC", "05-KQTH", "06-QLKNTC"]
SECRETS = (DENOUNCER, DENOUNCER_CCCD, DENOUNCER_ADDRESS)


@pytest.fixture
def cases(world):
    return build_cases(world)


def _cells(path) -> list[tuple[str, list[list]]]:
    wb = load_workbook(path)
    return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]


def assert_no_secret_bytes(data: bytes, secrets=SECRETS) -> None:
    """No secret in any member of the .xlsx (a zip of XML parts), in UTF-8 or as XML escapes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            for secret in secrets:
                for form in (secret.encode(), secret.encode("ascii", "xmlcharrefreplace")):
                    assert form not in raw, (name, secret)


def _assert_no_secret(path) -> None:
    assert_no_secret_bytes(Path(path).read_bytes())
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if value is None:
                    continue
                text = str(value).lower()
                assert not any(s.lower() in text for s in SECRETS), (ws.title, value)


def test_report_workbook(world, cases, tmp_path):
    q1 = reports.report_period("quarter", 2026, 1)
    with world.session() as s:
        built = reports.build_all(s, world.committee, q1)
    path = report_export.write_reports(built, tmp_path / "q1.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS
    for form, ws in zip(reports.FORMS, wb.worksheets):
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        assert rows[0][0] == f"Biểu số {form}: {reports.FORMS[form]}"
        assert "Ủy ban nhân dân tỉnh Cao Bằng" in rows[1][0]
        assert "Quý 1 năm 2026 (từ ngày 15/12/2025 đến ngày 14/03/2026)" in rows[1][0]
        assert rows[3] == ["Mã số", "Chỉ tiêu", "Số liệu"]
        expected = EXPECTED.get(form) or {code: None for code, _, key in reports.QLKNTC_ROWS if key is None}
        body = {r[0]: r[2] for r in rows[4:4 + len(reports._ROWS[form])]}
        assert {k: v for k, v in body.items() if k in expected} == {
            k: (reports.NO_DATA if v is None else v) for k, v in expected.items()}
        assert any(r[0] and str(r[0]).startswith("Ghi chú: Cấu trúc biểu theo TT 02/2021") for r in rows)
        assert "A1:C1" in {str(m) for m in ws.merged_cells.ranges}
        assert ws["A5"].border.left.style == "thin" and ws["C5"].border.bottom.style == "thin"
        assert ws.column_dimensions["B"].width == 70
    _assert_no_secret(path)


def test_register_workbook(world, cases, tmp_path):
    q1 = reports.report_period("quarter", 2026, 1)
    with world.session() as s:
        rows = register.register_rows(s, world.committee, q1.start, q1.end, include_subunits=True)
    path = report_export.write_register(rows, tmp_path / "so.xlsx", unit_name="Ủy ban nhân dân tỉnh Cao Bằng",
                                        date_from=q1.start, date_to=q1.end)
    [(title, cells)] = _cells(path)
    assert title == "So tiep cong dan"
    assert cells[0][0] == "SỔ TIẾP CÔNG DÂN (Mẫu 03/TCD)"
    assert cells[1][0] == "Đơn vị: Ủy ban nhân dân tỉnh Cao Bằng; từ ngày 15/12/2025 đến ngày 14/03/2026"
    assert cells[3] == [h for _, h, _ in register.REGISTER_COLUMNS] and len(cells[3]) == 13
    body = cells[4:]
    # Sessions of Q1: the commune's on 15/12/2025, then r1, r2 (2 March), r3 (5 March), r4 (14 March).
    assert [r[0] for r in body] == [1, 2, 3, 4, 5]
    assert [r[1] for r in body] == [datetime(2025, 12, 15), datetime(2026, 3, 2), datetime(2026, 3, 2),
                                   datetime(2026, 3, 5), datetime(2026, 3, 14)]
    assert [r[5] for r in body] == [None, "KN", "TC", None, "KN-PA"]
    for got, want in zip(body, rows):
        assert [("" if v is None else v.date() if isinstance(v, datetime) else v) for v in got] == want.cells()
    denunciation = body[2]
    assert denunciation[2] == SEALED_MASK and denunciation[3] == SEALED_MASK
    assert DENOUNCER not in denunciation[4] and "cán bộ địa chính" in denunciation[4]
    ws = load_workbook(path).active
    assert ws.column_dimensions["E"].width == 45 and ws["M5"].border.top.style == "thin"
    _assert_no_secret(path)


def _run(world, *args):
    result = CliRunner().invoke(main, ["report", *args], env={"TIEPDAN_DATABASE_URL": world.db.url})
    return result


def test_cli_prints_and_exports(world, cases, tmp_path):
    result = _run(world, "02/XLD", "--unit", world.committee, "--year", "2026", "--quarter", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Biểu 02/XLD: Tổng hợp kết quả tiếp nhận, xử lý đơn"
    assert "Quý 1 năm 2026" in lines[1]
    first = next(line for line in lines if line.startswith("1 "))
    assert first.split()[-1] == "10"

    out = tmp_path / "all.xlsx"
    result = _run(world, "all", "--unit", world.committee, "--year", "2026", "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == SHEETS
    _assert_no_secret(out)

    reg = tmp_path / "so.xlsx"
    result = _run(world, "register", "--unit", world.office, "--from", "2026-03-01", "--to", "14/03/2026",
                  "--xlsx", str(reg))
    assert result.exit_code == 0, result.output
    assert "4 dòng" in result.output
    assert not any(s in result.output for s in SECRETS)
    _assert_no_secret(reg)

    result = _run(world, "04/GQTC", "--unit", world.committee, "--year", "2026", "--months", "6")
    assert result.exit_code == 0 and "6 tháng năm 2026" in result.output


@pytest.mark.parametrize("args", [
    ["07/XYZ", "--unit", "04.UBND", "--year", "2026"],
    ["01/TCD", "--unit", "04.NOPE", "--year", "2026"],
    ["01/TCD", "--unit", "04.UBND"],
    ["01/TCD", "--unit", "04.UBND", "--year", "2026", "--quarter", "5"],
    ["01/TCD", "--unit", "04.UBND", "--year", "2026", "--quarter", "1", "--months", "6"],
    ["01/TCD", "--unit", "04.UBND", "--from", "2026-13-01", "--to", "2026-12-01"],
    ["01/TCD", "--unit", "04.UBND", "--from", "2026-03-01"],
    ["01/TCD", "--year", "2026"],
    ["01/TCD", "--unit", "04.UBND", "--year", "2026", "--bogus"],
])
def test_cli_bad_input_is_one_line_exit_2(world, args):
    result = CliRunner().invoke(main, ["report", *args], env={"TIEPDAN_DATABASE_URL": world.db.url})
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: ")
