"""In a real browser and without signing in, the public pages: a published decision on the list
and its document downloaded; the leaders' reception schedule with a postponement, and its
printable copy; a case tracked with a wrong code (the same answer as an unknown receipt) and
then with the right one. Screenshots go to var/screenshots/public-*.png."""
from __future__ import annotations

import re
from datetime import date

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, with the reason
    expect = None

from tests.scenarios.world import UBND, person
from tiepdan.cases import schedules
from tiepdan.cases.models import ReceptionSchedule
from tiepdan.cases.parties import add_petitioner
from tiepdan.cases.petitions import register_petition
from tiepdan.handlers.intake import open_intake

from .conftest import screenshot


def _seed(world) -> tuple[str, str]:
    """A decision being published, two reception days (one postponed), and a tracked letter."""
    with world.session() as s:
        complaint = register_petition(s, unit=UBND, content="Khiếu nại Quyết định số 12/QĐ-UBND về thu hồi đất.",
                                      channel="post", created_by="tiepcongdan", petition_type="complaint",
                                      clock=world.clock).petition
        add_petitioner(s, complaint, person("Lê Văn Nam", "004085000111"), clock=world.clock)
        key = complaint.business_key
        tracked = register_petition(s, unit=UBND, content="Kiến nghị sửa đường liên xóm.", channel="post",
                                    created_by="tiepcongdan", petition_type="recommendation", clock=world.clock)
        add_petitioner(s, tracked.petition, person("Hà Thị Mai", "004190002222"), clock=world.clock)
        open_intake(world.services.runtime, s, tracked.petition, "tiepcongdan")
        receipt_no, code = tracked.petition.receipt_no, tracked.tracking_code
        for day in (date(2026, 3, 5), date(2026, 3, 9)):
            schedules.add_session(s, unit=UBND, day=day, starts_at="07:30", ends_at="11:00",
                                  place="Trụ sở Tiếp công dân tỉnh", leader="lanhdao", leader_title="head",
                                  actor="tiepcongdan", clock=world.clock)
    with world.session() as s:
        first = s.query(ReceptionSchedule).filter_by(day=date(2026, 3, 5)).one()
        schedules.postpone(s, first, date(2026, 3, 6), "Chủ tịch họp đột xuất", clock=world.clock)
    world.services.runtime.start("publication", key, unit_id=UBND, actor="xulydon",
                                 data={"publish_rule": "complaint.publish", "decided_on": "2026-03-02",
                                       "document": "", "remind_days": 3})
    world.complete(key, "plan_publication_complaint",
                   {"form": "posting", "starts_on": "2026-03-02", "keep_in_archive": True,
                    "summary": "Giữ nguyên Quyết định số 12/QĐ-UBND."})
    return receipt_no, code


def test_publications_schedule_and_tracking_without_signing_in(page, live_server):
    receipt_no, code = _seed(live_server.world)

    page.goto("/public/")
    expect(page.get_by_role("heading", name="Quyết định, kết luận đang công khai")).to_be_visible()
    row = page.locator("tr[id^=publication-]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Quyết định giải quyết khiếu nại ngày 02/03/2026")
    expect(row).to_contain_text("Từ 02/03/2026 đến hết 16/03/2026")
    expect(page.get_by_text("Lê Văn Nam")).to_have_count(0)
    screenshot(page, "public-1-publications")
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile("Tải văn bản")).click()
    assert download.value.suggested_filename.endswith(".docx")

    page.get_by_role("link", name="Lịch tiếp công dân").click()
    expect(page.get_by_role("heading", name="Lịch tiếp công dân định kỳ của lãnh đạo")).to_be_visible()
    sessions = page.locator("tr[id^=schedule-]")
    expect(sessions).to_have_count(2)
    expect(sessions.nth(0)).to_contain_text("Thứ Sáu, 06/03/2026")
    expect(sessions.nth(0)).to_contain_text("Dời lịch từ ngày 05/03/2026")
    expect(sessions.nth(0)).to_contain_text("Trần Văn Phúc")
    expect(sessions.nth(1)).to_contain_text("Thứ Hai, 09/03/2026")
    expect(sessions.nth(1)).to_contain_text("Chủ tịch Ủy ban nhân dân")
    screenshot(page, "public-2-schedule")
    page.get_by_role("link", name="Bản in").click()
    expect(page.locator("nav")).to_have_count(0)
    expect(page.locator("tr[id^=schedule-]")).to_have_count(2)
    screenshot(page, "public-3-schedule-print")

    page.goto("/public/track")
    page.fill("#receipt_no", receipt_no)
    page.fill("#code", "AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ với số biên nhận và mã tra cứu đã nhập.")
    expect(page.get_by_text(f"Hồ sơ số {receipt_no}")).to_have_count(0)
    screenshot(page, "public-4-track-wrong-code")
    page.fill("#receipt_no", receipt_no)
    page.fill("#code", code)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text(f"Hồ sơ số {receipt_no}")).to_be_visible()
    expect(page.get_by_text("Hà Thị Mai")).to_have_count(0)
    screenshot(page, "public-5-track-result")
