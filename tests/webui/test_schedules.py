"""The internal schedule and duty-plan pages (issue 9), on SQLite and PostgreSQL: roles and unit
scope, the shortfalls shown to leaders and supervisors of the unit and of the units above, the
day's reception sessions, bad input refused with a clear message and nothing stored, the roster's
phone numbers on internal pages, and the officer on duty pointed to the plan from the inbox.

The world's clock stands at Monday 2 March 2026, 09:00 in Vietnam."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.scenarios.world import COMMUNE, UBND
from tiepdan.cases.models import DutyPlan, DutyRoster, ReceptionSchedule
from tiepdan.cases.receptions import open_reception


def _count(web, model) -> int:
    with web.services.sessions() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _flagged(page: str, unit: str) -> str:
    """The shortfalls listed for `unit` on the schedule page."""
    match = re.search(rf'<li data-unit="{re.escape(unit)}">(.*?)</li>', page, re.S)
    assert match, unit
    return re.sub(r"<span class=\"shortfall\">|</span>(?=;|$)", "", match.group(1).strip())


def _add(browser, unit, day, leader, **extra):
    data = {"unit": unit, "day": day, "starts_at": "07:30", "ends_at": "11:00", "place": "Trụ sở UBND phường",
            "leader": leader, "leader_title": "head", **extra}
    return browser.post("/schedules/new", data, token_from=f"/schedules?unit={unit}")


def test_the_schedule_pages_need_a_role_and_stay_within_the_users_units(web):
    assert web.client().get("/schedules").status_code == 302  # to the sign-in page
    assert web.login("canbo").get("/schedules").status_code == 403  # a handling officer
    commune_leader = web.login("lanhdao.xa")
    assert commune_leader.get(f"/schedules?unit={UBND}").status_code == 404  # the unit above
    assert web.login("canbo.khac").get(f"/schedules?unit={COMMUNE}").status_code == 404  # another province
    assert web.login("lanhdao").get(f"/schedules?unit={COMMUNE}").status_code == 200  # below his unit
    # A commune leader cannot write into the province's schedule, even with a forged form.
    response = commune_leader.post("/schedules/new", {"unit": UBND, "day": "09/03/2026", "starts_at": "07:30",
                                                      "ends_at": "11:00", "place": "x", "leader": "lanhdao",
                                                      "leader_title": "head"}, token_from="/schedules")
    assert response.status_code == 404 and _count(web, ReceptionSchedule) == 0
    # Without the CSRF token nothing is written.
    response = commune_leader.post("/schedules/new", {"unit": COMMUNE, "day": "11/03/2026"}, csrf=False)
    assert response.status_code == 400 and _count(web, ReceptionSchedule) == 0


def test_a_schedule_entered_and_its_shortfalls_shown_to_the_supervisors(web):
    commune_leader = web.login("lanhdao.xa")
    response = _add(commune_leader, COMMUNE, "11/03/2026", "lanhdao.xa")  # Wed
    assert response.status_code == 302
    page = commune_leader.text(response.headers["Location"])
    assert "Đã thêm lịch tiếp công dân ngày 11/03/2026." in page and "Thứ Tư, 11/03/2026" in page
    # Posted by Wed 4/3 (5 working days before), entered Mon 2/3: not late.
    assert "04/03/2026" in page and "Nhập muộn" not in page
    # Fri 6/3, entered Mon 2/3: had to be posted by Fri 27/2.
    page = commune_leader.text(_add(commune_leader, COMMUNE, "06/03/2026", "lanhdao.xa").headers["Location"])
    assert "Nhập muộn: không kịp công bố trước 5 ngày làm việc" in page
    # Thu 30/4 is a holiday: flagged for moving.
    page = commune_leader.text(_add(commune_leader, COMMUNE, "30/04/2026", "lanhdao.xa").headers["Location"])
    assert "Cần dời lịch: ngày nghỉ theo lịch làm việc" in page

    # The province's supervisor sees the commune's shortfalls (weeks of March to May without a
    # session) and the province's own (no session at all); the commune's leader sees his own.
    supervisor = web.login("giamsat").text("/schedules")
    commune, province = _flagged(supervisor, COMMUNE), _flagged(supervisor, UBND)
    assert "tuần 16/03/2026 - 22/03/2026 (cần 1 ngày, có 0)" in commune
    assert "tuần 09/03/2026 - 15/03/2026" not in commune  # Wed 11/3
    assert "tuần 02/03/2026 - 08/03/2026" not in commune  # Fri 6/3, posted late but held
    assert ("tuần 27/04/2026 - 03/05/2026 (cần 1 ngày, có 0; "
            '<span class="mark overdue">cần dời lịch: 30/04/2026</span>)') in commune
    assert "tháng 03/2026 (cần 1 ngày, có 0)" in province  # the province's chairman
    own = commune_leader.text("/schedules")
    assert f'data-unit="{COMMUNE}"' in own and f'data-unit="{UBND}"' not in own
    # A reception officer enters schedules but is not the one the shortfalls are flagged to.
    assert "chưa đủ số ngày tối thiểu" not in web.login("tiepdan").text("/schedules")


def test_a_session_links_the_reception_sessions_held_that_day_and_is_postponed_or_cancelled(web):
    commune_leader = web.login("lanhdao.xa")
    _add(commune_leader, COMMUNE, "02/03/2026", "lanhdao.xa")
    with web.services.sessions() as s:
        [session_id] = s.execute(select(ReceptionSchedule.id)).scalars().all()
    with web.world.session() as s:
        held = open_reception(s, unit=COMMUNE, received_by="lanhdao.xa", is_leader_session=True,
                              clock=web.world.clock).id
        open_reception(s, unit=UBND, received_by="tiepdan", clock=web.world.clock)  # another unit: not listed
    page = commune_leader.text(f"/schedules/{session_id}")
    assert f'data-reception="{held}"' in page and page.count("data-reception=") == 1
    assert "Lãnh đạo tiếp" in page
    assert web.login("canbo.khac").get(f"/schedules/{session_id}").status_code == 404

    path = f"/schedules/{session_id}"
    for data, message in (({"day": "32/03/2026", "reason": "Họp"}, "Ngày không hợp lệ (dd/mm/yyyy)."),
                          ({"day": "09/03/2026", "reason": " "}, "Phải ghi lý do dời lịch")):
        response = commune_leader.post(f"{path}/postpone", data, token_from=path)
        assert message in commune_leader.text(response.headers["Location"])
    with web.services.sessions() as s:
        assert s.get(ReceptionSchedule, session_id).postponed_from is None
    response = commune_leader.post(f"{path}/postpone", {"day": "09/03/2026", "reason": "Chủ tịch họp đột xuất"},
                                   token_from=path)
    page = commune_leader.text(response.headers["Location"])
    assert "Đã dời lịch tiếp sang ngày 09/03/2026." in page and "Dời lịch từ ngày 02/03/2026" in page
    commune_leader.post(f"{path}/cancel", {"reason": "Bão"}, token_from=path)
    with web.services.sessions() as s:
        found = s.get(ReceptionSchedule, session_id)
        assert (found.day, found.cancelled, found.cancel_reason) == (date(2026, 3, 9), True, "Bão")


@pytest.mark.parametrize("changes, message", [
    ({"day": "31/02/2026"}, "Ngày không hợp lệ (dd/mm/yyyy)."),
    ({"day": "mai"}, "Ngày không hợp lệ (dd/mm/yyyy)."),
    ({"day": ""}, "Phải ghi ngày tiếp (dd/mm/yyyy)."),
    ({"starts_at": "14:00", "ends_at": "11:00"}, "Giờ kết thúc 11:00 phải sau giờ bắt đầu 14:00"),
    ({"leader": "khongco"}, "Không có lãnh đạo có tên đăng nhập"),
    ({"leader": "lanhdao"}, "không phải lãnh đạo của"),  # the province's leader, for the commune
    ({"leader_title": "bi_thu"}, "Chức danh người tiếp không hợp lệ"),
])
def test_bad_schedule_input_says_why_and_stores_nothing(web, changes, message):
    browser = web.login("lanhdao")
    args = {"day": "11/03/2026", "leader": "lanhdao.xa", **changes}
    response = _add(browser, COMMUNE, args.pop("day"), args.pop("leader"), **args)
    assert response.status_code == 302
    assert message in browser.text(response.headers["Location"])
    assert _count(web, ReceptionSchedule) == 0


def test_a_duty_plan_its_roster_and_the_officer_on_duty(web):
    leader = web.login("lanhdao")
    for data, message in (
        ({"starts_on": "20/02/2026", "ends_on": "10/02/2026"}, "trước ngày bắt đầu"),
        ({"starts_on": "xx", "ends_on": "10/02/2026"}, "Ngày không hợp lệ (dd/mm/yyyy)."),
    ):
        response = leader.post("/plans/new", {"unit": UBND, "title": "Kế hoạch Tết", "kind": "tet", **data},
                               token_from="/plans")
        assert message in leader.text(response.headers["Location"])
    assert _count(web, DutyPlan) == 0
    response = leader.post("/plans/new", {"unit": UBND, "title": "Kế hoạch tiếp công dân kỳ họp Quốc hội",
                                          "kind": "national_assembly", "starts_on": "02/03/2026",
                                          "ends_on": "06/03/2026", "number": "15/KH-UBND"}, token_from="/plans")
    plan_path = response.headers["Location"]
    plan_id = int(plan_path.rsplit("/", 1)[1])
    leader.post(f"{plan_path}/duties", {"unit": "04.TTR", "duties": "Kiểm tra, đôn đốc thực hiện Kế hoạch."},
                token_from=plan_path)
    for data, message in (({"day": "02/03/2026", "username": "khongco", "phone": "0912000111"}, "Không có cán bộ"),
                          ({"day": "09/03/2026", "username": "canbo", "phone": "0912000111"}, "ngoài thời gian"),
                          ({"day": "02/03/2026", "username": "canbo.khac", "phone": "0912000111"}, "không thuộc"),
                          ({"day": "02/03/2026", "username": "canbo", "phone": "abc"}, "Số điện thoại")):
        response = leader.post(f"{plan_path}/roster", data, token_from=plan_path)
        assert message in leader.text(response.headers["Location"])
    assert _count(web, DutyRoster) == 0
    leader.post(f"{plan_path}/roster", {"day": "02/03/2026", "username": "canbo", "phone": "0912 000 111",
                                        "task": "Trực tại Trụ sở tiếp công dân"}, token_from=plan_path)
    page = leader.text(plan_path)
    assert "Thanh tra tỉnh Cao Bằng" in page and "Kiểm tra, đôn đốc thực hiện Kế hoạch." in page
    assert "0912000111" in page and "Cán bộ canbo" in page
    printable = leader.text(f"{plan_path}/print")
    assert "KẾ HOẠCH" in printable and "0912000111" in printable and "15/KH-UBND" in printable

    # The officer on duty today sees the plan in his inbox, and may read it but not change it.
    officer = web.login("canbo")
    inbox = officer.text("/inbox")
    assert f'data-plan="{plan_id}"' in inbox and "Kế hoạch tiếp công dân kỳ họp Quốc hội" in inbox
    assert "Trực tại Trụ sở tiếp công dân" in inbox
    assert officer.get(plan_path).status_code == 200
    assert officer.post(f"{plan_path}/roster", {"day": "03/03/2026", "username": "canbo", "phone": "0912000111"},
                        token_from=plan_path).status_code == 403
    assert f'data-plan="{plan_id}"' not in web.login("canbo2").text("/inbox")  # not on duty
    assert web.login("canbo.khac").get(plan_path).status_code == 404  # another province
    web.world.clock.advance(days=1)
    assert f'data-plan="{plan_id}"' not in officer.text("/inbox")  # his day is over
