"""/reports, /reports/export, /reports/hotspots and /notifications: roles, unit scope, bad input
(a clear message, never a 500), the .xlsx downloads, CSRF on marking read, and no denouncer's
identity in any page or download."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.cases.test_report_export import assert_no_secret_bytes
from tests.scenarios.world import COMMUNE, UBND
from tiepdan.cases import notifications
from tiepdan.cases.users import get_user


DENOUNCER = ("Lý Văn Mật", "004090009999")  # the "mat" case of tests/webui/conftest.py
Q1 = {"kind": "quarter", "year": "2026", "quarter": "1"}


def _value(page: str, code: str) -> str:
    match = re.search(rf'<tr data-code="{re.escape(code)}"><td>[^<]*</td><td>[^<]*</td>\s*<td class="value">([^<]*)<',
                      page)
    assert match, code
    return match.group(1)


def test_only_leaders_supervisors_and_administrators(web):
    for user in ("canbo", "tiepdan", "xacminh"):
        client = web.login(user)
        for path in ("/reports", "/reports/hotspots", "/reports/export?form=01/TCD"):
            assert client.get(path).status_code == 403, (user, path)
        assert "/reports" not in client.text("/inbox")  # no nav link either
    assert web.client().get("/reports").status_code == 302  # to the login page
    for user in ("lanhdao", "giamsat", "quantri"):
        client = web.login(user)
        assert client.get("/reports").status_code == 200, user
        assert 'href="/reports"' in client.text("/inbox")


def test_a_report_on_screen_with_its_chart(web):
    client = web.login("lanhdao")
    page = client.text("/reports?" + "&".join(f"{k}={v}" for k, v in {**Q1, "form": "02/XLD", "unit": UBND}.items()))
    # The committee's three letters and the commune's one, received on 2/3/2026.
    assert _value(page, "1") == "4" and _value(page, "1.2") == "4" and _value(page, "2.1") == "1"
    assert 'id="report-chart"' in page and "data-chart=" in page
    assert "/cases/vendor/chart.js" in page or "vendor/chart.js" in page
    assert "<script>" not in page  # the CSP forbids inline scripts
    assert "Quý 1 năm 2026 (từ ngày 15/12/2025 đến ngày 14/03/2026)" in page
    commune = client.text(f"/reports?form=02/XLD&unit={COMMUNE}&kind=year&year=2026")
    assert _value(commune, "1") == "1"
    custom = client.text(f"/reports?form=02/XLD&unit={UBND}&kind=custom&from=03/03/2026&to=31/03/2026")
    assert _value(custom, "1") == "0"
    for form in ("03/GQKN", "04/GQTC", "05/KQTH", "06/QLKNTC", "01/TCD"):
        assert "report-table" in client.text(f"/reports?form={form}&unit={UBND}&kind=months6&year=2026")


@pytest.mark.parametrize("user,unit", [
    ("lanhdao.xa", UBND),  # a commune's leader, not above it
    ("canbo.khac", UBND),  # another province
    ("quantri", COMMUNE),  # an administrator sees his own unit only
    ("lanhdao", "04.NOPE"),
])
def test_no_report_outside_the_users_scope(web, user, unit):
    client = web.login(user)
    for path in ("/reports", "/reports/hotspots", "/reports/export"):
        assert client.get(f"{path}?form=01/TCD&unit={unit}&kind=year&year=2026").status_code == 404, path


def test_own_unit_is_the_default_and_the_only_choice_below(web):
    page = web.login("lanhdao.xa").text("/reports?form=01/TCD&kind=year&year=2026")
    assert f'<option value="{COMMUNE}" selected' in page and f'value="{UBND}"' not in page
    assert f'value="{COMMUNE}"' in web.login("lanhdao").text("/reports")


@pytest.mark.parametrize("query,message", [
    ("kind=custom&from=31/03/2026&to=01/03/2026", "Ngày kết thúc 01/03/2026 trước ngày bắt đầu 31/03/2026."),
    ("kind=custom&from=32/01/2026&to=01/03/2026", "Từ ngày không phải ngày hợp lệ (dd/mm/yyyy): 32/01/2026"),
    ("kind=custom&from=01/01/2026", "Kỳ tùy chọn cần cả ngày bắt đầu và ngày kết thúc."),
    ("kind=quarter&year=2026&quarter=7", "Năm hoặc quý không hợp lệ (quý từ 1 đến 4)."),
    ("kind=year&year=hai", "Năm và quý phải là số."),
    ("kind=week&year=2026", "Kỳ báo cáo không hợp lệ."),
    ("form=99/XX&kind=year&year=2026", "Biểu báo cáo không hợp lệ."),
])
def test_bad_input_gives_a_clear_message(web, query, message):
    client = web.login("giamsat")
    response = client.get(f"/reports?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "report-table" not in page
    assert client.get(f"/reports/hotspots?{query}").status_code == 400
    export = client.get(f"/reports/export?{query}")
    assert export.status_code == 302 and "/reports" in export.headers["Location"]
    assert message in client.get(export.headers["Location"]).get_data(as_text=True)


def test_downloads_open_with_openpyxl_and_hold_no_denouncer(web):
    client = web.login("lanhdao")
    args = "&".join(f"{k}={v}" for k, v in {**Q1, "unit": UBND}.items())
    for form, sheets in (("02/XLD", ["02-XLD"]), ("all", ["01-TCD", "02-XLD", "03-GQKN", "04-GQTC", "05-KQTH",
                                                          "06-QLKNTC"]), ("register", ["So tiep cong dan"])):
        response = client.get(f"/reports/export?form={form}&{args}")
        assert response.status_code == 200, form
        assert response.mimetype.endswith("spreadsheetml.sheet")
        assert "attachment" in response.headers["Content-Disposition"]
        data = response.get_data()
        assert load_workbook(io.BytesIO(data)).sheetnames == sheets
        assert_no_secret_bytes(data, DENOUNCER)
    xld = load_workbook(io.BytesIO(client.get(f"/reports/export?form=02/XLD&{args}").get_data()))["02-XLD"]
    assert [r for r in xld.iter_rows(values_only=True) if r[0] == "1"][0][2] == 4
    for path in (f"/reports?form=02/XLD&{args}", f"/reports/hotspots?{args}"):
        page = client.text(path)
        assert not any(secret in page for secret in DENOUNCER)


def test_hotspots_page(web):
    page = web.login("giamsat").text(f"/reports/hotspots?unit={UBND}&kind=year&year=2026")
    assert "hotspot-communes" in page and "Phường Thục Phán" in page
    assert "Không có vụ việc nào vượt ngưỡng." in page  # four single letters: nothing flagged


def test_notifications_bell_list_and_mark_read(web):
    with web.world.session() as s:
        giamsat, other = get_user(s, "giamsat"), get_user(s, "canbo.khac")
        notifications.notify(s, giamsat, key="a", subject="Tổng hợp ngày 02/03/2026", body="Đơn 1/2026: quá hạn",
                             clock=web.world.clock)
        notifications.notify(s, giamsat, key="b", subject="Thông báo thứ hai", link="/inbox?view=units",
                             clock=web.world.clock)
        foreign = notifications.notify(s, other, key="c", subject="Của tỉnh khác", clock=web.world.clock)
        s.flush()
        foreign_id = foreign.id
    client = web.login("giamsat")
    assert '<span class="count" id="unread-count">2</span>' in client.text("/inbox")
    page = client.text("/notifications")
    assert "Tổng hợp ngày 02/03/2026" in page and "Của tỉnh khác" not in page
    assert page.count('href="/inbox?view=units"') == 1  # the one notification with a link
    first = re.search(r'data-notification="(\d+)"', page).group(1)
    assert client.post("/notifications/read", {"id": first}, csrf=False).status_code == 400  # no CSRF token
    assert client.post("/notifications/read", {"id": "x"}, token_from="/notifications").status_code == 302
    assert client.post("/notifications/read", {"id": [first, str(foreign_id)]},
                       token_from="/notifications").status_code == 302
    assert '<span class="count" id="unread-count">1</span>' in client.text("/inbox")
    with web.world.session() as s:
        assert notifications.unread_count(s, get_user(s, "canbo.khac")) == 1  # untouched
    client.post("/notifications/read", {}, token_from="/notifications")
    assert 'id="unread-count"' not in client.text("/inbox")
