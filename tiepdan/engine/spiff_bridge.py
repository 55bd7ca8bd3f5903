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
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
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


@dataclass
class StepContext:
    """What a service-task handler may use: everything it writes joins the step's transaction."""

    session: Any
    instance_id: int
    business_key: str
    unit_id: str | None
    process_id: str
    actor: str
    clock: Clock
    task_spec: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    runtime: Any = None
    # Opened by the first service call of the step, so that a failing handler's rows can be
    # rolled back while the step's other writes stay; steps without handlers pay nothing.
    savepoint: Any = None


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
        if ctx.savepoint is None and ctx.session is not None:
            ctx.savepoint = ctx.session.begin_nested()
        ctx.task_spec = task.task_spec.bpmn_id or task.task_spec.name
        ctx.data = task.data
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


def timer_fire_at(task) -> datetime | None:
    """The naive-UTC instant a waiting timer task fires, once Spiff has evaluated it."""
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(value, dict):  # cycle timers are refused by validation; be safe anyway
        value = value.get("next")
    return TimerEventDefinition.get_datetime(value).astimezone(timezone.utc).replace(tzinfo=None)


def waiting_timer_tasks(workflow: BpmnWorkflow):
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            yield task


# --- the state serializer without the spec ---------------------------------------------------


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Serializes the task tree only; restores against the version's cached spec objects."""

    def to_dict(self, workflow):
        dct = super().to_dict(workflow)
        del dct["spec"]
        del dct["subprocess_specs"]
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
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class StateCodec:
    def __init__(self):
        self.serializer = make_serializer()

    def dump(self, workflow: BpmnWorkflow) -> str:
        dct = self.serializer.to_dict(workflow)
        dct[self.serializer.VERSION_KEY] = self.serializer.VERSION
        return json.dumps(dct, separators=(",", ":"), ensure_ascii=False, default=_json_default)

    def load(self, state: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
        dct = json.loads(state)
        self.serializer.migrate(dct)
        workflow = self.serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        workflow.script_engine = script_engine
        return workflow
