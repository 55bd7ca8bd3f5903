"""Resolution of a denunciation (giải quyết tố cáo): Luật Tố cáo 2018, Nghị định 31/2019/NĐ-CP as
amended by Nghị định 156/2026/NĐ-CP; the operations of processes/denunciation.bpmn and
processes/denunciation_review.bpmn.

The denouncer's identity is the thread that runs through every operation here (LTC Arts 9, 47,
56): every document is generated from `identity.redacted_view` (`documents.produce`), the ones
that leave the unit are checked again when stored, the free text an officer types into a form
is masked of the sealed strings before it reaches a document, and before verification is
assigned the verifier's file is made from the redacted view and the redaction is noted on the
case. A verifier is never among the roles that may reveal a sealed identity
(cases/data/identity_access.yaml).

Events a leader raises on the running case (suspension, continuation, withdrawal, termination)
use the operations of `case_events`; an extension goes through `extend_denunciation` here, so
that a refused extension (LTC Art 30: once for a complex case, twice for an especially complex
one, checked by `cases.clock.extend`) is told to the leader and changes nothing instead of
putting the case in error.
"""
from __future__ import annotations

from datetime import date

from tiepdan.cases import clock, competence
from tiepdan.cases.documents import issue_document
from tiepdan.cases.errors import CaseError
from tiepdan.cases.identity import redacted_view
from tiepdan.cases.petitions import (
    DECISION_OUTCOMES, petition_reveals, record_decision, record_transfer, sealed_strings, set_holding_unit, set_status,
)
from tiepdan.cases.textutil import mask_text
from tiepdan.engine import audit

from . import context
from .documents import produce
from .registry import operation

PROCESS = "denunciation"
REVIEW_PROCESS = "denunciation_review"
RESOLVE_RULE = "denunciation.resolve"
EXTENSION_DAYS = 30  # LTC Art 30; the catalogue's `extension.count` is what the due dates use
VERIFIER_FILE_KIND = "verify_file"  # the verifier's redacted file, an internal document
REVIEW_OUTCOMES = {
    "refuse": "Không thụ lý tố cáo tiếp",
    "take_over": "Thụ lý giải quyết tố cáo tiếp",
    "re_resolve": "Yêu cầu người đã giải quyết tố cáo giải quyết lại",
}


# --- helpers ---------------------------------------------------------------------------------


def _date(value, what: str) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise CaseError(f"{what} không hợp lệ: {value!r}") from None


def _form_date(ctx, name: str, what: str) -> date:
    value = context.form_value(ctx, name)
    if value is None:
        raise CaseError(f"Thiếu {what.lower()}")
    return _date(value, what)


def _clean(petition, text) -> str:
    """Free text typed by an officer, with every sealed identity string of the case masked out."""
    return mask_text(str(text or "").strip(), sealed_strings(petition))


def _append_note(petition, line: str, ctx) -> None:
    petition.note = (petition.note + "\n" if petition.note else "") + line
    petition.updated_at = ctx.clock.now()


def _resolve_due(ctx, petition, accepted_on: date) -> date:
    """denunciation.resolve from acceptance on the case's own clock (pauses, extensions)."""
    pauses, extensions = clock.adjustments(ctx.session, petition.business_key)
    return ctx.runtime.due_date(ctx.tx, RESOLVE_RULE, accepted_on, pauses=pauses, extensions=extensions)


ACCEPTED_ACTION = "case.denunciation_accepted"


def _acceptance(ctx) -> tuple[str, date]:
    """(decision number, date) of the case's acceptance decision: from the step's data on the
    main path; from the case's audit trail in an event subprocess (which sees only the data the
    procedure started with)."""
    found = ctx.data.get("acceptance") or {}
    if not found.get("document") or not found.get("accepted_on"):
        entries = [e for e in audit.entries_for_case(ctx.session, ctx.business_key) if e.action == ACCEPTED_ACTION]
        found = entries[-1].detail if entries else {}
    if not found.get("document") or not found.get("accepted_on"):
        raise CaseError("Chưa có quyết định thụ lý tố cáo")
    return found["document"], _date(found["accepted_on"], "Ngày thụ lý")


def _check_redacted(petition, text: str, what: str) -> None:
    if petition_reveals(petition, text):
        raise CaseError(f"{what} của đơn {petition.receipt_no} còn thông tin người tố cáo: không được giao xác minh")


# --- denunciation.bpmn -----------------------------------------------------------------------


