"""Reminders before a statutory due date and escalation after it, fired by the non-interrupting
boundary timers the diagrams put on their tasks. Both are written to the case's audit trail (the
case page and the monitor read it); an escalation also opens a review task for the unit's
supervisors in the diagram."""
from __future__ import annotations

from tiepdan.engine import audit

from . import context
from .registry import operation


def _note(ctx, action: str, task: str) -> dict:
    audit.record(ctx.session, actor="timer", action=action, business_key=ctx.business_key,
                 instance_id=ctx.instance_id, detail={"task": task, "on": context.today(ctx).isoformat()},
                 clock=ctx.clock)
    return {"task": task, "on": context.today(ctx).isoformat()}


@operation("remind_assignee", required=("task",))
def remind_assignee(ctx, task: str) -> dict:
    return _note(ctx, "task.reminder", task)


@operation("escalate_overdue", required=("task",))
def escalate_overdue(ctx, task: str) -> dict:
    return _note(ctx, "task.escalation", task)
