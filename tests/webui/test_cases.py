"""The case file: who sees which case (404 otherwise), masked parties and the audited reveal, open
tasks, timeline, documents, related cases, the diagram's JSON and the viewer's files, and the
events a leader of the holding unit may raise. Cases as in conftest: an, binh, mat (a
denunciation: its petitioner is sealed) at the People's Committee, xa at a ward under it, khac in
another province."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.scenarios.world import UBND
from tiepdan.cases.identity import SEALED_MASK
from tiepdan.cases.models import CaseComment, Petition
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT
from tiepdan.engine.models import AuditEntry
from tiepdan.webui import cases as cases_module

from .conftest import _HASH

UBND_CASES = {"an", "binh", "mat"}
# username -> the cases whose file the user may open
VISIBLE = {
    "canbo": UBND_CASES,
    "canbo2": UBND_CASES,
    "tiepdan": UBND_CASES,
    "quantri": UBND_CASES,
    "lanhdao": UBND_CASES | {"xa"},
    "giamsat": UBND_CASES | {"xa"},
    "xacminh": set(),
    "canbo.xa": {"xa"},
    "lanhdao.xa": {"xa"},
    "canbo.snnmt": set(),
    "canbo.khac": {"khac"},
}
ALL = ("an", "binh", "mat", "xa", "khac")


def reveals(web, key: str | None = None) -> list[AuditEntry]:
    with web.services.sessions() as s:
        stmt = select(AuditEntry).where(AuditEntry.action == "identity.reveal")
        if key:
            stmt = stmt.where(AuditEntry.business_key == key)
        return list(s.execute(stmt).scalars())


def sealed_party(web, case: str) -> int:
    petition = web.world.petition(web.cases[case])
    [party] = [p for p in petition.parties if p.sealed]
    return party.id


def accept_recommendation(web, case: str = "an") -> str:
    """Classify and accept a recommendation: the recommendation procedure then waits at 'handle'."""
    key = web.cases[case]
    web.world.complete(key, "classify", {"petition_type": "recommendation", "within_competence": "yes",
                                         "outcome": "accept", "note": "Ghi chú riêng của cán bộ"}, actor="canbo")
    web.world.complete(key, "approve_recommendation", {"decision": "accept"}, actor="lanhdao")
    return key


def add_verifier(web) -> None:
    with web.world.session() as s:
        create_user(s, username="xacminh.ubnd", full_name="Người xác minh", unit=UBND, roles=("verifier",),
                    password_hash=_HASH, processes_dir=REPO_ROOT / "processes", clock=web.world.clock)


# --- who sees a case ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_case_pages_by_role_and_unit(web, username):
    browser = web.login(username)
    for case in ALL:
        key = web.cases[case]
        instance = web.world.instances(key)[0].id
        expected = 200 if case in VISIBLE[username] else 404
        for path in (f"/cases/{key}", f"/cases/{key}/diagram/{instance}.json"):
            assert browser.get(path).status_code == expected, (case, path)
        posts = ((f"/cases/{key}/comments", {"text": "x"}),
                 (f"/cases/{key}/events", {"instance_id": instance, "message": "withdraw"}),
                 (f"/cases/{key}/parties/1/reveal", {"reason": "x"}))
        if expected == 404:
            assert "không thuộc phạm vi của đơn vị bạn" in browser.get(f"/cases/{key}").get_data(as_text=True)
            for path, data in posts:
                assert browser.post(path, data, token_from="/inbox").status_code == 404, (case, path)
    assert reveals(web) == []
    with web.services.sessions() as s:
        assert s.execute(select(func.count()).select_from(CaseComment)).scalar_one() == 0


def test_unknown_cases_and_anonymous_users(web):
    browser = web.login("lanhdao")
    assert browser.get("/cases/04.UBND/2026/999").status_code == 404
    assert browser.get("/cases/reception/999").status_code == 404
    key = web.cases["an"]
    anonymous = web.client()
    for path in (f"/cases/{key}", f"/cases/{key}/diagram/1.json", f"/cases/{key}/documents/1"):
        assert anonymous.get(path).headers["Location"].startswith("/login?next="), path
    for path in (f"/cases/{key}/comments", f"/cases/{key}/events", f"/cases/{key}/parties/1/reveal"):
        response = anonymous.post(path, {"text": "x", "reason": "x"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path


def test_csrf_is_required(web):
    browser = web.login("canbo")
    key = web.cases["mat"]
    party = sealed_party(web, "mat")
    browser.get(f"/cases/{key}")
    for path, data in ((f"/cases/{key}/comments", {"text": "x"}), (f"/cases/{key}/parties/{party}/reveal", {"reason": "x"}),
                       (f"/cases/{key}/events", {"instance_id": "1", "message": "withdraw"})):
        response = browser.post(path, data, csrf=False)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True), path
    assert reveals(web) == []


# --- the page -------------------------------------------------------------------------------------------


def test_the_case_page_shows_summary_parties_tasks_and_deadlines(web):
    key = web.cases["an"]
    page = web.login("canbo").text(f"/cases/{key}")
    petition = web.world.petition(key)
    assert petition.receipt_no in page and "Kiến nghị sửa chữa đường liên xóm bị sạt lở" in page
    assert "Nguyễn Văn An" in page and "004090001234" in page  # an open identity, to its unit
    task = web.task("an")
    assert f'data-task="{task.id}"' in page and f'href="/tasks/{task.id}"' in page
    assert "16/03/2026" in page and "Còn 10 ngày làm việc" in page
    assert "Bắt đầu quy trình" in page  # the timeline
    assert 'data-diagram-url="/cases/' in page and "/vendor/bpmn-viewer.js" in page
    assert "<script>" not in page  # CSP: no inline script


def test_a_sealed_identity_is_never_on_the_page(web):
    key = web.cases["mat"]
    for username in ("canbo", "lanhdao", "giamsat", "tiepdan"):
        page = web.login(username).text(f"/cases/{key}")
        assert "Lý Văn Mật" not in page and "004090009999" not in page, username
        assert SEALED_MASK in page
    # The task page beside the form: masked too.
    page = web.login("canbo").text(f"/tasks/{web.task('mat').id}")
    assert "Lý Văn Mật" not in page and "004090009999" not in page and SEALED_MASK in page


def test_a_reveal_is_audited_once_and_shown_once(web):
    key = web.cases["mat"]
    party = sealed_party(web, "mat")
    browser = web.login("canbo")
    page = browser.text(f"/cases/{key}")
    assert "Xem thông tin" in page and f"/cases/{key}/parties/{party}/reveal" in page

    no_reason = browser.post(f"/cases/{key}/parties/{party}/reveal", {"reason": "  "}, token_from=f"/cases/{key}")
    assert no_reason.status_code == 400
    assert "Phải nêu lý do khi xem thông tin người tố cáo." in no_reason.get_data(as_text=True)
    assert reveals(web) == []

    shown = browser.post(f"/cases/{key}/parties/{party}/reveal", {"reason": "Xác minh nội dung tố cáo"},
                         token_from=f"/cases/{key}")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    text = shown.get_data(as_text=True)
    assert "Lý Văn Mật" in text and "004090009999" in text
    assert "việc xem đã được ghi nhật ký" in text
    [entry] = reveals(web, key)
    assert entry.actor == "canbo" and entry.detail["party_id"] == party
    assert entry.detail["reason"] == "Xác minh nội dung tố cáo"
    assert "Lý Văn Mật" not in entry.detail_json

    # Shown once: the next view is masked again, with the reveal in the timeline.
    again = browser.text(f"/cases/{key}")
    assert "Lý Văn Mật" not in again and "Xem thông tin người tố cáo" in again
    assert len(reveals(web, key)) == 1


def test_a_reveal_is_refused_to_a_verifier_a_supervisor_and_another_unit(web):
    add_verifier(web)
    key = web.cases["mat"]
    party = sealed_party(web, "mat")
    for username in ("xacminh.ubnd", "giamsat"):
        browser = web.login(username)
        page = browser.text(f"/cases/{key}")  # the case is visible to the unit...
        assert f"/parties/{party}/reveal" not in page, username  # ...but no reveal button
        refused = browser.post(f"/cases/{key}/parties/{party}/reveal", {"reason": "tò mò"}, token_from=f"/cases/{key}")
        assert refused.status_code == 403, username
        assert "Lý Văn Mật" not in refused.get_data(as_text=True)
    for username in ("canbo.khac", "xacminh", "lanhdao.xa"):
        refused = web.login(username).post(f"/cases/{key}/parties/{party}/reveal", {"reason": "x"}, token_from="/inbox")
        assert refused.status_code == 404, username
    # A party of another case, under this case's key: 404.
    other = web.world.petition(web.cases["an"]).parties[0].id
    assert web.login("canbo").post(f"/cases/{key}/parties/{other}/reveal", {"reason": "x"},
                                   token_from="/inbox").status_code == 404
    assert reveals(web) == []


def test_the_timeline_never_shows_free_text_or_identity_fields(web):
    key = accept_recommendation(web)
    page = web.login("canbo").text(f"/cases/{key}")
    timeline = page[page.index('id="timeline"'):page.index('id="documents"')]
    for label in ("Bắt đầu quy trình", "Hoàn thành việc", "Phân loại, xử lý đơn",
                  "Lãnh đạo cho ý kiến xử lý kiến nghị, phản ánh"):
        assert label in timeline, label
    assert "Loại đơn (theo nội dung): Kiến nghị, phản ánh" in timeline
    assert "Hướng xử lý: Đề xuất thụ lý" in timeline
    assert "Ghi chú riêng của cán bộ" not in timeline  # a textarea: never in the timeline
    assert "task.complete" not in timeline


def test_comments_on_the_case(web):
    key = web.cases["an"]
    browser = web.login("lanhdao")
    done = browser.post(f"/cases/{key}/comments", {"text": "Đề nghị xử lý trước ngày 10"}, token_from=f"/cases/{key}")
    assert done.status_code == 302
    assert "Đề nghị xử lý trước ngày 10" in web.login("canbo").text(f"/tasks/{web.task('an').id}")
    too_long = browser.post(f"/cases/{key}/comments", {"text": "x" * 5001}, token_from=f"/cases/{key}")
    assert too_long.status_code == 400 and "Ý kiến tối đa 5000 ký tự." in too_long.get_data(as_text=True)


# --- documents, related cases -------------------------------------------------------------------------------


def test_documents_download_only_for_those_who_see_the_case(web):
    key = accept_recommendation(web)
    [document] = web.world.documents(key)
    url = f"/cases/{key}/documents/{document.id}"
    assert f'href="{url}"' in web.login("canbo").text(f"/cases/{key}")
    for username in ("canbo", "tiepdan", "lanhdao", "giamsat"):
        response = web.login(username).get(url)
        assert response.status_code == 200, username
        assert response.data == document.content
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for username in ("canbo.khac", "xacminh", "canbo.xa", "lanhdao.xa"):
        assert web.login(username).get(url).status_code == 404, username
    browser = web.login("canbo")
    assert browser.get(f"/cases/{web.cases['binh']}/documents/{document.id}").status_code == 404
    assert browser.get(f"/cases/{key}/documents/999999").status_code == 404


def test_related_cases_link_only_when_visible(web):
    an, xa, khac = (web.world.petition(web.cases[c]) for c in ("an", "xa", "khac"))
    with web.world.session() as s:
        s.get(Petition, an.id).duplicate_of_id = xa.id
        s.get(Petition, an.id).transferred_to_id = khac.id
    # The provincial leader sees the ward's case: a link; the other province's: no link.
    page = web.login("lanhdao").text(f"/cases/{web.cases['an']}")
    related = page[page.index('id="related"'):]
    assert f'href="/cases/{web.cases["xa"]}"' in related and xa.receipt_no in related
    assert web.cases["khac"] not in related and khac.receipt_no not in related
    assert "(đơn của đơn vị khác)" in related
    # An officer of the committee sees neither as a link; the ward's officer sees the link back.
    page = web.login("canbo").text(f"/cases/{web.cases['an']}")
    assert f'href="/cases/{web.cases["xa"]}"' not in page
    back = web.login("canbo.xa").text(f"/cases/{web.cases['xa']}")
    assert "Đơn trùng với đơn này" in back and f'href="/cases/{web.cases["an"]}"' not in back


# --- the diagram ----------------------------------------------------------------------------------------------


def test_the_diagram_json_names_completed_and_current_steps(web):
    key = accept_recommendation(web)
    intake, recommendation = web.world.instances(key)
    browser = web.login("canbo")
    data = json.loads(browser.text(f"/cases/{key}/diagram/{intake.id}.json"))
    assert set(data) == {"xml", "process_id", "completed", "current"}
    assert data["process_id"] == "petition_intake"
    assert data["completed"] == ["classify", "approve_recommendation"] and data["current"] == []
    assert 'id="classify"' in data["xml"] and "BPMNShape" not in data["xml"]  # laid out in the browser
    data = json.loads(browser.text(f"/cases/{key}/diagram/{recommendation.id}.json"))
    assert data["completed"] == [] and data["current"] == ["handle"]
    assert "Nguyễn Văn An" not in json.dumps(data, ensure_ascii=False)
    # An instance of another case under this key: 404.
    other = web.world.instances(web.cases["binh"])[0].id
    assert browser.get(f"/cases/{key}/diagram/{other}.json").status_code == 404


def test_the_viewer_and_the_layout_are_served_from_node_modules(web):
    browser = web.login("canbo")
    for name, marker in (("bpmn-viewer.js", b"BpmnJS"), ("bpmn-auto-layout.js", b"BpmnAutoLayout"),
                         ("diagram-js.css", b".djs-")):
        path, _media = cases_module.VENDOR_FILES[name]
        if not path.is_file():
            pytest.fail(f"{path} is missing: run `make setup` (npm ci and the esbuild bundle)")
        response = browser.get(f"/vendor/{name}")
        assert response.status_code == 200, name
        assert marker in response.data, name
    assert browser.get("/vendor/package.json").status_code == 404
    assert browser.get("/vendor/..%2Fpackage.json").status_code == 404
    script = (REPO_ROOT / "tiepdan" / "webui" / "static" / "case_diagram.js").read_text()
    assert "layoutProcess" in script and "addMarker" in script


# --- events --------------------------------------------------------------------------------------------------


def test_event_buttons_only_for_leaders_of_the_holding_unit(web):
    key = accept_recommendation(web)
    recommendation = web.world.instances(key)[1]
    leader = web.login("lanhdao")
    page = leader.text(f"/cases/{key}")
    offered = set(re.findall(r'data-event="([^"]+)"', page))
    assert offered == {"withdraw", "terminate"}  # never the diagram's own stop_case
    assert "Người gửi đơn rút đơn" in page and "Đình chỉ việc giải quyết" in page
    for username in ("canbo", "giamsat", "tiepdan"):
        browser = web.login(username)
        assert "data-event=" not in browser.text(f"/cases/{key}"), username
        refused = browser.post(f"/cases/{key}/events", {"instance_id": recommendation.id, "message": "withdraw"},
                               token_from=f"/cases/{key}")
        assert refused.status_code == 403, username
    for username in ("lanhdao.xa", "canbo.khac"):
        refused = web.login(username).post(f"/cases/{key}/events", {"instance_id": recommendation.id,
                                                                   "message": "withdraw"}, token_from="/inbox")
        assert refused.status_code == 404, username
    assert [t.task_spec for t in web.world.tasks(key)] == ["handle"]

    # Not waiting for it, or the diagram's own message: refused with a message, nothing sent.
    for message in ("suspend", "stop_case"):
        response = leader.post(f"/cases/{key}/events", {"instance_id": recommendation.id, "message": message},
                               token_from=f"/cases/{key}")
        assert response.status_code == 302
        assert "Hồ sơ không chờ sự kiện này lúc này." in leader.text(f"/cases/{key}")
    other = web.world.instances(web.cases["binh"])[0].id
    assert leader.post(f"/cases/{key}/events", {"instance_id": other, "message": "withdraw"},
                       token_from=f"/cases/{key}").status_code == 404

    done = leader.post(f"/cases/{key}/events", {"instance_id": recommendation.id, "message": "withdraw"},
                       token_from=f"/cases/{key}")
    assert done.status_code == 302
    page = leader.text(f"/cases/{key}")
    assert "Đã ghi nhận sự kiện “Người gửi đơn rút đơn”." in page
    assert "decide_withdrawal" in {t.task_spec for t in web.world.tasks(key)}
    with web.services.sessions() as s:
        [entry] = s.execute(select(AuditEntry).where(AuditEntry.business_key == key,
                                                     AuditEntry.action == "instance.message")).scalars()
    assert entry.actor == "lanhdao" and entry.detail["message"] == "withdraw"
    assert "Sự kiện trên hồ sơ" in page


def test_english_labels(web):
    key = web.cases["an"]
    browser = web.login("canbo")
    browser.get("/lang/en")
    page = browser.text(f"/cases/{key}")
    assert "Case summary" in page and "Process diagram" in page and "Start of the procedure" in page
    task_page = browser.text(f"/tasks/{web.task('an').id}")
    assert "Save draft" in task_page and "Complete" in task_page


def test_no_resolution_event_is_offered_once_the_decision_exists(web):
    from tests.scenarios.test_complaints import accepted_complaint, decide, instance, verify

    key = accepted_complaint(web.world)
    leader = web.login("lanhdao")
    offered = set(re.findall(r'data-event="([^"]+)"', leader.text(f"/cases/{key}")))
    assert offered == {"suspend", "continue", "withdraw", "terminate"}
    verify(web.world, key)
    decide(web.world, key, date(2026, 3, 20))
    # The diagram takes the resolution's events only while the resolution runs (active_during).
    assert "data-event=" not in leader.text(f"/cases/{key}")
    first = instance(web.world, key)
    response = leader.post(f"/cases/{key}/events", {"instance_id": first.id, "message": "withdraw"},
                           token_from=f"/cases/{key}")
    assert response.status_code == 302 and "Hồ sơ không chờ sự kiện này lúc này." in leader.text(f"/cases/{key}")
    assert [t.task_spec for t in web.world.tasks(key)] == ["send_decision"]