@operation("open_denunciation")
def open_denunciation(ctx) -> str:
    """The variant of `denunciation.initial` for the acceptance decision's due date: "" (7
    working days); ".extended" (10) is chosen when verification at several places is needed."""
    petition = context.petition(ctx)
    if petition.petition_type != "denunciation":
        raise CaseError(f"Đơn {petition.receipt_no} không phải đơn tố cáo: không giải quyết theo quy trình tố cáo")
    variant = ctx.data.get("initial_variant") or ""
    if variant not in ("", ".extended"):
        raise CaseError(f"Biến thể thời hạn xử lý ban đầu không hợp lệ: {variant!r}")
    return variant


@operation("accept_denunciation")
def accept_denunciation(ctx) -> dict:
    """Quyết định thụ lý tố cáo (Mẫu 04, LTC Art 29): an internal decision; the resolution time
    (denunciation.resolve) runs from its date."""
    petition = context.petition(ctx)
    decided_on = _form_date(ctx, "decided_on", "Ngày quyết định thụ lý")
    if decided_on < petition.received_on:
        raise CaseError(
            f"Ngày thụ lý {decided_on:%d/%m/%Y} trước ngày nhận đơn {petition.received_on:%d/%m/%Y}"
        )
    due_on = context.due(ctx, RESOLVE_RULE, decided_on)
    doc = produce(ctx, kind="denounce_accept", template="denunciation_acceptance.docx", unit=petition.holding_unit,
                  petition=petition, leaves_unit=False, extra={"doc": {"due_on": due_on.isoformat(),
                                                                       "decided_on": decided_on.isoformat()}})
    set_status(petition, "resolving", clock=ctx.clock)
    accepted = {"accepted_on": decided_on.isoformat(), "document": doc.number}
    audit.record(ctx.session, actor=ctx.actor, action=ACCEPTED_ACTION, business_key=petition.business_key,
                 instance_id=ctx.instance_id, detail=accepted, clock=ctx.clock)
    return {**accepted, "due_on": due_on.isoformat()}


@operation("notify_denunciation_parties")
def notify_denunciation_parties(ctx) -> dict:
    """Thông báo việc thụ lý (LTC Art 29(3)): one notice to the denouncer (addressed by receipt
    number) and one to the denounced person (the allegations, never who made them). Both leave
    the unit, so both are checked for the denouncer's identity when stored."""
    petition = context.petition(ctx)
    number, accepted_on = _acceptance(ctx)
    due_on = _resolve_due(ctx, petition, accepted_on)
    notices = {}
    for recipient in ("denouncer", "denounced"):
        doc = produce(ctx, kind="denounce_notice", template="denunciation_notice.docx", unit=petition.holding_unit,
                      petition=petition, leaves_unit=True,
                      extra={"doc": {"recipient": recipient, "decision_no": number,
                                     "decision_on": accepted_on.isoformat(), "due_on": due_on.isoformat()}})
        notices[recipient] = doc.number
    return {"to_denouncer": notices["denouncer"], "to_denounced": notices["denounced"]}


def _verifier_file_text(view: dict, acceptance_no: str, accepted_on: date, due_on: date) -> str:
    respondents = [p for p in view["parties"] if p["role"] == "respondent"]
    lines = [
        "HỒ SƠ GIAO XÁC MINH NỘI DUNG TỐ CÁO",
        "(Đã loại bỏ họ tên, địa chỉ, bút tích và thông tin cá nhân của người tố cáo - Điều 47 Luật Tố cáo)",
        "",
        f"Đơn số: {view['receipt_no']}, nhận ngày {_date(view['received_on'], 'Ngày nhận'):%d/%m/%Y}",
        f"Quyết định thụ lý: số {acceptance_no} ngày {accepted_on:%d/%m/%Y}",
        f"Thời hạn giải quyết: đến ngày {due_on:%d/%m/%Y} (có thể được gia hạn theo Điều 30 Luật Tố cáo)",
        f"Đơn vị giải quyết: {(view['holding_unit'] or {}).get('name', '')}",
        "",
        "Người bị tố cáo:",
        *[f"- {p['name']}"
          + (f", {p['position']}" if p.get("position") else "")
          + (f", {p['organisation']}" if p.get("organisation") else "") for p in respondents],
        "",
        "Nội dung tố cáo:",
        view["content"],
    ]
    if view.get("previous_resolution"):
        lines += ["", "Kết quả giải quyết trước đây:", view["previous_resolution"]]
    return "\n".join(lines) + "\n"


