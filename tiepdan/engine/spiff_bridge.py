"""What tiepdan puts between SpiffWorkflow and the outside world.

- Expressions go to the sandbox, never to Python eval/exec; script tasks and pre/post scripts are
  refused outright (validation rejects them first, this is the second lock).
- Service tasks are dispatched to the operation registry the runtime was given, with the current
  step's context (database session, instance, actor), so a handler's rows commit or roll back with
  the step.
- Timers ask the engine's clock, not the wall clock, so the durable timer table is the one authority
  on when a timer fires and tests can run on real statutory dates.
- The serialized state omits the spec: the spec is stored once per process version and parsed once
  per process into an in-memory cache.
"""
from __future__ import annotations

import json
from uuid import UUID
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import sandbox
from .clock import Clock


class ServiceError(Exception):
    """A handler failed; the runtime records the operation and message on the instance."""

    def __init__(self, operation: str, message: str):
        super().__init__(message)
        self.operation = operation
        self.message = message


class StepTx:
    """One step's transaction: a Core connection, and an ORM session on it only if asked for.

    The runtime's own statements are Core on the connection; an ORM session (needed by handlers
    that write case records) costs more to run a transaction through, so it is created on first
    use, bound to the same connection and transaction, and flushed before commit.
    """

    def __init__(self, connection, session=None):
        self.conn = connection
        self._session = session
        self._owns_session = session is None
        self.info: dict[str, Any] = {}
        self.committed: list[Any] = []

    @property
    def session(self):
        if self._session is None:
            from sqlalchemy.orm import Session

            self._session = Session(bind=self.conn, expire_on_commit=False, autoflush=True)
        return self._session

    def execute(self, statement, params=None):
        if self._session is not None:
            self._session.flush()  # Core reads must see what handlers added through the ORM
        return self.conn.execute(statement, params)

    def finish(self) -> None:
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None and self._owns_session:
            self._session.close()


@dataclass
class StepContext:
    """What a service-task handler may use: everything it writes joins the step's transaction."""

    tx: StepTx
    instance_id: int
    business_key: str
    unit_id: str | None
    process_id: str
    actor: str
    clock: Clock
    task_spec: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    runtime: Any = None
    version_id: int | None = None
    workflow: Any = None  # the instance's workflow while a service task runs

    @property
    def session(self):
        """An ORM session in the step's transaction (created on first use)."""
        return self.tx.session

    def open_task_data(self, task_spec: str) -> Mapping[str, Any] | None:
        """The data of the instance's open human task `task_spec` at this point of the step, or
        None: unlike the task index, this sees a task opened earlier in the same step."""
        wf = self.workflow
        if wf is None:
            return None
        for workflow in (wf, *wf.subprocesses.values()):
            for task in workflow.get_tasks(state=TaskState.READY):
                if task.task_spec.manual and (task.task_spec.bpmn_id or task.task_spec.name) == task_spec:
                    return task.data
        return None


_step: ContextVar[StepContext | None] = ContextVar("tiepdan_step", default=None)
_clock: ContextVar[Clock] = ContextVar("tiepdan_clock", default=Clock())


def current_clock() -> Clock:
    return _clock.get()


class StepScope:
    """Binds the step context and clock for the duration of one engine step."""

    def __init__(self, ctx: StepContext):
        self.ctx = ctx

    def __enter__(self) -> StepContext:
        self._tokens = (_step.set(self.ctx), _clock.set(self.ctx.clock))
        return self.ctx

    def __exit__(self, *exc) -> None:
        _step.reset(self._tokens[0])
        _clock.reset(self._tokens[1])


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, functions: Mapping[str, Callable]):
        super().__init__({})
        self.functions = dict(functions)

    def evaluate(self, expression, context, external_context=None):
        return sandbox.evaluate(expression, {**(external_context or {}), **context}, self.functions)

    def execute(self, script, context, external_context=None):
        raise sandbox.SandboxError("scripts are not allowed in tiepdan diagrams; use a service task")


Operation = Callable[..., Mapping[str, Any] | None]


class TiepdanScriptEngine(PythonScriptEngine):
    def __init__(self, functions: Mapping[str, Callable], operations: Mapping[str, Operation]):
        super().__init__(environment=SandboxEnvironment(functions))
        self.operations = operations

    def call_service(self, task, operation_name=None, operation_params=None, **_kwargs):
        ctx = _step.get()
        if ctx is None:
            raise ServiceError(operation_name, "service task run outside an engine step")
        handler = self.operations.get(operation_name)
        if handler is None:
            raise ServiceError(operation_name, f"no handler registered for operation '{operation_name}'")
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        ctx.task_spec = task.task_spec.bpmn_id or task.task_spec.name
        ctx.data = task.data
        ctx.workflow = task.workflow.top_workflow
        try:
            result = handler(ctx, **params)
        except ServiceError:
            raise
        except Exception as err:  # a handler's failure is data for the instance, not a crash
            raise ServiceError(operation_name, f"{type(err).__name__}: {err}") from err
        # Spiff's service task decodes a JSON string into the result variable.
        return json.dumps(result if result is not None else {}, default=_json_default)


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"handler returned a value that is not JSON: {type(value).__name__}")


