"""Recommendations and reflections (kiến nghị, phản ánh; Luật Tiếp công dân Art 28): the unit
settles or answers them within its competence, or transfers them to the competent body (once
only, with a transfer slip; inside the system the competent unit gets a linked petition in its
intake queue). The result is kept on the petition and the citizen is told within
`reception.notify`.

An answer the officer cannot record (no result, an unknown or the same unit, a second transfer)
comes back to the handling task with its problems, the way the intake's classification does.
"""
from __future__ import annotations

from tiepdan.cases.petitions import record_transfer, set_status
from tiepdan.cases.units import find_unit

from . import context
from .documents import produce
from .intake import start_intake
from .registry import operation
from .transfer import _open_at

OUTCOMES = {
    "resolved": "Đã giải quyết theo thẩm quyền",
    "answered": "Đã trả lời, giải thích cho công dân",
    "transferred": "Đã chuyển cơ quan có thẩm quyền",
}


def _problems(ctx, petition, outcome, result, code):
    problems: list[str] = []
    if outcome not in OUTCOMES:
        problems.append(f"Kết quả xử lý không hợp lệ: {outcome!r} (cho phép: {', '.join(OUTCOMES)})")
    if not result:
        problems.append("Phải ghi rõ nội dung kết quả xử lý kiến nghị, phản ánh")
    target = None
    if outcome == "transferred":
        if not code:
            problems.append("Phải ghi mã đơn vị có thẩm quyền khi chuyển kiến nghị, phản ánh")
        else:
            target = find_unit(ctx.session, code)
            if target is None:
                problems.append(f"Không có đơn vị mã {code!r}: kiểm tra lại mã đơn vị có thẩm quyền")
            elif target.id == petition.holding_unit_id:
                problems.append(f"Không thể chuyển đơn cho chính đơn vị đang giữ đơn ({target.name})")
        if petition.transferred_to_unit is not None:
            problems.append(f"Đơn {petition.receipt_no} đã được chuyển một lần: không chuyển lần thứ hai")
    return problems, target


@operation("record_recommendation_result")
def record_recommendation_result(ctx) -> dict:
    petition = context.petition(ctx)
    outcome = context.form_value(ctx, "outcome")
    result = str(context.form_value(ctx, "result", "")).strip()
    code = str(context.form_value(ctx, "competent_unit", "")).strip()
    problems, target = _problems(ctx, petition, outcome, result, code)
    if problems:
        return {"problems": problems, "outcome": outcome}
    petition.result_note = f"{OUTCOMES[outcome]}: {result}"
    recorded = {"problems": [], "outcome": outcome, "recorded_on": context.today(ctx).isoformat()}
    if outcome != "transferred":
        set_status(petition, "resolved", clock=ctx.clock)
        return recorded
    slip = produce(ctx, kind="transfer_slip", template="transfer_slip.docx", unit=petition.holding_unit,
                   petition=petition, leaves_unit=True,
                   extra={"doc": {"target": {"name": target.name, "head_title": target.head_title}}})
    new = _open_at(ctx, petition, target, slip.number) if target.on_system else None
    record_transfer(ctx.session, petition, to_unit=target, doc_no=slip.number, to_petition=new, clock=ctx.clock)
    if new is not None:
        start_intake(ctx, new)
    return {**recorded, "target": target.code, "on_system": target.on_system, "document": slip.number,
            "new_case": new.business_key if new is not None else None}
