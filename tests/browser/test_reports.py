"""In a real browser: the leader opens the reports, chooses a form and a period, sees the table
and the chart drawn by Chart.js, and downloads the form and the reception register as .xlsx
workbooks that openpyxl opens. Screenshots go to var/screenshots/reports-*.png."""
from __future__ import annotations

import re

from openpyxl import load_workbook

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, with the reason
    expect = None

from .conftest import login, screenshot


def test_choose_a_form_and_period_see_the_chart_and_download(page, live_server, tmp_path):
    login(page, "lanhdao")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reports"))
    page.select_option("#form", "02/XLD")
    page.select_option("#kind", "year")
    page.fill("#year", "2026")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("section.report h2")).to_contain_text("02/XLD")
    chart = page.locator("canvas#report-chart")
    expect(chart).to_have_attribute("data-ready", "1")  # static/reports.js drew it with Chart.js
    assert chart.bounding_box()["height"] > 100
    # The two letters of the People's Committee, received on 2/3/2026.
    expect(page.locator('tr[data-code="1"] td.value')).to_have_text("2")
    screenshot(page, "reports-1-form")

    with page.expect_download() as info:
        page.locator("#download-form").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.startswith("bao-cao-02-XLD-") and path.suffix == ".xlsx"
    sheet = load_workbook(path)["02-XLD"]
    assert sheet["A1"].value == "Biểu số 02/XLD: Tổng hợp kết quả tiếp nhận, xử lý đơn"
    assert [r for r in sheet.iter_rows(values_only=True) if r[0] == "1"][0][2] == 2

    with page.expect_download() as info:
        page.locator("#download-register").click()
    register = tmp_path / info.value.suggested_filename
    info.value.save_as(register)
    assert load_workbook(register).sheetnames == ["So tiep cong dan"]

    # A reversed custom period: a clear message, no table.
    page.select_option("#kind", "custom")
    page.fill("#from", "31/03/2026")
    page.fill("#to", "01/03/2026")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator(".flash.error")).to_contain_text("trước ngày bắt đầu")
    expect(page.locator("canvas#report-chart")).to_have_count(0)
    screenshot(page, "reports-2-bad-period")
