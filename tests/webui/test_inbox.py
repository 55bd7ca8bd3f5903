"""The inbox: views and unit scoping per role, claim / unclaim / reassign, filters, search, paging
and deadline marks. Every case waits at intake's 'classify' for the handling officers of its unit:
an, binh, mat at the People's Committee (04.UBND), xa at a ward under it, khac at another
province's committee."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.scenarios.world import COMMUNE, UBND, person
from tiepdan.engine.calendar import load_calendar
from tiepdan.engine.db import transaction
from tiepdan.engine.models import TaskIndex
from tiepdan.webui import inbox as inbox_module

from .conftest import OTHER

ALL = ("an", "binh", "mat", "xa", "khac")
UBND_CASES = {"an", "binh", "mat"}
# username -> (cases whose tasks the user may see, cases the user may claim, leader)
SCOPES = {
    "canbo": (UBND_CASES, UBND_CASES, False),
    "tiepdan": (UBND_CASES, set(), False),
    "quantri": (UBND_CASES, set(), False),
    "lanhdao": (UBND_CASES | {"xa"}, set(), True),
    "giamsat": (UBND_CASES | {"xa"}, set(), False),
    "xacminh": (set(), set(), False),
    "canbo.xa": ({"xa"}, {"xa"}, False),
    "lanhdao.xa": ({"xa"}, set(), True),
    "canbo.khac": ({"khac"}, {"khac"}, True),
}


def task_ids(page: str) -> set[str]:
    return set(re.findall(r'data-task="([^"]+)"', page))


def ids(web, *cases) -> set[str]:
    return {web.task(c).id for c in cases}


def assignee(web, case: str) -> str | None:
    return web.task(case).assignee


# --- routes x roles x units -----------------------------------------------------------------------


def test_every_route_needs_a_login(web):
    browser = web.client()
    task = web.task("an").id
    for path in ("/inbox", "/inbox?view=queue", "/inbox?view=units", f"/tasks/{task}/reassign", "/password"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    for path in (f"/tasks/{task}/claim", f"/tasks/{task}/unclaim", f"/tasks/{task}/reassign"):
        response = browser.post(path, {"username": "canbo"})  # with a valid (anonymous) CSRF token
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    assert assignee(web, "an") is None


@pytest.mark.parametrize("username", sorted(SCOPES))
def test_routes_by_role_and_unit(web, username):
    visible, claimable, leader = SCOPES[username]
    browser = web.login(username)

    queue = task_ids(browser.text("/inbox?view=queue"))
    assert queue == ids(web, *claimable)
    assert task_ids(browser.text("/inbox")) == set()  # nothing claimed yet
    units = browser.get("/inbox?view=units")
    if username in ("lanhdao", "giamsat", "lanhdao.xa", "canbo.khac"):
        assert units.status_code == 200
        assert task_ids(units.get_data(as_text=True)) == ids(web, *visible)
    else:
        assert units.status_code == 403
        assert "Bạn không có quyền thực hiện thao tác này." in units.get_data(as_text=True)

    for case in ALL:
        task = web.task(case).id
        reassign_page = browser.get(f"/tasks/{task}/reassign")
        claim = browser.post(f"/tasks/{task}/claim", token_from="/inbox")
        if case not in visible:
            assert claim.status_code == 404, case
            assert reassign_page.status_code == 404, case
            assert browser.post(f"/tasks/{task}/unclaim", token_from="/inbox").status_code == 404
            assert "không thuộc phạm vi của đơn vị bạn" in claim.get_data(as_text=True)
            continue
        assert reassign_page.status_code == (200 if leader else 403), case
        if case in claimable:
            assert claim.status_code == 302, case
            assert assignee(web, case) == username
            assert task in task_ids(browser.text("/inbox"))
            assert browser.post(f"/tasks/{task}/unclaim", token_from="/inbox").status_code == 302
            assert assignee(web, case) is None
        else:
            assert claim.status_code == 403, case
            assert assignee(web, case) is None
            unclaim = browser.post(f"/tasks/{task}/unclaim", token_from="/inbox")
            assert unclaim.status_code == (302 if leader else 403), case


def test_unknown_views_and_tasks_answer_404(web):
    browser = web.login("lanhdao")
    assert browser.get("/inbox?view=all").status_code == 404
    assert browser.post("/tasks/no-such-task/claim", token_from="/inbox").status_code == 404
    assert browser.get("/tasks/no-such-task/reassign").status_code == 404


# --- claim, unclaim, reassign ---------------------------------------------------------------------


def test_claim_conflict_and_unclaim(web):
    first, second = web.login("canbo"), web.login("canbo2")
    task = web.task("binh").id
    assert first.post(f"/tasks/{task}/claim", {"next": "/inbox?view=queue"}, token_from="/inbox").headers["Location"] == "/inbox?view=queue"
    page = first.text("/inbox?view=queue")
    assert "Đã nhận việc “Phân loại, xử lý đơn”." in page
    assert task not in task_ids(page)
    mine = first.text("/inbox")
    assert task in task_ids(mine) and "Trả việc" in mine

    # The second officer's page was loaded before the claim: the claim now loses, saying to whom.
    assert second.post(f"/tasks/{task}/claim", token_from="/inbox").status_code == 302
    assert "Việc này đã được canbo nhận hoặc xử lý trước." in second.text("/inbox")
    assert assignee(web, "binh") == "canbo"
    assert second.post(f"/tasks/{task}/unclaim", token_from="/inbox").status_code == 403
    assert assignee(web, "binh") == "canbo"

    assert first.post(f"/tasks/{task}/unclaim", token_from="/inbox").status_code == 302
    assert assignee(web, "binh") is None
    assert task in task_ids(second.text("/inbox?view=queue"))


def test_claim_of_a_suspended_case_is_refused(web):
    instance = web.task("an").instance_id
    web.services.runtime.suspend(instance, actor="quantri", reason="test")
    browser = web.login("canbo")
    task = web.task("an")
    assert task.state == "suspended"
    assert "Hồ sơ tạm dừng" in browser.text("/inbox?view=queue")
    browser.post(f"/tasks/{task.id}/claim", token_from="/inbox")
    assert "đang tạm dừng" in browser.text("/inbox")
    assert assignee(web, "an") is None


def test_a_leader_reassigns_within_the_unit_and_role(web):
    leader = web.login("lanhdao")
    task = web.task("an").id
    form = leader.text(f"/tasks/{task}/reassign")
    offered = set(re.findall(r'<option value="([^"]+)"', form))
    # The unit's handling officers (the world's officer.04.UBND holds every role), nobody else.
    assert offered == {"canbo", "canbo2", f"officer.{UBND}"}

    for wrong in ("tiepdan", "canbo.xa", "nghiviec", "khongco"):
        refused = leader.post(f"/tasks/{task}/reassign", {"username": wrong}, token_from=f"/tasks/{task}/reassign")
        assert refused.status_code == 400, wrong
        assert "Hãy chọn một cán bộ của đơn vị có vai trò phù hợp." in refused.get_data(as_text=True)
    assert assignee(web, "an") is None

    done = leader.post(f"/tasks/{task}/reassign", {"username": "canbo2", "next": "/inbox?view=units"},
                       token_from=f"/tasks/{task}/reassign")
    assert done.status_code == 302 and done.headers["Location"] == "/inbox?view=units"
    assert assignee(web, "an") == "canbo2"
    assert "Đã giao việc “Phân loại, xử lý đơn” cho Cán bộ canbo2." in leader.text("/inbox?view=units")
    assert task in task_ids(web.login("canbo2").text("/inbox"))
    again = leader.post(f"/tasks/{task}/reassign", {"username": "canbo"}, token_from=f"/tasks/{task}/reassign")
    assert again.status_code == 302 and assignee(web, "an") == "canbo"

    # A ward's task, from the provincial leader: offered the ward's officers.
    ward_task = web.task("xa").id
    assert set(re.findall(r'<option value="([^"]+)"', leader.text(f"/tasks/{ward_task}/reassign"))) == {
        "canbo.xa", f"officer.{COMMUNE}"}
    leader.post(f"/tasks/{ward_task}/reassign", {"username": "canbo.xa"}, token_from=f"/tasks/{ward_task}/reassign")
    assert assignee(web, "xa") == "canbo.xa"


def test_non_leaders_cannot_reassign(web):
    task = web.task("an").id
    for username in ("canbo", "giamsat"):
        browser = web.login(username)
        assert browser.post(f"/tasks/{task}/reassign", {"username": "canbo2"}, token_from="/inbox").status_code == 403
    assert assignee(web, "an") is None


# --- filters, search, paging, marks ----------------------------------------------------------------


def test_search_without_diacritics(web):
    browser = web.login("canbo")

    def found(q: str, view: str = "queue") -> set[str]:
        return task_ids(browser.text(f"/inbox?view={view}&q={q}"))

    assert found("nguyen van an") == ids(web, "an")
    assert found("NGUYỄN VĂN AN") == ids(web, "an")
    assert found("thu hoi dat") == ids(web, "binh")
    receipt = web.world.petition(web.cases["binh"]).receipt_no
    assert found(receipt) == ids(web, "binh")
    assert found(web.cases["mat"]) == ids(web, "mat")  # the business key
    assert found("100%") == set()  # LIKE wildcards are taken literally
    # A denouncer's name is sealed: it is not searchable, and it is masked in the title.
    assert found("ly van mat") == set()
    page = browser.text("/inbox?view=queue")
    assert "Lý Văn Mật" not in page and "Đơn tố cáo của ông" in page
    # Search stays within the unit: the ward's petition is not found from the province.
    assert found("tieng on") == set()
    assert task_ids(web.login("lanhdao").text("/inbox?view=units&q=tieng+on")) == ids(web, "xa")


def test_filters(web):
    world = web.world
    world.clock.advance(days=20)
    late = world.register(unit=UBND, title="Đơn mới", content="Kiến nghị lắp đèn đường",
                          petitioners=[person("Phạm Văn Mới")], petition_type="recommendation")
    browser = web.login("canbo")
    old = ids(web, "an", "binh", "mat")
    new = {world.task(late).id}

    def found(query: str) -> set[str]:
        response = browser.get(f"/inbox?view=queue&{query}")
        assert response.status_code == 200, query
        return task_ids(response.get_data(as_text=True))

    assert found("") == old | new
    assert found("overdue=1") == old
    assert found("type=complaint") == ids(web, "binh")
    assert found("type=recommendation") == ids(web, "an") | new
    assert found("from=22/03/2026") == new
    assert found("to=2026-03-02") == old
    assert found("from=01/03/2026&to=03/03/2026&type=denunciation") == ids(web, "mat")
    assert found("process=petition_intake") == old | new
    assert found("process=reception") == set()
    assert found("task=classify") == old | new
    assert found("task=nope") == set()
    bad = browser.get("/inbox?view=queue&from=31/02/2026&type=bogus")
    assert bad.status_code == 200
    assert "Ngày không hợp lệ (dd/mm/yyyy)." in bad.get_data(as_text=True)


def test_due_marks_use_working_days(web):
    world = web.world
    browser = web.login("canbo")
    task = web.task("an")
    with web.services.sessions() as s:
        calendar = load_calendar(s)
    today = world.clock.today()
    page = browser.text("/inbox?view=queue")
    left = calendar.working_days_between(today, task.due_date)
    assert left > 3
    assert f"Còn {left} ngày làm việc" in page
    assert 'class="overdue"' not in page and 'class="due-soon"' not in page

    # Move to 2 working days before the due date: due soon.
    world.clock.at = world.clock.at + timedelta(days=(calendar.add_working_days(task.due_date, -2) - today).days)
    page = browser.text("/inbox?view=queue")
    assert "Còn 2 ngày làm việc" in page and 'class="due-soon"' in page
    world.clock.at = world.clock.at + timedelta(days=(task.due_date - world.clock.today()).days)
    assert "Hết hạn hôm nay" in browser.text("/inbox?view=queue")
    # One working day past: overdue by one.
    world.clock.at = world.clock.at + timedelta(days=(calendar.add_working_days(task.due_date, 1) - task.due_date).days)
    page = browser.text("/inbox?view=queue")
    assert "Quá hạn 1 ngày làm việc" in page and 'class="overdue"' in page


def test_tasks_are_ordered_by_due_date_and_paged(web, monkeypatch):
    monkeypatch.setattr(inbox_module, "PAGE_SIZE", 2)
    # Give the three UBND tasks distinct due dates, the latest registered first.
    dues = {"mat": "2026-03-10", "an": "2026-03-12", "binh": "2026-03-11"}
    task_of = {case: web.task(case).id for case in dues}
    with transaction(web.services.sessions) as s:
        for case, due in dues.items():
            s.get(TaskIndex, task_of[case]).due_date = date.fromisoformat(due)
    browser = web.login("canbo")
    first = browser.text("/inbox?view=queue")
    order = re.findall(r'data-task="([^"]+)"', first)
    assert order == [web.task("mat").id, web.task("binh").id]
    assert "Trang sau" in first and "Trang trước" not in first
    second = browser.text("/inbox?view=queue&page=2")
    assert re.findall(r'data-task="([^"]+)"', second) == [web.task("an").id]
    assert "Trang sau" not in second and "Trang trước" in second
    assert browser.get("/inbox?view=queue&page=abc").status_code == 200


def test_the_other_province_sees_only_its_own(web):
    browser = web.login("canbo.khac")
    assert task_ids(browser.text("/inbox?view=units")) == ids(web, "khac")
    assert OTHER in browser.text("/inbox?view=units")


def test_each_row_links_to_its_task_and_its_case(web):
    browser = web.login("canbo")
    page = browser.text("/inbox?view=queue")
    task = web.task("an")
    assert f'href="/tasks/{task.id}"' in page
    assert f'href="/cases/{task.business_key}"' in page
    assert browser.get(f"/tasks/{task.id}").status_code == 200
    assert browser.get(f"/cases/{task.business_key}").status_code == 200
