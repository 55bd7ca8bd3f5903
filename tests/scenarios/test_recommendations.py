"""Every path of processes/recommendation.bpmn through the runtime, on SQLite and PostgreSQL: a
recommendation accepted by the intake is settled, answered or transferred, the result kept on
the petition, the citizen told within reception.notify; reminder and escalation on the real
calendar; withdrawal and termination raised by a leader."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tiepdan.cases.documents import docx_text
from tiepdan.engine.models import AuditEntry

from .world import CSDT, SNNMT, UBND, person

RECOMMENDATION = "Tôi kiến nghị sửa chữa tuyến đường tổ 5 bị hư hỏng nặng sau mùa mưa."


def _accepted(world) -> str:
    """A recommendation received Mon 2 March 2026, classified and accepted by the leader."""
    key = world.register(content=RECOMMENDATION, petitioners=[person("Lê Văn Nam", "004085000111")])
    world.complete(key, "classify", {"petition_type": "recommendation", "within_competence": "yes", "outcome": "accept"})
    world.complete(key, "approve_recommendation", {"decision": "accept"}, actor="leader")
    intake, recommendation = world.instances(key)
    assert (intake.process_id, intake.status) == ("petition_intake", "completed")
    assert (recommendation.process_id, recommendation.status) == ("recommendation", "waiting")
    return key


def _instance(world, key):
    return [i for i in world.instances(key) if i.process_id == "recommendation"][0]


def _audit(world, key, action):
    with world.services.sessions() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.business_key == key, AuditEntry.action == action)
                         ).scalars().all()


def test_a_recommendation_settled_within_competence_is_recorded_and_the_citizen_told(world):
    key = _accepted(world)
    handle = world.task(key, "handle")
    assert (handle.role, handle.unit_id, handle.form) == ("handling_officer", UBND, "recommendation_handling")
    # reception.notify: 10 working days after Mon 2 March 2026 (no holiday) -> Mon 16 March.
    assert (handle.deadline_rule, handle.due_date) == ("reception.notify", date(2026, 3, 16))
    world.complete(key, "handle", {"outcome": "resolved", "result": "Đã giao UBND phường sửa chữa tuyến đường tổ 5."})
    petition = world.petition(key)
    assert petition.status == "resolved"
    assert petition.result_note == "Đã giải quyết theo thẩm quyền: Đã giao UBND phường sửa chữa tuyến đường tổ 5."
    notify = world.task(key, "notify_citizen")
    assert notify.due_date == date(2026, 3, 16)  # the same limit, from receipt
    world.complete(key, "notify_citizen", {"notified_on": "2026-03-02", "notify_method": "written"})
    assert _instance(world, key).status == "completed"
    assert world.tasks(key) == []
    # Only the intake's proposal: settling it issues no document.
    assert [d.kind for d in world.documents(key)] == ["proposal_accept"]


def test_an_answer_late_is_reminded_then_escalated_to_the_supervisors(world):
    key = _accepted(world)
    runtime = world.services.runtime
    # Reminder: 3 working days before Mon 16 March -> Wed 11 March, 08:00 in Vietnam (01:00 UTC).
    world.clock.at = datetime(2026, 3, 11, 0, 59)
    assert runtime.fire_due_timers() == 0
    world.clock.at = datetime(2026, 3, 11, 1, 0)
    assert runtime.fire_due_timers() == 1
    [reminder] = _audit(world, key, "task.reminder")
    assert reminder.detail["task"] == "handle"
    # Escalation: 24:00 in Vietnam at the end of Mon 16 March (17:00 UTC).
    world.clock.at = datetime(2026, 3, 16, 16, 59)
    assert runtime.fire_due_timers() == 0
    assert _audit(world, key, "task.escalation") == []
    world.clock.at = datetime(2026, 3, 16, 17, 0)
    assert runtime.fire_due_timers() == 1
    [escalation] = _audit(world, key, "task.escalation")
    assert escalation.detail == {"task": "handle", "on": "2026-03-17"}
    review = world.task(key, "review_overdue")
    assert (review.role, review.form) == ("supervisor", "escalation_review")
    assert world.task(key, "handle").due_date == date(2026, 3, 16)  # still open, still due
    world.complete(key, "review_overdue", {"action": "instructed", "instruction": "Trả lời ngay trong ngày"},
                   actor="supervisor")
    # An answer sent back once overdue does not raise the reminder or the escalation again.
    world.complete(key, "handle", {"outcome": "transferred", "result": "Chuyển", "competent_unit": "04.KHONGCO"})
    assert [t.task_spec for t in world.tasks(key)] == ["handle"]
    assert runtime.fire_due_timers() == 0
    assert len(_audit(world, key, "task.escalation")) == 1 and len(_audit(world, key, "task.reminder")) == 1
    world.complete(key, "handle", {"outcome": "answered", "result": "Đã giải thích kế hoạch duy tu năm 2026."})
    assert world.petition(key).result_note.startswith("Đã trả lời, giải thích cho công dân: ")
    world.complete(key, "notify_citizen", {"notified_on": "2026-03-17", "notify_method": "phone"})
    assert _instance(world, key).status == "completed"
    assert world.petition(key).status == "resolved"


def test_a_transfer_needs_a_known_other_unit_then_reaches_the_competent_unit_once(world):
    key = _accepted(world)
    world.complete(key, "handle", {"outcome": "transferred", "result": "Thuộc thẩm quyền Sở", "competent_unit": "04.KHONGCO"})
    problems = world.services.runtime.task_data(world.task(key, "handle").id)["recorded"]["problems"]
    assert problems == ["Không có đơn vị mã '04.KHONGCO': kiểm tra lại mã đơn vị có thẩm quyền"]
    world.complete(key, "handle", {"outcome": "transferred", "result": "Thuộc thẩm quyền Sở", "competent_unit": UBND})
    problems = world.services.runtime.task_data(world.task(key, "handle").id)["recorded"]["problems"]
    assert any("chính đơn vị đang giữ đơn" in p for p in problems)
    assert world.petition(key).status == "accepted"  # nothing was recorded
    assert [d.kind for d in world.documents(key)] == ["proposal_accept"]

    world.complete(key, "handle", {"outcome": "transferred", "result": "Thuộc thẩm quyền Sở Nông nghiệp và Môi trường",
                                   "competent_unit": SNNMT})
    slip = [d for d in world.documents(key) if d.kind == "transfer_slip"][0]
    assert slip.number == "1/2026/PC-UBND" and slip.leaves_unit and slip.filename.endswith(".docx")
    text = docx_text(slip.content)
    assert "PHIẾU CHUYỂN ĐƠN" in text and "Sở Nông nghiệp và Môi trường" in text and RECOMMENDATION in text
    petition = world.petition(key)
    assert (petition.status, petition.transfer_doc_no) == ("transferred", slip.number)
    assert petition.transferred_to_unit.code == SNNMT
    assert petition.result_note.startswith("Đã chuyển cơ quan có thẩm quyền: ")
    # The department has a linked petition in its intake queue.
    new = world.petition(id=petition.transferred_to_id)
    assert (new.transferred_from_id, new.forward_doc_no, new.channel) == (petition.id, slip.number, "forwarded")
    assert world.task(new.business_key, "classify").unit_id == SNNMT
    notify = world.task(key, "notify_citizen")
    assert notify.due_date == date(2026, 3, 16)
    world.complete(key, "notify_citizen", {"notified_on": "2026-03-02", "notify_method": "written"})
    assert _instance(world, key).status == "completed"


def test_a_transfer_to_a_body_outside_the_system_keeps_the_slip_only(world):
    key = _accepted(world)
    world.complete(key, "handle", {"outcome": "transferred", "result": "Có dấu hiệu tội phạm", "competent_unit": CSDT})
    petition = world.petition(key)
    assert petition.status == "transferred" and petition.transferred_to_id is None
    assert petition.transferred_to_unit.code == CSDT
    assert [d.kind for d in world.documents(key)] == ["proposal_accept", "transfer_slip"]
    assert world.task(key).task_spec == "notify_citizen"


def test_a_full_withdrawal_raised_by_the_leader_ends_the_handling(world):
    key = _accepted(world)
    instance = _instance(world, key)
    # The events a leader may raise (stop_case is the diagram's own, thrown by them).
    assert set(world.services.runtime.waiting_messages(instance.id)) - {"stop_case"} == {"terminate", "withdraw"}
    world.services.runtime.send_message(instance.id, "withdraw", {}, actor="leader")
    decide = world.task(key, "decide_withdrawal")
    assert (decide.role, decide.form) == ("leader", "withdrawal")
    world.complete(key, "decide_withdrawal", {"decided_on": "2026-03-02", "scope": "full"}, actor="leader")
    assert _instance(world, key).status == "completed"
    assert world.tasks(key) == []
    assert world.petition(key).status == "withdrawn"


def test_a_partial_withdrawal_lets_the_handling_go_on(world):
    key = _accepted(world)
    world.services.runtime.send_message(_instance(world, key).id, "withdraw", {}, actor="leader")
    world.complete(key, "decide_withdrawal", {"decided_on": "2026-03-02", "scope": "partial",
                                              "withdrawn_content": "Phần kiến nghị về đèn chiếu sáng"}, actor="leader")
    assert [t.task_spec for t in world.tasks(key)] == ["handle"]
    assert world.petition(key).status == "accepted"


def test_a_termination_decision_ends_the_handling_with_its_document(world):
    key = _accepted(world)
    world.services.runtime.send_message(_instance(world, key).id, "terminate", {}, actor="leader")
    decide = world.task(key, "decide_termination")
    assert decide.role == "leader"
    world.complete(key, "decide_termination", {"decided_on": "2026-03-02", "reason": "Người kiến nghị đã chết"},
                   actor="leader")
    assert _instance(world, key).status == "completed"
    assert world.tasks(key) == []
    assert world.petition(key).status == "closed"
    termination = [d for d in world.documents(key) if d.kind == "termination"][0]
    assert "Người kiến nghị đã chết" in docx_text(termination.content)
