"""The scenario runner: processes/scenarios/*.yaml pass, and a wrong expectation is one clear line."""
from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tiepdan.config import REPO_ROOT
from tiepdan.engine.models import ProcessVersion
from tiepdan.engine.scenarios import load_scenarios, run_scenarios

PROCESSES = REPO_ROOT / "processes"
MAIN = """
- name: main
  data: {received_on: 2026-03-02, reception_id: 1, remind_days: 3}
  stubs:
    svc_identity: {group: false}
    svc_refusal: {refused: false, written_notice: false}
  steps:
    - task: identify
      data: {identity_check: verified, citizen_count: 1}
    - task: refusal_check
      data: {refuse: false}
    - task: record_content
      data: {has_letter: true, content: "Tôi khiếu nại quyết định thu hồi đất.", petition_type: complaint}
    - task: notify_citizen
      data: {notified_on: 2026-03-02, notify_method: in_person}
  expect:
    path: [identify, svc_identity, refusal_check, svc_refusal, record_content, svc_register, notify_citizen]
    end: end_received
    status: completed
    data: {refusal.refused: false}
    due: {notify_citizen: 2026-03-16}
"""


@pytest.fixture
def processes(tmp_path):
    target = tmp_path / "processes"
    shutil.copytree(PROCESSES, target, ignore=shutil.ignore_patterns("scenarios"))
    (target / "scenarios").mkdir()
    return target


def write(processes, text, process_id="reception"):
    (processes / "scenarios" / f"{process_id}.yaml").write_text(text, encoding="utf-8")


def test_every_process_has_scenarios_and_they_pass():
    processes = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
    assert sorted(p.stem for p in (PROCESSES / "scenarios").glob("*.yaml")) == processes
    for process_id in processes:
        assert len(load_scenarios(PROCESSES / "scenarios" / f"{process_id}.yaml")) >= 2, process_id
    failures = [f"{r.process_id}: {r.name}: {f}" for r in run_scenarios(PROCESSES) for f in r.failures]
    assert failures == []


def test_a_passing_scenario_and_each_kind_of_wrong_expectation(processes):
    write(processes, MAIN)
    [ok] = run_scenarios(processes, "reception")
    assert (ok.process_id, ok.name, ok.ok, ok.failures) == ("reception", "main", True, [])
    wrong = (MAIN.replace("svc_register, notify_citizen]", "notify_citizen]")
             .replace("end: end_received", "end: end_refused")
             .replace("status: completed", "status: waiting")
             .replace("refusal.refused: false", "refusal.refused: true")
             .replace("notify_citizen: 2026-03-16", "notify_citizen: 2026-03-12"))
    write(processes, wrong)
    [result] = run_scenarios(processes, "reception")
    assert not result.ok and len(result.failures) == 5
    path, end, status, data, due = result.failures
    assert path.startswith("đường đi:") and "'svc_register'" in path
    assert end.startswith("sự kiện kết thúc: mong đợi end_refused") and "end_received" in end
    assert status == "trạng thái: mong đợi waiting, thực tế completed"
    assert data == "dữ liệu refusal.refused: mong đợi True, thực tế False"
    assert due == "hạn của notify_citizen: mong đợi 2026-03-12, thực tế 2026-03-16"


def test_a_step_that_cannot_run_stops_its_scenario_with_the_reason(processes):
    write(processes, MAIN.replace("- task: refusal_check", "- task: notify_citizen"), )
    [result] = run_scenarios(processes, "reception")
    [failure] = result.failures
    assert failure.startswith("bước 2 (task notify_citizen): công việc không mở (đang mở: refusal_check)")
    write(processes, MAIN.replace("{identity_check: verified, citizen_count: 1}", "{identity_check: verified}"))
    [result] = run_scenarios(processes, "reception")
    assert result.failures[0].startswith("bước 1 (task identify):") and "citizen_count" in result.failures[0]


def test_a_diagram_change_is_caught_by_its_scenarios(processes):
    write(processes, MAIN)
    xml = (processes / "reception.bpmn").read_bytes()
    changed = xml.replace(b'<spiffworkflow:property name="deadline_rule" value="reception.notify"/>',
                          b'<spiffworkflow:property name="deadline_rule" value="reception.refusal_notice"/>')
    assert changed != xml
    [result] = run_scenarios(processes, "reception", xml_override=changed)
    assert result.failures == ["hạn của notify_citizen: mong đợi 2026-03-16, thực tế 2026-03-05"]
    # The files themselves are untouched: the override is for this run only.
    assert run_scenarios(processes, "reception")[0].ok


def test_a_stored_version_is_tested(processes, sqlite_db):
    write(processes, MAIN)
    xml = (processes / "reception.bpmn").read_text(encoding="utf-8")
    broken = xml.replace('targetRef="svc_register"', 'targetRef="notify_citizen"')
    with sqlite_db.sessions() as s:
        version = ProcessVersion(process_id="reception", content_hash="x" * 64, status="draft", bpmn_xml=broken,
                                 created_at=datetime(2026, 3, 2))
        s.add(version)
        s.commit()
        [result] = run_scenarios(processes, version_id=version.id, session=s)
    [failure] = result.failures
    assert failure.startswith("đường đi:") and failure.endswith("'record_content', 'notify_citizen']")


def test_a_broken_scenario_file_is_one_failure_naming_it(processes):
    write(processes, "- name: x\n  stepz: []\n")
    [result] = run_scenarios(processes, "reception")
    assert not result.ok and result.failures == ["reception.yaml: kịch bản 1: khóa không hợp lệ ['stepz']"]
    write(processes, "- name: x\n  steps:\n    - {task: a, at: 2026-03-02}\n")
    [result] = run_scenarios(processes, "reception")
    assert "bước 1" in result.failures[0]
    assert run_scenarios(processes, "execution") == []  # no scenario file, no results


def test_progress_is_reported_per_scenario(processes):
    write(processes, MAIN + MAIN.replace("name: main", "name: again"))
    seen = []
    run_scenarios(processes, progress=lambda pid, name: seen.append((pid, name)))
    assert seen == [("reception", "main"), ("reception", "again")]
