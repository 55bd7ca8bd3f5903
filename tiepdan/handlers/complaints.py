"""Complaints, first and second instance (Luật Khiếu nại 2011, NĐ 124/2020 as amended): the
acceptance or non-acceptance notice, the verification assignment, the dialogue minutes, the
decision, and a lawsuit recorded after the second instance.

The same operations serve processes/complaint_first.bpmn and processes/complaint_second.bpmn;
the instance (`ctx.process_id`) chooses the rules and the decision template. Each works on the
petition whose business key the instance carries and refuses a wrong request with a Vietnamese
CaseError (the step is rolled back and the instance shows the message).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tiepdan.cases import competence
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import CaseDocument, Petition, Unit
from tiepdan.cases.petitions import record_decision, set_status

from . import context
from .documents import produce
from .registry import operation

SECOND_INSTANCE_PROCESS = "complaint_second"
VARIANTS = ("", ".complex", ".remote", ".remote_complex")
# LKN Art 11: why a complaint is not accepted (the codes of the complaint_acceptance form).
REFUSAL_GROUNDS: dict[str, str] = {
    "internal_act": "Quyết định hành chính, hành vi hành chính bị khiếu nại thuộc trường hợp trong nội bộ cơ quan nhà "
                    "nước, chỉ đạo điều hành, có chứa quy phạm pháp luật hoặc thuộc bí mật nhà nước",
    "not_affected": "Quyết định hành chính, hành vi hành chính bị khiếu nại không liên quan trực tiếp đến quyền, lợi "
                    "ích hợp pháp của người khiếu nại",
    "no_capacity": "Người khiếu nại không có năng lực hành vi dân sự đầy đủ mà không có người đại diện hợp pháp",
    "unlawful_representative": "Người đại diện không hợp pháp thực hiện khiếu nại",
    "no_signature": "Đơn khiếu nại không có chữ ký hoặc điểm chỉ của người khiếu nại",
    "time_barred": "Thời hiệu, thời hạn khiếu nại đã hết mà không có lý do chính đáng",
    "second_instance_exists": "Khiếu nại đã có quyết định giải quyết khiếu nại lần hai",
    "no_follow_up": "Có văn bản thông báo đình chỉ việc giải quyết khiếu nại mà sau 30 ngày người khiếu nại không "
                    "tiếp tục khiếu nại",
    "court_accepted": "Việc khiếu nại đã được Tòa án thụ lý hoặc đã có bản án, quyết định của Tòa án",
}
OUTCOMES = {
    "upheld": "Khiếu nại của người khiếu nại là đúng.",
    "partly_upheld": "Khiếu nại của người khiếu nại là đúng một phần.",
    "rejected": "Khiếu nại của người khiếu nại là sai.",
}
ATTENDANCE = {
    "attended": "Người khiếu nại có mặt",
    "absent_excused": "Người khiếu nại vắng mặt có lý do chính đáng",
    "absent_unexcused": "Người khiếu nại vắng mặt không có lý do chính đáng",
}
MIN_NOTICE_DAYS = 5  # NĐ 124 Art 28 as amended: the dialogue notice goes at least 5 days before [S-OCR]


def _second(ctx) -> bool:
    return ctx.process_id == SECOND_INSTANCE_PROCESS


def _resolve_rule(ctx) -> str:
    variant = context.form_value(ctx, "resolve_variant", "")
    if variant not in VARIANTS:
        raise CaseError(f"Thời hạn giải quyết không hợp lệ: {variant!r}")
    return ("complaint.resolve.second" if _second(ctx) else "complaint.resolve.first") + variant


def _date(ctx, name: str, label: str) -> date:
    value = context.form_value(ctx, name)
    if value is None:
        raise CaseError(f"Chưa nhập {label}")
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise CaseError(f"{label} không hợp lệ: {value!r}") from None


def _petitioners(view: dict) -> list[str]:
    return [p["name"] for p in view["parties"] if p["role"] != "respondent" and p["name"]]


def _inspectorate(ctx, unit: Unit) -> Unit | None:
    return ctx.session.execute(
        select(Unit).where(Unit.kind == "provincial_inspectorate", Unit.province_code == unit.province_code,
                           Unit.valid_to.is_(None)).order_by(Unit.depth, Unit.id).limit(1)
    ).scalar_one_or_none()


def _recipients(ctx, petition: Petition) -> list[str]:
    """Who receives the acceptance or non-acceptance notice (LKN Arts 27, 36): the complainant,
    the body that forwarded the complaint, the provincial inspectorate."""
    from tiepdan.cases.identity import redacted_view

    names = _petitioners(redacted_view(ctx.session, petition))
    out = [f"Người khiếu nại: {'; '.join(names) if names else 'theo đơn số ' + petition.receipt_no}"]
    if petition.forwarded_by_name:
        out.append(f"Cơ quan chuyển đơn: {petition.forwarded_by_name}")
    inspectorate = _inspectorate(ctx, petition.holding_unit)
    out.append(f"Thanh tra tỉnh: {inspectorate.name if inspectorate else 'Thanh tra tỉnh'}")
    return out


@operation("notify_complaint_acceptance")
def notify_complaint_acceptance(ctx) -> dict:
    """Mẫu 03 / Mẫu 04: the complaint is accepted (its resolution limit runs from `accepted_on`)
    or refused on an LKN Art 11 ground; the notice goes to the complainant, the forwarding body
    and the provincial inspectorate."""
    petition = context.petition(ctx)
    unit = petition.holding_unit
    accepted = context.form_value(ctx, "accepted")
    if accepted not in ("yes", "no"):
        raise CaseError("Chưa chọn thụ lý hay không thụ lý khiếu nại")
    recipients = _recipients(ctx, petition)
    if accepted == "no":
        code = context.form_value(ctx, "refusal_reason")
        if code not in REFUSAL_GROUNDS:
            raise CaseError("Không thụ lý khiếu nại phải nêu lý do theo Điều 11 Luật Khiếu nại")
        reason = REFUSAL_GROUNDS[code]
        note = context.form_value(ctx, "refusal_note", "")
        doc = produce(ctx, kind="complaint_refuse", template="complaint_refusal.docx", unit=unit, petition=petition,
                      leaves_unit=True, extra={"doc": {"reason": reason + (f". {note}" if note else "."),
                                                       "recipients": recipients}})
        set_status(petition, "closed", clock=ctx.clock)
        petition.result_note = f"Không thụ lý giải quyết khiếu nại: {reason} (thông báo số {doc.number})"
        return {"accepted": False, "document": doc.number, "reason": code, "recipients": recipients}
    rule = _resolve_rule(ctx)
    if rule.endswith("complex") and not context.form_value(ctx, "variant_reason"):
        raise CaseError("Vụ việc phức tạp phải ghi rõ lý do bằng văn bản")
    accepted_on = _date(ctx, "accepted_on", "ngày thụ lý")
    due_on = context.due(ctx, rule, accepted_on)
    doc = produce(ctx, kind="complaint_accept", template="complaint_acceptance.docx", unit=unit, petition=petition,
                  leaves_unit=True, extra={"doc": {"accepted_on": accepted_on.isoformat(), "due_on": due_on.isoformat(),
                                                   "recipients": recipients}})
    set_status(petition, "resolving", clock=ctx.clock)
    return {"accepted": True, "document": doc.number, "rule": rule, "due_on": due_on.isoformat(),
            "recipients": recipients}


@operation("assign_complaint_verification")
def assign_complaint_verification(ctx) -> dict:
    """The head assigns the verification (LKN Art 29): decision with the date the report is due
    (the resolution limit)."""
    petition = context.petition(ctx)
    unit = petition.holding_unit
    report_by = context.due(ctx, _resolve_rule(ctx), _date(ctx, "accepted_on", "ngày thụ lý"))
    verifier = f"Người được giao nhiệm vụ xác minh của {unit.name}"
    doc = produce(ctx, kind="verify_assign", template="verification_assignment.docx", unit=unit, petition=petition,
                  extra={"doc": {"verifier": verifier, "report_by": report_by.isoformat()}})
    return {"document": doc.number, "report_by": report_by.isoformat()}


@operation("record_dialogue")
def record_dialogue(ctx) -> dict:
    """Biên bản đối thoại (Mẫu 14). A notice given less than 5 days before the dialogue, or an
    excused absence, sends the task back with its problem; an unexcused absence does not stop
    the case (LKN Art 30(6) as amended)."""
    petition = context.petition(ctx)
    notice_on = _date(ctx, "notice_on", "ngày gửi thông báo đối thoại")
    dialogue_on = _date(ctx, "dialogue_on", "ngày đối thoại")
    attendance = context.form_value(ctx, "attendance")
    if attendance not in ATTENDANCE:
        raise CaseError("Chưa ghi người khiếu nại có mặt hay vắng mặt")
    problems = []
    if (dialogue_on - notice_on).days < MIN_NOTICE_DAYS:
        problems.append(
            f"Thông báo đối thoại phải gửi ít nhất {MIN_NOTICE_DAYS} ngày trước ngày đối thoại: thông báo ngày "
            f"{notice_on:%d/%m/%Y}, đối thoại ngày {dialogue_on:%d/%m/%Y}. Hãy tổ chức lại buổi đối thoại."
        )
    if attendance == "absent_excused":
        problems.append(
            "Người khiếu nại vắng mặt có lý do chính đáng: hãy hẹn lại buổi đối thoại (hoặc đề nghị tạm đình chỉ "
            "việc giải quyết nếu trở ngại kéo dài)."
        )
    if problems:
        return {"problems": problems}
    from tiepdan.cases.identity import redacted_view

    view = redacted_view(ctx.session, petition)
    unit = petition.holding_unit
    attendees = [{"name": unit.head_title or unit.name, "position": f"người giải quyết khiếu nại, {unit.name}"}]
    if attendance == "attended":
        attendees += [{"name": name, "position": "người khiếu nại"} for name in _petitioners(view)]
    minutes = context.form_value(ctx, "minutes", "")
    result = minutes
    if attendance == "absent_unexcused":
        result = (f"{ATTENDANCE[attendance]} (đã được thông báo ngày {notice_on:%d/%m/%Y}); việc giải quyết khiếu nại "
                  f"vẫn được tiếp tục theo quy định. {minutes}")
    doc = produce(ctx, kind="dialogue_minutes", template="dialogue_minutes.docx", unit=unit, petition=petition,
                  leaves_unit=True, extra={"doc": {"dialogue_on": dialogue_on.isoformat(), "attendees": attendees,
                                                   "discussion": minutes, "result": result}})
    return {"problems": [], "document": doc.number, "attendance": attendance, "result": result,
            "dialogue_on": dialogue_on.isoformat()}


def _first_decision(ctx, petition: Petition) -> tuple[str, str, str]:
    """(number, date, issuing head) of the first-instance decision a second instance reviews."""
    first = ctx.session.get(Petition, petition.appeal_of_id) if petition.appeal_of_id else None
    if first is None:
        return "…", "", "người giải quyết khiếu nại lần đầu"
    doc = ctx.session.execute(
        select(CaseDocument).where(CaseDocument.petition_id == first.id, CaseDocument.kind == "complaint_dec1")
        .order_by(CaseDocument.id.desc()).limit(1)
    ).scalar_one_or_none()
    by = f"{first.holding_unit.head_title} {first.holding_unit.name}".strip()
    if doc is None:
        return "…", "", by
    return doc.number, doc.created_at.date().isoformat() if doc.created_at else "", by


@operation("issue_complaint_decision")
def issue_complaint_decision(ctx) -> dict:
    """The signed decision (LKN Arts 31, 40), sent to the parties: its date starts the sending
    limit, the publication and (first instance) the appeal window."""
    petition = context.petition(ctx)
    unit = petition.holding_unit
    decided_on = _date(ctx, "decided_on", "ngày ký quyết định")
    accepted_on = _date(ctx, "accepted_on", "ngày thụ lý")
    if decided_on < accepted_on:
        raise CaseError(f"Ngày ký quyết định {decided_on:%d/%m/%Y} trước ngày thụ lý {accepted_on:%d/%m/%Y}")
    outcome = context.form_value(ctx, "outcome")
    if outcome not in OUTCOMES:
        raise CaseError("Chưa có kết luận khiếu nại đúng, đúng một phần hay sai")
    dialogue = ctx.data.get("dialogue_record") or {}
    doc_values = {
        "findings": context.form_value(ctx, "findings", ""),
        "dialogue_result": dialogue.get("result") or "Kết quả xác minh phù hợp với yêu cầu của người khiếu nại, "
                                                      "không tổ chức đối thoại.",
        "conclusion": OUTCOMES[outcome],
        "decision_text": context.form_value(ctx, "decision_text", ""),
    }
    if _second(ctx):
        number, on, by = _first_decision(ctx, petition)
        doc_values.update(first_decision_no=number, first_decision_on=on, first_decision_by=by)
        kind, template = "complaint_dec2", "complaint_decision_second.docx"
    else:
        rules = competence.load_rules(context.processes_dir(ctx))
        superior = competence.competent_unit(ctx.session, rules, unit, petition_type="complaint", second_instance=True)
        doc_values["appeal_to"] = (f"{superior.head_title} ({superior.name})" if superior is not None
                                   else "người có thẩm quyền giải quyết khiếu nại lần hai")
        kind, template = "complaint_dec1", "complaint_decision_first.docx"
    doc = produce(ctx, kind=kind, template=template, unit=unit, petition=petition, leaves_unit=True,
                  extra={"doc": doc_values})
    variant = context.form_value(ctx, "resolve_variant", "")
    petition.result_note = f"Quyết định giải quyết khiếu nại số {doc.number} ngày {decided_on:%d/%m/%Y}: {OUTCOMES[outcome]}"
    record_decision(petition, on=decided_on, outcome=outcome, clock=ctx.clock)
    if _second(ctx):
        set_status(petition, "resolved", clock=ctx.clock)
    return {"decided_on": decided_on.isoformat(), "document": doc.number, "outcome": outcome,
            "appeal_variant": ".remote" if "remote" in variant else ""}


@operation("record_lawsuit")
def record_lawsuit(ctx) -> dict:
    """The complainant sued in the administrative court (LKN Arts 33, 42): noted on the case."""
    petition = context.petition(ctx)
    court = (context.form_value(ctx, "court", "") or "").strip()
    if not court:
        raise CaseError("Chưa ghi Tòa án thụ lý vụ án hành chính")
    filed_on = _date(ctx, "filed_on", "ngày khởi kiện")
    line = f"Ngày {filed_on:%d/%m/%Y} người khiếu nại khởi kiện vụ án hành chính tại {court}."
    petition.note = (petition.note + "\n" if petition.note else "") + line
    return {"court": court, "filed_on": filed_on.isoformat()}
