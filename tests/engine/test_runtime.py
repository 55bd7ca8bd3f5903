"""The persisted runtime on real databases: steps, task index, timers, errors, concurrency."""
from __future__ import annotations

import json
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tiepdan.engine.db import transaction
from tiepdan.engine.errors import Conflict, FormInvalid, InvalidState
from tiepdan.engine.models import AuditEntry, ProcessInstance, TaskIndex, Timer

from . import ops
from .conftest import build_services

COMPLAINT = {"content": "Đơn khiếu nại quyết định thu hồi đất", "received_on": "02/03/2026"}


def open_tasks(services, business_key):
    with services.sessions() as s:
        return s.execute(
            select(TaskIndex).where(TaskIndex.business_key == business_key).order_by(TaskIndex.created_at)
        ).scalars().all()


def instance(services, instance_id) -> ProcessInstance:
    with services.sessions() as s:
        return s.get(ProcessInstance, instance_id)


def count(services, model, *where) -> int:
    with services.sessions() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def start_and_register(services, key="HS-1", data=COMPLAINT):
    result = services.runtime.start("review", key, unit_id="u1", actor="officer")
    [register] = open_tasks(services, key)
    return result, services.runtime.complete_task(register.id, data, actor="officer")


def test_start_indexes_the_first_task_and_stores_no_spec(services):
    result = services.runtime.start("review", "HS-1", unit_id="u1", actor="officer")
    [task] = open_tasks(services, "HS-1")
    assert (task.task_spec, task.role, task.unit_id, task.form) == ("register", "handling_officer", "u1", "register")
    assert task.due_date is None
    row = instance(services, result.instance_id)
    assert row.status == "waiting"
    state = json.loads(row.state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert "task_specs" not in row.state


def test_completion_runs_the_service_task_and_indexes_the_statutory_due_date(services):
    result, step = start_and_register(services)
    [decide] = open_tasks(services, "HS-1")
    assert decide.task_spec == "decide"
    # petition.process: 10 working days after Mon 2 March 2026, no holiday in between.
    assert decide.due_date == date(2026, 3, 16)
    with services.sessions() as s:
        [timer] = s.execute(select(Timer).where(Timer.instance_id == result.instance_id)).scalars().all()
        notes = s.execute(select(ops.Note)).scalars().all()
    # 24:00 on 16 March in Hanoi is 17:00 UTC.
    assert timer.fire_at == datetime(2026, 3, 16, 17, 0) and timer.fired_at is None
    assert [n.text for n in notes] == [COMPLAINT["content"]]
    assert step.status == "waiting"


def test_gateway_default_path_completes_the_instance(services):
    result, step = start_and_register(services, data={"content": "Góp ý về lịch tiếp dân", "received_on": "2026-03-02"})
    assert step.status == "completed"
    assert open_tasks(services, "HS-1") == []
    assert count(services, Timer) == 0
    assert instance(services, result.instance_id).completed_at is not None


def test_invalid_form_data_changes_nothing(services):
    result = services.runtime.start("review", "HS-1", unit_id="u1", actor="officer")
    [register] = open_tasks(services, "HS-1")
    before = instance(services, result.instance_id)
    audits = count(services, AuditEntry)
    with pytest.raises(FormInvalid) as err:
        services.runtime.complete_task(register.id, {"content": "", "received_on": "31/02/2026"}, actor="officer")
    assert set(err.value.errors) == {"content", "received_on"}
    after = instance(services, result.instance_id)
    assert (after.lock_version, after.state) == (before.lock_version, before.state)
    assert count(services, AuditEntry) == audits
    assert [t.id for t in open_tasks(services, "HS-1")] == [register.id]


def test_failing_handler_puts_the_instance_in_error_and_retry_resumes(services):
    ops.FAILING["on"] = True
    result, step = start_and_register(services)
    row = instance(services, result.instance_id)
    assert step.status == "error"
    assert (row.error_task, row.error_operation) == ("classify_letter", "classify")
    assert "classifier is down" in row.error_message
    # The handler's row was rolled back with its failed run; the officer's input was kept.
    assert count(services, ops.Note) == 0
    assert open_tasks(services, "HS-1") == []
    assert count(services, AuditEntry, AuditEntry.action == "task.complete") == 1

    with pytest.raises(InvalidState):
        services.runtime.resume(result.instance_id, actor="admin")
    ops.FAILING["on"] = False
    retried = services.runtime.retry(result.instance_id, actor="admin")
    assert retried.status == "waiting"
    assert [t.task_spec for t in open_tasks(services, "HS-1")] == ["decide"]
    assert count(services, ops.Note) == 1
    assert instance(services, result.instance_id).error_message is None


def test_two_officers_completing_one_task_at_once_one_wins(services):
    services.runtime.start("review", "HS-1", unit_id="u1", actor="officer")
    [register] = open_tasks(services, "HS-1")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def complete(who):
        barrier.wait()
        try:
            services.runtime.complete_task(register.id, {**COMPLAINT, "content": COMPLAINT["content"] + " slow"}, actor=who)
            outcomes[who] = "ok"
        except Conflict as err:
            outcomes[who] = err

    threads = [threading.Thread(target=complete, args=(who,)) for who in ("an", "binh")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    winners = [who for who, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1, outcomes
    loser = next(o for o in outcomes.values() if o != "ok")
    assert loser.by == winners[0] and loser.at is not None
    assert winners[0] in str(loser)
    assert count(services, AuditEntry, AuditEntry.action == "task.complete") == 1
    assert count(services, ops.Note) == 1


def test_boundary_timer_fires_once_on_the_engine_clock(services):
    result, _ = start_and_register(services)
    clock = services.runtime.clock
    clock.at = datetime(2026, 3, 16, 16, 59)
    assert services.runtime.fire_due_timers() == 0
    clock.at = datetime(2026, 3, 16, 17, 0)
    assert services.runtime.fire_due_timers() == 1
    assert services.runtime.fire_due_timers() == 0
    [task] = open_tasks(services, "HS-1")
    assert (task.task_spec, task.role) == ("escalated", "supervisor")
    assert count(services, Timer, Timer.fired_at.is_not(None)) == 1
    assert count(services, AuditEntry, AuditEntry.action == "timer.fire") == 1


def test_suspended_instances_keep_their_timers_until_resumed(services):
    result, _ = start_and_register(services)
    services.runtime.suspend(result.instance_id, actor="leader", reason="tạm đình chỉ")
    [decide] = open_tasks(services, "HS-1")
    assert decide.state == "suspended"
    with pytest.raises(InvalidState):
        services.runtime.complete_task(decide.id, {"decision": "accept"}, actor="officer")
    services.runtime.clock.at = datetime(2026, 3, 20)
    assert services.runtime.fire_due_timers() == 0
    resumed = services.runtime.resume(result.instance_id, actor="leader")
    assert [t.task_spec for t in open_tasks(services, "HS-1")] == ["escalated"]
    assert resumed.status == "waiting"


def test_terminate_closes_tasks_and_timers(services):
    result, _ = start_and_register(services)
    services.runtime.terminate(result.instance_id, actor="leader", reason="đình chỉ")
    assert open_tasks(services, "HS-1") == []
    assert count(services, Timer, Timer.fired_at.is_(None)) == 0
    assert instance(services, result.instance_id).status == "terminated"
    with pytest.raises(InvalidState):
        services.runtime.terminate(result.instance_id, actor="leader")


def test_claim_is_exclusive_and_reassign_is_audited(services):
    services.runtime.start("review", "HS-1", unit_id="u1", actor="officer")
    [task] = open_tasks(services, "HS-1")
    services.runtime.claim(task.id, "an")
    with pytest.raises(Conflict) as err:
        services.runtime.claim(task.id, "binh")
    assert err.value.by == "an"
    services.runtime.reassign(task.id, "binh", actor="leader")
    assert open_tasks(services, "HS-1")[0].assignee == "binh"
    services.runtime.unclaim(task.id, actor="binh")
    assert open_tasks(services, "HS-1")[0].assignee is None
    assert count(services, AuditEntry, AuditEntry.task_id == task.id) == 3


def test_instances_stay_pinned_to_their_version(services, processes_dir):
    old = services.runtime.start("review", "HS-OLD", unit_id="u1")
    changed = (processes_dir / "review.bpmn").read_text().replace('name="Register the letter"', 'name="Vào sổ đơn"')
    with transaction(services.sessions) as s:
        [v2] = services.library.publish(s, changed.encode(), "review.bpmn", "legal")
        [same] = services.library.publish(s, changed.encode(), "review.bpmn", "legal")
    assert same.id == v2.id
    new = services.runtime.start("review", "HS-NEW", unit_id="u1")
    assert instance(services, old.instance_id).version_id != v2.id
    assert instance(services, new.instance_id).version_id == v2.id
    assert open_tasks(services, "HS-OLD")[0].task_name == "Register the letter"
    assert open_tasks(services, "HS-NEW")[0].task_name == "Vào sổ đơn"
    with services.sessions() as s:
        assert services.library.load(s, v2.id) is services.library.load(s, v2.id)


def test_timers_fire_exactly_once_with_two_workers(db, processes_dir, services):
    if db.backend != "postgresql":
        pytest.skip("concurrent workers are a PostgreSQL deployment; SQLite serialises writers")
    keys = [f"HS-{i}" for i in range(24)]
    for key in keys:
        start_and_register(services, key=key)
    workers = [build_services(db, processes_dir, clock=services.runtime.clock) for _ in range(2)]
    services.runtime.clock.at = datetime(2026, 3, 17)
    fired = [0, 0]
    barrier = threading.Barrier(2)

    def work(i):
        barrier.wait()
        while True:
            n = workers[i].runtime.fire_due_timers(limit=3)
            fired[i] += n
            if n == 0 and count(services, Timer, Timer.fired_at.is_(None)) == 0:
                return

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]
    assert sum(fired) == len(keys)
    assert count(services, AuditEntry, AuditEntry.action == "timer.fire") == len(keys)
    for key in keys:
        assert [t.task_spec for t in open_tasks(services, key)] == ["escalated"]
    for w in workers:
        w.db.dispose()


def test_a_stale_cached_workflow_is_caught_and_the_step_rerun_from_the_database(db, processes_dir, services):
    """Two processes: the first keeps the instance in its cache, the second suspends it."""
    result, _ = start_and_register(services)
    [decide] = open_tasks(services, "HS-1")
    other = build_services(db, processes_dir, clock=services.runtime.clock)
    other.runtime.suspend(result.instance_id, actor="leader")
    with pytest.raises(InvalidState, match="suspended"):
        services.runtime.complete_task(decide.id, {"decision": "accept"}, actor="officer")
    other.runtime.resume(result.instance_id, actor="leader")
    done = services.runtime.complete_task(decide.id, {"decision": "accept"}, actor="officer")
    assert done.status == "completed"
    other.db.dispose()