@operation("redact_for_verification")
def redact_for_verification(ctx) -> dict:
    """Before verification is assigned, the denouncer's name, address, handwriting and personal
    data are taken out of the file (NĐ 31/2019 as amended): the verifier's file is made from the
    redacted view, checked once more, stored as an internal document, and the redaction is
    noted on the case."""
    petition = context.petition(ctx)
    number, accepted_on = _acceptance(ctx)
    view = redacted_view(ctx.session, petition)
    text = _verifier_file_text(view, number, accepted_on, _resolve_due(ctx, petition, accepted_on))
    _check_redacted(petition, text, "Hồ sơ giao xác minh")
    doc = issue_document(ctx.session, kind=VERIFIER_FILE_KIND, unit=petition.holding_unit, created_by=ctx.actor,
                         body=text, petition=petition, leaves_unit=False, clock=ctx.clock)
    today = context.today(ctx)
    _append_note(petition, f"{today:%d/%m/%Y}: đã loại bỏ thông tin người tố cáo khỏi hồ sơ giao xác minh "
                           f"(hồ sơ số {doc.number})", ctx)
    audit.record(ctx.session, actor=ctx.actor, action="case.redacted", business_key=petition.business_key,
                 instance_id=ctx.instance_id, detail={"document": doc.number, "on": today.isoformat()},
                 clock=ctx.clock)
    return {"document": doc.number, "redacted_on": today.isoformat()}


@operation("assign_denunciation_verification")
def assign_denunciation_verification(ctx) -> dict:
    """Quyết định giao nhiệm vụ xác minh: the verifier reports before the resolution due date."""
    petition = context.petition(ctx)
    _, accepted_on = _acceptance(ctx)
    report_by = _resolve_due(ctx, petition, accepted_on)
    doc = produce(ctx, kind="verify_assign", template="verification_assignment.docx", unit=petition.holding_unit,
                  petition=petition, leaves_unit=True,
                  extra={"doc": {"verifier": _clean(petition, context.form_value(
                      ctx, "verifier_name", "Tổ xác minh nội dung tố cáo")), "report_by": report_by.isoformat()}})
    return {"document": doc.number, "report_by": report_by.isoformat()}


@operation("issue_conclusion")
def issue_conclusion(ctx) -> dict:
    """Kết luận nội dung tố cáo (LTC Art 35), signed by the leader; sent to the parties, so it
    leaves the unit and never names the denouncer."""
    petition = context.petition(ctx)
    number, accepted_on = _acceptance(ctx)
    concluded_on = _form_date(ctx, "concluded_on", "Ngày kết luận")
    if concluded_on < accepted_on:
        raise CaseError(f"Ngày kết luận {concluded_on:%d/%m/%Y} trước ngày thụ lý {accepted_on:%d/%m/%Y}")
    doc = produce(ctx, kind="denounce_concl", template="denunciation_conclusion.docx", unit=petition.holding_unit,
                  petition=petition, leaves_unit=True,
                  extra={"doc": {"acceptance_no": number, "acceptance_on": accepted_on.isoformat(),
                                 "findings": _clean(petition, context.form_value(ctx, "findings", "")),
                                 "conclusion": _clean(petition, context.form_value(ctx, "conclusion_text", "")),
                                 "measures": _clean(petition, context.form_value(ctx, "measures", "")) or
                                 "Xử lý theo thẩm quyền sau khi có kết luận."}})
    # Right, partly right or wrong, as the conclusion form asks (`outcome`); a case on a version
    # published before the form asked it leaves the outcome unknown.
    outcome = context.form_value(ctx, "outcome")
    record_decision(petition, on=concluded_on, outcome=outcome if outcome in DECISION_OUTCOMES else None,
                    clock=ctx.clock)
    return {"document": doc.number, "concluded_on": concluded_on.isoformat(),
            "violation_found": bool(ctx.data.get("violation_found")),
            "signs_of_crime": bool(ctx.data.get("signs_of_crime"))}


@operation("handle_denunciation_conclusion")
def handle_denunciation_conclusion(ctx) -> dict:
    """Xử lý kết luận (LTC Art 36): the measures taken are recorded; when the act shows signs of
    a crime the file goes to the investigation body of the province with a transfer slip that
    never names the denouncer."""
    petition = context.petition(ctx)
    actions = _clean(petition, context.form_value(ctx, "actions", ""))
    today = context.today(ctx)
    petition.result_note = (petition.result_note + "\n" if petition.result_note else "") + \
        f"{today:%d/%m/%Y}: {actions}"
    petition.updated_at = ctx.clock.now()
    crime = bool(ctx.data.get("signs_of_crime")) or bool(ctx.data.get("transfer_to_investigation"))
    if not crime:
        return {"transferred_to": None, "document": None}
    rules = competence.load_rules(context.processes_dir(ctx))
    resolver = competence.resolver_for(rules, petition_type="denunciation", signs_of_crime=True)
    target = competence.resolve(ctx.session, resolver, petition.holding_unit)
    if target is None:
        raise CaseError(f"Không tìm thấy cơ quan điều tra của tỉnh để chuyển hồ sơ đơn {petition.receipt_no}")
    slip = produce(ctx, kind="transfer_slip", template="transfer_slip.docx", unit=petition.holding_unit,
                   petition=petition, leaves_unit=True,
                   extra={"doc": {"target": {"name": target.name, "head_title": target.head_title}}})
    record_transfer(ctx.session, petition, to_unit=target, doc_no=slip.number, clock=ctx.clock)
    petition.transferred_on = today
    return {"transferred_to": target.code, "document": slip.number}


