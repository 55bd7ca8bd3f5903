"""In a real browser, the intake of a petition end to end: the reception officer registers a
letter at the front desk; the handling officer claims it from the unit's queue and classifies it
(a complaint within competence, proposed for acceptance); the leader claims the proposal and
accepts it; the case page shows the case with its diagrams drawn, steps done and current marked.
Screenshots of every step go to var/screenshots/intake-*.png."""
from __future__ import annotations

import re

from sqlalchemy import select

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, with the reason
    expect = None

from tiepdan.cases.models import Petition

from .conftest import login, screenshot

TITLE = "Đơn khiếu nại quyết định bồi thường khi thu hồi đất"


def logout(page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))


def claim_from_queue(page, task_id: str) -> None:
    page.goto("/inbox?view=queue")
    row = page.locator(f'tr[data-task="{task_id}"]')
    expect(row).to_be_visible()
    row.get_by_role("button", name="Nhận việc").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã nhận việc")


def test_register_classify_accept_and_see_the_case(page, live_server):
    world = live_server.world

    # The front desk: a letter received by post.
    login(page, "tiepcongdan")
    page.goto("/frontdesk/petition?channel=post")
    page.select_option("#channel", "post")
    page.fill("#title", TITLE)
    page.fill("#content", "Khiếu nại Quyết định số 45/QĐ-UBND về bồi thường, hỗ trợ khi Nhà nước thu hồi đất "
                          "của gia đình tôi tại tổ 7, phường Thục Phán.")
    page.fill("#letter_date", "25/02/2026")
    page.fill("#petitioner-0-full_name", "Hoàng Văn Khiếu")
    page.fill("#petitioner-0-address", "Tổ 7, phường Thục Phán, tỉnh Cao Bằng")
    page.select_option("#petitioner-0-id_type", "cccd")
    page.fill("#petitioner-0-id_number", "004090005555")
    screenshot(page, "intake-1-frontdesk-form")
    page.get_by_role("button", name="Vào sổ đơn").click()
    expect(page.get_by_text("Phân loại, xử lý đơn").first).to_be_visible()
    screenshot(page, "intake-2-registered")

    with world.session() as s:
        key = s.execute(select(Petition.business_key).where(Petition.title == TITLE)).scalar_one()
    classify = world.task(key)
    assert (classify.task_spec, classify.role, classify.assignee) == ("classify", "handling_officer", None)
    logout(page)

    # The handling officer: claim from the queue, classify.
    login(page, "xulydon")
    claim_from_queue(page, classify.id)
    screenshot(page, "intake-3-claimed")
    page.goto(f"/tasks/{classify.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phân loại, xử lý đơn")
    page.select_option("select[name=petition_type]", "complaint")
    page.select_option("select[name=field]", "land")
    page.select_option("select[name=within_competence]", "yes")
    page.select_option("select[name=outcome]", "accept")
    screenshot(page, "intake-4-classify")
    page.get_by_role("button", name="Hoàn thành").click()
    expect(page).to_have_url(re.compile(r"/inbox"))
    expect(page.locator(f'tr[data-task="{classify.id}"]')).to_have_count(0)
    approve = world.task(key)
    assert (approve.task_spec, approve.role) == ("approve_complaint", "leader")
    logout(page)

    # The leader: claim the proposal, accept.
    login(page, "lanhdao")
    claim_from_queue(page, approve.id)
    page.goto(f"/tasks/{approve.id}")
    page.select_option("select[name=decision]", "accept")
    screenshot(page, "intake-5-approve")
    page.get_by_role("button", name="Hoàn thành").click()
    expect(page).to_have_url(re.compile(r"/inbox"))
    with world.session() as s:
        status = s.execute(select(Petition.status).where(Petition.business_key == key)).scalar_one()
    assert status == "accepted"

    # The case page, with the diagrams drawn by bpmn-js: steps done and current marked.
    page.goto(f"/cases/{key}")
    expect(page.get_by_text(TITLE).first).to_be_visible()
    diagrams = page.locator("#diagram .bpmn-canvas")
    expect(diagrams.first).to_have_attribute("data-rendered", "true")
    expect(page.locator("#diagram .tiepdan-done").first).to_be_attached()
    expect(page.locator("#diagram .tiepdan-current").first).to_be_attached()
    expect(page.locator("#diagram .bpmn-canvas.failed")).to_have_count(0)
    screenshot(page, "intake-6-case")