# --- timers on the engine clock --------------------------------------------------------------


def _aware_now() -> datetime:
    return current_clock().now().replace(tzinfo=timezone.utc)


class ClockedTimeDate(TimeDateEventDefinition):
    def has_fired(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.parse_time_or_duration(event_value) <= _aware_now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockedDuration(DurationTimerEventDefinition):
    def has_fired(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            start = _aware_now()
            event_value = (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= _aware_now():
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


_CLOCKED = {TimeDateEventDefinition: ClockedTimeDate, DurationTimerEventDefinition: ClockedDuration}


def use_engine_clock(specs) -> None:
    """Re-class the parsed timer definitions so they read the engine clock.

    The parser builds Spiff's own classes and offers no hook for the clock; the subclasses add no
    state, so swapping the class of these freshly parsed, not yet shared objects is safe.
    """
    for spec in specs:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            for item in getattr(definition, "event_definitions", None) or [definition]:
                if type(item) in _CLOCKED:
                    item.__class__ = _CLOCKED[type(item)]


class SharedSpecStart(BpmnStartTask):
    """The start of a process whose parsed spec is shared by every instance of a version.

    Spiff's `trigger_wf` starts an event subprocess by connecting it to the process's start and
    end task specs the first time it is triggered: a change to the shared spec that made every
    instance started afterwards spawn the event subprocess at its start and never complete. Here
    the event subprocess is wired once, when the version is loaded (its input is the start, its
    output the end, the start's outputs untouched), and a trigger only adds the task to the
    instance's own tree."""

    def trigger_wf(self, my_task, spec_name):
        child = my_task._add_child(self._wf_spec.task_specs[spec_name], TaskState.FUTURE)
        child.triggered = True
        child.task_spec._update(child)
        return child.id


def share_specs_safely(specs) -> None:
    """Prepare freshly parsed specs for sharing between instances (see SharedSpecStart)."""
    for spec in specs:
        start = spec.start
        if type(start) is not BpmnStartTask:
            continue
        for name in start.trigger_specs:
            triggered = spec.task_specs[name]
            # An input (Spiff checks that a task spec has one) but not an output of the start,
            # so that no instance creates the event subprocess unless it is triggered.
            if start not in triggered.inputs:
                triggered.inputs = [*triggered.inputs, start]  # a property over the names
            if spec.end not in triggered.outputs:
                triggered.connect(spec.end)
        start.__class__ = SharedSpecStart


def timer_fire_at(task) -> datetime | None:
    """The naive-UTC instant a waiting timer task fires, once Spiff has evaluated it."""
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):  # cycle timers are refused by validation; be safe anyway
        value = value.get("next")
    return TimerEventDefinition.get_datetime(value).astimezone(timezone.utc).replace(tzinfo=None)


def is_timer_task(task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


# --- the state serializer without the spec ---------------------------------------------------


class EngineWorkflow(BpmnWorkflow):
    """A BpmnWorkflow whose engine steps run only tasks that are still ready.

    SpiffWorkflow 3.2 takes the list of ready tasks and runs each of them, even one that an earlier
    task of the list cancelled: a terminate end event cancels the rest of its subprocess, yet a
    service task of the list (a reminder whose timer came due in the same step) still ran after
    it and handed its own data out of the finished subprocess."""

    def _do_engine_steps(self, will_complete_task=None, did_complete_task=None):
        def update_workflow(wf):
            count = 0
            for task in wf.get_tasks(state=TaskState.READY):
                if task.task_spec.manual or task.state != TaskState.READY:
                    continue
                if will_complete_task is not None:
                    will_complete_task(task)
                task.run()
                count += 1
                if did_complete_task is not None:
                    did_complete_task(task)
            return count

        active_subprocesses = self.get_active_subprocesses()
        for subprocess in sorted(active_subprocesses, key=lambda v: v.depth, reverse=True):
            count = None
            while count is None or count > 0:
                count = update_workflow(subprocess)
            if subprocess.parent_task_id is not None:
                task = self.get_task_from_id(subprocess.parent_task_id)
                task.task_spec._update(task)
        count = update_workflow(self)
        return count > 0 or len(self.get_active_subprocesses()) > len(active_subprocesses)


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Serializes the task tree only; restores against the version's cached spec objects. The
    stored type name stays "BpmnWorkflow", as in every state written before EngineWorkflow."""

    def __init__(self, target_class, registry, typename=None):
        super().__init__(target_class, registry, typename or BpmnWorkflow.__name__)

    def to_dict(self, workflow):
        # BpmnWorkflowConverter.to_dict minus the spec and subprocess specs (not merely deleting
        # them afterwards: converting the spec is half the cost of a dump).
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    del config[BpmnWorkflow]
    config[EngineWorkflow] = SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class StateCodec:
    def __init__(self):
        self.serializer = make_serializer()

    def dump(self, workflow: BpmnWorkflow) -> str:
        # Spiff's own JSON route: the registry converts shallowly and its encoder handles nested
        # objects, several times faster than converting everything to dicts first.
        return self.serializer.serialize_json(workflow)

    def load(self, state: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
        dct = json.loads(state)
        self.serializer.migrate(dct)
        workflow = self.serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        workflow.script_engine = script_engine
        return workflow
