"""What follows a decision or a conclusion: its publication, the follow-up of its execution,
and a complaint's second instance. Each starts its own procedure for the case in this step."""
from __future__ import annotations

from tiepdan.cases import competence
from tiepdan.cases.errors import CaseError
from tiepdan.cases.petitions import copy_party, register_petition, set_status

from . import context
from .registry import operation

PUBLICATION_PROCESS = "publication"
EXECUTION_PROCESS = "execution"
SECOND_INSTANCE_PROCESS = "complaint_second"
PUBLISH_RULES = ("complaint.publish", "denunciation.publish")


@operation("start_publication", required=("rule", "decided_on"))
def start_publication(ctx, rule: str, decided_on: str, document: str = "") -> dict:
    """Publish the decision or conclusion (document number `document`) within `rule`."""
    if rule not in PUBLISH_RULES:
        raise CaseError(f"Quy tắc thời hạn công khai không hợp lệ: {rule!r}")
    petition = context.petition(ctx)
    context.start_procedure(ctx.runtime, ctx.session, PUBLICATION_PROCESS, petition.business_key,
                            petition.holding_unit.code,
                            {"publish_rule": rule, "decided_on": decided_on, "document": document}, ctx.actor)
    return {"publication": "started"}


@operation("start_execution", required=("decided_on",))
def start_execution(ctx, decided_on: str) -> dict:
    """The decision or conclusion took effect: follow who must do what by when."""
    petition = context.petition(ctx)
    set_status(petition, "resolved", clock=ctx.clock)
    context.start_procedure(ctx.runtime, ctx.session, EXECUTION_PROCESS, petition.business_key,
                            petition.holding_unit.code, {"effective_on": decided_on}, ctx.actor)
    return {"execution": "started"}


@operation("start_second_instance", required=("appealed_on",))
def start_second_instance(ctx, appealed_on: str) -> dict:
    """The complainant appealed: a second-instance petition at the competent superior, linked to
    this one, and its procedure (LKN Arts 33, 36)."""
    first = context.petition(ctx)
    rules = competence.load_rules(context.processes_dir(ctx))
    unit = competence.competent_unit(ctx.session, rules, first.holding_unit, petition_type="complaint",
                                     second_instance=True)
    if unit is None or not unit.on_system:
        raise CaseError(f"Cơ quan giải quyết khiếu nại lần hai của {first.holding_unit.name} không làm việc trên hệ thống")
    second = register_petition(
        ctx.session, unit=unit, content=first.content, title=first.title, channel="forwarded",
        created_by=ctx.actor, petition_type="complaint", field=first.field, petitioner_count=first.petitioner_count,
        forwarded_by=first.holding_unit, previous_resolution=f"Quyết định giải quyết lần đầu của đơn {first.receipt_no}",
        clock=ctx.clock,
    ).petition
    second.instance_level, second.appeal_of_id = 2, first.id
    second.status, second.accepted_on = "accepted", context.today(ctx)
    for party in first.parties:
        copy = copy_party(party, ctx.clock.now())
        copy.petition = second
        ctx.session.add(copy)
    ctx.session.flush()
    # The first instance is over: its decision is what the second instance reviews.
    set_status(first, "resolved", clock=ctx.clock)
    context.start_procedure(
        ctx.runtime, ctx.session, SECOND_INSTANCE_PROCESS, second.business_key, unit.code,
        {"accepted_on": appealed_on, "received_on": appealed_on, "resolve_variant": ""}, ctx.actor,
    )
    return {"second_instance": second.business_key}
