"""Execution follow-up (theo dõi thi hành quyết định giải quyết khiếu nại, kết luận nội dung tố
cáo): once the decision or conclusion takes effect, the leader records who must do what by
when; the officer reports what was done; an obligation not reported by its due day is escalated
to the unit's supervisors by the diagram's timer (`escalation.escalate_overdue`).

An obligation the leader cannot record (a due day before the decision took effect, no obligor,
no action) comes back to the leader's task with its problems.
"""
from __future__ import annotations

from datetime import date

from tiepdan.cases import execution
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import ExecutionItem

from . import context
from .registry import operation


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value)[:10])


@operation("add_execution_obligation")
def add_execution_obligation(ctx) -> dict:
    petition = context.petition(ctx)
    due_on = _day(context.form_value(ctx, "due_on"))
    effective_on = _day(ctx.data.get("effective_on"))
    if due_on is None:
        return {"problems": ["Phải ghi thời hạn thi hành"]}
    if effective_on is not None and due_on < effective_on:
        return {"problems": [f"Thời hạn thi hành {due_on:%d/%m/%Y} trước ngày quyết định, kết luận có hiệu lực "
                             f"{effective_on:%d/%m/%Y}"]}
    try:
        with ctx.session.begin_nested():
            item = execution.add_obligation(
                ctx.session, petition, obligor=str(context.form_value(ctx, "obligor", "")),
                action=str(context.form_value(ctx, "action", "")), due_on=due_on, actor=ctx.actor, clock=ctx.clock,
            )
    except CaseError as err:
        return {"problems": [str(err)]}
    return {"problems": [], "item_id": item.id, "obligor": item.obligor, "due_on": item.due_on.isoformat()}


@operation("record_execution_result")
def record_execution_result(ctx) -> dict:
    obligation = ctx.data.get("obligation") or {}
    item = ctx.session.get(ExecutionItem, obligation.get("item_id"))
    if item is None:
        raise CaseError(f"Không có nội dung thi hành {obligation.get('item_id')!r} của đơn {ctx.business_key}")
    done_on = _day(context.form_value(ctx, "done_on")) or context.today(ctx)
    execution.record_done(item, done_on=done_on, result=str(context.form_value(ctx, "result", "")))
    return {"done_on": done_on.isoformat(), "late": done_on > item.due_on}
