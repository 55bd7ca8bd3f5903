"""Legal staff's process pages (webui/modeler*.py): who may come, CSRF on every change, drafts
with their problems by element, refused files storing nothing, the form and rule editors, the
publish gate, the version diff and the migration dry run.

Everything that writes to processes/ runs on a copy of it (the `legal` fixture points the
process library there), never on the repository's files."""
from __future__ import annotations

import html
import json
import re
import shutil

import pytest
import yaml
from markupsafe import escape
from sqlalchemy import func, select

from tests.scenarios.world import UBND
from tests.webui.conftest import _HASH
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT
from tiepdan.engine.models import AuditEntry, ProcessInstance, ProcessVersion

PROCESS = "petition_intake"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p">&lol2;</bpmn:process>
</bpmn:definitions>"""
CAMUNDA_FILE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="imported_review" name="Xem xét" isExecutable="false">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script"/>
    <bpmn:scriptTask id="script" camunda:resultVariable="x"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.fixture
def legal(web, tmp_path):
    """`web` with a legal staff officer ("phapche") and the process library on a copy of processes/."""
    copy = tmp_path / "processes"
    shutil.copytree(REPO_ROOT / "processes", copy)
    web.services.library.processes_dir = copy
    with web.world.session() as s:
        create_user(s, username="phapche", full_name="Cán bộ pháp chế", unit=UBND, roles=("legal_staff",),
                    password_hash=_HASH, processes_dir=copy, clock=web.world.clock)
    return web


def versions(web, process_id: str = PROCESS) -> list[ProcessVersion]:
    with web.services.sessions() as s:
        return list(s.execute(
            select(ProcessVersion).where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.id)
        ).scalars())


def audit_actions(web) -> list[str]:
    with web.services.sessions() as s:
        return list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def published_xml(web) -> str:
    return [v for v in versions(web) if v.status == "published"][-1].bpmn_xml


def post_json(browser, path: str, body: dict, *, csrf: bool = True):
    headers = {"X-CSRFToken": browser.token("/processes/")} if csrf else {}
    return browser.client.post(path, json=body, headers=headers, environ_base=browser.environ)


def save(browser, xml: str, note: str = "thử"):
    return post_json(browser, f"/processes/{PROCESS}/drafts", {"xml": xml, "note": note})


def without_form(xml: str, task: str = "classify") -> str:
    """The diagram with `task`'s form property removed: a validation problem on that task."""
    start = xml.index(f'<bpmn:userTask id="{task}"')
    end = xml.index("</bpmn:userTask>", start)
    body = re.sub(r'<spiffworkflow:property name="form" value="[^"]*"\s*/>', "", xml[start:end])
    return xml[:start] + body + xml[end:]


def with_rule(xml: str, old: str, new: str, task: str) -> str:
    start = xml.index(f'<bpmn:userTask id="{task}"')
    end = xml.index("</bpmn:userTask>", start)
    return xml[:start] + xml[start:end].replace(f'value="{old}"', f'value="{new}"') + xml[end:]


# --- who may come --------------------------------------------------------------------------------


def test_officers_are_refused_and_legal_staff_see_every_process_with_its_versions(legal):
    officer = legal.login("canbo")
    assert officer.get("/processes/").status_code == 403
    assert officer.get("/processes/options.json").status_code == 403
    response = post_json(officer, f"/processes/{PROCESS}/drafts", {"xml": published_xml(legal)})
    assert response.status_code == 403 and response.is_json and response.get_json()["error"]
    assert "/processes/" not in officer.text("/inbox")  # no nav link either

    page = legal.login("phapche").text("/processes/")
    for process_id in ("petition_intake", "complaint_first", "denunciation"):
        assert f'data-process="{process_id}"' in page
    latest = versions(legal)[-1]
    assert f'href="/processes/{PROCESS}/modeler?version={latest.id}"' in page
    assert "Đã ban hành" in page and "tester" in page


def test_the_panels_offer_what_the_engine_knows(legal):
    options = legal.login("phapche").get("/processes/options.json").get_json()
    operations = {o["name"]: o for o in options["operations"]}
    assert "remind_assignee" in operations and "record_classification" in operations
    assert "classify_petition" in [f["value"] for f in options["forms"]]
    assert "petition.process" in [r["value"] for r in options["rules"]]
    assert [r["value"] for r in options["roles"]][:2] == ["reception_officer", "handling_officer"]
    assert "transfer_slip.docx" in options["documents"]


# --- drafts ----------------------------------------------------------------------------------------


def test_saving_needs_the_csrf_token(legal):
    browser = legal.login("phapche")
    before = len(versions(legal))
    response = post_json(browser, f"/processes/{PROCESS}/drafts", {"xml": published_xml(legal)}, csrf=False)
    assert response.status_code == 400 and response.is_json and "CSRF" in response.get_json()["error"]
    assert len(versions(legal)) == before


