"""Scenario tests of a process: whole paths through a diagram, run by the engine alone.

`processes/scenarios/<process_id>.yaml` holds a list of scenarios. Each runs one instance of the
process on a throwaway SQLite database, with every service task answered by a stub (no case
records are needed), on the real working-day calendar (the holidays package and
rules/calendar/official_adjustments.yaml) and the rule catalogue of processes/rules:

    - name: thụ lý, xác minh, ra quyết định        # shown in every failure line
      start: 2026-03-02 09:00                     # local (Vietnam) time; default Mon 2 March 2026 09:00
      data: {received_on: 2026-03-02}             # the instance's start data
      stubs:                                      # service results, by task id or operation name
        svc_notify: {recipients: [...]}           #   (a task id wins over its operation);
        remind_assignee: {}                       #   a list gives successive calls' results;
                                                  #   an unstubbed service returns {}
      steps:                                      # in order:
        - task: acceptance_notice                 #   complete the open user task with this id
          data: {accepted: "yes"}                 #   (its form validates the data)
          actor: lanhdao                          #   optional
        - at: 2026-04-20 23:59                    #   move the clock (local time; a date alone is
                                                  #   09:00), then fire the timers now due
        - advance: {days: 30}                     #   move the clock forward, then fire timers
        - message: suspend                        #   a BPMN message raised on the case
          payload: {}
      expect:
        path: [svc_notify, acceptance_notice, ...]  # user and service tasks completed, in order
        end: end_effective                        # end event(s) reached (an id or a list)
        status: completed                         # completed | waiting | error
        open: [send_decision]                     # user tasks open at the end
        data: {acceptance.accepted: "yes"}        # dotted paths into the final data
        due: {verify: 2026-04-01}                 # due date each user task had when it opened

A failure is one line naming the scenario, the step or expectation, what was expected and what
happened. Dates in data are written as YAML dates or ISO strings; both compare equal.

What the engine alone cannot know is left out: administrators' calendar overrides (they live in
the database) and a case's own clock (suspensions and extension decisions are case records), so
`deadline_adjusted` tasks are due as if the case had never been paused or extended.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Callable

import yaml
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from .bpmn_xml import NSMAP, XmlRefused, parse_bpmn_bytes
from .catalogues import rule_fingerprints, validation_context
from .clock import LOCAL_TZ, FixedClock
from .db import Base, make_engine, make_sessionmaker, transaction
from .deadlines import RuleCatalogue
from .errors import EngineError
from .library import ProcessLibrary, PublishRefused
from .models import AuditEntry, AuditHead, CalendarOverride, ProcessInstance, ProcessVersion, TaskIndex, Timer
from .runtime import ACTIVE, Runtime
from .timekeeping import DeadlineSource, expression_functions

DEFAULT_START = datetime(2026, 3, 2, 9, 0)  # local time: Monday 2 March 2026, 09:00
_TABLES = [m.__table__ for m in (ProcessVersion, ProcessInstance, TaskIndex, Timer, AuditEntry, AuditHead,
                                 CalendarOverride)]
_ACTIVITIES = {"UserTask", "ManualTask", "ServiceTask", "SendTask", "ReceiveTask", "NoneTask"}
_STEP_KINDS = {"task", "at", "advance", "message"}
_SCENARIO_KEYS = {"name", "start", "data", "stubs", "steps", "expect"}
_EXPECT_KEYS = {"path", "end", "status", "open", "data", "due"}


@dataclass
class ScenarioResult:
    process_id: str
    name: str
    ok: bool
    failures: list[str] = field(default_factory=list)


class ScenarioFileError(ValueError):
    """The scenario file itself is wrong (not YAML, unknown keys); str() names the place."""


def scenario_path(processes_dir: Path, process_id: str) -> Path:
    return Path(processes_dir) / "scenarios" / f"{process_id}.yaml"


def load_scenarios(path: Path) -> list[dict]:
    try:
        scenarios = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as err:
        raise ScenarioFileError(f"{path.name}: không đọc được YAML: {err}") from None
    if not isinstance(scenarios, list):
        raise ScenarioFileError(f"{path.name}: tệp phải là một danh sách kịch bản")
    for n, scenario in enumerate(scenarios, 1):
        where = f"{path.name}: kịch bản {n}"
        if not isinstance(scenario, dict) or not scenario.get("name"):
            raise ScenarioFileError(f"{where}: cần có 'name'")
        unknown = set(scenario) - _SCENARIO_KEYS
        if unknown:
            raise ScenarioFileError(f"{where}: khóa không hợp lệ {sorted(unknown)}")
        for i, step in enumerate(scenario.get("steps") or [], 1):
            if not isinstance(step, dict) or len(_STEP_KINDS & set(step)) != 1:
                raise ScenarioFileError(f"{where}, bước {i}: cần đúng một trong {sorted(_STEP_KINDS)}")
        unknown = set(scenario.get("expect") or {}) - _EXPECT_KEYS
        if unknown:
            raise ScenarioFileError(f"{where}: expect có khóa không hợp lệ {sorted(unknown)}")
    return scenarios


def run_scenarios(
    processes_dir: Path,
    process_id: str | None = None,
    xml_override: bytes | None = None,
    version_id: int | None = None,
    *,
    session=None,
    progress: Callable[[str, str], None] | None = None,
) -> list[ScenarioResult]:
    """Run the scenarios of `process_id` (default: every scenario file) against processes/ or,
    for that process, against `xml_override` or the stored version `version_id` (read through
    `session`). A process without a scenario file has no results."""
    processes_dir = Path(processes_dir)
    if version_id is not None:
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise LookupError(f"process version {version_id} does not exist")
        process_id, xml_override = version.process_id, version.bpmn_xml.encode("utf-8")
    if process_id is not None:
        paths = [p for p in [scenario_path(processes_dir, process_id)] if p.is_file()]
    else:
        paths = sorted((processes_dir / "scenarios").glob("*.yaml"))
    results: list[ScenarioResult] = []
    for path in paths:
        pid = path.stem
        try:
            scenarios = load_scenarios(path)
        except ScenarioFileError as err:
            results.append(ScenarioResult(pid, path.name, False, [str(err)]))
            continue
        if xml_override is not None and pid == process_id:
            xml = xml_override
        elif (processes_dir / f"{pid}.bpmn").is_file():
            xml = (processes_dir / f"{pid}.bpmn").read_bytes()
        else:
            results.append(ScenarioResult(pid, path.name, False, [f"không có sơ đồ {pid}.bpmn"]))
            continue
        with tempfile.TemporaryDirectory(prefix="tiepdan-scenarios-") as tmp:
            bench = _Bench(processes_dir, pid, xml, Path(tmp))
            try:
                refused = bench.publish()
                if refused:
                    results.append(ScenarioResult(pid, "(sơ đồ)", False, refused))
                    continue
                for scenario in scenarios:
                    if progress is not None:
                        progress(pid, scenario["name"])
                    failures = bench.run(scenario)
                    results.append(ScenarioResult(pid, scenario["name"], not failures, failures))
            finally:
                bench.close()
    return results


class _Bench:
    """One process's diagram published on a throwaway database, with its services stubbed."""

    def __init__(self, processes_dir: Path, process_id: str, xml: bytes, tmp: Path):
        self.process_id, self.xml = process_id, xml
        self.clock = FixedClock(_utc(DEFAULT_START))
        self.db = make_engine(f"sqlite:///{tmp / 'scenarios.db'}")
        Base.metadata.create_all(self.db, tables=_TABLES)
        self.sessions = make_sessionmaker(self.db)
        self.stubs: dict[str, Any] = {}
        self.calls: dict[str, int] = {}
        catalogue = RuleCatalogue.load(processes_dir / "rules")
        deadlines = DeadlineSource(catalogue)
        operations = {name: self._stub(name) for name in _operations(xml)}
        self.library = ProcessLibrary(
            processes_dir, validation_context(processes_dir, operations, catalogue), rule_fingerprints(catalogue)
        )
        self.runtime = Runtime(
            self.db, self.library, operations, functions=expression_functions(deadlines, self.clock),
            due_date=deadlines.due_date, clock=self.clock, cache_size=0,
        )

    def close(self) -> None:
        self.db.dispose()

    def publish(self) -> list[str]:
        try:
            with transaction(self.sessions) as session:
                self.library.publish(session, self.xml, f"{self.process_id}.bpmn", "scenarios", clock=self.clock)
        except PublishRefused as refused:
            return [f"sơ đồ không hợp lệ: {p.element}: {p.message}" for p in refused.problems]
        return []

    def _stub(self, operation: str):
        def call(ctx, **_params):
            for key in (ctx.task_spec, operation):
                if key in self.stubs:
                    value = self.stubs[key]
                    if isinstance(value, list):  # successive calls, the last one repeating
                        n = self.calls[key] = self.calls.get(key, -1) + 1
                        value = value[min(n, len(value) - 1)] if value else {}
                    return value
            return {}

        return call

    # --- one scenario ---------------------------------------------------------------------------

    def run(self, scenario: dict) -> list[str]:
        self.stubs, self.calls = dict(scenario.get("stubs") or {}), {}
        self.clock.at = _utc(_local(scenario.get("start") or DEFAULT_START))
        failures: list[str] = []
        due: dict[str, date | None] = {}
        try:
            started = self.runtime.start(self.process_id, f"scenario:{scenario['name']}"[:100], unit_id="scenario",
                                         data=_plain(scenario.get("data") or {}), actor="scenario")
        except Exception as err:  # noqa: BLE001  (a broken diagram is a failed scenario, not a crash)
            return [f"không khởi động được: {type(err).__name__}: {err}"]
        iid = started.instance_id
        try:
            self._note_due(iid, due)
            for n, step in enumerate(scenario.get("steps") or [], 1):
                problem = self._step(iid, step) or self._error_of(iid)
                if problem:
                    failures.append(f"bước {n} ({_describe(step)}): {problem}")
                    return failures
                self._note_due(iid, due)
            failures.extend(self._check(iid, scenario.get("expect") or {}, due))
        finally:
            self._end(iid)
        return failures

    def _step(self, iid: int, step: dict) -> str | None:
        try:
            if "task" in step:
                open_ids = self._open_tasks(iid)
                if step["task"] not in open_ids:
                    return f"công việc không mở (đang mở: {', '.join(open_ids.keys()) or 'không có'})"
                self.runtime.complete_task(open_ids[step["task"]], _plain(step.get("data") or {}),
                                           actor=step.get("actor", "scenario"))
            elif "message" in step:
                self.runtime.send_message(iid, step["message"], _plain(step.get("payload") or {}),
                                          actor=step.get("actor", "scenario"))
            else:
                if "at" in step:
                    self.clock.at = _utc(_local(step["at"]))
                else:
                    self.clock.advance(**step["advance"])
                self.runtime.fire_due_timers()
        except EngineError as err:
            errors = getattr(err, "errors", None)
            return f"{err}" + (f" {errors}" if errors else "")
        except Exception as err:  # noqa: BLE001  (an expression error in the diagram, ...)
            return f"{type(err).__name__}: {err}"
        return None

    def _error_of(self, iid: int) -> str | None:
        with self.sessions() as s:
            row = s.get(ProcessInstance, iid)
            if row.status == "error":
                return f"quy trình lỗi tại {row.error_task} ({row.error_operation}): {row.error_message}"
        return None

    def _open_tasks(self, iid: int) -> dict[str, str]:
        with self.sessions() as s:
            rows = s.execute(select(TaskIndex.task_spec, TaskIndex.id).where(TaskIndex.instance_id == iid)
                             .order_by(TaskIndex.created_at)).all()
        found: dict[str, str] = {}
        for spec, tid in rows:
            found.setdefault(spec, tid)
        return found

    def _note_due(self, iid: int, due: dict) -> None:
        with self.sessions() as s:
            for spec, day in s.execute(select(TaskIndex.task_spec, TaskIndex.due_date).where(TaskIndex.instance_id == iid)):
                due.setdefault(spec, day)

    def _end(self, iid: int) -> None:
        """Stop an unfinished instance, so that its timers do not fire in the next scenario."""
        with self.sessions() as s:
            status = s.get(ProcessInstance, iid).status
        if status in ACTIVE + ("error", "suspended"):
            self.runtime.terminate(iid, "scenario")

    # --- expectations ---------------------------------------------------------------------------

    def _check(self, iid: int, expect: dict, due: dict) -> list[str]:
        failures: list[str] = []
        wf = self.runtime.workflow(iid)
        # get_tasks walks into the subprocesses too
        completed = sorted(wf.get_tasks(state=TaskState.COMPLETED), key=lambda t: t.last_state_change)
        if "path" in expect:
            path = [t.task_spec.bpmn_id for t in completed if type(t.task_spec).__name__ in _ACTIVITIES]
            if path != list(expect["path"]):
                failures.append(f"đường đi: mong đợi {expect['path']}, thực tế {path}")
        if "end" in expect:
            reached = [t.task_spec.bpmn_id for t in completed if type(t.task_spec).__name__ == "EndEvent"]
            for end in _as_list(expect["end"]):
                if end not in reached:
                    failures.append(f"sự kiện kết thúc: mong đợi {end}, thực tế {reached or 'chưa kết thúc'}")
        with self.sessions() as s:
            status = s.get(ProcessInstance, iid).status
        if "status" in expect and expect["status"] != status:
            failures.append(f"trạng thái: mong đợi {expect['status']}, thực tế {status}")
        if "open" in expect:
            still_open = sorted(self._open_tasks(iid))
            if still_open != sorted(_as_list(expect["open"])):
                failures.append(f"công việc đang mở: mong đợi {sorted(_as_list(expect['open']))}, thực tế {still_open}")
        if "data" in expect:
            data = wf.data if wf.is_completed() or not completed else completed[-1].data
            for key, wanted in (expect["data"] or {}).items():
                actual = _dig(data, str(key))
                if _plain(actual) != _plain(wanted):
                    failures.append(f"dữ liệu {key}: mong đợi {_plain(wanted)!r}, thực tế {_plain(actual)!r}")
        for spec, wanted in (expect.get("due") or {}).items():
            if spec not in due:
                failures.append(f"hạn của {spec}: công việc này chưa từng mở")
            elif _plain(due[spec]) != _plain(wanted):
                failures.append(f"hạn của {spec}: mong đợi {_plain(wanted)}, thực tế {_plain(due[spec])}")
        return failures


def _operations(xml: bytes) -> set[str]:
    try:
        root = parse_bpmn_bytes(xml)
    except XmlRefused:
        return set()
    return set(root.xpath("//bpmn:serviceTask/bpmn:extensionElements/spiffworkflow:serviceTaskOperator/@id",
                          namespaces=NSMAP))


def _local(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0))
    text = str(value).strip()
    return datetime.fromisoformat(text) if len(text) > 10 else datetime.combine(date.fromisoformat(text), time(9, 0))


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _plain(value):
    """Dates as ISO strings, as they travel in task data."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _dig(data, dotted: str):
    for part in dotted.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return "<không có>"
    return data


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _describe(step: dict) -> str:
    kind = next(k for k in _STEP_KINDS if k in step)
    return f"{kind} {_plain(step[kind])}"
