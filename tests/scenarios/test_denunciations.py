"""Every path of processes/denunciation.bpmn and processes/denunciation_review.bpmn through the
runtime, on SQLite and PostgreSQL: the path taken, the end state, each statutory due date on the
real calendar, the documents produced, and that nothing leaving the unit, nothing in the
verifier's file and nothing the verifier can read holds the denouncer's identity.

The calendar (March-June 2026): no public holiday in March; Mon 27 April (Giỗ Tổ, observed),
Thu 30 April and Fri 1 May are holidays. Dates in comments are counted by hand (BLDS Arts 144-148:
the trigger day is not counted; a calendar-day period ending on a day off ends on the next working
day)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tiepdan.cases.clock import events_of
from tiepdan.cases.documents import docx_text
from tiepdan.cases.errors import IdentityAccessDenied
from tiepdan.cases.identity import SEALED_MASK, reveal_identity, redacted_view
from tiepdan.cases.parties import add_petitioner, add_respondent
from tiepdan.cases.petitions import get_petition, register_petition
from tiepdan.cases.users import create_user, get_user
from tiepdan.cases.withdrawals import withdrawals_of
from tiepdan.engine.models import AuditEntry
from tiepdan.handlers.denunciations import VERIFIER_FILE_KIND, open_review

from .world import COMMUNE, CSDT, TTR, UBND, person

CONTENT = ("Tôi tố cáo ông Trần Văn Bình, Phó Chánh Văn phòng Ủy ban nhân dân tỉnh, có hành vi nhận hối lộ "
           "khi thẩm định hồ sơ dự án. Liên hệ: Nguyễn Thị Hoa, 0912 345 678, Số 7 phố Kim Đồng.")
DENOUNCER = person("Nguyễn Thị Hoa", "004190001234", "Số 7 phố Kim Đồng, phường Thục Phán", "0912345678")
RESPONDENT = {"name": "Trần Văn Bình", "position": "Phó Chánh Văn phòng", "organisation_unit": UBND}
SECRETS = ["Nguyễn Thị Hoa", "Nguyen Thi Hoa", "004190001234", "0912345678", "0912 345 678", "Số 7 phố Kim Đồng"]
LEADER, OFFICER, VERIFIER = "lanhdao", "xulydon", "xacminh"


def at(world, day: date, hour: int = 9) -> None:
    """Move the clock to `day` at `hour` o'clock in Vietnam (UTC+7)."""
    world.clock.at = datetime(day.year, day.month, day.day, hour - 7)


