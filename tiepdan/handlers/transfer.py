"""Transfer for lack of jurisdiction (chuyển đơn): once only, with the history on both sides.

When the competent unit works on tiepdan, the transfer opens a new petition in its book,
linked both ways, and starts its intake: the receiving unit sees the redacted content (no
denouncer's identity in the text) and, in place of a sealed petitioner, a sealed party without
identity: the secret stays with the unit that received it. When the competent body is outside
(court, Party body, investigation body, another system), the slip is produced and the case
waits for the body's result report (`denunciation.forwarded_report`).
"""
from __future__ import annotations

from tiepdan.cases.identity import redacted_view
from tiepdan.cases.models import Party, Petition
from tiepdan.cases.petitions import copy_party, record_transfer, refresh_search_text, register_petition
from tiepdan.cases.units import get_unit
from tiepdan.engine import audit

from . import context
from .documents import produce
from .intake import start_intake
from .registry import operation


def _copy_parties(ctx, source: Petition, target: Petition) -> None:
    now = ctx.clock.now()
    for party in source.parties:
        if party.sealed:
            copy = Party(role=party.role, kind=party.kind, is_representative=party.is_representative, sealed=True,
                         ordinal=party.ordinal, created_at=now)
        else:
            copy = copy_party(party, now)
        copy.petition = target
        ctx.session.add(copy)


def _open_at(ctx, source: Petition, unit, slip_no: str) -> Petition:
    """The petition the receiving unit gets: redacted content, forwarded by the sending unit."""
    view = redacted_view(ctx.session, source)
    new = register_petition(
        ctx.session, unit=unit, content=view["content"], title=view["title"], channel="forwarded",
        created_by=ctx.actor, petition_type=source.petition_type, field=source.field,
        letter_date=source.letter_date, petitioner_count=source.petitioner_count, anonymous=source.anonymous,
        forwarded_by=source.holding_unit, forward_doc_no=slip_no, forward_doc_date=context.today(ctx),
        previous_resolution=view["previous_resolution"], clock=ctx.clock,
    ).petition
    _copy_parties(ctx, source, new)
    ctx.session.flush()
    refresh_search_text(new)
    return new


@operation("transfer_petition", required=("target_unit",))
def transfer_petition(ctx, target_unit: str) -> dict:
    petition = context.petition(ctx)
    target = get_unit(ctx.session, target_unit)
    slip = produce(ctx, kind="transfer_slip", template="mau03_transfer.txt", unit=petition.holding_unit,
                   petition=petition, leaves_unit=True,
                   extra={"target": {"name": target.name, "head_title": target.head_title},
                          "note": context.form_value(ctx, "note", "")})
    new = _open_at(ctx, petition, target, slip.number) if target.on_system else None
    # Once only, and the transfer date: record_transfer refuses a second one (the step then
    # rolls back, slip and all).
    record_transfer(ctx.session, petition, to_unit=target, doc_no=slip.number, to_petition=new, clock=ctx.clock)
    if new is not None:
        start_intake(ctx, new)
    return {
        "on_system": target.on_system,
        "target": target.code,
        "document": slip.number,
        "new_case": new.business_key if new is not None else None,
        "transferred_on": petition.transferred_on.isoformat(),
    }


@operation("record_transfer_result")
def record_transfer_result(ctx) -> dict:
    """The outside body reported what it did with the transferred petition."""
    petition = context.petition(ctx)
    summary = context.form_value(ctx, "result_summary", "")
    reported_on = context.form_value(ctx, "reported_on")
    petition.result_note = f"{reported_on or ''}: {summary}".strip(": ")
    petition.updated_at = ctx.clock.now()
    return {"reported_on": reported_on}


@operation("remind_transfer_result")
def remind_transfer_result(ctx) -> dict:
    """The result report is due and has not come: say so on the case (audit) for the officer
    and the supervisors; the waiting task stays open."""
    petition = context.petition(ctx)
    audit.record(
        ctx.session, actor="timer", action="case.reminder", business_key=petition.business_key,
        instance_id=ctx.instance_id,
        detail={"rule": "denunciation.forwarded_report", "waiting_for": petition.transferred_to_unit.name,
                "transferred_on": petition.transferred_on.isoformat() if petition.transferred_on else None},
        clock=ctx.clock,
    )
    return {"reminded_on": context.today(ctx).isoformat()}
