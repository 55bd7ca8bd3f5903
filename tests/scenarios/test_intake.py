"""Every path of processes/petition_intake.bpmn through the runtime, on SQLite and PostgreSQL:
outcome, statutory due dates on the real calendar, documents, links, and what a receiving unit
can read of a denouncer."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tiepdan.cases.identity import redacted_view
from tiepdan.cases.models import CaseDocument, Petition
from tiepdan.engine.models import AuditEntry

from .world import COMMUNE, CSDT, SNNMT, UBKT, UBND, person

COMPLAINT = "Tôi khiếu nại Quyết định số 12/QĐ-UBND về việc thu hồi đất của gia đình tôi, đề nghị xem xét lại quyết định hành chính này."
DENUNCIATION = "Tôi tố cáo ông Trần Văn Bình, cán bộ địa chính phường Thục Phán, có hành vi nhận hối lộ khi cấp giấy chứng nhận."
RECOMMENDATION = "Tôi kiến nghị sửa chữa tuyến đường tổ 5 bị hư hỏng nặng sau mùa mưa."
DENOUNCER = person("Nguyễn Thị Hoa", "004190001234", "Số 7 phố Kim Đồng, phường Thục Phán", "0912345678")


def classify(world, key, **form):
    data = {"petition_type": "complaint", "within_competence": "yes", "outcome": "accept", **form}
    return world.complete(key, "classify", data)


def test_the_intake_proposes_a_type_and_indexes_the_statutory_due_date(world):
    key = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam", "004085000111")])
    task = world.task(key, "classify")
    assert (task.role, task.unit_id, task.form) == ("handling_officer", UBND, "classify_petition")
    # petition.process: 10 working days after Mon 2 March 2026 (no holiday in between).
    assert task.due_date == date(2026, 3, 16)
    proposal = world.services.runtime.task_data(task.id)["proposal"]
    assert proposal["proposed_type"] == "complaint"
    assert proposal["proposed_unit"] == UBND and proposal["within_competence"] is True


def test_accepting_a_complaint_needs_the_leader_within_the_acceptance_limit(world):
    key = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam", "004085000111")])
    classify(world, key, field="land")
    approve = world.task(key, "approve_complaint")
    assert approve.role == "leader"
    # complaint.accept before 2026-07-01: 10 calendar days from receipt -> Thu 12 March 2026.
    assert approve.due_date == date(2026, 3, 12)
    [proposal] = world.documents(key)
    assert proposal.kind == "proposal_accept" and proposal.number == "1/2026/PĐX-UBND"
    assert "Lê Văn Nam" in proposal.content.decode()
    world.complete(key, "approve_complaint", {"decision": "accept"}, actor="leader")
    # The intake ends and the first-instance complaint procedure starts in the same step.
    intake, resolution = world.instances(key)
    assert (intake.process_id, intake.status) == ("petition_intake", "completed")
    assert resolution.process_id == "complaint_first" and resolution.unit_id == UBND
    assert world.petition(key).status == "accepted"
    assert [t.task_spec for t in world.tasks(key)] == ["acceptance_notice"]


def test_without_its_resolution_procedure_acceptance_stops_in_a_clear_error(world):
    from tiepdan.engine.models import ProcessVersion

    with world.session() as s:  # as if complaint_first had never been published
        s.query(ProcessVersion).filter(ProcessVersion.process_id == "complaint_first").update({"status": "draft"})
    key = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam", "004085000111")])
    classify(world, key)
    world.complete(key, "approve_complaint", {"decision": "accept"}, actor="leader")
    [intake] = world.instances(key)
    assert intake.status == "error"
    assert "complaint_first" in intake.error_message and "chưa được ban hành" in intake.error_message
    assert world.petition(key).status == "classified"  # the failed step changed nothing


def test_the_leader_can_send_a_classification_back(world):
    key = world.register(content=RECOMMENDATION, petitioners=[person("Lê Văn Nam")])
    classify(world, key, petition_type="recommendation")
    assert world.task(key, "approve_recommendation").due_date == date(2026, 3, 16)
    world.complete(key, "approve_recommendation", {"decision": "return", "leader_note": "Xem lại thẩm quyền"})
    assert world.task(key).task_spec == "classify"


def test_an_inconsistent_classification_returns_to_the_officer_with_its_problems(world):
    key = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam")])
    classify(world, key, outcome="guide", within_competence="yes", guided_to="Tòa án")
    task = world.task(key, "classify")
    problems = world.services.runtime.task_data(task.id)["classification"]["problems"]
    assert any("thẩm quyền" in p for p in problems)
    assert world.petition(key).status == "registered"  # nothing was recorded


def test_a_complaint_outside_competence_is_guided_once(world):
    first = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam", "004085000111")])
    classify(world, first, within_competence="no", outcome="guide", guided_to="Tòa án nhân dân khu vực 1 - Cao Bằng")
    send = world.task(first, "send_guidance")
    assert send.due_date == date(2026, 3, 16)
    [guidance] = world.documents(first)
    assert guidance.kind == "guidance" and guidance.leaves_unit
    assert "Tòa án nhân dân khu vực 1" in guidance.content.decode()
    world.complete(first, "send_guidance", {"sent_on": "2026-03-02", "send_method": "post"})
    assert world.instances(first)[0].status == "completed"
    petition = world.petition(first)
    assert (petition.status, petition.guidance_doc_no) == ("guided", guidance.number)

    second = world.register(content=COMPLAINT, petitioners=[person("Lê Văn Nam", "004085000111")])
    duplicates = world.services.runtime.task_data(world.task(second, "classify").id)["proposal"]["duplicates"]
    assert [d["business_key"] for d in duplicates] == [first]
    classify(world, second, within_competence="no", outcome="guide", guided_to="Tòa án", duplicate_of=petition.receipt_no)
    problems = world.services.runtime.task_data(world.task(second, "classify").id)["classification"]["problems"]
    assert any("đã được hướng dẫn một lần" in p for p in problems)
    classify(world, second, within_competence="no", outcome="archive", reasons=["duplicate"], duplicate_of=petition.receipt_no)
    archived = world.petition(second)
    assert archived.status == "archived" and archived.duplicate_of_id == petition.id
    assert archived.retain_until == date(2027, 3, 2)  # archive.retention: one year


def test_an_ineligible_petition_is_archived_with_its_reasons(world):
    key = world.register(content="Đơn không ký tên.")
    classify(world, key, outcome="archive", reasons=["no_signature", "no_name"], within_competence="no")
    petition = world.petition(key)
    assert petition.status == "archived" and petition.eligible is False
    assert petition.eligibility_reasons == ["no_name", "no_signature"]  # in the form's order
    [note] = world.documents(key)
    assert note.kind == "archive_note" and "Đơn không có chữ ký hoặc điểm chỉ" in note.content.decode()
    assert world.tasks(key) == []


def _denunciation(world, unit=UBND):
    return world.register(
        unit=unit, content=DENUNCIATION + " Liên hệ: Nguyễn Thị Hoa, 0912 345 678.",
        petitioners=[DENOUNCER], respondents=[{"name": "Trần Văn Bình", "position": "Công chức địa chính",
                                               "organisation_unit": COMMUNE}],
    )


def _strings_of_denouncer():
    return ["Nguyễn Thị Hoa", "Nguyen Thi Hoa", "004190001234", "0912345678", "0912 345 678", "Số 7 phố Kim Đồng"]


def test_a_denunciation_transferred_inside_the_system_reaches_the_competent_unit_without_its_denouncer(world):
    key = _denunciation(world)
    proposal = world.services.runtime.task_data(world.task(key, "classify").id)["proposal"]
    assert proposal["proposed_type"] == "denunciation"
    assert proposal["proposed_unit"] == COMMUNE  # an official of the commune: its chairman resolves
    classify(world, key, petition_type="denunciation", within_competence="no", outcome="transfer")
    send = world.task(key, "send_transfer_denunciation")
    assert send.due_date == date(2026, 3, 9)  # denunciation.transfer: 5 working days
    [slip] = world.documents(key)
    assert slip.kind == "transfer_slip" and slip.number == "1/2026/PC-UBND"
    world.complete(key, "send_transfer_denunciation", {"sent_on": "2026-03-02", "send_method": "electronic"})
    original = world.petition(key)
    assert original.status == "transferred" and original.transfer_doc_no == slip.number
    new = world.petition(id=original.transferred_to_id)
    assert new.transferred_from_id == original.id and new.receiving_unit.code == COMMUNE
    assert (new.channel, new.forward_doc_no, new.petition_type) == ("forwarded", slip.number, "denunciation")
    # The commune's officer now has the intake of the new petition in its queue.
    task = world.task(new.business_key, "classify")
    assert task.unit_id == COMMUNE
    # Nothing the commune can read holds the denouncer: its petition, parties, view, search text,
    # the slip it received, and the intake's task data.
    task_data = str(world.services.runtime.task_data(task.id))
    with world.services.sessions() as s:
        new = s.get(Petition, new.id)
        readable = [new.content, new.title, new.search_text, str(redacted_view(s, new)), slip.content.decode(), task_data]
        assert all(p.identity is None for p in new.parties if p.role == "petitioner")
        assert any(p.sealed for p in new.parties)
    for text in readable:
        for secret in _strings_of_denouncer():
            assert secret.lower() not in text.lower(), (secret, text[:200])


def test_a_second_transfer_of_the_same_content_is_refused(world):
    key = _denunciation(world)
    classify(world, key, petition_type="denunciation", within_competence="no", outcome="transfer")
    world.complete(key, "send_transfer_denunciation", {"sent_on": "2026-03-02", "send_method": "post"})
    new_key = world.petition(id=world.petition(key).transferred_to_id).business_key
    # The commune tries to send it back up: refused, the officer must decide otherwise.
    world.complete(new_key, "classify", {"petition_type": "denunciation", "within_competence": "no",
                                         "outcome": "transfer", "competent_unit": UBND})
    problems = world.services.runtime.task_data(world.task(new_key, "classify").id)["classification"]["problems"]
    assert any("không chuyển trả lại" in p for p in problems)
    # A re-sent letter with the same content, marked as its duplicate, cannot be transferred again.
    again = _denunciation(world)
    original = world.petition(key)
    world.complete(again, "classify", {"petition_type": "denunciation", "within_competence": "no",
                                       "outcome": "transfer", "duplicate_of": original.receipt_no})
    problems = world.services.runtime.task_data(world.task(again, "classify").id)["classification"]["problems"]
    assert any("đã được chuyển một lần" in p for p in problems)


def test_signs_of_crime_go_to_the_investigation_body_and_wait_for_its_report(world):
    key = _denunciation(world)
    classify(world, key, petition_type="denunciation", within_competence="no", outcome="accept", signs_of_crime=True)
    problems = world.services.runtime.task_data(world.task(key, "classify").id)["classification"]["problems"]
    assert any("cơ quan điều tra" in p for p in problems)
    classify(world, key, petition_type="denunciation", within_competence="no", outcome="transfer", signs_of_crime=True)
    world.complete(key, "send_transfer_denunciation", {"sent_on": "2026-03-02", "send_method": "in_person"})
    petition = world.petition(key)
    assert petition.transferred_to_unit.code == CSDT and petition.transferred_to_id is None
    wait = world.task(key, "await_result")
    # denunciation.forwarded_report: 20 days from the transfer (2 March) -> Sun 22 March -> Mon 23 March.
    assert wait.due_date == date(2026, 3, 23)
    # The reminder fires at the end of the due day, not before; the waiting task stays open.
    world.clock.at = world.clock.at.replace(day=23, hour=10)
    assert world.services.runtime.fire_due_timers() == 0
    world.clock.at = world.clock.at.replace(day=23, hour=17, minute=1)  # 00:01 on 24 March in Vietnam
    assert world.services.runtime.fire_due_timers() == 1
    assert world.task(key, "await_result").id == wait.id
    with world.services.sessions() as s:
        reminders = s.execute(select(AuditEntry).where(AuditEntry.business_key == key,
                                                       AuditEntry.action == "case.reminder")).scalars().all()
    assert len(reminders) == 1
    world.complete(key, "await_result", {"reported_on": "2026-03-24", "result_summary": "Đã khởi tố vụ án"})
    assert "khởi tố" in world.petition(key).result_note
    assert world.tasks(key) == []


def test_a_party_rule_breach_goes_to_the_party_inspection_body(world):
    key = _denunciation(world)
    classify(world, key, petition_type="denunciation", within_competence="no", outcome="transfer", party_rule_breach=True)
    assert world.petition(key).competent_unit.code == UBKT
    [slip] = world.documents(key)
    assert "Ủy ban Kiểm tra Tỉnh ủy Cao Bằng" in slip.content.decode()
    for secret in _strings_of_denouncer():
        assert secret.lower() not in slip.content.decode().lower()


def test_a_recommendation_in_a_field_is_transferred_to_its_department(world):
    key = world.register(content="Tôi phản ánh việc đổ chất thải ra suối gây ô nhiễm môi trường.", petitioners=[person("Lê Văn Nam")])
    classify(world, key, petition_type="recommendation", field="environment", within_competence="no", outcome="transfer")
    world.complete(key, "send_transfer", {"sent_on": "2026-03-02", "send_method": "electronic"})
    new = world.petition(id=world.petition(key).transferred_to_id)
    assert new.receiving_unit.code == SNNMT
    assert [p.identity.full_name for p in new.parties if p.identity] == ["Lê Văn Nam"]  # not sealed: kept


def test_a_mixed_letter_is_split_into_petitions_each_with_its_intake(world):
    key = world.register(content=COMPLAINT + " " + DENUNCIATION, petitioners=[DENOUNCER])
    proposal = world.services.runtime.task_data(world.task(key, "classify").id)["proposal"]
    assert proposal["proposed_type"] == "mixed"
    assert world.petition(key).parties[0].sealed  # mixed is sealed until split
    classify(world, key, petition_type="mixed", within_competence="yes", outcome="split")
    world.complete(key, "split_content", {"content_1": COMPLAINT, "type_1": "complaint",
                                          "content_2": DENUNCIATION, "type_2": "denunciation"})
    with world.services.sessions() as s:
        parts = s.execute(select(Petition).where(Petition.split_from_id == world.petition(key).id)
                          .order_by(Petition.id)).scalars().all()
        assert [p.petition_type for p in parts] == ["complaint", "denunciation"]
        assert all(p.parties[0].sealed for p in parts)  # sealing is one-way
        keys = [p.business_key for p in parts]
    assert world.petition(key).status == "closed"
    for part in keys:
        assert world.task(part, "classify").unit_id == UBND


def test_a_petition_forwarded_by_the_national_assembly_delegation_keeps_its_forwarding_document(world):
    key = world.register(content=RECOMMENDATION, petitioners=[person("Lê Văn Nam")], channel="forwarded",
                         forwarded_by="04.DDBQH", forward_doc_no="15/ĐĐBQH-VP")
    classify(world, key, petition_type="recommendation", within_competence="yes", outcome="accept")
    [proposal] = world.documents(key)
    assert "Đoàn đại biểu Quốc hội tỉnh Cao Bằng" in proposal.content.decode()
    petition = world.petition(key)
    assert (petition.channel, petition.forward_doc_no) == ("forwarded", "15/ĐĐBQH-VP")


def test_an_anonymous_denunciation_goes_to_the_inspectorate_not_to_resolution(world):
    from .world import TTR

    key = world.register(content=DENUNCIATION, anonymous=True,
                         respondents=[{"name": "Trần Văn Bình", "organisation_unit": COMMUNE}])
    proposal = world.services.runtime.task_data(world.task(key, "classify").id)["proposal"]
    assert proposal["proposed_unit"] == TTR
    classify(world, key, petition_type="denunciation", within_competence="yes", outcome="accept")
    problems = world.services.runtime.task_data(world.task(key, "classify").id)["classification"]["problems"]
    assert any("nặc danh" in p for p in problems)
    classify(world, key, petition_type="denunciation", within_competence="no", outcome="transfer")
    world.complete(key, "send_transfer_denunciation", {"sent_on": "2026-03-02", "send_method": "electronic"})
    petition = world.petition(key)
    assert petition.transferred_to_unit.code == TTR and petition.status == "transferred"
