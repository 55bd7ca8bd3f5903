"""The supervisors' dashboard (/dashboard): who may open it and what they see (their unit's
subtree only), every figure's link returning exactly the rows it counts, and bulk actions through
a confirmation page, item by item, refusing what lies outside the user's scope or role.

The seeded cases (conftest) wait at intake's 'classify': an, binh, mat at the provincial People's
Committee, xa at a ward under it, khac at another province's committee."""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from tests.scenarios.world import COMMUNE, UBND, person
from tiepdan.cases.models import Unit
from tiepdan.cases.units import get_unit
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT
from tiepdan.engine.models import AuditEntry, ProcessInstance, ProcessVersion

from .conftest import _HASH

FIGURE_LINK = re.compile(r'<a[^>]*href="(/dashboard/(?:tasks|instances)[^"]*)"[^>]*>(?:<span class="n">)?(\d+)<')
TASK_ROW = re.compile(r'<tr class="[^"]*" data-task="([^"]+)"')
INSTANCE_ROW = re.compile(r'<tr data-instance="(\d+)"')


def task_ids(page: str) -> set[str]:
    return set(TASK_ROW.findall(page))


def ids(web, *names) -> set[str]:
    return {web.task(n).id for n in names}


def assignee(web, name: str) -> str | None:
    return web.task(name).assignee


def sibling_commune(web) -> str:
    with web.services.sessions() as s:
        return s.execute(
            select(Unit.code).where(Unit.parent_id == get_unit(s, COMMUNE).parent_id, Unit.code != COMMUNE)
            .order_by(Unit.code).limit(1)
        ).scalar_one()


def add_user(web, username: str, unit: str, roles) -> None:
    with web.world.session() as s:
        create_user(s, username=username, full_name=f"Cán bộ {username}", unit=unit, roles=roles, password_hash=_HASH,
                    processes_dir=REPO_ROOT / "processes", clock=web.world.clock)


def instance_of(web, name: str) -> ProcessInstance:
    [instance] = web.world.instances(web.cases[name])
    return instance


# --- who may see what ----------------------------------------------------------------------------


def test_officers_get_403_and_no_menu_entry(web):
    officer = web.login("canbo")
    for path in ("/dashboard/", "/dashboard/tasks", "/dashboard/instances", "/dashboard/heatmap"):
        assert officer.get(path).status_code == 403, path
    assert officer.post("/dashboard/bulk/confirm", {"action": "reassign", "ids": web.task("an").id},
                        token_from="/inbox").status_code == 403
    assert "/dashboard/" not in officer.text("/inbox")
    assert 'href="/dashboard/"' in web.login("giamsat").text("/inbox")
    assert web.client().get("/dashboard/").status_code == 302  # to the login page


def test_a_commune_supervisor_sees_only_the_commune(web):
    sibling = sibling_commune(web)
    web.cases["sibling"] = web.world.register(unit=sibling, title="Đơn ở xã bên", content="Kiến nghị về chợ",
                                              petitioners=[person("Vũ Văn Bên")], petition_type="recommendation")
    add_user(web, "giamsat.xa", COMMUNE, ("supervisor",))
    browser = web.login("giamsat.xa")
    page = browser.text("/dashboard/")
    assert f'data-unit="{COMMUNE}"' in page and f'data-unit="{sibling}"' not in page and f'data-unit="{UBND}"' not in page
    assert task_ids(browser.text("/dashboard/tasks")) == ids(web, "xa")
    # The province, a sibling ward and another province are out of reach, by any parameter.
    for path in (f"/dashboard/?unit={UBND}", f"/dashboard/?unit={sibling}", f"/dashboard/tasks?within={UBND}",
                 "/dashboard/?unit=99.UBND", "/dashboard/?unit=nope"):
        assert browser.get(path).status_code == 404, path
    assert task_ids(browser.text(f"/dashboard/tasks?unit={sibling}")) == set()

    # The province's supervisor sees the province, both wards, not the other province; and may
    # narrow the dashboard to one ward.
    province = web.login("giamsat")
    page = province.text("/dashboard/")
    assert all(f'data-unit="{code}"' in page for code in (UBND, COMMUNE, sibling)) and "99.UBND" not in page
    assert task_ids(province.text("/dashboard/tasks")) == ids(web, "an", "binh", "mat", "xa", "sibling")
    narrowed = province.text(f"/dashboard/?unit={sibling}")
    assert f'data-unit="{sibling}"' in narrowed and f'data-unit="{UBND}"' not in narrowed