def test_a_broken_diagram_is_saved_as_a_draft_with_its_problems_by_element(legal):
    browser = legal.login("phapche")
    response = save(browser, without_form(published_xml(legal)), note="bỏ biểu mẫu")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [p["element"] for p in body["problems"]] == ["classify"]
    assert "form" in body["problems"][0]["message"]
    draft = versions(legal)[-1]
    assert (draft.id, draft.status, draft.created_by, draft.note) == (body["version_id"], "draft", "phapche", "bỏ biểu mẫu")
    assert body["url"] == f"/processes/{PROCESS}/modeler?version={draft.id}"
    # The draft opens in the modeler, its XML served as saved.
    assert f'data-version-id="{draft.id}"' in browser.text(body["url"])
    served = browser.get(f"/processes/{PROCESS}/versions/{draft.id}.json").get_json()
    assert served["status"] == "draft" and 'name="form"' not in served["xml"].split('id="classify"')[1].split("</bpmn:userTask>")[0]


@pytest.mark.parametrize("xml", ["<not xml", BILLION_LAUGHS.decode(), "<html><body>hi</body></html>"])
def test_a_malformed_or_hostile_diagram_is_refused_and_nothing_stored(legal, xml):
    browser = legal.login("phapche")
    before = len(versions(legal))
    response = save(browser, xml)
    assert response.status_code == 400 and response.get_json()["error"]
    assert len(versions(legal)) == before


@pytest.mark.parametrize("body", [None, [], {"xml": 5}, {"xml": ""}, {"xml": "<a/>", "note": ["x"]}])
def test_bad_json_gets_a_json_error_not_a_500(legal, body):
    browser = legal.login("phapche")
    headers = {"X-CSRFToken": browser.token("/processes/")}
    response = browser.client.post(f"/processes/{PROCESS}/drafts", json=body, headers=headers, environ_base=browser.environ)
    assert response.status_code == 400 and response.is_json


def test_unknown_process_or_version_is_404(legal):
    browser = legal.login("phapche")
    assert browser.get("/processes/nope/modeler").status_code == 404
    other = versions(legal, "complaint_first")[-1].id
    assert browser.get(f"/processes/{PROCESS}/modeler?version={other}").status_code == 404
    assert browser.get(f"/processes/{PROCESS}/modeler?version=abc").status_code == 404
    response = post_json(browser, f"/processes/{PROCESS}/scenarios", {"version_id": other})
    assert response.status_code == 404 and response.is_json


# --- import ------------------------------------------------------------------------------------------


def upload(browser, data: bytes, name: str):
    import io

    return browser.client.post(
        "/processes/import", environ_base=browser.environ, content_type="multipart/form-data",
        data={"csrf_token": browser.token("/processes/import"), "file": (io.BytesIO(data), name), "note": ""},
    )


def test_a_hostile_file_is_refused_and_nothing_stored(legal):
    browser = legal.login("phapche")
    with legal.services.sessions() as s:
        before = s.execute(select(func.count()).select_from(ProcessVersion)).scalar_one()
    response = upload(browser, BILLION_LAUGHS, "lolz.bpmn")
    assert response.status_code == 400
    assert "DOCTYPE" in response.get_data(as_text=True)
    response = upload(browser, b"\x89PNG\r\n", "anh.bpmn")
    assert response.status_code == 400
    huge = b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    response = upload(browser, huge + b" " * (6 * 1024 * 1024) + b"</bpmn:definitions>", "lon.bpmn")
    assert response.status_code == 400 and "KiB" in response.get_data(as_text=True)
    legal.app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # what Flask refuses before the view
    response = upload(browser, huge + b" " * (2 * 1024 * 1024), "rat_lon.bpmn")
    assert response.status_code == 413 and "quá lớn" in response.get_data(as_text=True)
    with legal.services.sessions() as s:
        assert s.execute(select(func.count()).select_from(ProcessVersion)).scalar_one() == before


def test_a_file_from_another_tool_lists_what_is_unsupported_and_becomes_a_draft(legal):
    browser = legal.login("phapche")
    response = upload(browser, CAMUNDA_FILE, "review.bpmn")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    unsupported = page.split('class="plain unsupported"')[1].split("</table>")[0]
    assert "<code>script</code>" in unsupported and "scriptTask" in unsupported
    assert "<code>start</code>" not in unsupported
    [draft] = versions(legal, "imported_review")
    assert draft.status == "draft" and draft.created_by == "phapche"
    assert f"/processes/imported_review/modeler?version={draft.id}" in page


