"""The persisted runtime: every step is one database transaction.

A step loads the instance row and its SpiffWorkflow state, applies one action (start, complete a
task, fire timers, retry), runs service tasks until the next wait, and writes back the state, the
open-task index, the timers, the rows handlers wrote, and the audit entries, all or nothing.

Concurrency is optimistic: the instance row carries `lock_version`, checked by the UPDATE, so of two
officers completing the same task one wins and the other gets `Conflict` naming the winner.

A handler that raises does not lose the step's input: the whole transaction rolls back (taking the
handlers' writes with it), and a second transaction applies the same action without running service
tasks and stores the instance in `error` with the task, operation and message, ready for `retry`.
The happy path thus pays for no savepoint.

Between steps, the workflow object, its projection and the instance record stay in memory
(`WorkflowCache`); the UPDATE's version check catches a stale entry, and the step is then run
again from the database.
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
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import audit, instances, sandbox
from .clock import Clock
from .db import is_sqlite
from .driver_sql import DriverStatement
from .errors import Conflict, EngineError, FormInvalid, InvalidState, NotFound
from .instances import InstanceRecord, StaleInstance
from .library import LoadedVersion, ProcessLibrary
from .models import ProcessInstance, TaskIndex, Timer
from .spiff_bridge import (
    EngineWorkflow,
    ServiceError,
    StateCodec,
    StepContext,
    StepScope,
    StepTx,
    TiepdanScriptEngine,
    is_timer_task,
    timer_fire_at,
)

ACTIVE = ("running", "waiting")

# The hot path writes through pre-built Core statements: building a statement per call, or the
# ORM's unit of work, costs several times more than executing it on SQLite.
TASKS = TaskIndex.__table__
TIMERS = Timer.__table__
_TASK_FOR_COMPLETION = select(TASKS.c.instance_id, TASKS.c.task_spec).where(TASKS.c.id == bindparam("tid"))
# Writes made on every step run as driver SQL (see driver_sql); deletes take one parameter set
# per row (executemany) rather than an IN list.
_DROP_TASK = DriverStatement("DELETE FROM task_index WHERE id = :tid")
_DROP_ALL_TASKS = delete(TASKS).where(TASKS.c.instance_id == bindparam("iid"))
_SET_TASK_STATE = update(TASKS).where(TASKS.c.instance_id == bindparam("iid")).values(state=bindparam("new_state"))
_TASK_COLUMNS = ("id", "instance_id", "business_key", "process_id", "task_spec", "task_name", "role", "unit_id",
                 "assignee", "form", "deadline_rule", "created_at", "due_date", "state")
_ADD_TASKS = DriverStatement(
    f"INSERT INTO task_index ({', '.join(_TASK_COLUMNS)}) VALUES ({', '.join(':' + c for c in _TASK_COLUMNS)})"
)
_SET_TASK_DUE = DriverStatement("UPDATE task_index SET due_date = :due WHERE id = :tid")
_DROP_TIMER = DriverStatement(
    "DELETE FROM timer WHERE instance_id = :iid AND task_id = :tid AND fired_at IS NULL"
)
_DROP_PENDING_TIMERS = delete(TIMERS).where(TIMERS.c.instance_id == bindparam("iid"), TIMERS.c.fired_at.is_(None))
_ADD_TIMERS = DriverStatement(
    "INSERT INTO timer (instance_id, task_id, task_spec, fire_at) VALUES (:instance_id, :task_id, :task_spec, :fire_at)"
)
_MARK_FIRED = update(TIMERS).where(TIMERS.c.id == bindparam("timer_id")).values(fired_at=bindparam("at"))
_COMMITTED = "tiepdan.committed_workflows"


@dataclass(frozen=True)
class StepFailure:
    task: str
    operation: str
    message: str


@dataclass(frozen=True)
class StepResult:
    instance_id: int
    status: str
    open_tasks: tuple[str, ...]


@dataclass(frozen=True)
class Projection:
    """What the task index and the timer table hold for one workflow state."""

    tasks: dict[str, Any]  # open human task id -> task
    timers: dict[str, tuple[str, Any]]  # waiting timer task id -> (element id, fire_at)

    @classmethod
    def of(cls, wf: BpmnWorkflow) -> "Projection":
        tasks, timers = {}, {}
        for workflow in (wf, *wf.subprocesses.values()):
            for task in workflow.tasks.values():
                if task.state == TaskState.READY and task.task_spec.manual:
                    tasks[str(task.id)] = task
                elif task.state == TaskState.WAITING and is_timer_task(task):
                    fire_at = timer_fire_at(task)
                    if fire_at is not None:
                        timers[str(task.id)] = (task.task_spec.bpmn_id or "", fire_at)
        return cls(tasks, timers)


EMPTY = Projection({}, {})


@dataclass
class Opened:
    """An instance ready to step: its record, and its workflow when the cache had it."""

    record: InstanceRecord
    wf: BpmnWorkflow | None = None
    before: Projection | None = None


class WorkflowCache:
    """The instances of recently committed steps: record, workflow and projection.

    A step takes its entry out (so a failed step can never leave a half-run workflow behind) and
    the runtime puts it back after commit. An entry made stale by another process is caught by
    the version check of the instance UPDATE, and the step is retried from the database.
    """

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[int, Opened] = OrderedDict()
        self._task_owner: dict[str, int] = {}  # open task id -> instance id, for cached entries
        self._lock = threading.Lock()

    def take(self, instance_id: int) -> Opened | None:
        with self._lock:
            opened = self._items.pop(instance_id, None)
            if opened is not None:
                self._forget_tasks(opened)
            return opened

    def owner_of(self, task_id: str) -> int | None:
        """The instance a cached open task belongs to (saves the lookup on completion)."""
        with self._lock:
            return self._task_owner.get(task_id)

    def put(self, opened: Opened) -> None:
        if self.size <= 0:
            return
        with self._lock:
            previous = self._items.pop(opened.record.id, None)
            if previous is not None:
                self._forget_tasks(previous)
            self._items[opened.record.id] = opened
            self._task_owner.update(dict.fromkeys(opened.before.tasks, opened.record.id))
            while len(self._items) > self.size:
                self._forget_tasks(self._items.popitem(last=False)[1])

    def _forget_tasks(self, opened: Opened) -> None:
        for task_id in opened.before.tasks:
            self._task_owner.pop(task_id, None)


@dataclass
class _Attempt:
    """How a public operation runs this time: after a handler failure, the failure to store;
    after a stale cache entry, without the cache."""

    failure: StepFailure | None = None
    use_cache: bool = True
    cache_hit: bool = False


class _StepFailed(Exception):
    def __init__(self, failure: StepFailure):
        super().__init__(failure.message)
        self.failure = failure


class Runtime:
    def __init__(
        self,
        engine: Engine,
        library: ProcessLibrary,
        operations: Mapping[str, Callable],
        *,
        functions: Callable[[StepTx], Mapping[str, Callable]] = lambda tx: {},
        due_date: Callable[..., date | None] = lambda tx, rule, start, **adjusted: None,
        adjustments: Callable[[StepTx, str], tuple[Any, Any]] = lambda tx, business_key: ((), ()),
        clock: Clock | None = None,
        cache_size: int = 1000,
    ):
        """`functions(tx)` gives the sandbox functions for a step (deadline helpers and the like);
        `due_date(tx, rule_id, start, pauses=, extensions=)` computes a task's statutory due date;
        `adjustments(tx, business_key)` gives a case's clock (pauses, extension decisions) for the
        tasks marked `deadline_adjusted`, whose due dates are recomputed after every step;
        `cache_size` bounds the workflows kept in memory between steps (0 disables it)."""
        self.engine = engine
        self.library = library
        self.operations = operations
        self.functions = functions
        self.due_date = due_date
        self.adjustments = adjustments
        self.clock = clock or Clock()
        self.codec = StateCodec()
        self.cache = WorkflowCache(cache_size)

    @contextmanager
    def _transaction(self) -> Iterator[StepTx]:
        """A step's transaction; workflows it produced enter the cache only once it committed."""
        with self.engine.begin() as conn:
            tx = StepTx(conn)
            try:
                yield tx
                tx.finish()
            finally:
                tx.close()
        for opened in tx.committed:
            self.cache.put(opened)

    def _execute(self, operation: Callable[[StepTx, _Attempt], Any]) -> Any:
        """Run `operation` in a transaction; on a handler failure, run it again storing the
        failure; on a stale cache entry, run it again from the database."""
        attempt = _Attempt()
        while True:
            try:
                with self._transaction() as s:
                    return operation(s, attempt)
            except _StepFailed as failed:
                if attempt.failure is not None:
                    raise EngineError(f"could not record the failure: {failed.failure.message}") from None
                attempt = _Attempt(failure=failed.failure, use_cache=False)
            except StaleInstance:
                if not attempt.cache_hit:
                    raise
                attempt = _Attempt(failure=attempt.failure, use_cache=False)

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
            return self._start(StepTx(session.connection(), session), _Attempt(use_cache=False), process_id, business_key, unit_id, data, actor)
        return self._execute(lambda s, attempt: self._start(s, attempt, process_id, business_key, unit_id, data, actor))

    def complete_task(self, task_id: str, data: Mapping[str, Any], actor: str) -> StepResult:
        try:
            return self._execute(lambda s, attempt: self._complete(s, attempt, task_id, data, actor))
        except StaleInstance:
            raise self._completed_by_other(task_id) from None

    def claim(self, task_id: str, user: str, actor: str | None = None) -> None:
        self._assign(task_id, user, actor or user, only_if_unclaimed=True, action="task.claim")

    def unclaim(self, task_id: str, actor: str) -> None:
        self._assign(task_id, None, actor, only_if_unclaimed=False, action="task.unclaim")

    def reassign(self, task_id: str, user: str, actor: str) -> None:
        self._assign(task_id, user, actor, only_if_unclaimed=False, action="task.reassign")

    def retry(self, instance_id: int, actor: str) -> StepResult:
        def operation(s, attempt):
            opened = self._open(s, instance_id, attempt)
            if opened.record.status != "error":
                raise InvalidState(f"instance {instance_id} is {opened.record.status}, not in error")
            return self._step(s, opened, attempt, actor, "instance.retry", lambda wf: None)

        return self._execute(operation)

    def suspend(self, instance_id: int, actor: str, reason: str = "") -> None:
        with self._transaction() as s:
            record = self._instance(s, instance_id)
            if record.status not in ACTIVE + ("error",):
                raise InvalidState(f"instance {instance_id} is {record.status}; only running instances can be suspended")
            record.status, record.updated_at = "suspended", self.clock.now()
            instances.save(s.conn, record)
            s.execute(_SET_TASK_STATE, {"iid": record.id, "new_state": "suspended"})
            self._audit(s, record, actor, "instance.suspend", detail={"reason": reason})

    def resume(self, instance_id: int, actor: str) -> StepResult:
        def operation(s, attempt):
            opened = self._open(s, instance_id, attempt)
            if opened.record.status != "suspended":
                raise InvalidState(f"instance {instance_id} is {opened.record.status}, not suspended")
            opened.record.status = "running"
            s.execute(_SET_TASK_STATE, {"iid": instance_id, "new_state": "open"})
            # Timers that came due while suspended fire now, in the same step.
            return self._step(s, opened, attempt, actor, "instance.resume", lambda wf: wf.refresh_timers())

        return self._execute(operation)

    def terminate(self, instance_id: int, actor: str, reason: str = "") -> None:
        with self._transaction() as s:
            record = self._instance(s, instance_id)
            if record.status in ("completed", "terminated"):
                raise InvalidState(f"instance {instance_id} is already {record.status}")
            record.status, record.updated_at, record.completed_at = "terminated", self.clock.now(), self.clock.now()
            instances.save(s.conn, record)
            s.execute(_DROP_ALL_TASKS, {"iid": record.id})
            s.execute(_DROP_PENDING_TIMERS, {"iid": record.id})
            self._audit(s, record, actor, "instance.terminate", detail={"reason": reason})

    def fire_due_timers(self, limit: int = 500, actor: str = "timer") -> int:
        """Fire up to `limit` due timers, each in its own transaction. Cost is proportional to
        the due timers (an index on fire_at of unfired rows), never to the waiting instances."""
        fired = 0
        while fired < limit:
            claimed: list = []

            def operation(s, attempt):
                # A retry after a handler failure fires the same timer, not the next due one.
                timer = claimed[0] if claimed else self._claim_due_timer(s)
                if timer is None:
                    return False
                claimed[:] = [timer]
                # Marked first, so the step's timer sync does not take it for a cancelled one.
                s.execute(_MARK_FIRED, {"timer_id": timer.id, "at": self.clock.now()})
                opened = self._open(s, timer.instance_id, attempt)
                self._step(s, opened, attempt, actor, "timer.fire", lambda wf: wf.refresh_timers(), detail={"timer": timer.task_spec})
                return True

            try:
                if not self._execute(operation):
                    break
                fired += 1
            except StaleInstance:
                # Another worker stepped this instance meanwhile; the timer stays due for the next tick.
                break
        return fired

    def send_message(self, instance_id: int, name: str, payload: Mapping[str, Any] | None, actor: str) -> StepResult:
        """Deliver the BPMN message `name` to a running instance, in one step: an event a person
        raises on a case (a leader's withdrawal, suspension or termination decision), caught by
        a message start event of an event subprocess or a waiting message event. `payload`
        reaches the catching event's `messageVariable`. An instance not waiting for `name` is
        InvalidState and nothing changes."""

        def operation(s, attempt):
            opened = self._open(s, instance_id, attempt)
            record = opened.record
            if record.status not in ACTIVE:
                raise InvalidState(f"case {record.business_key} is {record.status}; it takes no event now")

            def deliver(wf: BpmnWorkflow) -> None:
                if not _in_window(wf, self.library.load(s, record.version_id), name):
                    raise InvalidState(f"case {record.business_key} is not waiting for '{name}' now")
                try:
                    wf.send_event(BpmnEvent(MessageEventDefinition(name), dict(payload or {})))
                except WorkflowException:
                    raise InvalidState(f"case {record.business_key} is not waiting for '{name}' now") from None

            return self._step(s, opened, attempt, actor, "instance.message", deliver, detail={"message": name})

        return self._execute(operation)

    def waiting_messages(self, instance_id: int) -> list[str]:
        """The messages `send_message` would deliver to this instance now (for the UI's actions)."""
        with self.engine.connect() as conn:
            tx = StepTx(conn)
            record = self._instance(tx, instance_id)
            if record.status not in ACTIVE:
                return []
            loaded = self.library.load(tx, record.version_id)
            wf = self._load(tx, record, loaded)
        names = set()
        # Messages the diagram throws itself (e.g. an event subprocess ending the work) are
        # internal: nobody outside may send them.
        internal = {
            ts.event_definition.name
            for spec in (wf.spec, *wf.subprocess_specs.values())
            for ts in spec.task_specs.values()
            if isinstance(getattr(ts, "event_definition", None), MessageEventDefinition)
            and type(ts).__name__ in ("IntermediateThrowEvent", "EndEvent", "SendTask")
        }
        for spec_name in wf.spec.start.trigger_specs:
            for start in wf.subprocess_specs[spec_name].bpmn_start_events:
                if isinstance(start.event_definition, MessageEventDefinition):
                    names.add(start.event_definition.name)
        for workflow in (wf, *wf.subprocesses.values()):
            for task in workflow.get_tasks(state=TaskState.WAITING):
                definition = getattr(task.task_spec, "event_definition", None)
                if isinstance(definition, MessageEventDefinition):
                    names.add(definition.name)
        return sorted(name for name in names - internal if _in_window(wf, loaded, name))

    def workflow(self, instance_id: int) -> BpmnWorkflow:
        """The instance's task tree as stored, to read (scenario tests, migration checks); changes
        made to it are never saved."""
        with self.engine.connect() as conn:
            tx = StepTx(conn)
            record = self._instance(tx, instance_id)
            return self._load(tx, record, self.library.load(tx, record.version_id))

    def migrate(self, instance_id: int, version_id: int, actor: str, move: Callable, detail=None) -> StepResult:
        """Move a running instance to another version of its process, in one step: `move(wf,
        target)` rewrites the task tree onto the target's spec (engine.migration); the open tasks
        keep their ids (and index rows), timers are recomputed, and the step is audited."""

        def operation(s, attempt):
            self.cache.take(instance_id)
            record = self._instance(s, instance_id)
            if record.status not in ACTIVE:
                raise InvalidState(f"instance {instance_id} is {record.status}; only running instances move")
            wf = self._load(s, record, self.library.load(s, record.version_id))
            before = Projection.of(wf)
            target = self.library.load(s, version_id)
            s.execute(update(ProcessInstance.__table__).where(ProcessInstance.__table__.c.id == record.id)
                      .values(version_id=version_id))
            record.version_id = version_id
            s.execute(_DROP_PENDING_TIMERS, {"iid": record.id})

            def apply(wf: BpmnWorkflow) -> None:
                move(wf, target)  # inside the step: re-predicted timers read the engine clock
                wf.refresh_timers()

            opened = Opened(record, wf, Projection(before.tasks, {}))
            return self._step(s, opened, attempt, actor, "instance.migrate", apply, detail=detail)

        return self._execute(operation)

    def task_data(self, task_id: str) -> dict:
        """The data a task sees now, for the UI to prefill its form."""
        with self.engine.connect() as conn:
            tx = StepTx(conn)
            found = tx.execute(_TASK_FOR_COMPLETION, {"tid": task_id}).first()
            if found is None:
                raise NotFound(f"task {task_id} is not open")
            record = self._instance(tx, found.instance_id)
            wf = self._load(tx, record, self.library.load(tx, record.version_id))
            task = wf.get_task_from_id(UUID(task_id))
            return dict(task.data) if task is not None else {}

    # --- the step ------------------------------------------------------------------------------

    def _start(self, s, attempt, process_id, business_key, unit_id, data, actor) -> StepResult:
        version_id = self.library.latest_published(s, process_id)
        if version_id is None:
            raise NotFound(f"process '{process_id}' has no published version")
        record = instances.create(
            s, version_id=version_id, process_id=process_id, business_key=business_key, unit_id=unit_id, now=self.clock.now()
        )
        initial = dict(data or {})

        def seed(wf: BpmnWorkflow) -> None:
            for task in wf.get_tasks(state=TaskState.READY):
                task.data.update(initial)

        return self._step(s, Opened(record), attempt, actor, "instance.start", seed, detail={"process_id": process_id, "version_id": version_id})

    def _complete(self, s: StepTx, attempt, task_id: str, data: Mapping[str, Any], actor: str) -> StepResult:
        task_spec = None
        instance_id = self.cache.owner_of(task_id) if attempt.use_cache else None
        if instance_id is None:
            found = s.execute(_TASK_FOR_COMPLETION, {"tid": task_id}).first()
            if found is None:
                raise self._completed_by_other(task_id, s)
            instance_id, task_spec = found.instance_id, found.task_spec
        opened = self._open(s, instance_id, attempt)
        record = opened.record
        if opened.wf is not None:
            task = opened.before.tasks.get(task_id)
            if task is None:
                raise StaleInstance(f"task {task_id} is not open in the cached instance {instance_id}")
            task_spec = task.task_spec.bpmn_id or task.task_spec.name
        elif task_spec is None:  # the cache named the owner, but another thread took the entry
            raise StaleInstance(f"instance {instance_id} left the cache")
        if record.status not in ACTIVE:
            raise InvalidState(f"case {record.business_key} is {record.status}; its tasks cannot be completed now")
        loaded = self.library.load(s, record.version_id)
        info = loaded.user_tasks.get(task_spec)
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

        return self._step(s, opened, attempt, actor, "task.complete", finish, task_id=task_id, detail={"task": task_spec, "data": cleaned})

    def _open(self, s, instance_id: int, attempt: _Attempt) -> Opened:
        if attempt.use_cache:
            cached = self.cache.take(instance_id)
            if cached is not None:
                attempt.cache_hit = True
                return cached
        return Opened(self._instance(s, instance_id))

    def _step(self, s, opened: Opened, attempt: _Attempt, actor, action, apply, *, task_id=None, detail=None) -> StepResult:
        record = opened.record
        loaded = self.library.load(s, record.version_id)
        ctx = StepContext(
            tx=s,
            instance_id=record.id,
            business_key=record.business_key,
            unit_id=record.unit_id,
            process_id=record.process_id,
            actor=actor,
            clock=self.clock,
            runtime=self,
            version_id=record.version_id,
        )
        with StepScope(ctx):
            script_engine = TiepdanScriptEngine(self.functions(s), self.operations)
            # The task index and the timers are projections of the stored state: diffing the
            # state before and after the step tells what to write, without reading them back.
            if opened.wf is not None:
                wf, before = opened.wf, opened.before
                wf.script_engine = script_engine
            else:
                wf = self._load(s, record, loaded, script_engine)
                before = Projection.of(wf) if record.state else EMPTY
            old_status = record.status
            apply(wf)
            if attempt.failure is None:
                running: list[Any] = []
                try:
                    wf.do_engine_steps(will_complete_task=running.append)
                except (ServiceError, SpiffWorkflowException, sandbox.SandboxError, EngineError) as err:
                    raise _StepFailed(_describe(err, running[-1] if running else None)) from err
            after = Projection.of(wf)
            self._save(s, record, wf, attempt.failure)
            self._write_task_index(s, record, loaded, before, after, old_status)
            self._write_timers(s, record, before, after)
            self._audit(s, record, actor, action, task_id=task_id, detail=detail)
            if attempt.failure is not None:
                self._audit(s, record, actor, "instance.error", detail=attempt.failure.__dict__)
        s.committed.append(Opened(record, wf, after))
        return StepResult(record.id, record.status, tuple(after.tasks))

    def _load(self, s, record: InstanceRecord, loaded: LoadedVersion, script_engine=None) -> BpmnWorkflow:
        script_engine = script_engine or TiepdanScriptEngine(self.functions(s), self.operations)
        if not record.state:
            return EngineWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=script_engine)
        return self.codec.load(record.state, loaded.spec, loaded.subprocess_specs, script_engine)

    def _save(self, s, record: InstanceRecord, wf, failure: StepFailure | None) -> None:
        now = self.clock.now()
        record.state = self.codec.dump(wf)
        record.updated_at = now
        if failure is not None:
            record.status = "error"
            record.error_task, record.error_operation, record.error_message = failure.task, failure.operation, failure.message
        else:
            record.error_task = record.error_operation = record.error_message = None
            if wf.is_completed():
                record.status, record.completed_at = "completed", now
            else:
                record.status = "waiting"
        instances.save(s.conn, record)  # raises StaleInstance if someone else stepped first

    def _write_task_index(self, s, record, loaded: LoadedVersion, before, after, old_status: str) -> None:
        gone = before.tasks.keys() - after.tasks.keys()
        if gone:
            _DROP_TASK.execute(s.conn, [{"tid": tid} for tid in gone])
        state = "open" if record.status in ACTIVE else "suspended"
        if (old_status in ACTIVE) != (record.status in ACTIVE) and before.tasks.keys() - gone:
            s.execute(_SET_TASK_STATE, {"iid": record.id, "new_state": state})
        new = [after.tasks[tid] for tid in after.tasks.keys() - before.tasks.keys()]
        if new:
            _ADD_TASKS.execute(s.conn, [self._index_row(s, record, loaded, task, state) for task in new])
        # A suspension or an extension decided in this step moves the due dates of the tasks
        # that run on the case's clock; only those are recomputed, so other steps pay nothing.
        kept = [after.tasks[tid] for tid in after.tasks.keys() & before.tasks.keys()]
        adjusted = [(t, loaded.user_tasks.get(t.task_spec.bpmn_id)) for t in kept]
        refreshed = [
            {"tid": str(t.id), "due": self._task_due(s, info, t.data, record.business_key)}
            for t, info in adjusted
            if info is not None and info.deadline_adjusted
        ]
        if refreshed:
            _SET_TASK_DUE.execute(s.conn, refreshed)

    def _index_row(self, s, record, loaded: LoadedVersion, task, state: str) -> dict:
        spec_name = task.task_spec.bpmn_id or task.task_spec.name
        info = loaded.user_tasks.get(spec_name)
        return {
            "id": str(task.id),
            "instance_id": record.id,
            "business_key": record.business_key,
            "process_id": record.process_id,
            "task_spec": spec_name,
            "task_name": info.name if info else (task.task_spec.bpmn_name or spec_name),
            "role": info.role if info else (task.task_spec.lane or ""),
            "unit_id": record.unit_id,
            "assignee": None,
            "form": info.form if info else None,
            "deadline_rule": info.deadline_rule if info else None,
            "created_at": self.clock.now(),
            "due_date": self._task_due(s, info, task.data, record.business_key) if info else None,
            "state": state,
        }

    def due_of(self, tx, version_id: int, task_spec: str, data: Mapping[str, Any], business_key: str) -> date | None:
        """The due date the user task `task_spec` of a version has now, given its data: what the
        task index shows, for a handler that must judge by it within a step."""
        info = self.library.load(tx, version_id).user_tasks.get(task_spec)
        return self._task_due(tx, info, data, business_key) if info is not None else None

    def _task_due(self, s, info, data: Mapping[str, Any], business_key: str) -> date | None:
        if not info.deadline_rule:
            return None
        start = self.clock.today()
        if info.deadline_from:
            value = sandbox.evaluate(info.deadline_from, data, self.functions(s))
            start = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        rule = info.deadline_rule
        if info.deadline_variant:
            rule += str(sandbox.evaluate(info.deadline_variant, data, self.functions(s)) or "")
        if not info.deadline_adjusted:
            return self.due_date(s, rule, start)
        pauses, extensions = self.adjustments(s, business_key)
        return self.due_date(s, rule, start, pauses=pauses, extensions=extensions)

    def _write_timers(self, s, record, before, after) -> None:
        # A timer whose task stopped waiting was cancelled (its boundary task finished first),
        # unless this very step fired it.
        gone = before.timers.keys() - after.timers.keys()
        if gone:
            _DROP_TIMER.execute(s.conn, [{"iid": record.id, "tid": tid} for tid in gone])
        new = after.timers.keys() - before.timers.keys()
        if new:
            _ADD_TIMERS.execute(
                s.conn,
                [
                    {"instance_id": record.id, "task_id": tid, "task_spec": after.timers[tid][0], "fire_at": after.timers[tid][1]}
                    for tid in new
                ],
            )

    def _claim_due_timer(self, s: StepTx):
        query = (
            select(TIMERS.c.id, TIMERS.c.instance_id, TIMERS.c.task_spec)
            .join(ProcessInstance.__table__, ProcessInstance.__table__.c.id == TIMERS.c.instance_id)
            .where(
                TIMERS.c.fired_at.is_(None),
                TIMERS.c.fire_at <= self.clock.now(),
                ProcessInstance.__table__.c.status.in_(ACTIVE),
            )
            .order_by(TIMERS.c.fire_at)
            .limit(1)
        )
        if not is_sqlite(s.conn.engine):
            # SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL needs the row lock.
            query = query.with_for_update(skip_locked=True, of=TIMERS)
        return s.execute(query).first()

    # --- helpers --------------------------------------------------------------------------------

    def _assign(self, task_id, user, actor, *, only_if_unclaimed: bool, action: str) -> None:
        with self._transaction() as s:
            idx = s.execute(select(TASKS.c.instance_id, TASKS.c.assignee).where(TASKS.c.id == task_id)).first()
            if idx is None:
                raise NotFound(f"task {task_id} is not open")
            query = update(TASKS).where(TASKS.c.id == task_id)
            if only_if_unclaimed:
                query = query.where(TASKS.c.assignee.is_(None))
            if s.execute(query.values(assignee=user)).rowcount == 0:
                raise Conflict(f"task is already claimed by {idx.assignee}", by=idx.assignee)
            record = self._instance(s, idx.instance_id)
            self._audit(s, record, actor, action, task_id=task_id, detail={"assignee": user, "previous": idx.assignee})

    def _instance(self, s, instance_id: int) -> InstanceRecord:
        record = instances.load(s, instance_id)
        if record is None:
            raise NotFound(f"instance {instance_id} does not exist")
        return record

    def _completed_by_other(self, task_id: str, s=None) -> EngineError:
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
            return lookup(s.session)
        with Session(self.engine) as session:
            return lookup(session)

    def _audit(self, s, record, actor, action, *, task_id=None, detail=None) -> None:
        audit.record(
            s.conn,
            actor=actor,
            action=action,
            business_key=record.business_key,
            instance_id=record.id,
            task_id=task_id,
            detail=detail,
            clock=self.clock,
        )


_RUNNING = TaskState.READY | TaskState.STARTED | TaskState.WAITING


def _in_window(wf: BpmnWorkflow, loaded: LoadedVersion, message: str) -> bool:
    """Whether an activity during which `message` may be raised (`active_during`) is running."""
    during = loaded.event_windows.get(message)
    if not during:
        return True
    return any(
        task.task_spec.bpmn_id in during
        for workflow in (wf, *wf.subprocesses.values())
        for task in workflow.get_tasks(state=_RUNNING)
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
