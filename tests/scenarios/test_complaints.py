"""Every path of processes/complaint_first.bpmn and processes/complaint_second.bpmn through the
runtime, on SQLite and PostgreSQL: the path taken, the end state, each task's statutory due date
on the real calendar, the documents, the leader's events (suspension, continuation, withdrawal,
termination), the appeal to the second instance and the reminder and escalation timers.

The world starts on Monday 2 March 2026, 09:00 in Vietnam; the intake accepts the complaint that
day, so `accepted_on` = `received_on` = 2026-03-02. No public holiday falls in March or April
2026 before Giỗ Tổ Hùng Vương (Sunday 26 April 2026)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tiepdan.cases.documents import docx_text
from tiepdan.cases.models import Petition
from tiepdan.engine.errors import FormInvalid, InvalidState
from tiepdan.engine.models import AuditEntry

from .world import COMMUNE, UBND, person

COMPLAINT = "Tôi khiếu nại Quyết định số 12/QĐ-UBND về việc thu hồi đất của gia đình tôi, đề nghị hủy quyết định này."
COMPLAINANT = person("Lê Văn Nam", "004085000111")
FIRST, SECOND = "complaint_first", "complaint_second"


# --- driving a case -------------------------------------------------------------------------------

def accepted_complaint(world, unit=UBND, accept=True, **acceptance) -> str:
    """A complaint registered on 2 March at `unit`, accepted by the intake (complaint_first
    starts) and, unless `accept` is false, accepted in complaint_first's notice."""
    key = world.register(unit=unit, content=COMPLAINT, petitioners=[COMPLAINANT])
    world.complete(key, "classify", {"petition_type": "complaint", "within_competence": "yes", "outcome": "accept",
                                     "field": "land"})
    world.complete(key, "approve_complaint", {"decision": "accept"}, actor="leader")
    assert [i.process_id for i in world.instances(key)] == ["petition_intake", FIRST]
    if accept:
        world.complete(key, "acceptance_notice", {"accepted": "yes", **acceptance})
    return key


def instance(world, key, process_id=FIRST):
    [found] = [i for i in world.instances(key) if i.process_id == process_id]
    return found


def task(world, key, spec, process_id=FIRST):
    found = [t for t in world.tasks(key) if t.task_spec == spec and t.process_id == process_id]
    assert len(found) == 1, f"{key}: expected one open {spec}, found {[t.task_spec for t in world.tasks(key)]}"
    return found[0]


def complete(world, key, spec, data, actor="officer", process_id=FIRST):
    return world.services.runtime.complete_task(task(world, key, spec, process_id).id, data, actor=actor)


def open_specs(world, key, process_id=FIRST) -> set[str]:
    return {t.task_spec for t in world.tasks(key) if t.process_id == process_id}


def event(world, key, message, payload=None, process_id=FIRST):
    world.services.runtime.send_message(instance(world, key, process_id).id, message, payload or {}, actor="leader")


def docs(world, key, kind=None):
    return [d for d in world.documents(key) if kind is None or d.kind == kind]


def text_of(document) -> str:
    return docx_text(document.content)


def today(world, day: date, hour_utc=2):
    """Move the clock to `day` at 09:00 in Vietnam (02:00 UTC) by default."""
    world.clock.at = datetime(day.year, day.month, day.day, hour_utc, 0)


def at_utc(world, *args):
    world.clock.at = datetime(*args)


def audit(world, key, action):
    with world.services.sessions() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.business_key == key, AuditEntry.action == action)
                              .order_by(AuditEntry.seq)).scalars())


def published(world, process_id) -> bool:
    with world.services.sessions() as s:
        return world.services.library.latest_published(s, process_id) is not None


def decide(world, key, on: date, outcome="rejected", process_id=FIRST):
    complete(world, key, "draft_decision", {"outcome": outcome, "decision_text": "Giữ nguyên Quyết định số 12/QĐ-UBND."},
             process_id=process_id)
    today(world, on)
    complete(world, key, "sign_decision", {"decided_on": on.isoformat()}, actor="leader", process_id=process_id)


def verify(world, key, matches="yes", process_id=FIRST):
    complete(world, key, "verify", {"findings": "Quyết định thu hồi đất đúng trình tự, thẩm quyền.",
                                    "request_matches": matches}, actor="verifier", process_id=process_id)