def test_every_figure_links_to_the_rows_it_counts(web):
    world = web.world
    world.clock.advance(days=20)  # the seeded cases (due 16/3) are overdue
    web.cases["new"] = world.register(unit=UBND, title="Đơn mới", content="Kiến nghị lắp đèn đường",
                                      petitioners=[person("Phạm Văn Mới")], petition_type="recommendation")
    world.services.runtime.claim(web.task("an").id, "canbo")
    world.services.runtime.suspend(instance_of(web, "binh").id, "quantri", reason="Chờ giám định")
    browser = web.login("giamsat")
    page = browser.text("/dashboard/")
    links = FIGURE_LINK.findall(page)
    assert len(links) > 15
    checked = 0
    for href, figure in links:
        target = browser.text(html.unescape(href))
        rows = TASK_ROW.findall(target) if urlsplit(href).path.endswith("/tasks") else INSTANCE_ROW.findall(target)
        assert len(set(rows)) == int(figure), (href, figure)
        checked += int(figure) > 0
    assert checked > 8
    # Spot-check some figures against the known set.
    assert task_ids(browser.text("/dashboard/tasks?kind=overdue")) == ids(web, "an", "binh", "mat", "xa")
    assert task_ids(browser.text("/dashboard/tasks?kind=due_soon")) == set()
    assert task_ids(browser.text("/dashboard/tasks?assignee=canbo")) == ids(web, "an")
    assert task_ids(browser.text(f"/dashboard/tasks?unit={UBND}&unassigned=1")) == ids(web, "binh", "mat", "new")
    suspended = browser.text("/dashboard/instances?kind=suspended")
    assert INSTANCE_ROW.findall(suspended) == [str(instance_of(web, "binh").id)]
    # The denouncer's name never shows, though "mat"'s title holds it.
    assert "Lý Văn Mật" not in browser.text("/dashboard/tasks") and "Lý Văn Mật" not in page


def test_bad_parameters_give_a_message_not_a_500(web):
    browser = web.login("giamsat")
    bad_kind = browser.get("/dashboard/tasks?kind=bogus&version=x&page=abc")
    assert bad_kind.status_code == 400 and "Loại danh sách không hợp lệ." in bad_kind.get_data(as_text=True)
    assert browser.get("/dashboard/instances?kind=bogus").status_code == 400
    assert browser.get("/dashboard/heatmap?version=999999").status_code == 404
    for data, message in (
        ({"action": "delete", "ids": "x"}, "Hãy chọn một thao tác."),
        ({"action": "reassign"}, "Hãy chọn ít nhất một mục."),
        ({"action": "resume", "ids": "abc"}, "Mã hồ sơ được chọn không hợp lệ."),
        ({"action": "suspend", "ids": "1", "reason": "  "}, "Hãy nêu lý do tạm dừng."),
        ({"action": "reassign", "ids": [str(i) for i in range(201)]}, "tối đa 200 mục"),
    ):
        response = browser.post("/dashboard/bulk/confirm", data, token_from="/dashboard/")
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
    # Without the CSRF token nothing is even confirmed.
    assert browser.post("/dashboard/bulk/apply", {"action": "reassign", "ids": web.task("an").id, "assignee": "canbo"},
                        csrf=False).status_code == 400
    assert assignee(web, "an") is None


# --- bulk actions --------------------------------------------------------------------------------


def test_bulk_reassign_confirms_then_applies_item_by_item(web):
    browser = web.login("giamsat")
    selection = [web.task("an").id, web.task("binh").id, web.task("xa").id, web.task("khac").id]
    first = browser.post("/dashboard/bulk/confirm", {"action": "reassign", "ids": selection},
                         token_from="/dashboard/tasks").get_data(as_text=True)
    # The officers offered: those of the tasks' units holding the role, active.
    offered = set(re.findall(r'<option value="([^"]+)"', first)) - {""}
    assert offered == {"canbo", "canbo2", "canbo.xa", f"officer.{UBND}", f"officer.{COMMUNE}"}

    page = browser.post("/dashboard/bulk/confirm", {"action": "reassign", "ids": selection, "assignee": "canbo"},
                        token_from="/dashboard/tasks").get_data(as_text=True)
    assert page.count("Giao cho Cán bộ canbo") == 2
    assert "không thuộc đơn vị của việc" in page  # the ward's task: canbo is not of the ward
    assert "không thuộc phạm vi của bạn" in page  # the other province's task
    apply_form = page[page.index('action="/dashboard/bulk/apply"'):]
    assert set(re.findall(r'name="ids" value="([^"]+)"', apply_form)) == ids(web, "an", "binh")

    # Nothing changed yet; applying with the whole selection forced in still refuses the rest.
    assert assignee(web, "an") is None
    result = browser.post("/dashboard/bulk/apply", {"action": "reassign", "ids": selection, "assignee": "canbo"},
                          token_from="/dashboard/tasks")
    assert result.status_code == 200
    text = result.get_data(as_text=True)
    assert "Đã thực hiện 2 trên 4 mục." in text
    assert (assignee(web, "an"), assignee(web, "binh"), assignee(web, "xa"), assignee(web, "khac")) == ("canbo", "canbo", None, None)
    with web.services.sessions() as s:
        audited = s.execute(select(AuditEntry).where(AuditEntry.action == "task.reassign")).scalars().all()
    assert {(e.actor, e.task_id) for e in audited} == {("giamsat", web.task("an").id), ("giamsat", web.task("binh").id)}

    # Again to the same officer: refused as no change.
    again = browser.post("/dashboard/bulk/confirm", {"action": "reassign", "ids": [web.task("an").id], "assignee": "canbo"},
                         token_from="/dashboard/tasks").get_data(as_text=True)
    assert "Việc này đã giao cho người này." in again and 'action="/dashboard/bulk/apply"' not in again


