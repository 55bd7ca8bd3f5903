"""In a real browser: a reception officer signs in, sees the inbox in Vietnamese, switches to
English and back."""
from __future__ import annotations

import re

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails in CI, with the reason
    expect = None

from .conftest import login, screenshot


def test_reception_officer_sees_the_inbox_and_switches_language(page, live_server):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot(page, "login")

    login(page, "tiepcongdan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hộp việc")
    expect(page.get_by_role("link", name=re.compile("Việc của tôi"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Việc chờ nhận của đơn vị"))).to_be_visible()
    expect(page.locator("header .user")).to_contain_text("Nguyễn Thị Thanh Hương")
    expect(page.locator("header .user")).to_contain_text("Cán bộ tiếp công dân")
    expect(page.get_by_label("Tìm kiếm")).to_be_visible()
    screenshot(page, "inbox-vi")

    page.click("header a.lang[lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/inbox"))
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Hộp việc")
    expect(page.locator("header .user")).to_contain_text("Reception officer")
    screenshot(page, "inbox-en")

    page.click("header a.lang[lang=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hộp việc")
    expect(page.get_by_text("Đăng xuất")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Hệ thống tiếp công dân, xử lý đơn khiếu nại, tố cáo")
    screenshot(page, "inbox-vi-again")