def effective_or_waiting_for_execution(world, key):
    """After the appeal window: the decision took effect and its execution is followed. The
    `execution` procedure is written by another issue: until it is published the step stops in
    the clear "chưa được ban hành" error state (the timer fired, start_execution refused)."""
    first = instance(world, key)
    if published(world, "execution"):
        assert first.status == "completed"
        assert world.petition(key).status == "resolved"
        assert [i.process_id for i in world.instances(key)].count("execution") == 1
    else:
        assert first.status == "error" and first.error_operation == "start_execution"
        assert "chưa được ban hành" in first.error_message


# --- first instance --------------------------------------------------------------------------------

def test_accepted_verified_decided_sent_and_effective_without_appeal(world):
    key = accepted_complaint(world, accept=False)
    notice = task(world, key, "acceptance_notice")
    assert (notice.role, notice.unit_id, notice.form) == ("handling_officer", UBND, "complaint_acceptance")
    # complaint.accept before 2026-07-01: 10 days from receipt (Mon 2 March) -> Thu 12 March.
    assert notice.due_date == date(2026, 3, 12)
    world.complete(key, "acceptance_notice", {"accepted": "yes"})
    petition = world.petition(key)
    assert petition.status == "resolving"
    [accept] = docs(world, key, "complaint_accept")
    assert accept.leaves_unit and accept.number == "1/2026/TB-UBND"
    body = text_of(accept)
    # 30 days from acceptance on 2 March -> Wed 1 April 2026.
    assert "Lê Văn Nam" in body and "01/04/2026" in body and "02/03/2026" in body
    recipients = world.services.runtime.task_data(task(world, key, "verify").id)["acceptance"]["recipients"]
    assert recipients[0] == "Người khiếu nại: Lê Văn Nam"
    assert recipients[-1].startswith("Thanh tra tỉnh: ") and "Thanh tra" in recipients[-1][15:]
    assert all(f"- {r};" in body for r in recipients)  # the notice's "Nơi nhận" lists them (LKN Art 27)

    verify_task = task(world, key, "verify")
    assert (verify_task.role, verify_task.form, verify_task.deadline_rule) == ("verifier", "verification_report",
                                                                               "complaint.resolve.first")
    assert verify_task.due_date == date(2026, 4, 1)  # complaint.resolve.first: 30 days from Mon 2 March
    [assignment] = docs(world, key, "verify_assign")
    assert "01/04/2026" in text_of(assignment)
    verify(world, key, matches="yes")
    # The verification agrees with the request: no dialogue.
    assert open_specs(world, key) == {"draft_decision"}
    assert task(world, key, "draft_decision").due_date == date(2026, 4, 1)
    complete(world, key, "draft_decision", {"outcome": "rejected", "decision_text": "Giữ nguyên Quyết định số 12/QĐ-UBND."})
    sign = task(world, key, "sign_decision")
    assert (sign.role, sign.due_date) == ("leader", date(2026, 4, 1))
    today(world, date(2026, 3, 20))
    complete(world, key, "sign_decision", {"decided_on": "2026-03-20"}, actor="leader")

    [decision] = docs(world, key, "complaint_dec1")
    body = text_of(decision)
    assert "Khiếu nại của người khiếu nại là sai." in body and "Giữ nguyên Quyết định số 12/QĐ-UBND." in body
    assert "không tổ chức đối thoại" in body
    send = task(world, key, "send_decision")
    # complaint.send.first: 3 working days after Fri 20 March -> Wed 25 March.
    assert (send.role, send.form, send.due_date) == ("handling_officer", "send_notice", date(2026, 3, 25))
    complete(world, key, "send_decision", {"sent_on": "2026-03-20", "send_method": "post"})

    # Publication runs beside it; the case waits for an appeal or the end of the window.
    assert "publication" in [i.process_id for i in world.instances(key)]
    first = instance(world, key)
    assert first.status == "waiting" and open_specs(world, key) == set()
    # The resolution is over: the leader's events of the resolution are no longer taken
    # (`active_during`), and raising one anyway changes nothing.
    assert world.services.runtime.waiting_messages(first.id) == ["appeal"]
    for message in ("suspend", "continue", "withdraw", "terminate"):
        with pytest.raises(InvalidState, match="is not waiting for"):
            event(world, key, message)
    assert instance(world, key).status == "waiting" and world.petition(key).status != "closed"
    # complaint.appeal: 30 days from Fri 20 March -> Sun 19 April -> Mon 20 April; the window
    # closes at the end of that day (24:00 in Vietnam = 17:00 UTC).
    at_utc(world, 2026, 4, 20, 16, 59)
    world.services.runtime.fire_due_timers()
    assert instance(world, key).status == "waiting"
    at_utc(world, 2026, 4, 20, 17, 1)
    world.services.runtime.fire_due_timers()
    effective_or_waiting_for_execution(world, key)


