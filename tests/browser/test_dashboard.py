"""In a real browser, the leader's dashboard: the charts draw, the overdue figure leads to the
overdue tasks, one is reassigned through the bulk action's confirmation, and the list shows it
with its new officer; the heatmap draws the intake diagram with the waiting tasks' badges.
Screenshots go to var/screenshots/dashboard-*.png."""
from __future__ import annotations

import re

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, with the reason
    expect = None

from .conftest import login, screenshot


def test_follow_overdue_figure_and_reassign_one(page, live_server):
    world = live_server.world
    world.clock.advance(days=20)  # the seeded letters (due 16/3/2026) are overdue
    task = world.task(live_server.cases["an"])
    other = world.task(live_server.cases["binh"])
    assert task.assignee is None

    login(page, "lanhdao")
    page.get_by_role("link", name="Giám sát").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("canvas.chart[data-rendered=true]")).to_have_count(2)
    expect(page.locator("#fig-overdue .n")).to_have_text("2")
    screenshot(page, "dashboard-1-figures")

    page.locator("#fig-overdue").click()
    expect(page).to_have_url(re.compile(r"/dashboard/tasks\?kind=overdue"))
    expect(page.locator("tr[data-task]")).to_have_count(2)
    page.locator(f'tr[data-task="{task.id}"] input[name=ids]').check()
    page.select_option("#bulk-action", "reassign")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Giao lại việc")
    page.select_option("#assignee", "xulydon")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator(f'tr[data-item="{task.id}"]')).to_contain_text("Giao cho Lê Minh Tuấn")
    screenshot(page, "dashboard-2-confirm")
    page.get_by_role("button", name=re.compile("Xác nhận thực hiện")).click()
    expect(page.locator(".flash.success")).to_contain_text("Đã thực hiện 1 trên 1 mục.")

    page.get_by_role("link", name="Quay lại danh sách").click()
    expect(page.locator(f'tr[data-task="{task.id}"] td.assignee')).to_have_text("Lê Minh Tuấn")
    expect(page.locator(f'tr[data-task="{other.id}"] td.assignee')).to_contain_text("Chưa nhận")
    screenshot(page, "dashboard-3-reassigned")
    assert world.task(live_server.cases["an"]).assignee == "xulydon"
    assert world.task(live_server.cases["binh"]).assignee is None


def test_heatmap_draws_the_waiting_tasks(page, live_server):
    world = live_server.world
    version = world.instances(live_server.cases["an"])[0].version_id
    login(page, "lanhdao")
    page.goto(f"/dashboard/heatmap?version={version}")
    canvas = page.locator(".heatmap-canvas[data-rendered=true]")
    expect(canvas).to_be_visible()
    badge = canvas.locator("a.heat-badge")
    expect(badge).to_have_count(1)
    expect(badge).to_have_text("2")
    expect(canvas.locator(".djs-element.heat-5")).to_have_count(1)
    screenshot(page, "dashboard-4-heatmap")
    badge.click()
    expect(page).to_have_url(re.compile(r"/dashboard/tasks\?.*task=classify"))
    expect(page.locator("tr[data-task]")).to_have_count(2)


def test_export_a_report_as_xlsx(page, live_server, tmp_path):
    from openpyxl import load_workbook

    login(page, "lanhdao")
    page.goto("/reports")
    download_link = page.locator("#download-form")
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"bao-cao-.+\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Ủy ban nhân dân tỉnh Cao Bằng" in c for c in cells)
