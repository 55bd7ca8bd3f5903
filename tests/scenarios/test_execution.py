"""Every path of processes/execution.bpmn through the runtime, on SQLite and PostgreSQL: the
leader records who must do what by when, the officer reports the result; a due day before the
decision took effect is sent back; an obligation not reported by 24:00 local of its due day is
escalated to the supervisors (reminded 3 working days before)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tiepdan.cases.execution import obligations_of, overdue_obligations
from tiepdan.cases.petitions import get_petition
from tiepdan.engine.models import AuditEntry

from .world import UBND, person

COMPLAINT = "Tôi khiếu nại Quyết định số 12/QĐ-UBND về việc thu hồi đất của gia đình tôi."
PLAN = {"obligor": "UBND phường Thục Phán", "action": "Bồi thường bổ sung cho hộ ông Lê Văn Nam", "due_on": "2026-03-20"}


def _start(world):
    """A decision that took effect on Mon 2 March 2026 (start_execution's data)."""
    key = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam", "004085000111")],
                         petition_type="complaint", start=False)
    world.services.runtime.start("execution", key, unit_id=UBND, actor="leader",
                                 data={"effective_on": "2026-03-02", "remind_days": 3})
    return key


def _instance(world, key):
    [instance] = world.instances(key)
    return instance


def _items(world, key):
    with world.services.sessions() as s:
        return obligations_of(s, get_petition(s, key))


def _audit(world, key):
    with world.services.sessions() as s:
        return [(a.action, a.detail) for a in s.execute(
            select(AuditEntry).where(AuditEntry.business_key == key, AuditEntry.action.in_(("task.reminder", "task.escalation")))
            .order_by(AuditEntry.seq)).scalars()]


def test_an_obligation_reported_in_time_ends_the_follow_up(world):
    key = _start(world)
    define = world.task(key, "define_obligations")
    assert (define.role, define.form, define.unit_id) == ("leader", "execution_plan", UBND)
    world.complete(key, "define_obligations", PLAN, actor="leader")
    [item] = _items(world, key)
    assert (item.obligor, item.due_on, item.done_on, item.created_by) == ("UBND phường Thục Phán", date(2026, 3, 20), None, "leader")
    report = world.task(key, "report_execution")
    assert (report.role, report.form) == ("handling_officer", "execution_report")
    world.clock.at = datetime(2026, 3, 10, 3, 0)
    world.complete(key, "report_execution", {"done_on": "2026-03-10", "result": "Đã chi trả bổ sung 120 triệu đồng"})
    [item] = _items(world, key)
    assert (item.done_on, item.result) == (date(2026, 3, 10), "Đã chi trả bổ sung 120 triệu đồng")
    assert _instance(world, key).status == "completed"
    assert world.tasks(key) == []
    # Its timers went with the task: nothing fires after the due day.
    world.clock.at = datetime(2026, 3, 25, 3, 0)
    assert world.services.runtime.fire_due_timers() == 0
    assert _audit(world, key) == []


def test_a_due_day_before_the_decision_took_effect_is_sent_back(world):
    key = _start(world)
    world.complete(key, "define_obligations", {**PLAN, "due_on": "2026-03-01"}, actor="leader")
    data = world.services.runtime.task_data(world.task(key, "define_obligations").id)
    assert data["obligation"]["problems"] == ["Thời hạn thi hành 01/03/2026 trước ngày quyết định, kết luận có hiệu lực 02/03/2026"]
    assert _items(world, key) == []


def test_an_overdue_obligation_is_escalated_to_the_supervisors(world):
    key = _start(world)
    world.complete(key, "define_obligations", PLAN, actor="leader")
    runtime = world.services.runtime
    # Reminder: 3 working days before Fri 20 March -> Tue 17 March, 08:00 local (01:00 UTC).
    world.clock.at = datetime(2026, 3, 17, 0, 59)
    assert runtime.fire_due_timers() == 0
    world.clock.at = datetime(2026, 3, 17, 1, 0)
    assert runtime.fire_due_timers() == 1
    # Overdue at 24:00 local at the end of the due day (20 March, 17:00 UTC), not before.
    world.clock.at = datetime(2026, 3, 20, 16, 59)
    assert runtime.fire_due_timers() == 0
    with world.services.sessions() as s:
        assert overdue_obligations(s, date(2026, 3, 20)) == []
    world.clock.at = datetime(2026, 3, 20, 17, 0)
    assert runtime.fire_due_timers() == 1
    assert _audit(world, key) == [("task.reminder", {"task": "report_execution", "on": "2026-03-17"}),
                                  ("task.escalation", {"task": "report_execution", "on": "2026-03-21"})]
    with world.services.sessions() as s:
        assert [i.obligor for i in overdue_obligations(s, date(2026, 3, 21), UBND)] == ["UBND phường Thục Phán"]
    review = world.task(key, "review_overdue")
    assert (review.role, review.form, review.unit_id) == ("supervisor", "escalation_review", UBND)
    assert world.task(key, "report_execution") is not None  # the report is still expected
    world.complete(key, "review_overdue", {"action": "instructed", "instruction": "Hoàn thành trước 31/3"},
                   actor="supervisor")
    world.complete(key, "report_execution", {"done_on": "2026-03-21", "result": "Đã chi trả, chậm 1 ngày"})
    assert _instance(world, key).status == "completed"
    [item] = _items(world, key)
    assert item.done_on == date(2026, 3, 21)
    with world.services.sessions() as s:
        assert overdue_obligations(s, date(2026, 3, 22)) == []
