"""A reception session's steps (LTCD 2013 Arts 7, 9, 25-30; NĐ 154/2026): identity check,
refusal, group representatives, the record of content, documents received, and the petitions
the session produces, each with its intake started.

The citizens' identities are entered on the session record (front desk) before the procedure
starts; the procedure's forms carry only the results of the officer's checks, so no personal
data sits in the workflow state or the audit of form submissions.
"""
from __future__ import annotations

from tiepdan.cases.documents import next_number
from tiepdan.cases.errors import CaseError
from tiepdan.cases.units import get_unit
from tiepdan.cases.parties import add_respondent, validate_representatives
from tiepdan.cases.receptions import (
    citizens,
    petition_from_reception,
    receive_documents,
    record_content,
    record_identity_check,
    refuse_reception,
)

from . import context
from .documents import produce
from .intake import SPLIT_SLOTS, start_intake
from .registry import operation

GROUP_SIZE = 5  # đông người: five or more (LTCD Art 30)


@operation("check_reception_identity")
def check_reception_identity(ctx) -> dict:
    reception = context.reception(ctx)
    record_identity_check(reception, ctx.data.get("identity_check"), context.form_value(ctx, "identity_note", ""))
    count = int(context.form_value(ctx, "citizen_count", reception.citizen_count))
    if count < 1:
        raise CaseError("Số công dân đến phải từ 1 trở lên")
    reception.citizen_count = max(count, len(citizens(ctx.session, reception)))
    return {"group": reception.citizen_count >= GROUP_SIZE, "citizen_count": reception.citizen_count}


@operation("apply_refusal")
def apply_refusal(ctx) -> dict:
    """Record a refusal on its legal ground; the grounds that call for a written notice get
    their notice (Mẫu 01/TCD) drafted for the head to sign within 3 working days."""
    if not ctx.data.get("refuse"):
        return {"refused": False, "written_notice": False}
    reception = context.reception(ctx)
    ground = refuse_reception(reception, ctx.data.get("refusal_ground"), context.form_value(ctx, "refusal_note", ""))
    document = None
    if ground.written_notice:
        document = produce(ctx, kind="refusal_notice", template="refusal_notice.txt", unit=reception.unit,
                           reception=reception, leaves_unit=True,
                           extra={"ground": {"label": ground.label, "basis": ground.basis},
                                  "received_on": reception.received_on.isoformat()}).number
    return {"refused": True, "written_notice": ground.written_notice, "document": document}


@operation("check_representatives")
def check_representatives(ctx) -> dict:
    reception = context.reception(ctx)
    problems = validate_representatives(reception.citizen_count, int(ctx.data.get("representative_count") or 0))
    if not ctx.data.get("written_appointment"):
        problems.append("Việc cử người đại diện phải lập thành văn bản có chữ ký của những người cùng khiếu nại, tố cáo")
    return {"problems": problems}


def _documents(ctx) -> list[dict]:
    lines = (ctx.data.get("documents") or "").splitlines()
    return [{"name": line.strip()} for line in lines if line.strip()]


def _add_respondent(ctx, petition) -> None:
    """Who the petition is against, so that the intake can propose the competent unit."""
    name = context.form_value(ctx, "respondent_name")
    unit = context.form_value(ctx, "respondent_unit")
    if name or unit:
        add_respondent(ctx.session, petition, name=name or get_unit(ctx.session, unit).name,
                       position=context.form_value(ctx, "respondent_position", ""), organisation_unit=unit,
                       kind="person" if name else "organisation", clock=ctx.clock)


@operation("register_reception_petitions")
def register_reception_petitions(ctx) -> dict:
    """The record of content, the receipt for documents (Mẫu 02/TCD), and one petition per
    content presented, each entering its intake at once."""
    reception = context.reception(ctx)
    if not ctx.data.get("has_letter"):
        record_content(reception, ctx.data.get("record_text") or "", read_back=bool(ctx.data.get("read_back")),
                       confirmation=ctx.data.get("confirmation"))
    receipt = None
    documents = _documents(ctx)
    if documents:
        # The receipt's number is the document's, so the citizen's paper and the file agree.
        number = next_number(ctx.session, reception.unit, "documents_receipt", clock=ctx.clock)
        reception.documents_receipt_no = receipt = number[2]
        receive_documents(ctx.session, reception, documents)
        produce(ctx, kind="documents_receipt", template="documents_receipt.txt", unit=reception.unit,
                reception=reception, leaves_unit=True, number=number,
                extra={"documents": documents, "received_on": reception.received_on.isoformat()})
    contents = [ctx.data.get("content")] + [ctx.data.get(f"content_{i}") for i in range(2, SPLIT_SLOTS + 1)]
    kinds = [ctx.data.get("petition_type")] + [ctx.data.get(f"type_{i}") for i in range(2, SPLIT_SLOTS + 1)]
    created = []
    first = None
    for content, kind in zip(contents, kinds):
        if not content:
            continue
        petition = petition_from_reception(ctx.session, reception, content=content, petition_type=kind,
                                           field=ctx.data.get("field"), created_by=ctx.actor, clock=ctx.clock).petition
        _add_respondent(ctx, petition)
        if first is None:
            first = petition
        else:
            petition.split_from_id = first.id
        start_intake(ctx, petition)
        created.append(petition.business_key)
    if not created:
        raise CaseError("Lượt tiếp chưa ghi nội dung nào để vào sổ đơn")
    return {"petitions": created, "documents_receipt": receipt}


RECEPTION_PROCESS = "reception"


def open_reception_procedure(runtime, session, reception, actor: str) -> str:
    """Start the reception procedure for a session whose citizens the front desk entered, in
    `session`'s transaction. Returns the instance's business key."""
    key = f"reception/{reception.id}"
    context.start_procedure(
        runtime, session, RECEPTION_PROCESS, key, reception.unit.code,
        {"reception_id": reception.id, "received_on": reception.received_on.isoformat()}, actor,
    )
    return key
