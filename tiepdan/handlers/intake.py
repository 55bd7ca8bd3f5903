"""Outcomes of petition intake (TT 05/2021): accept, guide, archive, split a mixed petition.

Transfers have a family of their own (`transfer.py`). Each operation works on the petition whose
business key the instance carries, writes in the step's transaction and produces the
document the outcome calls for.
"""
from __future__ import annotations

from tiepdan.cases.datafiles import ineligibility_reasons
from tiepdan.cases.errors import CaseError
from tiepdan.cases.petitions import record_guidance, set_holding_unit, set_status, split_petition

from . import context
from .documents import produce
from .registry import operation

# The resolution procedure a petition of each type starts once accepted (issue 5's diagrams).
RESOLUTION_PROCESSES = {
    "complaint": "complaint_first",
    "denunciation": "denunciation",
    "recommendation": "recommendation",
}
INTAKE_PROCESS = "petition_intake"
SPLIT_SLOTS = 3


def open_intake(runtime, session, petition, actor: str) -> None:
    """Start the intake procedure for a registered `petition` in the unit that holds it, in
    `session`'s transaction (the front desk after registering; a handler after a split or a
    transfer)."""
    context.start_procedure(
        runtime, session, INTAKE_PROCESS, petition.business_key, petition.holding_unit.code,
        {"received_on": petition.received_on.isoformat()}, actor,
    )


def start_intake(ctx, petition) -> None:
    open_intake(ctx.runtime, ctx.session, petition, ctx.actor)


@operation("draft_acceptance_proposal")
def draft_acceptance_proposal(ctx) -> dict:
    """Mẫu 01: the officer's proposal that the head accept the petition."""
    petition = context.petition(ctx)
    doc = produce(ctx, kind="proposal_accept", template="mau01_proposal.txt", unit=petition.holding_unit,
                  petition=petition, extra={"note": context.form_value(ctx, "note", "")})
    return {"document": doc.number}


@operation("accept_petition")
def accept_petition(ctx) -> dict:
    """The head accepted: the competent unit holds the case and its resolution procedure starts."""
    petition = context.petition(ctx)
    process_id = RESOLUTION_PROCESSES.get(petition.petition_type or "")
    if process_id is None:
        raise CaseError(f"Đơn {petition.receipt_no}: loại đơn {petition.petition_type!r} không có quy trình giải quyết")
    if petition.competent_unit is not None and petition.competent_unit.on_system:
        set_holding_unit(ctx.session, petition, petition.competent_unit, clock=ctx.clock)
    set_status(petition, "accepted", clock=ctx.clock)
    petition.accepted_on = context.today(ctx)
    accepted_on = petition.accepted_on.isoformat()
    context.start_procedure(
        ctx.runtime, ctx.session, process_id, petition.business_key, petition.holding_unit.code,
        {"accepted_on": accepted_on, "received_on": petition.received_on.isoformat(), "resolve_variant": ""}, ctx.actor,
    )
    return {"accepted_on": accepted_on, "process_id": process_id}


@operation("issue_guidance")
def issue_guidance(ctx) -> dict:
    """Mẫu 02: tell the complainant which body is competent (once only for the same content)."""
    petition = context.petition(ctx)
    to_name = context.form_value(ctx, "guided_to")
    doc = produce(ctx, kind="guidance", template="mau02_guidance.txt", unit=petition.holding_unit,
                  petition=petition, leaves_unit=True, extra={"guided_to": to_name})
    record_guidance(petition, to_name=to_name, doc_no=doc.number, clock=ctx.clock)
    return {"document": doc.number}


@operation("archive_petition")
def archive_petition(ctx) -> dict:
    """Lưu đơn: ineligible, duplicate or already resolved; kept for `archive.retention`."""
    petition = context.petition(ctx)
    reasons = ineligibility_reasons()
    today = context.today(ctx)
    petition.retain_until = context.due(ctx, "archive.retention", today)
    set_status(petition, "archived", clock=ctx.clock)
    doc = produce(ctx, kind="archive_note", template="archive_note.txt", unit=petition.holding_unit,
                  petition=petition, extra={"retain_until": petition.retain_until.isoformat(),
                                            "reasons": [reasons[code].label for code in petition.eligibility_reasons],
                                            "note": context.form_value(ctx, "note", "")})
    return {"retain_until": petition.retain_until.isoformat(), "document": doc.number}


@operation("split_mixed_petition")
def split_mixed_petition(ctx) -> dict:
    """A letter with several contents becomes one petition per content, each with its own
    intake; the letter itself is closed as split (LTCD Art 25(3), TT 05/2021 Art 6)."""
    petition = context.petition(ctx)
    parts = [
        (ctx.data.get(f"content_{i}"), ctx.data.get(f"type_{i}"))
        for i in range(1, SPLIT_SLOTS + 1)
        if ctx.data.get(f"content_{i}")
    ]
    if len(parts) < 2:
        raise CaseError("Tách đơn cần ít nhất hai nội dung")
    created = []
    for content, kind in parts:
        new = split_petition(ctx.session, petition, content=content, petition_type=kind,
                             created_by=ctx.actor, title=petition.title, clock=ctx.clock).petition
        start_intake(ctx, new)
        created.append(new.business_key)
    petition.note = (petition.note + "\n" if petition.note else "") + "Đã tách thành: " + ", ".join(created)
    set_status(petition, "closed", clock=ctx.clock)
    return {"petitions": created}