def secrets_in(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def text_of(doc) -> str:
    return docx_text(doc.content) if doc.filename.endswith(".docx") else doc.content.decode()


def received(world) -> str:
    """A denunciation registered on Mon 2 March 2026 and accepted by the intake that day."""
    at(world, date(2026, 3, 2))
    key = world.register(content=CONTENT, petitioners=[DENOUNCER], respondents=[RESPONDENT])
    world.complete(key, "classify", {"petition_type": "denunciation", "within_competence": "yes",
                                     "competent_unit": UBND, "outcome": "accept"})
    world.complete(key, "approve_denunciation", {"decision": "accept"}, actor=LEADER)
    return key


def accepted(world, on: date = date(2026, 3, 4)) -> str:
    """...with the acceptance decision of `on`, the notices sent and verification assigned."""
    key = received(world)
    at(world, on)
    world.complete(key, "acceptance_decision", {"decided_on": on.isoformat()}, actor=LEADER)
    world.complete(key, "notify_parties", {"sent_on": on.isoformat(), "send_method": "post"}, actor=OFFICER)
    return key


def denunciation(world, key: str):
    [found] = [i for i in world.instances(key) if i.process_id == "denunciation"]
    return found


def send(world, key: str, message: str, actor: str = LEADER):
    return world.services.runtime.send_message(denunciation(world, key).id, message, {}, actor=actor)


def due(world, key: str) -> dict:
    return {t.task_spec: t.due_date for t in world.tasks(key)}


def kinds(world, key: str) -> list[str]:
    return [d.kind for d in world.documents(key)]


def leaves_unit_documents(world, key: str) -> list:
    return [d for d in world.documents(key) if d.leaves_unit]


def assert_no_denouncer_in_documents_that_leave(world, key: str) -> None:
    for doc in leaves_unit_documents(world, key):
        text = text_of(doc)
        assert secrets_in(text) == [], (doc.kind, doc.number)
        assert SEALED_MASK not in text, (doc.kind, doc.number)  # addressed by role, never "(hidden)"


def verified(world, key: str, on: date = date(2026, 3, 20), **form) -> None:
    at(world, on)
    world.complete(key, "verify", {"reported_on": on.isoformat(), "findings": "Có căn cứ xác định ông Bình đã "
                                   "nhận 50 triệu đồng.", "violation_found": True, **form}, actor=VERIFIER)


def concluded(world, key: str, on: date = date(2026, 3, 27), **form) -> None:
    at(world, on)
    world.complete(key, "conclude", {"concluded_on": on.isoformat(), "conclusion_text": "Tố cáo là đúng.",
                                     "outcome": "upheld",
                                     "measures": "Kỷ luật cảnh cáo.", "violation_found": True, **form},
                   actor=LEADER)


def user(world, username: str, unit: str, *roles: str):
    with world.session() as s:
        create_user(s, username=username, full_name="Cán bộ " + username, unit=unit, roles=roles,
                    processes_dir=world.services.library.processes_dir, clock=world.clock)


# --- the normal path -----------------------------------------------------------------------------


def test_the_normal_path_runs_to_the_conclusion_on_the_statutory_calendar(world):
    key = received(world)
    decide = world.task(key, "acceptance_decision")
    assert (decide.role, decide.unit_id, decide.form) == ("leader", UBND, "denunciation_acceptance")
    # denunciation.initial: 7 working days after Mon 2 March -> Wed 11 March.
    assert decide.due_date == date(2026, 3, 11)
    assert world.petition(key).status == "accepted"

    at(world, date(2026, 3, 4))
    world.complete(key, "acceptance_decision", {"decided_on": "2026-03-04"}, actor=LEADER)
    assert world.petition(key).status == "resolving"
    notify = world.task(key, "notify_parties")
    # denunciation.notify_acceptance: 5 working days after Wed 4 March -> Wed 11 March.
    assert (notify.role, notify.due_date) == ("handling_officer", date(2026, 3, 11))
    docs = world.documents(key)
    assert [d.kind for d in docs] == ["proposal_accept", "denounce_accept", "denounce_notice", "denounce_notice"]
    decision, to_denouncer, to_denounced = docs[1:]
    assert not decision.leaves_unit and to_denouncer.leaves_unit and to_denounced.leaves_unit
    # Thirty days from the decision of 4 March: Fri 3 April.
    assert "03/04/2026" in text_of(decision) and decision.number == "1/2026/QĐ-UBND"
    assert "Người tố cáo theo đơn số" in text_of(to_denouncer)
    assert "Kính gửi: Trần Văn Bình" in text_of(to_denounced)
    assert "Người tố cáo theo đơn" not in text_of(to_denounced)
    for doc in (decision, to_denouncer, to_denounced):
        assert secrets_in(text_of(doc)) == []

    at(world, date(2026, 3, 5))
    world.complete(key, "notify_parties", {"sent_on": "2026-03-05", "send_method": "post"}, actor=OFFICER)
    # Redaction before the assignment: the verifier's file, then the assignment decision.
    assert kinds(world, key)[4:] == [VERIFIER_FILE_KIND, "verify_assign"]
    verifier_file, assignment = world.documents(key)[4:]
    assert verifier_file.filename.endswith(".txt") and not verifier_file.leaves_unit
    assert "HỒ SƠ GIAO XÁC MINH" in text_of(verifier_file) and "Trần Văn Bình" in text_of(verifier_file)
    assert "đã loại bỏ thông tin người tố cáo" in world.petition(key).note
    assert verifier_file.id < assignment.id and assignment.leaves_unit
    verify = world.task(key, "verify")
    # denunciation.resolve: 30 days after 4 March -> Fri 3 April; on the case's clock.
    assert (verify.role, verify.form, verify.due_date) == ("verifier", "denunciation_verification", date(2026, 4, 3))
    assert "03/04/2026" in text_of(assignment)

    # Nothing the verifier can read holds the denouncer: the file, the view, the task's data; and
    # a verifier (of this unit or of the inspectorate) cannot reveal the sealed identity.
    assert secrets_in(text_of(verifier_file)) == []
    assert secrets_in(str(world.services.runtime.task_data(verify.id))) == []
    user(world, VERIFIER, UBND, "verifier")
    user(world, "xacminh.ttr", TTR, "verifier", "supervisor")
    user(world, LEADER, UBND, "leader")
    with world.session() as s:
        petition = get_petition(s, key)
        view = redacted_view(s, petition)
        assert secrets_in(str(view)) == [] and SEALED_MASK in str(view)
        [denouncer] = [p for p in petition.parties if p.role == "petitioner"]
        assert denouncer.sealed
        for username in (VERIFIER, "xacminh.ttr"):
            with pytest.raises(IdentityAccessDenied, match="không được xem thông tin người tố cáo"):
                reveal_identity(s, denouncer.id, get_user(s, username), "xác minh", clock=world.clock)
        # The resolving unit's leader may (audited): the identity is sealed, not destroyed.
        assert reveal_identity(s, denouncer.id, get_user(s, LEADER), "giải quyết tố cáo",
                               clock=world.clock).full_name == "Nguyễn Thị Hoa"

    verified(world, key)
    assert world.task(key, "conclude").due_date == date(2026, 4, 3)
    concluded(world, key)
    [conclusion] = [d for d in world.documents(key) if d.kind == "denounce_concl"]
    assert conclusion.leaves_unit and "Tố cáo là đúng." in text_of(conclusion)
    assert "nhận 50 triệu đồng" in text_of(conclusion) and "Kỷ luật cảnh cáo." in text_of(conclusion)
    send = world.task(key, "send_conclusion")
    # denunciation.send_conclusion: 5 working days after Fri 27 March -> Fri 3 April.
    assert (send.role, send.due_date) == ("handling_officer", date(2026, 4, 3))

    at(world, date(2026, 3, 30))
    world.complete(key, "send_conclusion", {"sent_on": "2026-03-30", "send_method": "post"}, actor=OFFICER)
    handle = world.task(key, "handle_conclusion")
    # denunciation.handle_conclusion: 7 working days after Fri 27 March -> Tue 7 April.
    assert (handle.role, handle.due_date) == ("leader", date(2026, 4, 7))
    world.complete(key, "handle_conclusion", {"actions": "Đã kỷ luật cảnh cáo ông Bình."}, actor=LEADER)

    instance = denunciation(world, key)
    assert instance.status == "completed"
    petition = world.petition(key)
    assert petition.status == "resolved" and petition.transferred_to_unit is None
    assert "Đã kỷ luật cảnh cáo" in petition.result_note
    assert {i.process_id for i in world.instances(key)} >= {"petition_intake", "denunciation", "publication",
                                                             "execution"}
    assert "transfer_slip" not in kinds(world, key)
    assert_no_denouncer_in_documents_that_leave(world, key)


# --- extension (LTC Art 30) --------------------------------------------------------------------


def extend(world, key: str, on: date, complexity: str, reason: str = "Phải xác minh tại nhiều cơ quan, đơn vị."):
    at(world, on)
    send(world, key, "extend")
    world.complete(key, "decide_extension", {"decided_on": on.isoformat(), "complexity": complexity,
                                             "reason": reason}, actor=LEADER)


def refusals(world, key: str) -> list[dict]:
    with world.services.sessions() as s:
        return [e.detail for e in s.execute(select(AuditEntry).where(
            AuditEntry.business_key == key, AuditEntry.action == "case.extension_refused")).scalars()]


def test_a_complex_case_is_extended_once_and_a_second_extension_is_refused(world):
    key = accepted(world)
    assert world.services.runtime.waiting_messages(denunciation(world, key).id) == [
        "continue", "extend", "suspend", "terminate", "withdraw"]
    extend(world, key, date(2026, 3, 25), "complex")
    # 30 + 30 days after 4 March: Sun 3 May -> Mon 4 May.
    assert due(world, key) == {"verify": date(2026, 5, 4)}
    [extension] = [d for d in world.documents(key) if d.kind == "extension"]
    assert extension.leaves_unit and "thêm 30 ngày" in text_of(extension) and "04/05/2026" in text_of(extension)
    with world.services.sessions() as s:
        [event] = events_of(s, get_petition(s, key))
        assert (event.kind, event.complexity, event.decision_no) == ("extension", "complex", extension.number)

    documents_before = kinds(world, key)
    extend(world, key, date(2026, 4, 20), "complex", "Cần thêm thời gian.")
    # Refused: the case goes on with its due date, no decision, no number, one audit entry.
    [refusal] = refusals(world, key)
    assert "phức tạp chỉ được gia hạn tối đa 1 lần" in refusal["reason"]
    assert "đã được gia hạn 1 lần" in refusal["reason"]
    assert denunciation(world, key).status == "waiting"
    # The rule's own overdue instant (end of 3 April) passed on the way to 20 April, but the
    # extended case was not overdue: no escalation, no review (docs/procedures.md).
    assert due(world, key) == {"verify": date(2026, 5, 4)}
    assert escalations(world, key) == []
    assert kinds(world, key) == documents_before
    with world.services.sessions() as s:
        assert len(events_of(s, get_petition(s, key))) == 1
    verified(world, key, date(2026, 4, 28))
    assert due(world, key) == {"conclude": date(2026, 5, 4)}
    # The end of Mon 4 May in Vietnam (17:00 UTC): the conclusion is overdue on its extended date.
    world.clock.at = datetime(2026, 5, 4, 16, 59)
    world.services.runtime.fire_due_timers()
    assert escalations(world, key) == []
    world.clock.at = datetime(2026, 5, 4, 17, 0)
    world.services.runtime.fire_due_timers()
    assert escalations(world, key) == [("conclude", "2026-05-05")]
    assert due(world, key) == {"conclude": date(2026, 5, 4), "review_overdue_conclusion": None}


def escalations(world, key: str) -> list[tuple[str, str]]:
    with world.services.sessions() as s:
        entries = s.execute(select(AuditEntry).where(AuditEntry.business_key == key,
                                                     AuditEntry.action == "task.escalation")
                            .order_by(AuditEntry.seq)).scalars().all()
    return [(e.detail["task"], e.detail["on"]) for e in entries]


def test_an_especially_complex_case_is_extended_twice_and_no_more(world):
    key = accepted(world)
    extend(world, key, date(2026, 3, 25), "especially_complex")
    assert due(world, key) == {"verify": date(2026, 5, 4)}  # 60 days after 4 March, rolled to Mon 4 May
    extend(world, key, date(2026, 4, 28), "especially_complex", "Chờ kết quả giám định tài liệu.")
    # 90 days after 4 March: Tue 2 June. The rule's own overdue instant (3 April) has passed, but
    # the case was extended in time: nobody is asked to review it (docs/procedures.md).
    assert due(world, key) == {"verify": date(2026, 6, 2)} and escalations(world, key) == []
    assert kinds(world, key).count("extension") == 2
    extend(world, key, date(2026, 5, 25), "especially_complex", "Còn nội dung chưa rõ.")
    [refusal] = refusals(world, key)
    assert "đặc biệt phức tạp chỉ được gia hạn tối đa 2 lần" in refusal["reason"]
    assert due(world, key) == {"verify": date(2026, 6, 2)} and kinds(world, key).count("extension") == 2
    verified(world, key, date(2026, 5, 26))
    assert due(world, key) == {"conclude": date(2026, 6, 2)} and escalations(world, key) == []
    # The conclusion's reminder came due on 28 May (3 working days before 2 June) and runs in the
    # very step whose terminate end event closes the resolution: the conclusion's data still
    # reaches the next stage (engine.spiff_bridge.EngineWorkflow).
    concluded(world, key, date(2026, 5, 29))
    assert world.task(key, "send_conclusion").due_date == date(2026, 6, 5)  # 5 working days after Fri 29 May
    assert_no_denouncer_in_documents_that_leave(world, key)


# --- suspension and continuation (LTC Art 34) ---------------------------------------------------


def test_a_suspension_stops_the_clock_and_the_remaining_time_runs_on_after_the_continuation(world):
    key = accepted(world)
    at(world, date(2026, 3, 10))
    send(world, key, "suspend")
    world.complete(key, "decide_suspension", {"decided_on": "2026-03-10", "reason": "Chờ kết quả giám định."},
                   actor=LEADER)
    assert world.petition(key).status == "suspended"
    at(world, date(2026, 3, 20))
    send(world, key, "continue")
    world.complete(key, "decide_continuation", {"decided_on": "2026-03-20", "reason": "Đã có kết quả giám định."},
                   actor=LEADER)
    assert world.petition(key).status == "resolving"
    # 24 of the 30 days were left on 10 March (up to 3 April); they run on from 20 March: Mon 13 April.
    # (A complaint would recount 30 days from 20 March: 19 April.)
    assert due(world, key) == {"verify": date(2026, 4, 13)}
    assert kinds(world, key)[-2:] == ["suspension", "continuation"]
    verified(world, key, date(2026, 4, 1))
    assert due(world, key) == {"conclude": date(2026, 4, 13)}
    assert_no_denouncer_in_documents_that_leave(world, key)


# --- withdrawal (LTC Art 33) and termination -----------------------------------------------------


def withdraw(world, key: str, **form) -> None:
    at(world, date(2026, 3, 16))
    send(world, key, "withdraw")
    world.complete(key, "decide_withdrawal", {"decided_on": "2026-03-16", "scope": "full", **form}, actor=LEADER)


def test_a_withdrawal_stops_the_case_unless_the_act_shows_a_violation_or_it_was_coerced(world):
    stopped = accepted(world)
    withdraw(world, stopped)
    assert denunciation(world, stopped).status == "completed" and world.tasks(stopped) == []
    assert world.petition(stopped).status == "withdrawn"
    assert {"publication", "execution"}.isdisjoint(i.process_id for i in world.instances(stopped))

    for form in ({"violation_found": True}, {"coerced": True}):
        key = accepted(world)
        withdraw(world, key, **form)
        # Recorded, and the case goes on with its clock (LTC Art 33; NĐ 31 as amended).
        assert denunciation(world, key).status == "waiting"
        assert due(world, key) == {"verify": date(2026, 4, 3)}
        assert world.petition(key).status == "resolving"
        with world.services.sessions() as s:
            [withdrawal] = withdrawals_of(s, get_petition(s, key))
            assert (withdrawal.scope, withdrawal.on_date, withdrawal.coerced) == (
                "full", date(2026, 3, 16), bool(form.get("coerced")))
    verified(world, key)
    concluded(world, key)
    assert world.task(key, "send_conclusion").due_date == date(2026, 4, 3)


def test_a_termination_ends_the_case_with_its_decision_wherever_it_stands(world):
    key = accepted(world)
    at(world, date(2026, 3, 18))
    send(world, key, "terminate")
    world.complete(key, "decide_termination", {"decided_on": "2026-03-18",
                                               "reason": "Người bị tố cáo đã chết."}, actor=LEADER)
    assert denunciation(world, key).status == "completed" and world.tasks(key) == []
    assert world.petition(key).status == "closed"
    [termination] = [d for d in world.documents(key) if d.kind == "termination"]
    assert termination.leaves_unit and "Người bị tố cáo đã chết." in text_of(termination)
    assert_no_denouncer_in_documents_that_leave(world, key)

    # Before the acceptance decision too: the stage the case stands in takes the stop.
    early = received(world)
    at(world, date(2026, 3, 3))
    send(world, early, "terminate")
    world.complete(early, "decide_termination", {"decided_on": "2026-03-03", "reason": "Người bị tố cáo đã chết."},
                   actor=LEADER)
    assert denunciation(world, early).status == "completed" and world.tasks(early) == []
    assert world.petition(early).status == "closed"
    assert kinds(world, early) == ["proposal_accept", "termination"]


# --- signs of crime (LTC Art 36) -----------------------------------------------------------------


def test_signs_of_crime_send_the_file_to_the_investigation_body_without_the_denouncer(world):
    key = accepted(world)
    verified(world, key, signs_of_crime=True)
    concluded(world, key, signs_of_crime=True, measures="Chuyển hồ sơ đến Cơ quan Cảnh sát điều tra.")
    at(world, date(2026, 3, 30))
    world.complete(key, "send_conclusion", {"sent_on": "2026-03-30", "send_method": "post"}, actor=OFFICER)
    world.complete(key, "handle_conclusion", {"actions": "Chuyển hồ sơ vụ việc.", "transfer_to_investigation": True},
                   actor=LEADER)
    petition = world.petition(key)
    assert petition.transferred_to_unit.code == CSDT and petition.transferred_on == date(2026, 3, 30)
    [slip] = [d for d in world.documents(key) if d.kind == "transfer_slip"]
    assert slip.leaves_unit and petition.transfer_doc_no == slip.number
    assert petition.transferred_to_unit.name in text_of(slip)
    assert secrets_in(text_of(slip)) == [] and "Người đứng đơn" not in text_of(slip)
    assert petition.status == "resolved" and denunciation(world, key).status == "completed"
    assert_no_denouncer_in_documents_that_leave(world, key)


# --- reminder and escalation --------------------------------------------------------------------


def test_the_verifier_is_reminded_before_the_due_date_and_the_supervisor_sees_it_overdue(world):
    key = accepted(world)
    # remind_days = 3 working days before Fri 3 April: Tue 31 March, 08:00 in Vietnam (01:00 UTC).
    world.clock.at = datetime(2026, 3, 31, 0, 59)
    assert world.services.runtime.fire_due_timers() == 0
    world.clock.at = datetime(2026, 3, 31, 1, 0)
    assert world.services.runtime.fire_due_timers() == 1
    # Overdue at the end of 3 April: 00:00 on 4 April in Vietnam (17:00 UTC on 3 April).
    world.clock.at = datetime(2026, 4, 3, 16, 59)
    assert world.services.runtime.fire_due_timers() == 0
    world.clock.at = datetime(2026, 4, 3, 17, 0)
    assert world.services.runtime.fire_due_timers() == 1
    review = world.task(key, "review_overdue")
    assert (review.role, review.form) == ("supervisor", "escalation_review")
    assert world.task(key, "verify")  # still with the verifier
    with world.services.sessions() as s:
        entries = s.execute(select(AuditEntry).where(AuditEntry.business_key == key, AuditEntry.action.in_(
            ("task.reminder", "task.escalation"))).order_by(AuditEntry.seq)).scalars().all()
    assert [(e.action, e.detail["task"], e.detail["on"]) for e in entries] == [
        ("task.reminder", "verify", "2026-03-31"), ("task.escalation", "verify", "2026-04-04")]
    world.complete(key, "review_overdue", {"action": "instructed", "instruction": "Khẩn trương báo cáo."},
                   actor="giamsat")
    verified(world, key, date(2026, 4, 6))
    # The conclusion is overdue too: its timers fire in the step that opens it.
    assert {t.task_spec for t in world.tasks(key)} == {"conclude", "review_overdue_conclusion"}
    with world.services.sessions() as s:
        entries = s.execute(select(AuditEntry).where(AuditEntry.business_key == key, AuditEntry.action.in_(
            ("task.reminder", "task.escalation"))).order_by(AuditEntry.seq)).scalars().all()
    assert [(e.action, e.detail["task"]) for e in entries][2:] == [
        ("task.reminder", "conclude"), ("task.escalation", "conclude")]
    # The supervisor's review does not hold the case back: the conclusion closes it.
    concluded(world, key, date(2026, 4, 7))
    assert {t.task_spec for t in world.tasks(key)} == {"send_conclusion"}


# --- re-denunciation (LTC Art 37) ----------------------------------------------------------------


def redenounced(world) -> str:
    """A re-denunciation registered at the province (superior of the commune that concluded)."""
    at(world, date(2026, 3, 2))
    with world.session() as s:
        petition = register_petition(
            s, unit=UBND, content="Tôi tiếp tục tố cáo ông Lê Văn Cường, công chức phường Thục Phán; kết luận của "
            "Chủ tịch UBND phường chưa đúng. Nguyễn Thị Hoa.", channel="post", created_by="frontdesk",
            petition_type="denunciation", previous_resolution="Kết luận số 3/KL-UBND ngày 05/01/2026 của Chủ tịch "
            "UBND phường Thục Phán", clock=world.clock).petition
        add_petitioner(s, petition, DENOUNCER, clock=world.clock)
        add_respondent(s, petition, name="Lê Văn Cường", position="Công chức", organisation_unit=COMMUNE,
                       clock=world.clock)
        open_review(world.services.runtime, s, petition, "frontdesk")
        return petition.business_key


def review(world, key: str, outcome: str, reason: str = "Đã xem xét hồ sơ giải quyết trước.") -> None:
    task = world.task(key, "review")
    assert (task.role, task.unit_id, task.form) == ("leader", UBND, "redenunciation_review")
    # denunciation.review: 20 days after Mon 2 March -> Sun 22 March -> Mon 23 March.
    assert task.due_date == date(2026, 3, 23)
    at(world, date(2026, 3, 12))
    world.complete(key, "review", {"outcome": outcome, "reason": reason}, actor=LEADER)
    [instance] = [i for i in world.instances(key) if i.process_id == "denunciation_review"]
    assert instance.status == "completed"


def test_the_superior_refuses_takes_over_or_orders_a_re_denunciation_resolved_again(world):
    refused = redenounced(world)
    review(world, refused, "refuse", "Kết luận trước đúng pháp luật, không có tình tiết mới.")
    petition = world.petition(refused)
    assert petition.status == "closed" and "Không thụ lý tố cáo tiếp" in petition.note
    assert "không có tình tiết mới" in petition.note
    assert [i.process_id for i in world.instances(refused)] == ["denunciation_review"]

    again = redenounced(world)
    review(world, again, "re_resolve", "Yêu cầu Chủ tịch UBND phường xác minh lại nội dung thứ hai.")
    petition = world.petition(again)
    assert "Yêu cầu người đã giải quyết tố cáo giải quyết lại" in petition.note
    assert "xác minh lại nội dung thứ hai" in petition.note and petition.status == "registered"
    assert [i.process_id for i in world.instances(again)] == ["denunciation_review"] and world.tasks(again) == []

    taken = redenounced(world)
    review(world, taken, "take_over", "Có tình tiết mới.")
    petition = world.petition(taken)
    assert petition.status == "accepted" and petition.holding_unit.code == UBND
    assert petition.accepted_on == date(2026, 3, 12)  # the day of the review (reports 04/GQTC count it)
    assert "Thụ lý giải quyết tố cáo tiếp" in petition.note
    decide = world.task(taken, "acceptance_decision")
    # The denunciation procedure runs here: denunciation.initial from the receipt (2 March) -> 11 March.
    assert (decide.unit_id, decide.due_date) == (UBND, date(2026, 3, 11))
    world.complete(taken, "acceptance_decision", {"decided_on": "2026-03-12"}, actor=LEADER)
    world.complete(taken, "notify_parties", {"sent_on": "2026-03-12", "send_method": "post"}, actor=OFFICER)
    assert due(world, taken) == {"verify": date(2026, 4, 13)}  # 30 days after 12 March: Sat 11 April -> Mon 13
    assert_no_denouncer_in_documents_that_leave(world, taken)


def test_the_intake_sends_a_re_denunciation_to_the_superior_s_review(world):
    at(world, date(2026, 3, 2))
    key = world.register(unit=UBND, petitioners=[DENOUNCER], content="Tôi tiếp tục tố cáo ông Lê Văn Cường; kết "
                         "luận của Chủ tịch UBND phường Thục Phán chưa đúng.",
                         respondents=[{"name": "Lê Văn Cường", "position": "Công chức",
                                       "organisation_unit": COMMUNE}])
    classify = {"petition_type": "complaint", "within_competence": "yes", "outcome": "review", "field": "land"}
    world.complete(key, "classify", classify)
    problems = world.services.runtime.task_data(world.task(key, "classify").id)["classification"]["problems"]
    assert problems == ["Chỉ đơn tố cáo tiếp mới trình lãnh đạo xem xét tố cáo tiếp"]
    assert [i.process_id for i in world.instances(key)] == ["petition_intake"]

    world.complete(key, "classify", {**classify, "petition_type": "denunciation"})
    intake, review_instance = world.instances(key)
    assert (intake.process_id, intake.status) == ("petition_intake", "completed")
    assert review_instance.process_id == "denunciation_review"
    # The same review task as a re-denunciation registered at the superior: due 23 March.
    review(world, key, "take_over", "Có tình tiết mới.")
    assert world.petition(key).status == "accepted"
    assert [i.process_id for i in world.instances(key)] == ["petition_intake", "denunciation_review", "denunciation"]


def test_an_anonymous_re_denunciation_is_not_reviewed(world):
    at(world, date(2026, 3, 2))
    key = world.register(unit=UBND, anonymous=True, content="Tố cáo tiếp ông Lê Văn Cường, công chức phường.")
    world.complete(key, "classify", {"petition_type": "denunciation", "within_competence": "yes", "outcome": "review",
                                     "field": "land"})
    problems = world.services.runtime.task_data(world.task(key, "classify").id)["classification"]["problems"]
    assert "Tố cáo nặc danh không được xem xét theo thủ tục tố cáo tiếp" in problems
    assert [i.process_id for i in world.instances(key)] == ["petition_intake"]