def test_a_complaint_not_accepted_ends_with_its_notice_and_reason(world):
    key = accepted_complaint(world, accept=False)
    with pytest.raises(FormInvalid) as refused:
        world.complete(key, "acceptance_notice", {"accepted": "no"})
    assert "refusal_reason" in refused.value.errors
    world.complete(key, "acceptance_notice", {"accepted": "no", "refusal_reason": "no_signature"})
    assert instance(world, key).status == "completed" and world.tasks(key) == []
    petition = world.petition(key)
    assert petition.status == "closed" and "không có chữ ký" in petition.result_note
    [refusal] = docs(world, key, "complaint_refuse")
    assert refusal.leaves_unit and "Đơn khiếu nại không có chữ ký hoặc điểm chỉ" in text_of(refusal)
    assert docs(world, key, "complaint_accept") == [] and docs(world, key, "verify_assign") == []


def test_a_dialogue_needs_five_days_notice_and_an_unexcused_absence_does_not_stop_the_case(world):
    key = accepted_complaint(world)
    verify(world, key, matches="no")
    dialogue = task(world, key, "dialogue")
    assert (dialogue.role, dialogue.form, dialogue.due_date) == ("handling_officer", "dialogue", date(2026, 4, 1))
    today(world, date(2026, 3, 12))
    # Notice on Mon 9 March for a dialogue on Thu 12 March: 3 days, refused, back to the officer.
    complete(world, key, "dialogue", {"notice_on": "2026-03-09", "dialogue_on": "2026-03-12",
                                      "attendance": "attended", "minutes": "Hai bên trình bày ý kiến."})
    again = task(world, key, "dialogue")
    problems = world.services.runtime.task_data(again.id)["dialogue_record"]["problems"]
    assert any("ít nhất 5 ngày" in p for p in problems)
    assert docs(world, key, "dialogue_minutes") == []
    # Notice on Thu 5 March, dialogue on Tue 10 March (5 days), the complainant did not come.
    complete(world, key, "dialogue", {"notice_on": "2026-03-05", "dialogue_on": "2026-03-10",
                                      "attendance": "absent_unexcused", "minutes": "Người khiếu nại không đến."})
    assert open_specs(world, key) == {"draft_decision"}
    [minutes] = docs(world, key, "dialogue_minutes")
    body = text_of(minutes)
    assert "10 tháng 03 năm 2026" in body and "vắng mặt không có lý do chính đáng" in body
    assert "vẫn được tiếp tục" in body
    decide(world, key, date(2026, 3, 13), outcome="partly_upheld")
    [decision] = docs(world, key, "complaint_dec1")
    assert "vắng mặt không có lý do chính đáng" in text_of(decision)
    assert "đúng một phần" in text_of(decision)


def test_a_complex_case_gets_45_days_and_needs_its_written_reason(world):
    key = accepted_complaint(world, accept=False)
    with pytest.raises(FormInvalid) as refused:
        world.complete(key, "acceptance_notice", {"accepted": "yes", "resolve_variant": ".complex"})
    assert "variant_reason" in refused.value.errors
    world.complete(key, "acceptance_notice", {"accepted": "yes", "resolve_variant": ".complex",
                                              "variant_reason": "Xác minh tại hai địa điểm, nhiều người liên quan"})
    # complaint.resolve.first.complex: 45 days from Mon 2 March -> Thu 16 April 2026.
    assert task(world, key, "verify").due_date == date(2026, 4, 16)
    assert "16/04/2026" in text_of(docs(world, key, "complaint_accept")[0])
    verify(world, key, matches="no")
    assert task(world, key, "dialogue").due_date == date(2026, 4, 16)