# --- forms and rules -----------------------------------------------------------------------------------


def test_the_form_editor_refuses_an_invalid_form_and_writes_a_valid_one(legal):
    browser = legal.login("phapche")
    path = legal.services.library.processes_dir / "forms" / "send_notice.yaml"
    original = path.read_text(encoding="utf-8")
    assert "send_notice" in browser.text("/processes/forms")
    assert str(escape(original.splitlines()[0])) in browser.text("/processes/forms/send_notice")

    for bad in ("title: [unclosed", "title: x\nfields:\n  - name: a\n    type: nonsense\n", "title: a\ntitle: b\nfields: []\n"):
        response = browser.post("/processes/forms/send_notice", {"content": bad}, token_from="/processes/forms/send_notice")
        assert response.status_code == 400
        assert "tệp chưa được ghi" in response.get_data(as_text=True)
        assert path.read_text(encoding="utf-8") == original

    changed = original.replace(yaml.safe_load(original)["title"], "Gửi thông báo (sửa)", 1)
    response = browser.post("/processes/forms/send_notice", {"content": changed}, token_from="/processes/forms/send_notice")
    assert response.status_code == 302
    assert path.read_text(encoding="utf-8") == changed
    assert "process.form_saved" in audit_actions(legal)
    assert legal.services.library.ctx.forms["send_notice"].title == "Gửi thông báo (sửa)"
    assert not list(path.parent.glob(".*.tmp"))

    # A new form, and a name that is not one.
    new = "title: Biểu mẫu mới\nfields:\n  - name: ghi_chu\n    label: Ghi chú\n    type: text\n"
    assert browser.post("/processes/forms/bieu_mau_moi", {"content": new}, token_from="/processes/forms").status_code == 302
    assert (path.parent / "bieu_mau_moi.yaml").read_text(encoding="utf-8") == new
    assert browser.get("/processes/forms/..%2Fetc").status_code == 404
    assert browser.post("/processes/forms/send_notice", {"content": "x"}, csrf=False).status_code == 400


