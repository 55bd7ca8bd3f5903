"""Reminders before a statutory due date and escalation after it, fired by the non-interrupting
boundary timers the diagrams put on their tasks. Both are written to the case's audit trail (the
case page and the monitor read it); an escalation also opens a review task for the unit's
supervisors in the diagram.

A boundary timer is set from the rule when its task opens, but a task on the case's clock
(`deadline_adjusted`) has a due date that moves with suspensions and extension decisions. So
both operations judge by the task's due date *now*, as the task index shows it: when the moment has not come, they answer with `recheck_at`, the instant to look again,
and the diagram waits for it on a timer and calls them again. While the case is suspended its
clock has no due date: they look again the next day.
"""
from __future__ import annotations

from datetime import datetime, timezone

from tiepdan.cases.clock import is_suspended
from tiepdan.engine import audit

from . import context
from .registry import operation


def _on_case_clock(ctx, task: str) -> bool:
    info = ctx.runtime.library.load(ctx.tx, ctx.version_id).user_tasks.get(task)
    return info is not None and info.deadline_adjusted


def _instant(ctx, name: str, *args) -> str:
    """A timer instant from the diagrams' own date functions (so both fire on the same clock)."""
    return ctx.runtime.functions(ctx.tx)[name](*args)


def _reached(ctx, instant: str) -> bool:
    moment = datetime.fromisoformat(instant).astimezone(timezone.utc).replace(tzinfo=None)
    return ctx.clock.now() >= moment


def _check(ctx, task: str, action: str, moment) -> dict:
    """Record `action` for `task` once `moment(due date)` (an ISO instant) has come; before it,
    say when to look again (`recheck_at`). A task already finished needs nothing."""
    data = ctx.open_task_data(task)
    today = context.today(ctx)
    result = {"task": task, "on": today.isoformat(), "recorded": False, "recheck_at": None}
    if data is None:
        return result
    if _on_case_clock(ctx, task) and is_suspended(context.petition(ctx)):
        result["recheck_at"] = _instant(ctx, "end_of_day", today)
        return result
    due = ctx.runtime.due_of(ctx.tx, ctx.version_id, task, data, ctx.business_key)
    if due is not None and not _reached(ctx, when := moment(due)):
        result["recheck_at"] = when
        return result
    audit.record(ctx.session, actor="timer", action=action, business_key=ctx.business_key,
                 instance_id=ctx.instance_id, detail={"task": task, "on": today.isoformat()}, clock=ctx.clock)
    result["recorded"] = True
    return result


@operation("remind_assignee", required=("task",))
def remind_assignee(ctx, task: str) -> dict:
    days = ctx.data.get("remind_days") or context.DEFAULT_REMIND_DAYS
    return _check(ctx, task, "task.reminder", lambda due: _instant(ctx, "working_days_before", due, days))


@operation("escalate_overdue", required=("task",))
def escalate_overdue(ctx, task: str) -> dict:
    return _check(ctx, task, "task.escalation", lambda due: _instant(ctx, "end_of_day", due))