def test_a_commune_leader_cannot_touch_the_province(web):
    browser = web.login("lanhdao.xa")
    target = web.task("an").id
    page = browser.post("/dashboard/bulk/apply", {"action": "reassign", "ids": [target], "assignee": "canbo"},
                        token_from="/dashboard/")
    assert page.status_code == 200 and "Đã thực hiện 0 trên 1 mục." in page.get_data(as_text=True)
    assert assignee(web, "an") is None


def test_bulk_actions_follow_the_roles_of_monitoring_yaml(web):
    instance = instance_of(web, "an").id
    leader = web.login("lanhdao")
    # Leaders reassign; suspending and retrying are for supervisors and administrators.
    for action in ("suspend", "retry", "resume"):
        response = leader.post("/dashboard/bulk/confirm", {"action": action, "ids": str(instance), "reason": "x"},
                               token_from="/dashboard/")
        assert response.status_code == 403, action
    assert 'name="reason"' not in leader.text("/dashboard/instances?kind=stuck")


def test_bulk_suspend_and_resume(web):
    browser = web.login("quantri")
    an, xa, khac = (instance_of(web, n).id for n in ("an", "xa", "khac"))
    page = browser.post("/dashboard/bulk/confirm", {"action": "suspend", "ids": [an, xa, khac], "reason": "Chờ giám định"},
                        token_from="/dashboard/").get_data(as_text=True)
    assert page.count("Tạm dừng (lý do: Chờ giám định)") == 2 and "không thuộc phạm vi của bạn" in page
    result = browser.post("/dashboard/bulk/apply", {"action": "suspend", "ids": [an, xa, khac], "reason": "Chờ giám định"},
                          token_from="/dashboard/").get_data(as_text=True)
    assert "Đã thực hiện 2 trên 3 mục." in result
    statuses = {n: instance_of(web, n).status for n in ("an", "xa", "khac")}
    assert statuses == {"an": "suspended", "xa": "suspended", "khac": "waiting"}
    assert web.task("an").state == "suspended"
    listed = INSTANCE_ROW.findall(browser.text("/dashboard/instances?kind=suspended"))
    assert set(listed) == {str(an), str(xa)}

    # Resuming a running case is refused on its line; the suspended ones resume.
    result = browser.post("/dashboard/bulk/apply", {"action": "resume", "ids": [an, instance_of(web, "binh").id]},
                          token_from="/dashboard/").get_data(as_text=True)
    assert "Đã thực hiện 1 trên 2 mục." in result and "Hồ sơ không ở trạng thái tạm dừng." in result
    assert instance_of(web, "an").status == "waiting" and web.task("an").state == "open"
    with web.services.sessions() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.instance_id == an)).all()
    assert ("instance.suspend", "quantri") in actions and ("instance.resume", "quantri") in actions