def test_the_rule_editor_refuses_invalid_rules_and_writes_valid_ones(legal):
    browser = legal.login("phapche")
    path = legal.services.library.processes_dir / "rules" / "catalogue.yaml"
    original = path.read_text(encoding="utf-8")
    page = "/processes/rules"
    broken = original.replace("unit: working_days", "unit: fortnights", 1)
    removed = re.sub(r"  - id: petition\.process\n(    .*\n)+", "", original, count=1)
    assert "petition.process" not in removed
    for bad, why in ((broken, "fortnights"), ("rules: [", "YAML"), (removed, "petition_intake.bpmn")):
        response = browser.post(page, {"content": bad}, token_from=page)
        assert response.status_code == 400 and why in response.get_data(as_text=True)
        assert path.read_text(encoding="utf-8") == original

    added = original + (
        "\n  - id: petition.test_rule\n    description: Quy tắc thử\n    description_en: Test rule\n    count: 5\n    unit: working_days\n"
        "    basis: thử\n    valid_from: 2020-01-01\n    to_verify: true\n"
    )
    response = browser.post(page, {"content": added}, token_from=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == added
    assert "process.rules_saved" in audit_actions(legal)
    assert legal.login("canbo").post(page, {"content": added}, token_from="/inbox").status_code == 403


# --- scenarios and the publish gate ---------------------------------------------------------------------


def test_publishing_needs_a_reason_and_passing_scenarios(legal):
    browser = legal.login("phapche")
    scenarios = legal.services.library.processes_dir / "scenarios" / f"{PROCESS}.yaml"
    # A harmless change: send_transfer's rule, whose due date no scenario checks.
    draft = save(browser, with_rule(published_xml(legal), "petition.process", "reception.notify", "send_transfer")).get_json()
    assert draft["problems"] == []
    vid = draft["version_id"]

    response = post_json(browser, f"/processes/{PROCESS}/publish", {"version_id": vid, "reason": "  "})
    assert response.status_code == 400 and "lý do" in response.get_json()["error"]

    failing = yaml.safe_load(scenarios.read_text(encoding="utf-8"))
    failing[0]["expect"]["end"] = "end_nowhere"
    original = scenarios.read_text(encoding="utf-8")
    scenarios.write_text(yaml.safe_dump(failing, allow_unicode=True), encoding="utf-8")
    run = post_json(browser, f"/processes/{PROCESS}/scenarios", {"version_id": vid}).get_json()
    assert [r["ok"] for r in run["results"]].count(False) == 1
    assert any("end_nowhere" in f for r in run["results"] for f in r["failures"])
    response = post_json(browser, f"/processes/{PROCESS}/publish", {"version_id": vid, "reason": "Luật mới"})
    assert response.status_code == 409
    assert any("end_nowhere" in p["message"] for p in response.get_json()["problems"])
    assert versions(legal)[-1].status == "draft"

    scenarios.write_text(original, encoding="utf-8")
    run = post_json(browser, f"/processes/{PROCESS}/scenarios", {"version_id": vid}).get_json()
    assert run["results"] and all(r["ok"] for r in run["results"])
    response = post_json(browser, f"/processes/{PROCESS}/publish", {"version_id": vid, "reason": "Luật mới"})
    assert response.status_code == 200, response.get_json()
    version = next(v for v in versions(legal) if v.id == response.get_json()["version_id"])
    assert (version.status, version.published_by, version.note) == ("published", "phapche", "Luật mới")
    assert "process.publish" in audit_actions(legal)
    # Once published it is no draft any more.
    assert post_json(browser, f"/processes/{PROCESS}/publish", {"version_id": version.id, "reason": "x"}).status_code == 409


# --- versions: diff and migration ----------------------------------------------------------------------


def test_the_versions_page_shows_the_difference_between_two_versions(legal):
    browser = legal.login("phapche")
    old = versions(legal)[-1]
    draft = save(browser, with_rule(old.bpmn_xml, "petition.process", "reception.notify", "classify")).get_json()
    page = browser.text(f"/processes/{PROCESS}/versions?a={old.id}&b={draft['version_id']}")
    changed = page.split('<ul class="diff-changed">')[1].split("</ul>\n")[0]
    assert "<code>classify</code>" in changed and "reception.notify" in changed
    assert "<code>classify</code>" not in page.split('<ul class="diff-added">')[1].split("</ul>")[0]
    assert 'data-changed="classify ' in page
    assert browser.get(f"/processes/{PROCESS}/versions?a={old.id}&b=99999").status_code == 404


def test_the_migration_dry_run_lists_which_cases_can_move(legal):
    browser = legal.login("phapche")
    old = versions(legal)[-1]
    # A new published version that only renames a task nobody is in yet.
    xml = old.bpmn_xml.replace('name="Tách đơn có nhiều nội dung"', 'name="Tách đơn nhiều nội dung"')
    with legal.world.session() as s:
        [new] = legal.services.library.publish(s, xml.encode(), f"{PROCESS}.bpmn", "tester")
    with legal.services.sessions() as s:
        running = list(s.execute(select(ProcessInstance.id).where(
            ProcessInstance.process_id == PROCESS, ProcessInstance.version_id == old.id)).scalars())
    assert running

    page = f"/processes/{PROCESS}/versions"
    form = {"target": str(new.id), "from_version": str(old.id), "action": "dry_run"}
    response = browser.post(f"/processes/{PROCESS}/migration", form, token_from=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for iid in running:
        row = html.split(f'data-instance="{iid}"')[1].split("</tr>")[0]
        assert "Chuyển được" in row
    with legal.services.sessions() as s:  # a dry run moves nothing
        assert set(s.execute(select(ProcessInstance.version_id).where(ProcessInstance.id.in_(running))).scalars()) == {old.id}

    response = browser.post(f"/processes/{PROCESS}/migration", {**form, "action": "move"}, token_from=page)
    assert response.status_code == 200
    with legal.services.sessions() as s:
        assert set(s.execute(select(ProcessInstance.version_id).where(ProcessInstance.id.in_(running))).scalars()) == {new.id}
    assert "instance.migrate" in audit_actions(legal)

    assert browser.post(f"/processes/{PROCESS}/migration", {"target": str(new.id)}, token_from=page).status_code == 400
    assert browser.post(f"/processes/{PROCESS}/migration", form, csrf=False).status_code == 400


def test_the_modeler_speaks_the_users_language(legal):
    browser = legal.login("phapche")
    def texts(page: str) -> dict:  # the panels' words, handed to the bundle in data-texts
        return json.loads(html.unescape(re.search(r'data-texts="([^"]*)"', page).group(1)))

    page = browser.text(f"/processes/{PROCESS}/modeler")
    assert "Lưu bản nháp" in page and texts(page)["groupDeadline"] == "Thời hạn theo luật"
    assert 'src="/processes/vendor/modeler.js"' in page
    browser.get("/lang/en")
    page = browser.text(f"/processes/{PROCESS}/modeler")
    assert "Save draft" in page and "Lưu bản nháp" not in page and texts(page)["groupDeadline"] == "Statutory deadline"
    assert browser.get("/processes/vendor/modeler.js").status_code == 200
    assert browser.get("/processes/vendor/..%2Fbpmn-auto-layout.js").status_code == 404
    assert legal.login("canbo").get("/processes/vendor/modeler.js").status_code == 403