@operation("extend_denunciation")
def extend_denunciation(ctx) -> dict:
    """Quyết định gia hạn (LTC Art 30): +30 days, once for a complex case, twice for an especially
    complex one (cases.clock.extend enforces it). A refused extension changes nothing: no
    decision, no number, the due dates stay; the refusal is returned and written to the case's
    audit trail for the leader."""
    petition = context.petition(ctx)
    decided_on = _form_date(ctx, "decided_on", "Ngày quyết định gia hạn")
    reason = _clean(petition, context.form_value(ctx, "reason", ""))
    complexity = context.form_value(ctx, "complexity")
    try:
        event = clock.extend(ctx.session, petition, on=decided_on, complexity=complexity, reason=reason,
                             actor=ctx.actor, processes_dir=context.processes_dir(ctx), clock=ctx.clock)
    except CaseError as refused:
        audit.record(ctx.session, actor=ctx.actor, action="case.extension_refused",
                     business_key=petition.business_key, instance_id=ctx.instance_id,
                     detail={"reason": str(refused), "on": decided_on.isoformat()}, clock=ctx.clock)
        return {"extended": False, "refusal": str(refused)}
    number, accepted_on = _acceptance(ctx)
    doc_values = {"decided_on": decided_on.isoformat(), "reason": reason, "complexity": complexity,
                  "extension_days": EXTENSION_DAYS, "acceptance_no": number, "acceptance_on": accepted_on.isoformat(),
                  "due_on": _resolve_due(ctx, petition, accepted_on).isoformat()}
    doc = produce(ctx, kind="extension", template="extension_decision.docx", unit=petition.holding_unit,
                  petition=petition, leaves_unit=True, extra={"doc": doc_values})
    event.decision_no = doc.number
    return {"extended": True, "document": doc.number, "due_on": doc_values["due_on"]}


# --- denunciation_review.bpmn ----------------------------------------------------------------


def open_review(runtime, session, petition, actor: str) -> None:
    """Start the superior's review of a re-denunciation (tố cáo tiếp, LTC Art 37) for a
    `petition` registered at the superior unit, in `session`'s transaction."""
    if petition.petition_type not in (None, "denunciation"):
        raise CaseError(f"Đơn {petition.receipt_no} không phải đơn tố cáo tiếp")
    context.start_procedure(
        runtime, session, REVIEW_PROCESS, petition.business_key, petition.holding_unit.code,
        {"received_on": petition.received_on.isoformat()}, actor,
    )


@operation("open_redenunciation_review")
def open_redenunciation_review(ctx) -> dict:
    """The intake classified the petition as a re-denunciation: the superior's review starts."""
    open_review(ctx.runtime, ctx.session, context.petition(ctx), ctx.actor)
    return {"process_id": REVIEW_PROCESS}


@operation("apply_redenunciation_review")
def apply_redenunciation_review(ctx) -> dict:
    """The superior decided on a re-denunciation within `denunciation.review`: refuse (the case
    closes, with the reason noted), take over (this unit accepts and resolves it: the
    denunciation procedure starts here), or order the lower level to resolve it again (noted)."""
    petition = context.petition(ctx)
    outcome = context.form_value(ctx, "outcome")
    if outcome not in REVIEW_OUTCOMES:
        raise CaseError(f"Kết quả xem xét tố cáo tiếp không hợp lệ: {outcome!r}")
    reason = _clean(petition, context.form_value(ctx, "reason", ""))
    today = context.today(ctx)
    _append_note(petition, f"{today:%d/%m/%Y}: {REVIEW_OUTCOMES[outcome]}. {reason}".rstrip(". ") + ".", ctx)
    result = {"outcome": outcome, "reviewed_on": today.isoformat()}
    if outcome == "refuse":
        set_status(petition, "closed", clock=ctx.clock)
    elif outcome == "take_over":
        if petition.petition_type is None:
            petition.petition_type = "denunciation"
        set_holding_unit(ctx.session, petition, ctx.unit_id or petition.receiving_unit, clock=ctx.clock)
        set_status(petition, "accepted", clock=ctx.clock)
        petition.accepted_on = today
        context.start_procedure(
            ctx.runtime, ctx.session, PROCESS, petition.business_key, petition.holding_unit.code,
            {"accepted_on": today.isoformat(), "received_on": petition.received_on.isoformat(),
             "resolve_variant": ""}, ctx.actor,
        )
        result["process_id"] = PROCESS
    return result