def test_errored_instances_show_their_failure_and_retry(web):
    world = web.world
    with world.session() as s:  # acceptance fails until complaint_first is published again
        s.query(ProcessVersion).filter(ProcessVersion.process_id == "complaint_first").update({"status": "draft"})
    key = web.cases["binh"]
    world.complete(key, "classify", {"petition_type": "complaint", "within_competence": "yes", "outcome": "accept"})
    world.complete(key, "approve_complaint", {"decision": "accept"}, actor="lanhdao")
    instance = instance_of(web, "binh")
    assert instance.status == "error"

    browser = web.login("giamsat")
    page = browser.text("/dashboard/")
    assert re.search(r'id="fig-error"[^>]*><span class="n">1<', page)
    assert instance.error_task in page and instance.error_operation in page and "complaint_first" in page
    assert f'form="retry-form" name="ids" value="{instance.id}"' in page

    # Still failing: the retry runs, and the line says it failed again.
    page = browser.post("/dashboard/bulk/confirm", {"action": "retry", "ids": instance.id}, token_from="/dashboard/")
    assert f"Chạy lại bước {instance.error_task}" in page.get_data(as_text=True)
    result = browser.post("/dashboard/bulk/apply", {"action": "retry", "ids": instance.id}, token_from="/dashboard/")
    assert "Đã thực hiện 0 trên 1 mục." in result.get_data(as_text=True)
    assert instance_of(web, "binh").status == "error"

    with world.session() as s:
        s.query(ProcessVersion).filter(ProcessVersion.process_id == "complaint_first").update({"status": "published"})
    result = browser.post("/dashboard/bulk/apply", {"action": "retry", "ids": instance.id}, token_from="/dashboard/")
    assert "Đã thực hiện 1 trên 1 mục." in result.get_data(as_text=True)
    intake, resolution = world.instances(key)
    assert (intake.status, resolution.process_id) == ("completed", "complaint_first")
    assert INSTANCE_ROW.findall(browser.text("/dashboard/instances?kind=error")) == []


def test_heatmap_page_and_data(web):
    browser = web.login("giamsat")
    version = instance_of(web, "an").version_id
    page = browser.text(f"/dashboard/heatmap?version={version}")
    assert 'data-element="classify"' in page and "heatmap.js" in page
    data = browser.get(f"/dashboard/heatmap/{version}.json").get_json()
    assert "definitions" in data["xml"] and 'id="classify"' in data["xml"]
    # an, binh, mat at the committee and xa at the ward; khac is outside the subtree.
    assert data["cells"]["classify"]["count"] == 4
    link = data["cells"]["classify"]["link"]
    assert task_ids(browser.text(link)) == ids(web, "an", "binh", "mat", "xa")
    ward = web.login("lanhdao.xa").get(f"/dashboard/heatmap/{version}.json").get_json()
    assert ward["cells"]["classify"]["count"] == 1
    assert browser.get("/dashboard/heatmap/999999.json").status_code == 404


def test_bulk_migrate_to_a_new_version(web):
    world = web.world
    source = (REPO_ROOT / "processes" / "petition_intake.bpmn").read_bytes()
    with world.session() as s:  # the same diagram with a comment: a new version, nothing moved
        [target] = world.services.library.publish(s, source + b"\n<!-- v2 -->\n", "petition_intake.bpmn", "phapche")
        target_id = target.id
    an, khac = instance_of(web, "an"), instance_of(web, "khac")
    browser = web.login("quantri")
    listed = browser.text(f"/dashboard/instances?kind=active&version={an.version_id}")
    assert str(an.id) in INSTANCE_ROW.findall(listed) and str(khac.id) not in INSTANCE_ROW.findall(listed)
    assert f'<option value="{target_id}">' in listed

    page = browser.post("/dashboard/bulk/confirm", {"action": "migrate", "ids": [an.id, khac.id], "version": target_id},
                        token_from="/dashboard/").get_data(as_text=True)
    assert f"Chuyển sang phiên bản {target_id}" in page and "không thuộc phạm vi của bạn" in page
    result = browser.post("/dashboard/bulk/apply", {"action": "migrate", "ids": [an.id, khac.id], "version": target_id},
                          token_from="/dashboard/").get_data(as_text=True)
    assert "Đã thực hiện 1 trên 2 mục." in result
    assert (instance_of(web, "an").version_id, instance_of(web, "khac").version_id) == (target_id, khac.version_id)
    # With two versions running, each heatmap counts its own instances' tasks.
    cells = {v: browser.get(f"/dashboard/heatmap/{v}.json").get_json()["cells"] for v in (an.version_id, target_id)}
    assert (cells[an.version_id]["classify"]["count"], cells[target_id]["classify"]["count"]) == (3, 1)
    # Already there: the plan refuses it, and nothing is offered to apply.
    again = browser.post("/dashboard/bulk/confirm", {"action": "migrate", "ids": [an.id], "version": target_id},
                         token_from="/dashboard/").get_data(as_text=True)
    assert f"đã ở phiên bản {target_id}" in again and 'action="/dashboard/bulk/apply"' not in again
    # Only administrators migrate.
    assert web.login("giamsat").post("/dashboard/bulk/confirm", {"action": "migrate", "ids": [an.id], "version": target_id},
                                     token_from="/dashboard/").status_code == 403
