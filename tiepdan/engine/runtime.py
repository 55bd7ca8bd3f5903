"""The persisted runtime: every step is one database transaction.

A step loads the instance row and its SpiffWorkflow state, applies one action (start, complete a
task, fire timers, retry), runs service tasks until the next wait, and writes back the state, the
open-task index, the timers, the rows handlers wrote, and the audit entries, all or nothing.

Concurrency is optimistic: the instance row carries `lock_version`, checked by the UPDATE, so of two
officers completing the same task one wins and the other gets `Conflict` naming the winner.

A handler that raises does not lose the step's input: its writes are rolled back to a savepoint,
the workflow is rebuilt from the saved state with the action applied again, and the instance is
stored in `error` with the task, operation and message, ready for `retry`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterator, Mapping
from uuid import UUID

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import audit, sandbox
from .clock import Clock
from .db import is_sqlite, transaction
from .errors import Conflict, EngineError, FormInvalid, InvalidState, NotFound
from .library import LoadedVersion, ProcessLibrary
from .models import ProcessInstance, TaskIndex, Timer
from .spiff_bridge import (
    ServiceError,
    StateCodec,
    StepContext,
    StepScope,
    TiepdanScriptEngine,
    timer_fire_at,
    waiting_timer_tasks,
)

ACTIVE = ("running", "waiting")
# The hot path writes these through Core: the ORM's unit of work costs several times more per row.
TASKS = TaskIndex.__table__
TIMERS = Timer.__table__
_DROP_TASKS = delete(TASKS).where(TASKS.c.id.in_(bindparam("ids", expanding=True)))
_SET_TASK_STATE = update(TASKS).where(TASKS.c.instance_id == bindparam("iid")).values(state=bindparam("new_state"))
_ADD_TASKS = insert(TASKS)
_DROP_TIMERS = delete(TIMERS).where(
    TIMERS.c.instance_id == bindparam("iid"),
    TIMERS.c.task_id.in_(bindparam("ids", expanding=True)),
    TIMERS.c.fired_at.is_(None),
)
_ADD_TIMERS = insert(TIMERS)
_COMMITTED = "tiepdan.committed_workflows"


class WorkflowCache:
    """The workflows of recently committed steps, keyed by instance and its lock version.

    A step takes its workflow out (so a failed step can never leave a half-run one behind) and
    the runtime puts it back after commit; a version that moved on elsewhere is simply a miss.
    """

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, lock_version: int) -> BpmnWorkflow | None:
        with self._lock:
            item = self._items.pop(instance_id, None)
        return item[1] if item is not None and item[0] == lock_version else None

    def put(self, instance_id: int, lock_version: int, wf: BpmnWorkflow) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[instance_id] = (lock_version, wf)
            self._items.move_to_end(instance_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class StepFailure:
    task: str
    operation: str
    message: str


@dataclass(frozen=True)
class _Projection:
    """What the task index and the timer table hold for one workflow state."""

    tasks: dict[str, Any]  # open human task id -> task
    timers: dict[str, tuple[str, Any]]  # waiting timer task id -> (element id, fire_at)

    @classmethod
    def of(cls, wf: BpmnWorkflow) -> "_Projection":
        timers = {}
        for task in waiting_timer_tasks(wf):
            fire_at = timer_fire_at(task)
            if fire_at is not None:
                timers[str(task.id)] = (task.task_spec.bpmn_id or "", fire_at)
        return cls({str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}, timers)

    @classmethod
    def empty(cls) -> "_Projection":
        return cls({}, {})


@dataclass(frozen=True)
class StepResult:
    instance_id: int
    status: str
    open_tasks: tuple[str, ...]


class Runtime:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        library: ProcessLibrary,
        operations: Mapping[str, Callable],
        *,
        functions: Callable[[Session], Mapping[str, Callable]] = lambda session: {},
        due_date: Callable[[Session, str, date], date | None] = lambda session, rule, start: None,
        clock: Clock | None = None,
        cache_size: int = 1000,
    ):
        """`functions(session)` gives the sandbox functions for a step (deadline helpers and the
        like); `due_date(session, rule_id, start)` computes a task's statutory due date;
        `cache_size` bounds the workflows kept in memory between steps (0 disables it)."""
        self.sessions = sessions
        self.library = library
        self.operations = operations
        self.functions = functions
        self.due_date = due_date
        self.clock = clock or Clock()
        self.codec = StateCodec()
        self.cache = WorkflowCache(cache_size)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A step's transaction; workflows it produced enter the cache only once it committed."""
        with transaction(self.sessions) as s:
            yield s
        for instance_id, lock_version, wf in s.info.pop(_COMMITTED, ()):
            self.cache.put(instance_id, lock_version, wf)

    # --- public operations -------------------------------------------------------------------

    def start(
        self,
        process_id: str,
        business_key: str,
        *,
        unit_id: str | None = None,
        data: Mapping[str, Any] | None = None,
        actor: str = "system",
        session: Session | None = None,
    ) -> StepResult:
        """Start the latest published version. Pass `session` to join a caller's transaction
        (a handler starting a follow-up procedure inside its own step)."""
        if session is not None:
            return self._start(session, process_id, business_key, unit_id, data, actor)
        with self._transaction() as s:
            return self._start(s, process_id, business_key, unit_id, data, actor)

    def complete_task(self, task_id: str, data: Mapping[str, Any], actor: str) -> StepResult:
        try:
            with self._transaction() as s:
                return self._complete(s, task_id, data, actor)
        except StaleDataError:
            raise self._completed_by_other(task_id) from None

    def claim(self, task_id: str, user: str, actor: str | None = None) -> None:
        self._assign(task_id, user, actor or user, only_if_unclaimed=True, action="task.claim")

    def unclaim(self, task_id: str, actor: str) -> None:
        self._assign(task_id, None, actor, only_if_unclaimed=False, action="task.unclaim")

    def reassign(self, task_id: str, user: str, actor: str) -> None:
        self._assign(task_id, user, actor, only_if_unclaimed=False, action="task.reassign")

    def retry(self, instance_id: int, actor: str) -> StepResult:
        with self._transaction() as s:
            row = self._instance(s, instance_id)
            if row.status != "error":
                raise InvalidState(f"instance {instance_id} is {row.status}, not in error")
            return self._step(s, row, actor, "instance.retry", lambda wf: None)

    def suspend(self, instance_id: int, actor: str, reason: str = "") -> None:
        with self._transaction() as s:
            row = self._instance(s, instance_id)
            if row.status not in ACTIVE + ("error",):
                raise InvalidState(f"instance {instance_id} is {row.status}; only running instances can be suspended")
            row.status, row.updated_at = "suspended", self.clock.now()
            s.execute(update(TaskIndex).where(TaskIndex.instance_id == row.id).values(state="suspended"))
            self._audit(s, row, actor, "instance.suspend", detail={"reason": reason})

    def resume(self, instance_id: int, actor: str) -> StepResult:
        with self._transaction() as s:
            row = self._instance(s, instance_id)
            if row.status != "suspended":
                raise InvalidState(f"instance {instance_id} is {row.status}, not suspended")
            row.status = "running"
            s.execute(update(TaskIndex).where(TaskIndex.instance_id == row.id).values(state="open"))
            # Timers that came due while suspended fire now, in the same step.
            return self._step(s, row, actor, "instance.resume", lambda wf: wf.refresh_timers())

    def terminate(self, instance_id: int, actor: str, reason: str = "") -> None:
        with self._transaction() as s:
            row = self._instance(s, instance_id)
            if row.status in ("completed", "terminated"):
                raise InvalidState(f"instance {instance_id} is already {row.status}")
            row.status, row.updated_at, row.completed_at = "terminated", self.clock.now(), self.clock.now()
            s.execute(delete(TaskIndex).where(TaskIndex.instance_id == row.id))
            s.execute(delete(Timer).where(Timer.instance_id == row.id, Timer.fired_at.is_(None)))
            self._audit(s, row, actor, "instance.terminate", detail={"reason": reason})

    def fire_due_timers(self, limit: int = 500, actor: str = "timer") -> int:
        """Fire up to `limit` due timers, each in its own transaction. Cost is proportional to
        the due timers (an index on fire_at of unfired rows), never to the waiting instances."""
        fired = 0
        while fired < limit:
            try:
                with self._transaction() as s:
                    timer = self._claim_due_timer(s)
                    if timer is None:
                        break
                    # Marked first, so the step's timer sync does not take it for a cancelled one.
                    timer.fired_at = self.clock.now()
                    row = s.get(ProcessInstance, timer.instance_id)
                    self._step(s, row, actor, "timer.fire", lambda wf: wf.refresh_timers(), detail={"timer": timer.task_spec})
                    fired += 1
            except StaleDataError:
                # Another worker stepped this instance meanwhile; the timer stays due for the next tick.
                break
        return fired

    def task_data(self, task_id: str) -> dict:
        """The data a task sees now, for the UI to prefill its form."""
        with self.sessions() as s:
            idx = s.get(TaskIndex, task_id)
            if idx is None:
                raise NotFound(f"task {task_id} is not open")
            row = s.get(ProcessInstance, idx.instance_id)
            wf = self._load(s, row, self.library.load(s, row.version_id))
            task = wf.get_task_from_id(UUID(task_id))
            return dict(task.data) if task is not None else {}

    # --- the step ------------------------------------------------------------------------------

    def _start(self, s, process_id, business_key, unit_id, data, actor) -> StepResult:
        version = self.library.latest_published(s, process_id)
        if version is None:
            raise NotFound(f"process '{process_id}' has no published version")
        now = self.clock.now()
        row = ProcessInstance(
            version_id=version.id,
            process_id=process_id,
            business_key=business_key,
            unit_id=unit_id,
            status="running",
            state="",
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        initial = dict(data or {})

        def seed(wf: BpmnWorkflow) -> None:
            for task in wf.get_tasks(state=TaskState.READY):
                task.data.update(initial)

        return self._step(s, row, actor, "instance.start", seed, detail={"process_id": process_id, "version_id": version.id})

    def _complete(self, s: Session, task_id: str, data: Mapping[str, Any], actor: str) -> StepResult:
        idx = s.get(TaskIndex, task_id)
        if idx is None:
            raise self._completed_by_other(task_id, s)
        row = s.get(ProcessInstance, idx.instance_id)
        if row.status not in ACTIVE:
            raise InvalidState(f"case {row.business_key} is {row.status}; its tasks cannot be completed now")
        loaded = self.library.load(s, row.version_id)
        info = loaded.user_tasks.get(idx.task_spec)
        cleaned = dict(data)
        if info is not None and info.form and info.form in loaded.forms:
            cleaned, errors = loaded.forms[info.form].validate(data, today=self.clock.today())
            if errors:
                raise FormInvalid(errors)

        def finish(wf: BpmnWorkflow) -> None:
            task = wf.get_task_from_id(UUID(task_id))
            if task is None or task.state != TaskState.READY:
                raise Conflict(f"task {task_id} is no longer open")
            task.set_data(**cleaned)
            task.run()

        return self._step(s, row, actor, "task.complete", finish, task_id=task_id, detail={"task": idx.task_spec, "data": cleaned})

    def _step(self, s, row, actor, action, apply, *, task_id=None, detail=None) -> StepResult:
        loaded = self.library.load(s, row.version_id)
        ctx = StepContext(
            session=s,
            instance_id=row.id,
            business_key=row.business_key,
            unit_id=row.unit_id,
            process_id=row.process_id,
            actor=actor,
            clock=self.clock,
            runtime=self,
        )
        with StepScope(ctx):
            script_engine = TiepdanScriptEngine(self.functions(s), self.operations)
            wf = self.cache.take(row.id, row.lock_version)
            if wf is None:
                wf = self._load(s, row, loaded, script_engine)
            else:
                wf.script_engine = script_engine
            # The task index and the timers are projections of the stored state: diffing the
            # state before and after the step tells what to write, without reading them back.
            before = _Projection.of(wf) if row.state else _Projection.empty()
            old_status = row.status
            apply(wf)
            running: list[Any] = []
            try:
                wf.do_engine_steps(will_complete_task=running.append)
                if ctx.savepoint is not None:
                    ctx.savepoint.commit()
                failure = None
            except (ServiceError, SpiffWorkflowException, sandbox.SandboxError, EngineError) as err:
                if ctx.savepoint is not None:
                    ctx.savepoint.rollback()
                failure = _describe(err, running[-1] if running else None)
                # Rebuild from the saved state so no half-run service task is kept.
                wf = self._load(s, row, loaded, script_engine)
                apply(wf)
            after = _Projection.of(wf)
            self._persist(s, row, wf, failure)
            self._write_task_index(s, row, loaded, before, after, old_status)
            self._write_timers(s, row, before, after)
            self._audit(s, row, actor, action, task_id=task_id, detail=detail)
            if failure is not None:
                self._audit(s, row, actor, "instance.error", detail=failure.__dict__)
        s.info.setdefault(_COMMITTED, []).append((row.id, row.lock_version, wf))
        return StepResult(row.id, row.status, tuple(after.tasks))

    def _load(self, s, row, loaded: LoadedVersion, script_engine=None) -> BpmnWorkflow:
        script_engine = script_engine or TiepdanScriptEngine(self.functions(s), self.operations)
        if not row.state:
            return BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=script_engine)
        return self.codec.load(row.state, loaded.spec, loaded.subprocess_specs, script_engine)

    def _persist(self, s, row, wf, failure: StepFailure | None) -> None:
        now = self.clock.now()
        row.state = self.codec.dump(wf)
        row.updated_at = now
        if failure is not None:
            row.status = "error"
            row.error_task, row.error_operation, row.error_message = failure.task, failure.operation, failure.message
        else:
            row.error_task = row.error_operation = row.error_message = None
            if wf.is_completed():
                row.status, row.completed_at = "completed", now
            else:
                row.status = "waiting"
        s.flush()  # the optimistic check: raises StaleDataError if someone else stepped first

    def _write_task_index(self, s, row, loaded: LoadedVersion, before, after, old_status: str) -> None:
        gone = before.tasks.keys() - after.tasks.keys()
        if gone:
            s.execute(_DROP_TASKS, {"ids": list(gone)})
        state = "open" if row.status in ACTIVE else "suspended"
        if (old_status in ACTIVE) != (row.status in ACTIVE) and before.tasks.keys() - gone:
            s.execute(_SET_TASK_STATE, {"iid": row.id, "new_state": state})
        new = [after.tasks[tid] for tid in after.tasks.keys() - before.tasks.keys()]
        if new:
            s.execute(_ADD_TASKS, [self._index_row(s, row, loaded, task, state) for task in new])

    def _index_row(self, s, row, loaded: LoadedVersion, task, state: str) -> dict:
        spec_name = task.task_spec.bpmn_id or task.task_spec.name
        info = loaded.user_tasks.get(spec_name)
        return {
            "id": str(task.id),
            "instance_id": row.id,
            "business_key": row.business_key,
            "process_id": row.process_id,
            "task_spec": spec_name,
            "task_name": info.name if info else (task.task_spec.bpmn_name or spec_name),
            "role": info.role if info else (task.task_spec.lane or ""),
            "unit_id": row.unit_id,
            "assignee": None,
            "form": info.form if info else None,
            "deadline_rule": info.deadline_rule if info else None,
            "created_at": self.clock.now(),
            "due_date": self._task_due(s, info, task) if info else None,
            "state": state,
        }

    def _task_due(self, s, info, task) -> date | None:
        if not info.deadline_rule:
            return None
        start = self.clock.today()
        if info.deadline_from:
            value = sandbox.evaluate(info.deadline_from, task.data, self.functions(s))
            start = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return self.due_date(s, info.deadline_rule, start)

    def _write_timers(self, s, row, before, after) -> None:
        # A timer whose task stopped waiting was cancelled (its boundary task finished first),
        # unless this very step fired it.
        gone = before.timers.keys() - after.timers.keys()
        if gone:
            s.execute(_DROP_TIMERS, {"iid": row.id, "ids": list(gone)})
        new = after.timers.keys() - before.timers.keys()
        if new:
            s.execute(
                _ADD_TIMERS,
                [
                    {"instance_id": row.id, "task_id": tid, "task_spec": after.timers[tid][0], "fire_at": after.timers[tid][1]}
                    for tid in new
                ],
            )

    def _claim_due_timer(self, s: Session) -> Timer | None:
        query = (
            select(Timer)
            .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
            .where(Timer.fired_at.is_(None), Timer.fire_at <= self.clock.now(), ProcessInstance.status.in_(ACTIVE))
            .order_by(Timer.fire_at)
            .limit(1)
        )
        if not is_sqlite(s.get_bind()):
            # SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL needs the row lock.
            query = query.with_for_update(skip_locked=True, of=Timer)
        return s.execute(query).scalar_one_or_none()

    # --- helpers --------------------------------------------------------------------------------

    def _assign(self, task_id, user, actor, *, only_if_unclaimed: bool, action: str) -> None:
        with self._transaction() as s:
            idx = s.get(TaskIndex, task_id)
            if idx is None:
                raise NotFound(f"task {task_id} is not open")
            query = update(TaskIndex).where(TaskIndex.id == task_id)
            if only_if_unclaimed:
                query = query.where(TaskIndex.assignee.is_(None))
            if s.execute(query.values(assignee=user)).rowcount == 0:
                raise Conflict(f"task is already claimed by {idx.assignee}", by=idx.assignee)
            row = s.get(ProcessInstance, idx.instance_id)
            self._audit(s, row, actor, action, task_id=task_id, detail={"assignee": user, "previous": idx.assignee})

    def _instance(self, s, instance_id: int) -> ProcessInstance:
        row = s.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"instance {instance_id} does not exist")
        return row

    def _completed_by_other(self, task_id: str, s: Session | None = None) -> EngineError:
        def lookup(session):
            entry = audit.last_event_for_task(session, task_id, "task.complete")
            if entry is None:
                return NotFound(f"task {task_id} does not exist or is not open")
            return Conflict(
                f"task was already completed by {entry.actor} at {entry.at:%Y-%m-%d %H:%M} UTC",
                by=entry.actor,
                at=entry.at,
            )

        if s is not None:
            return lookup(s)
        with self.sessions() as session:
            return lookup(session)

    def _audit(self, s, row, actor, action, *, task_id=None, detail=None) -> None:
        audit.record(
            s,
            actor=actor,
            action=action,
            business_key=row.business_key,
            instance_id=row.id,
            task_id=task_id,
            detail=detail,
            clock=self.clock,
        )


def _describe(err: Exception, task) -> StepFailure:
    spec = task.task_spec if task is not None else None
    task_name = (spec.bpmn_id or spec.name) if spec is not None else ""
    operation = getattr(err, "operation", None) or getattr(spec, "operation_name", None) or ""
    cause = err
    # Spiff wraps our ServiceError; show the handler's own message.
    while getattr(cause, "__cause__", None) is not None and not isinstance(cause, ServiceError):
        cause = cause.__cause__
    if isinstance(cause, ServiceError):
        operation, message = cause.operation, cause.message
    else:
        message = str(err)
    return StepFailure(task_name, operation or "", message)