def test_a_remote_case_gets_45_days_and_a_45_day_appeal_window(world):
    key = accepted_complaint(world, resolve_variant=".remote", variant_reason="Xã vùng sâu, đi lại khó khăn")
    assert task(world, key, "verify").due_date == date(2026, 4, 16)  # .remote: 45 days from 2 March
    verify(world, key)
    decide(world, key, date(2026, 3, 2))
    complete(world, key, "send_decision", {"sent_on": "2026-03-02", "send_method": "in_person"})
    # complaint.appeal.remote: 45 days from Mon 2 March -> Thu 16 April (a 30-day window would
    # have closed on Wed 1 April).
    at_utc(world, 2026, 4, 2, 3, 0)
    world.services.runtime.fire_due_timers()
    assert instance(world, key).status == "waiting"
    at_utc(world, 2026, 4, 16, 17, 1)
    world.services.runtime.fire_due_timers()
    effective_or_waiting_for_execution(world, key)


def test_suspension_pauses_the_clock_and_continuation_recounts_the_full_period(world):
    key = accepted_complaint(world)
    assert task(world, key, "verify").due_date == date(2026, 4, 1)
    today(world, date(2026, 3, 10))
    event(world, key, "suspend", {"requested_by": "leader"})
    suspension = task(world, key, "decide_suspension")
    assert (suspension.role, suspension.form) == ("leader", "suspension_decision")
    complete(world, key, "decide_suspension", {"decided_on": "2026-03-10", "reason": "Chờ kết quả giám định"},
             actor="leader")
    assert world.petition(key).status == "suspended"
    [decision] = docs(world, key, "suspension")
    assert "Chờ kết quả giám định" in text_of(decision)
    # While suspended the case has no new due date: the task keeps the one it had.
    assert task(world, key, "verify").due_date == date(2026, 4, 1)
    today(world, date(2026, 3, 20))
    event(world, key, "continue")
    complete(world, key, "decide_continuation", {"decided_on": "2026-03-20", "reason": "Đã có kết quả giám định"},
             actor="leader")
    assert world.petition(key).status == "resolving"
    assert len(docs(world, key, "continuation")) == 1
    # A complaint recounts its full 30 days from the continuation decision (Fri 20 March):
    # Sun 19 April -> Mon 20 April 2026.
    assert task(world, key, "verify").due_date == date(2026, 4, 20)
    verify(world, key)
    assert task(world, key, "draft_decision").due_date == date(2026, 4, 20)


def test_a_partial_withdrawal_goes_on_and_a_full_one_stops_the_case(world):
    key = accepted_complaint(world)
    event(world, key, "withdraw")
    complete(world, key, "record_withdrawal_request", {"decided_on": "2026-03-02", "scope": "partial",
                                                       "withdrawn_content": "Yêu cầu bồi thường thiệt hại"},
             actor="leader")
    assert open_specs(world, key) == {"verify"}
    assert world.petition(key).status == "resolving" and instance(world, key).status == "waiting"
    verify(world, key, matches="no")
    event(world, key, "withdraw")
    complete(world, key, "record_withdrawal_request", {"decided_on": "2026-03-02", "scope": "full"}, actor="leader")
    assert instance(world, key).status == "completed"
    assert world.tasks(key) == [] and world.petition(key).status == "withdrawn"
    assert docs(world, key, "complaint_dec1") == []


def test_termination_stops_the_case_with_its_decision(world):
    key = accepted_complaint(world)
    verify(world, key)
    event(world, key, "terminate")
    complete(world, key, "decide_termination", {"decided_on": "2026-03-02", "reason": "Người khiếu nại chết, không có người thừa kế quyền, nghĩa vụ"},
             actor="leader")
    assert instance(world, key).status == "completed" and world.tasks(key) == []
    assert world.petition(key).status == "closed"
    [termination] = docs(world, key, "termination")
    assert termination.leaves_unit and "không có người thừa kế" in text_of(termination)


