"""Moving running instances to another version of their process.

An instance may move when no task it is in or has passed was removed from the target version or
changed there (its form, deadline, lane, operation, name, ...). Where the flow goes next may
change: SpiffWorkflow's `migrate_workflow` re-predicts the tasks after the current ones on the new
spec. `plan_migration` is the dry run; `migrate` checks again inside each move's own transaction
(the instance may have stepped meanwhile), moves the movable instances one by one and leaves the
others on their version. Each move is a runtime step audited as `instance.migrate`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition, TimeDateEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .errors import EngineError, InvalidState
from .instances import StaleInstance
from .library import LoadedVersion, ProcessLibrary
from .models import ProcessInstance, ProcessVersion
from .spiff_bridge import ClockedDuration, ClockedTimeDate, SharedSpecStart, StateCodec, make_serializer
from .version_diff import diff_versions

# A task in one of these states is one the instance is in or has passed.
_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
_LIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
# Where a task connects is allowed to change: that is what re-prediction handles.
_STRUCTURE = {"inputs", "outputs"}


@dataclass
class MigrationCheck:
    instance_id: int
    ok: bool
    reason: str
    business_key: str = ""
    from_version: int | None = None


@lru_cache(maxsize=1)
def spec_registry():
    """The serializer's registry, taught tiepdan's subclasses of Spiff's specs (which add no
    state), so that SpecDiff can compare parsed specs."""
    registry = make_serializer().registry
    for ours, spiffs in ((SharedSpecStart, BpmnStartTask), (ClockedTimeDate, TimeDateEventDefinition),
                         (ClockedDuration, DurationTimerEventDefinition)):
        registry.typenames[ours] = registry.typenames[spiffs]
    return registry


def blockers(wf, target: LoadedVersion, element_changes: dict[str, list[str]] | None = None) -> list[str]:
    """Why `wf` cannot move to `target`, one Vietnamese line per task (empty: it can)."""
    element_changes = element_changes or {}
    top, subs = diff_workflow(spec_registry(), wf, target.spec, target.subprocess_specs)
    spec_diffs = [(wf, top)] + [(wf.subprocesses[sp_id], d) for sp_id, d in subs.items()]
    found: dict[str, str] = {}
    for workflow, diff in spec_diffs:
        if diff is None:
            found.setdefault(workflow.spec.name, f"quy trình con {workflow.spec.name} đã bị xóa ở phiên bản đích")
            continue
        for task in diff.removed:
            if task.has_state(_REACHED):
                name = _element(task)
                found.setdefault(name, f"công việc {name} mà hồ sơ {_where(task)} đã bị xóa ở phiên bản đích")
        for task in diff.changed:
            spec_changes = set(_changed_keys(diff, task)) - _STRUCTURE
            if task.has_state(_REACHED) and spec_changes and task not in diff.removed:
                name = _element(task)
                what = ", ".join(element_changes.get(name) or sorted(spec_changes))
                found.setdefault(name, f"công việc {name} mà hồ sơ {_where(task)} đã thay đổi ({what})")
    return list(found.values())


def move(wf, target: LoadedVersion, element_changes=None) -> None:
    """Rewrite `wf` onto `target`'s specs in place; InvalidState naming the blockers if any."""
    reasons = blockers(wf, target, element_changes)
    if reasons:
        raise InvalidState("; ".join(reasons))
    top, subs = diff_workflow(spec_registry(), wf, target.spec, target.subprocess_specs)
    migrate_workflow(top, wf, target.spec)
    for sp_id, sp in list(wf.subprocesses.items()):
        migrate_workflow(subs[sp_id], sp, target.subprocess_specs[sp.spec.name])
    wf.subprocess_specs = target.subprocess_specs


def plan_migration(session: Session, library: ProcessLibrary, instance_ids: Iterable[int],
                   target_version_id: int) -> list[MigrationCheck]:
    """The dry run: for each instance, whether it can move to `target_version_id` and why not."""
    target = session.get(ProcessVersion, target_version_id)
    codec = StateCodec()
    checks = []
    changes_by_source: dict[int, dict] = {}
    for iid in instance_ids:
        record = session.get(ProcessInstance, iid)
        if record is None:
            checks.append(MigrationCheck(iid, False, f"hồ sơ quy trình {iid} không tồn tại"))
            continue
        refusal = _refusal(record, target)
        if refusal:
            checks.append(MigrationCheck(iid, False, refusal, record.business_key, record.version_id))
            continue
        source = library.load(session, record.version_id)
        if record.version_id not in changes_by_source:
            changes_by_source[record.version_id] = _element_changes(session, record.version_id, target)
        wf = codec.load(record.state, source.spec, source.subprocess_specs, None)
        reasons = blockers(wf, library.load(session, target.id), changes_by_source[record.version_id])
        checks.append(MigrationCheck(iid, not reasons, "; ".join(reasons) or "có thể chuyển",
                                     record.business_key, record.version_id))
    return checks


def migrate(runtime_or_services, instance_ids: Iterable[int], target_version_id: int, actor: str) -> list[MigrationCheck]:
    """Move every movable instance to `target_version_id`, each in its own transaction; the
    returned checks say which moved and why the others stayed."""
    runtime = getattr(runtime_or_services, "runtime", runtime_or_services)
    with Session(runtime.engine) as session:
        checks = plan_migration(session, runtime.library, list(instance_ids), target_version_id)
        target = session.get(ProcessVersion, target_version_id)
        changes = {c.from_version: _element_changes(session, c.from_version, target) for c in checks if c.ok}
    for check in checks:
        if not check.ok:
            continue
        detail = {"from_version": check.from_version, "to_version": target_version_id}
        try:
            runtime.migrate(check.instance_id, target_version_id, actor,
                            lambda wf, loaded, c=changes[check.from_version]: move(wf, loaded, c), detail=detail)
            check.reason = f"đã chuyển từ phiên bản {check.from_version} sang phiên bản {target_version_id}"
        except (EngineError, StaleInstance) as err:
            check.ok, check.reason = False, str(err)
    return checks


def _refusal(record: ProcessInstance, target: ProcessVersion | None) -> str:
    if target is None or target.status != "published":
        return "phiên bản đích không tồn tại hoặc chưa được ban hành"
    if record.process_id != target.process_id:
        return f"hồ sơ thuộc quy trình {record.process_id}, không phải {target.process_id}"
    if record.version_id == target.id:
        return f"hồ sơ đã ở phiên bản {target.id}"
    if record.status not in ("running", "waiting"):
        return f"hồ sơ đang ở trạng thái {record.status}; chỉ hồ sơ đang chạy mới chuyển được"
    return ""


def _element_changes(session: Session, source_id: int, target: ProcessVersion) -> dict[str, list[str]]:
    """The diagram-level names of what changed on each element (form, deadline_rule, ...)."""
    source = session.get(ProcessVersion, source_id)
    diff = diff_versions(source.bpmn_xml.encode("utf-8"), target.bpmn_xml.encode("utf-8"))
    return {c.element_id: list(c.fields) for c in diff.changed}


def _changed_keys(diff, task) -> list[str]:
    # WorkflowDiff keeps the changed tasks, not what changed; the alignment leads back to the specs.
    new = diff.alignment.get(task)
    if new is None:
        return []
    registry = spec_registry()
    old, new = registry.convert(task.task_spec), registry.convert(new)
    return [key for key, value in old.items() if new.get(key) != value]


def _element(task) -> str:
    return task.task_spec.bpmn_id or task.task_spec.name


def _where(task) -> str:
    return "đang ở" if task.has_state(_LIVE) else "đã qua"
