"""Decisions a leader raises on a running resolution (LKN Arts 10, 28b, 30; LTC Arts 11, 33, 34):
suspension and continuation (the clock pauses; a complaint recounts its full period), withdrawal (full, partial; a denunciation goes on when the act shows a violation
or the withdrawal was coerced) and termination. Each is a BPMN message the diagrams catch in an
event subprocess whose leader task fills the decision's form; these operations record it on the
case and issue its document. Returning {"stops": true} makes the diagram end the resolution.
"""
from __future__ import annotations

from datetime import date

from tiepdan.cases import clock, withdrawals
from tiepdan.cases.documents import documents_of
from tiepdan.cases.errors import CaseError
from tiepdan.cases.petitions import set_status

from . import context
from .documents import produce
from .registry import operation


# Once the decision or conclusion exists, the resolution is over: no suspension, withdrawal or
# termination of it any more (what follows is sending, publication, appeal, execution).
DECISION_KINDS = ("complaint_dec1", "complaint_dec2", "denounce_concl")


def decision_made(session, petition):
    """The decision or conclusion of the case, once issued (then the resolution is over)."""
    return next((d for d in documents_of(session, petition) if d.kind in DECISION_KINDS), None)


def _resolving(ctx):
    """The case, refused with a clear reason when its decision or conclusion already exists."""
    petition = context.petition(ctx)
    decided = decision_made(ctx.session, petition)
    if decided is not None:
        raise CaseError(
            f"Đơn {petition.receipt_no} đã có {decided.title.lower()} số {decided.number}: "
            "không còn tạm đình chỉ, rút đơn hay đình chỉ được"
        )
    return petition


def _day(ctx, name: str) -> date:
    return date.fromisoformat(str(context.form_value(ctx, name, context.today(ctx).isoformat()))[:10])


def _decision(ctx, kind: str, template: str, petition, doc: dict):
    return produce(ctx, kind=kind, template=template, unit=petition.holding_unit, petition=petition,
                   leaves_unit=True, extra={"doc": doc}).number


@operation("suspend_case")
def suspend_case(ctx) -> dict:
    petition = _resolving(ctx)
    on, reason = _day(ctx, "decided_on"), context.form_value(ctx, "reason", "")
    number = _decision(ctx, "suspension", "suspension_decision.docx", petition,
                       {"decided_on": on.isoformat(), "reason": reason})
    clock.suspend(ctx.session, petition, on=on, reason=reason, decision_no=number, actor=ctx.actor, clock=ctx.clock)
    return {"document": number, "suspended_on": on.isoformat()}


@operation("continue_case")
def continue_case(ctx) -> dict:
    petition = _resolving(ctx)
    on = _day(ctx, "decided_on")
    number = _decision(ctx, "continuation", "continuation_decision.docx", petition,
                       {"decided_on": on.isoformat(), "reason": context.form_value(ctx, "reason", "")})
    clock.resume(ctx.session, petition, on=on, decision_no=number, actor=ctx.actor, clock=ctx.clock)
    return {"document": number, "continued_on": on.isoformat()}


@operation("record_withdrawal")
def record_withdrawal(ctx) -> dict:
    petition = _resolving(ctx)
    stops = withdrawals.withdraw(
        ctx.session, petition, on=_day(ctx, "decided_on"), scope=context.form_value(ctx, "scope", "full"),
        content=context.form_value(ctx, "withdrawn_content", ""), coerced=bool(ctx.data.get("coerced")),
        violation_found=bool(ctx.data.get("violation_found")), actor=ctx.actor, clock=ctx.clock,
    )
    return {"stops": stops}


@operation("terminate_case")
def terminate_case(ctx) -> dict:
    """Đình chỉ: the case ends on one of the grounds the law lists (the form's select)."""
    petition = _resolving(ctx)
    on = _day(ctx, "decided_on")
    number = _decision(ctx, "termination", "termination_decision.docx", petition,
                       {"decided_on": on.isoformat(), "reason": context.form_value(ctx, "reason", "")})
    set_status(petition, "closed", clock=ctx.clock)
    return {"stops": True, "document": number}