def test_reminder_and_escalation_fire_at_the_statutory_instants(world):
    key = accepted_complaint(world)
    assert task(world, key, "verify").due_date == date(2026, 4, 1)
    # Reminder: 3 working days before Wed 1 April -> Fri 27 March, 08:00 in Vietnam (01:00 UTC).
    at_utc(world, 2026, 3, 27, 0, 59)
    world.services.runtime.fire_due_timers()
    assert audit(world, key, "task.reminder") == []
    at_utc(world, 2026, 3, 27, 1, 0)
    world.services.runtime.fire_due_timers()
    [reminder] = audit(world, key, "task.reminder")
    assert reminder.detail["task"] == "verify" and reminder.detail["on"] == "2026-03-27"
    assert open_specs(world, key) == {"verify"}
    # Escalation: the end of Wed 1 April in Vietnam (17:00 UTC).
    at_utc(world, 2026, 4, 1, 16, 59)
    world.services.runtime.fire_due_timers()
    assert audit(world, key, "task.escalation") == []
    at_utc(world, 2026, 4, 1, 17, 0)
    world.services.runtime.fire_due_timers()
    [escalation] = audit(world, key, "task.escalation")
    assert escalation.detail["task"] == "verify"
    review = task(world, key, "review_overdue_verify")
    assert (review.role, review.form) == ("supervisor", "escalation_review")
    complete(world, key, "review_overdue_verify", {"action": "instructed", "instruction": "Hoàn thành trong tuần"},
             actor="supervisor")
    assert open_specs(world, key) == {"verify"}  # the work itself goes on


# --- second instance -------------------------------------------------------------------------------

def test_an_appeal_starts_the_second_instance_at_the_province_with_its_own_clock(world):
    key = accepted_complaint(world, unit=COMMUNE)
    assert task(world, key, "verify").unit_id == COMMUNE
    verify(world, key)
    decide(world, key, date(2026, 3, 9))
    [first_decision] = docs(world, key, "complaint_dec1")
    # The decision tells the complainant where to appeal: the commune's superior.
    assert "khiếu nại đến Chủ tịch Ủy ban nhân dân (Ủy ban nhân dân tỉnh Cao Bằng)" in text_of(first_decision)
    complete(world, key, "send_decision", {"sent_on": "2026-03-09", "send_method": "post"})
    today(world, date(2026, 3, 16))
    event(world, key, "appeal", {"appealed_on": "2026-03-16"})
    assert instance(world, key).status == "completed"
    first = world.petition(key)
    with world.services.sessions() as s:
        second = s.execute(select(Petition).where(Petition.appeal_of_id == first.id)).scalar_one()
        second_key, second_unit = second.business_key, second.holding_unit.code
        assert (second.instance_level, second.status, second.petition_type) == (2, "accepted", "complaint")
    assert second_unit == UBND  # the commune chairman's superior: the province's People's Committee
    notice = task(world, second_key, "acceptance_notice", SECOND)
    # complaint.accept: 10 days from the appeal (Mon 16 March) -> Thu 26 March.
    assert (notice.unit_id, notice.due_date) == (UBND, date(2026, 3, 26))
    complete(world, second_key, "acceptance_notice", {"accepted": "yes"}, process_id=SECOND)
    assert world.petition(second_key).status == "resolving"
    # complaint.resolve.second: 45 days from Mon 16 March -> Thu 30 April (a holiday) -> Fri 1 May
    # (a holiday) -> Sat, Sun -> Mon 4 May 2026.
    assert task(world, second_key, "verify", SECOND).due_date == date(2026, 5, 4)
    verify(world, second_key, matches="yes", process_id=SECOND)
    # The second instance always holds a dialogue, even when the verification agrees.
    dialogue = task(world, second_key, "dialogue", SECOND)
    assert dialogue.due_date == date(2026, 5, 4)
    today(world, date(2026, 3, 23))
    complete(world, second_key, "dialogue", {"notice_on": "2026-03-17", "dialogue_on": "2026-03-23",
                                             "attendance": "attended", "minutes": "Người khiếu nại giữ nguyên yêu cầu."},
             process_id=SECOND)
    decide(world, second_key, date(2026, 3, 24), process_id=SECOND)
    send = task(world, second_key, "send_decision", SECOND)
    # complaint.send.second: 7 days from Tue 24 March -> Tue 31 March.
    assert send.due_date == date(2026, 3, 31)
    [decision] = docs(world, second_key, "complaint_dec2")
    assert first_decision.number in text_of(decision) and "Lê Văn Nam" in text_of(decision)
    assert world.petition(second_key).status == "resolved"
    # The complainant sues while the decision is being sent: recorded on the case.
    event(world, second_key, "lawsuit", process_id=SECOND)
    complete(world, second_key, "record_lawsuit_filed", {"court": "Tòa án nhân dân tỉnh Cao Bằng",
                                                         "filed_on": "2026-03-24"}, process_id=SECOND)
    assert "Tòa án nhân dân tỉnh Cao Bằng" in world.petition(second_key).note
    complete(world, second_key, "send_decision", {"sent_on": "2026-03-24", "send_method": "post"}, process_id=SECOND)
    assert instance(world, second_key, SECOND).status == "completed"
    assert open_specs(world, second_key, SECOND) == set()


