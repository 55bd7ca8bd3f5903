"""Moving running instances to a new version: the dry run and the move, on both databases.

Version 2 of tests/engine/processes/review.bpmn adds a `check` task after `decide` and drops the
late branch's `escalated` task (the late note now ends the case)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from tiepdan.engine import migration
from tiepdan.engine.db import transaction
from tiepdan.engine.errors import InvalidState
from tiepdan.engine.models import AuditEntry, ProcessInstance, TaskIndex, Timer

from .conftest import HERE

V1 = (HERE / "review.bpmn").read_bytes()
CHECK = b"""<bpmn:userTask id="check" name="Check the decision">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="form" value="decide"/></spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_decide</bpmn:incoming><bpmn:outgoing>f_checked</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_checked" sourceRef="check" targetRef="end_done"/>
    <bpmn:endEvent id="end_done" name="Decided"><bpmn:incoming>f_checked</bpmn:incoming></bpmn:endEvent>"""


def version_2(xml: bytes = V1) -> bytes:
    xml = xml.replace(b'<bpmn:sequenceFlow id="f_decide" sourceRef="decide" targetRef="end_done"/>',
                      b'<bpmn:sequenceFlow id="f_decide" sourceRef="decide" targetRef="check"/>')
    xml = xml.replace(b'<bpmn:endEvent id="end_done" name="Decided"><bpmn:incoming>f_decide</bpmn:incoming></bpmn:endEvent>',
                      CHECK)
    xml = xml.replace(b'<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>',
                      b'<bpmn:flowNodeRef>decide</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>')
    # The late branch loses its review: note_late ends the case.
    start, end = xml.index(b'<bpmn:sequenceFlow id="f_noted"'), xml.index(b'<bpmn:sequenceFlow id="f_decide"')
    xml = xml[:start] + (b'<bpmn:sequenceFlow id="f_noted" sourceRef="note_late" targetRef="end_late"/>\n'
                         b'    <bpmn:endEvent id="end_late" name="Noted late"><bpmn:incoming>f_noted</bpmn:incoming></bpmn:endEvent>\n    ') + xml[end:]
    xml = xml.replace(b'<bpmn:flowNodeRef>escalated</bpmn:flowNodeRef>', b"")
    assert b'id="escalated"' not in xml and b'id="check"' in xml
    return xml


def open_task(services, instance_id, spec=None):
    with services.sessions() as s:
        rows = s.execute(select(TaskIndex).where(TaskIndex.instance_id == instance_id)).scalars().all()
    return [r for r in rows if spec is None or r.task_spec == spec]


def started(services, key, content, received_on="2026-03-02"):
    result = services.runtime.start("review", key, data={})
    [task] = result.open_tasks
    services.runtime.complete_task(task, {"content": content, "received_on": received_on}, actor="officer")
    return result.instance_id


@pytest.fixture
def world(services):
    """On version 1: A at `decide` (received 10 March), B late at `escalated` (received 2 March:
    petition.process ran out on 16 March), C completed; then version 2 is published."""
    ids = {
        "A": started(services, "A", "Đơn khiếu nại về đất đai", received_on="2026-03-10"),
        "B": started(services, "B", "Khiếu nại chậm"),
        "C": started(services, "C", "Thư hỏi thăm"),
    }
    services.runtime.clock.at = datetime(2026, 3, 16, 17, 1)
    assert services.runtime.fire_due_timers() == 1
    assert [t.task_spec for t in open_task(services, ids["B"])] == ["escalated"]
    with transaction(services.sessions) as s:
        [v2] = services.library.publish(s, version_2(), "review.bpmn", "phapche", note="thêm bước kiểm tra")
    return services, ids, v2.id


def test_the_dry_run_says_who_can_move_and_names_what_blocks_the_others(world):
    services, ids, v2 = world
    with services.sessions() as s:
        checks = {c.instance_id: c for c in migration.plan_migration(s, services.library, list(ids.values()) + [999], v2)}
        versions = {i.id: i.version_id for i in s.execute(select(ProcessInstance)).scalars()}
    assert checks[ids["A"]].ok and checks[ids["A"]].business_key == "A"
    assert not checks[ids["B"]].ok and "escalated" in checks[ids["B"]].reason and "đang ở" in checks[ids["B"]].reason
    assert "xóa" in checks[ids["B"]].reason
    assert not checks[ids["C"]].ok and "completed" in checks[ids["C"]].reason
    assert not checks[999].ok and "không tồn tại" in checks[999].reason
    # A dry run moves nothing.
    assert {versions[ids[k]] for k in "ABC"} == {checks[ids["A"]].from_version}


def test_an_instance_whose_current_task_changed_cannot_move(world):
    services, ids, v2 = world
    changed = version_2().replace(b'<spiffworkflow:property name="deadline_rule" value="petition.process"/>',
                                  b'<spiffworkflow:property name="deadline_rule" value="complaint.accept"/>')
    with transaction(services.sessions) as s:
        [v3] = services.library.publish(s, changed, "review.bpmn", "phapche")
        v3 = v3.id
    with services.sessions() as s:
        [check] = migration.plan_migration(s, services.library, [ids["A"]], v3)
    assert not check.ok and "decide" in check.reason and "deadline_rule" in check.reason


def test_the_movable_instance_moves_and_completes_on_the_new_version_the_others_stay(world):
    services, ids, v2 = world
    [decide_before] = open_task(services, ids["A"], "decide")
    with services.sessions() as s:
        v1 = s.get(ProcessInstance, ids["A"]).version_id
        timers_before = s.execute(select(Timer.task_spec, Timer.fire_at).where(Timer.instance_id == ids["A"],
                                                                              Timer.fired_at.is_(None))).all()
    services.runtime.claim(decide_before.id, "officer")
    checks = {c.instance_id: c for c in migration.migrate(services, list(ids.values()), v2, actor="phapche")}
    assert checks[ids["A"]].ok and "đã chuyển" in checks[ids["A"]].reason
    assert not checks[ids["B"]].ok and not checks[ids["C"]].ok
    with services.sessions() as s:
        assert s.get(ProcessInstance, ids["A"]).version_id == v2
        assert s.get(ProcessInstance, ids["B"]).version_id == v1
        timers_after = s.execute(select(Timer.task_spec, Timer.fire_at).where(Timer.instance_id == ids["A"],
                                                                             Timer.fired_at.is_(None))).all()
        [entry] = s.execute(select(AuditEntry).where(AuditEntry.action == "instance.migrate")).scalars().all()
    assert (entry.instance_id, entry.actor, entry.detail) == (ids["A"], "phapche", {"from_version": v1, "to_version": v2})
    # The open task kept its id, its claim and its due date; the timer is the same instant.
    [decide_after] = open_task(services, ids["A"], "decide")
    assert (decide_after.id, decide_after.assignee, decide_after.due_date) == (decide_before.id, "officer", decide_before.due_date)
    assert timers_after == timers_before and len(timers_after) == 1
    # On the new version, `check` follows `decide`.
    services.runtime.complete_task(decide_after.id, {"decision": "accept"}, actor="officer")
    [check] = open_task(services, ids["A"])
    assert check.task_spec == "check"
    services.runtime.complete_task(check.id, {"decision": "accept"}, actor="officer")
    with services.sessions() as s:
        assert s.get(ProcessInstance, ids["A"]).status == "completed"
    # B still runs on version 1, its escalated task intact.
    [escalated] = open_task(services, ids["B"], "escalated")
    services.runtime.complete_task(escalated.id, {"decision": "reject"}, actor="supervisor")
    with services.sessions() as s:
        assert s.get(ProcessInstance, ids["B"]).status == "completed"


def test_only_the_same_process_and_a_published_version(world, processes_dir):
    services, ids, v2 = world
    other = (HERE / "case_events.bpmn").read_bytes()
    with transaction(services.sessions) as s:
        versions = services.library.publish(s, other, "case_events.bpmn", "phapche")
        other_id = versions[0].id
    with services.sessions() as s:
        [wrong_process] = migration.plan_migration(s, services.library, [ids["A"]], other_id)
        [missing] = migration.plan_migration(s, services.library, [ids["A"]], 12345)
    assert not wrong_process.ok and "review" in wrong_process.reason
    assert not missing.ok and "chưa được ban hành" in missing.reason


def test_a_move_checks_again_in_its_own_step_and_changes_nothing_when_blocked(world):
    services, ids, v2 = world
    with services.sessions() as s:
        before = s.get(ProcessInstance, ids["B"])
        v1, lock = before.version_id, before.lock_version
    # As if the dry run had said yes and B had reached `escalated` since.
    with pytest.raises(InvalidState) as blocked:
        services.runtime.migrate(ids["B"], v2, "phapche", migration.move)
    assert "escalated" in str(blocked.value)
    with services.sessions() as s:
        after = s.get(ProcessInstance, ids["B"])
        assert (after.version_id, after.lock_version) == (v1, lock)
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "instance.migrate")).first() is None
        assert s.execute(select(Timer).where(Timer.instance_id == ids["B"])).first() is not None
