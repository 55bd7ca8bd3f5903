"""Events raised on a running case (BPMN messages) and due dates on the case's own clock."""
from __future__ import annotations

from datetime import date

import pytest

from tiepdan.engine.db import transaction
from tiepdan.engine.deadlines import ExtensionGrant, RuleError
from tiepdan.engine.errors import InvalidState

from .test_runtime import instance, open_tasks


@pytest.fixture
def events(services, processes_dir):
    with transaction(services.sessions) as s:
        services.library.publish(s, (processes_dir / "case_events.bpmn").read_bytes(), "case_events.bpmn", "tester")
    clock = {"pauses": [], "extensions": []}
    services.runtime.adjustments = lambda tx, key: (clock["pauses"], clock["extensions"])
    return services, clock


def start(services, variant=""):
    return services.runtime.start("case_events", "HS-E", unit_id="u1", actor="officer",
                                  data={"accepted_on": "2026-03-02", "variant": variant})


def test_the_rule_variant_is_chosen_on_the_case(events):
    services, _ = events
    start(services, ".complex")
    [task] = open_tasks(services, "HS-E")
    assert task.deadline_rule == "complaint.resolve.first"
    assert task.due_date == date(2026, 4, 16)  # 45 days (complex) from 2 March 2026


def test_a_message_starts_its_event_subprocess_and_the_case_goes_on(events):
    services, _ = events
    result = start(services)
    assert services.runtime.waiting_messages(result.instance_id) == ["pause", "stop"]
    services.runtime.send_message(result.instance_id, "pause", {"reason": "chờ giám định"}, actor="leader")
    tasks = {t.task_spec: t for t in open_tasks(services, "HS-E")}
    assert set(tasks) == {"resolve", "note_pause"} and tasks["note_pause"].role == "leader"
    assert services.runtime.task_data(tasks["note_pause"].id)["pause"] == {"reason": "chờ giám định"}
    services.runtime.complete_task(tasks["note_pause"].id, {"decision": "accept"}, actor="leader")
    assert [t.task_spec for t in open_tasks(services, "HS-E")] == ["resolve"]


def test_an_interrupting_message_ends_the_work_and_unknown_messages_change_nothing(events):
    services, _ = events
    result = start(services)
    with pytest.raises(InvalidState, match="not waiting for 'appeal'"):
        services.runtime.send_message(result.instance_id, "appeal", {}, actor="leader")
    assert [t.task_spec for t in open_tasks(services, "HS-E")] == ["resolve"]
    services.runtime.send_message(result.instance_id, "stop", {}, actor="leader")
    assert open_tasks(services, "HS-E") == []
    assert instance(services, result.instance_id).status == "completed"
    with pytest.raises(InvalidState):
        services.runtime.send_message(result.instance_id, "pause", {}, actor="leader")


def test_a_pause_decided_on_the_case_moves_the_due_date_of_the_tasks_on_its_clock(events):
    services, clock = events
    result = start(services)
    [task] = open_tasks(services, "HS-E")
    assert task.due_date == date(2026, 4, 1)  # 30 days from 2 March
    # Suspended on 10 March, continued on 20 March: a complaint's period recounts in full.
    clock["pauses"] = [(date(2026, 3, 10), date(2026, 3, 20))]
    services.runtime.send_message(result.instance_id, "pause", {}, actor="leader")
    assert {t.task_spec: t.due_date for t in open_tasks(services, "HS-E")}["resolve"] == date(2026, 4, 20)


def test_extension_decisions_reach_the_due_date(events):
    services, clock = events
    result = start(services)
    clock["extensions"] = [ExtensionGrant("complex", "xác minh nhiều nơi")]
    # complaint.resolve.first cannot be extended: the step is refused and changes nothing.
    with pytest.raises(RuleError, match="cannot be extended"):
        services.runtime.send_message(result.instance_id, "pause", {}, actor="leader")
    assert [t.task_spec for t in open_tasks(services, "HS-E")] == ["resolve"]
    assert instance(services, result.instance_id).status == "waiting"


def test_an_event_on_one_case_leaves_the_shared_spec_alone(events):
    """The parsed spec is shared by every instance of a version: triggering an event subprocess
    on one case must not change how the others start and end."""
    services, _ = events
    first = start(services)
    services.runtime.send_message(first.instance_id, "pause", {}, actor="leader")
    pause = [t for t in open_tasks(services, "HS-E") if t.task_spec == "note_pause"][0]
    services.runtime.complete_task(pause.id, {"decision": "accept"}, actor="leader")
    later = services.runtime.start("case_events", "HS-F", unit_id="u1", actor="officer",
                                   data={"accepted_on": "2026-03-02", "variant": ""})
    [resolve] = open_tasks(services, "HS-F")
    assert resolve.task_spec == "resolve"
    services.runtime.complete_task(resolve.id, {"decision": "accept"}, actor="officer")
    assert instance(services, later.instance_id).status == "completed"
    # The case that had the event still completes once its work is done.
    [resolve_first] = open_tasks(services, "HS-E")
    services.runtime.complete_task(resolve_first.id, {"decision": "accept"}, actor="officer")
    assert instance(services, first.instance_id).status == "completed"