def test_a_withdrawn_content_cannot_come_back_in_a_new_letter(world):
    key = accepted_complaint(world)
    event(world, key, "withdraw")
    complete(world, key, "record_withdrawal_request", {"decided_on": "2026-03-02", "scope": "full",
                                                       "withdrawn_content": COMPLAINT}, actor="leader")
    assert world.petition(key).status == "withdrawn"
    again = world.register(content=COMPLAINT, petitioners=[COMPLAINANT])
    world.complete(again, "classify", {"petition_type": "complaint", "within_competence": "yes", "outcome": "accept"})
    problems = world.services.runtime.task_data(world.task(again, "classify").id)["classification"]["problems"]
    assert any("đã được rút" in p and world.petition(key).receipt_no in p for p in problems)
    world.complete(again, "classify", {"petition_type": "complaint", "within_competence": "no", "outcome": "archive",
                                       "reasons": ["already_resolved"]})
    assert world.petition(again).status == "archived"


def test_reminder_and_escalation_follow_the_case_s_clock_through_a_suspension(world):
    key = accepted_complaint(world)
    assert task(world, key, "verify").due_date == date(2026, 4, 1)
    today(world, date(2026, 3, 10))
    event(world, key, "suspend")
    complete(world, key, "decide_suspension", {"decided_on": "2026-03-10", "reason": "Chờ giám định"}, actor="leader")
    # The rule's own instants come while the case is suspended: nothing is recorded, the
    # diagram looks again each day.
    at_utc(world, 2026, 3, 27, 1, 0)
    world.services.runtime.fire_due_timers()
    at_utc(world, 2026, 4, 1, 17, 0)
    world.services.runtime.fire_due_timers()
    assert audit(world, key, "task.reminder") == [] and audit(world, key, "task.escalation") == []
    assert open_specs(world, key) == {"verify"}
    today(world, date(2026, 4, 6))
    event(world, key, "continue")
    complete(world, key, "decide_continuation", {"decided_on": "2026-04-06", "reason": "Đã có kết quả giám định"},
             actor="leader")
    # Recounted: 30 days from Mon 6 April -> Wed 6 May 2026.
    assert task(world, key, "verify").due_date == date(2026, 5, 6)
    world.services.runtime.fire_due_timers()  # the daily look of 7 April 00:00 is due
    assert audit(world, key, "task.reminder") == [] and audit(world, key, "task.escalation") == []
    # Reminder: 3 working days before Wed 6 May: Tue 5, Mon 4 May, then (Fri 1 May and Thu
    # 30 April are holidays) Wed 29 April, 08:00 in Vietnam (01:00 UTC).
    at_utc(world, 2026, 4, 29, 0, 59)
    world.services.runtime.fire_due_timers()
    assert audit(world, key, "task.reminder") == []
    at_utc(world, 2026, 4, 29, 1, 0)
    world.services.runtime.fire_due_timers()
    [reminder] = audit(world, key, "task.reminder")
    assert reminder.detail == {"task": "verify", "on": "2026-04-29"}
    # Escalation at the end of Wed 6 May in Vietnam (17:00 UTC), not at the rule's 1 April.
    at_utc(world, 2026, 5, 6, 16, 59)
    world.services.runtime.fire_due_timers()
    assert audit(world, key, "task.escalation") == []
    at_utc(world, 2026, 5, 6, 17, 0)
    world.services.runtime.fire_due_timers()
    [escalation] = audit(world, key, "task.escalation")
    assert escalation.detail == {"task": "verify", "on": "2026-05-07"}
    assert open_specs(world, key) == {"verify", "review_overdue_verify"}
