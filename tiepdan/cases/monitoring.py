"""The supervisors' figures: what is open, late, failing or stuck in a unit and the units below it.

Every figure is one SQL aggregation over the task index or the instance table, scoped by the
unit tree's path range (units.subtree_filter), so its cost follows the index it reads and never a
loop over cases:
- task figures group the task index: by unit and by officer from ix_task_unit_due and
  ix_task_assignee_unit_due, by procedure and stage (and the heatmap) from ix_task_stage,
  reading only the index (migration 0013);
- instance figures (in error, suspended, waiting too long) read ix_instance_status_updated_unit
  (status, updated_at, unit_id): errors and suspensions are few, and "waiting too long" is a
  range on updated_at below the threshold, counted without touching the rows.
At a province of 1,000,000 cases on SQLite every figure takes well under a second.

Each figure has a list behind it (`task_page`, `instance_page`) taking the same conditions, so
that a count and the rows it links to cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.orm import Session

from tiepdan.engine.calendar import WorkingCalendar
from tiepdan.engine.models import ProcessInstance, ProcessVersion, TaskIndex

from . import datafiles
from .errors import DataFileError
from .models import Petition, Unit, User
from .units import subtree_codes, subtree_filter

PAGE_SIZE = 50
TASK_KINDS = ("open", "overdue", "due_soon", "escalated")
# The review the diagrams open for the supervisors when a task's due date passes is named
# `review_overdue` or `review_overdue_<task>` (docs/procedures.md): an open one is an escalation
# not yet dealt with. As a range of task_spec it is a seek on ix_task_spec_scope.
ESCALATION_SPEC = ("review_overdue", "review_overduf")
INSTANCE_KINDS = ("error", "suspended", "stuck", "active")
COUNTED_INSTANCE_KINDS = INSTANCE_KINDS[:3]  # "active" is a list only (a bulk migration's selection)
BULK_ACTIONS = ("reassign", "retry", "suspend", "resume", "migrate")
_EPOCH = datetime(1970, 1, 1)


# --- settings (processes/monitoring.yaml) ------------------------------------------------------


@dataclass(frozen=True)
class MonitoringSettings:
    stuck_after_days: int = 10
    due_soon_working_days: int = 3
    bulk_roles: dict[str, frozenset[str]] = field(default_factory=dict)


def _parse_settings(path: Path) -> MonitoringSettings:
    data = datafiles.read_yaml(path) or {}
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping")
    numbers = {}
    for key in ("stuck_after_days", "due_soon_working_days"):
        value = data.get(key, getattr(MonitoringSettings, key))
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
            raise DataFileError(f"{path}: {key}: expected a whole number of days from 0 to 365, got {value!r}")
        numbers[key] = value
    roles = data.get("bulk_roles") or {}
    if not isinstance(roles, dict) or set(roles) - set(BULK_ACTIONS):
        raise DataFileError(f"{path}: bulk_roles: expected a mapping of {', '.join(BULK_ACTIONS)} to role lists")
    for action, codes in roles.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise DataFileError(f"{path}: bulk_roles.{action}: expected a list of role codes")
    return MonitoringSettings(**numbers, bulk_roles={a: frozenset(c) for a, c in roles.items()})


def load_settings(processes_dir: Path) -> MonitoringSettings:
    """processes/monitoring.yaml, checked; re-read when the file changes."""
    return datafiles.cached("monitoring", Path(processes_dir) / "monitoring.yaml", _parse_settings)


@dataclass(frozen=True)
class Window:
    """The instants the figures count against: today (local), the end of "due soon", the
    threshold of "waiting too long"."""

    now: datetime
    today: date
    soon_until: date  # exclusive: the first due date that is no longer "due soon"
    stuck_before: datetime

    @classmethod
    def at(cls, now: datetime, today: date, calendar: WorkingCalendar, settings: MonitoringSettings) -> "Window":
        # Due soon as the inbox marks it: at most N working days in (today, due], i.e. before
        # the (N+1)th working day after today.
        soon_until = calendar.add_working_days(today, settings.due_soon_working_days + 1)
        return cls(now, today, soon_until, now - timedelta(days=settings.stuck_after_days))


# --- conditions shared by a figure and its list -------------------------------------------------

T, I = TaskIndex, ProcessInstance


def _task_kind(kind: str, w: Window):
    if kind == "overdue":
        return T.due_date < w.today
    if kind == "due_soon":
        return and_(T.due_date >= w.today, T.due_date < w.soon_until)
    if kind == "open":
        return true()
    if kind == "escalated":
        return and_(T.task_spec >= ESCALATION_SPEC[0], T.task_spec < ESCALATION_SPEC[1])
    raise ValueError(kind)


def _instance_kind(kind: str, w: Window):
    if kind == "stuck":
        return and_(I.status == "waiting", I.updated_at < w.stuck_before)
    if kind in ("error", "suspended"):
        return I.status == kind
    if kind == "active":
        return I.status.in_(("running", "waiting"))
    raise ValueError(kind)


def _scanning(session: Session, root: Unit, column):
    """`column` in `root`'s subtree, for a read that walks an index led by other columns: a
    figure grouping the subtree by ix_task_stage, a list's first page in ix_task_due_order.
    SQLite has no statistics: given `unit_id IN (...)` it seeks every unit's tasks on
    ix_task_unit_due and fetches (and sorts) each row, seconds at a million tasks; hiding the
    column (`unit_id || ''`) makes it walk the other index instead. A single unit
    keeps its own seek; PostgreSQL's planner gets the plain IN (see webui.inbox, the same trick)."""
    if session.get_bind().dialect.name != "sqlite":
        return subtree_filter(session, root, column)
    codes = session.execute(subtree_codes(session, root)).scalars().all()
    if len(codes) <= 1:
        return column.in_(codes or [root.code])
    return column.concat("").in_(codes)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- task figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFigures:
    code: str
    name: str
    open: int
    overdue: int
    due_soon: int
    unassigned: int
    escalated: int


def by_unit(session: Session, root: Unit, w: Window) -> list[UnitFigures]:
    """Open, overdue, due-soon, unclaimed tasks and open escalation reviews of each unit of
    `root`'s subtree that has any."""
    grouped = (
        select(
            T.unit_id.label("code"), func.count().label("open"),
            _count_if(_task_kind("overdue", w)).label("overdue"),
            _count_if(_task_kind("due_soon", w)).label("due_soon"),
            _count_if(T.assignee.is_(None)).label("unassigned"),
        )
        .where(subtree_filter(session, root, T.unit_id))
        .group_by(T.unit_id)
        .subquery()
    )
    rows = session.execute(
        select(grouped, Unit.name).join(Unit, Unit.code == grouped.c.code).order_by(Unit.path)
    ).all()
    # Counted apart: the escalations are few, and found by their own index.
    escalated = dict(session.execute(
        select(T.unit_id, func.count()).where(_task_kind("escalated", w), _scanning(session, root, T.unit_id))
        .group_by(T.unit_id)
    ).all())
    return [UnitFigures(r.code, r.name, r.open, r.overdue, r.due_soon, r.unassigned, escalated.get(r.code, 0))
            for r in rows]


@dataclass(frozen=True)
class OfficerFigures:
    username: str
    full_name: str
    unit: str
    open: int
    overdue: int
    due_soon: int


def by_officer(session: Session, root: Unit, w: Window) -> list[OfficerFigures]:
    """The workload of each officer holding tasks in the subtree: open, overdue, due soon;
    the heaviest first."""
    grouped = (
        select(
            T.assignee.label("username"), func.min(T.unit_id).label("unit"), func.count().label("open"),
            _count_if(_task_kind("overdue", w)).label("overdue"),
            _count_if(_task_kind("due_soon", w)).label("due_soon"),
        )
        .where(T.assignee.is_not(None), subtree_filter(session, root, T.unit_id))
        .group_by(T.assignee)
        .subquery()
    )
    rows = session.execute(
        select(grouped, User.full_name)
        .outerjoin(User, User.username == grouped.c.username)
        .order_by(grouped.c.overdue.desc(), grouped.c.open.desc(), grouped.c.username)
    ).all()
    return [OfficerFigures(r.username, r.full_name or r.username, r.unit, r.open, r.overdue, r.due_soon) for r in rows]


@dataclass(frozen=True)
class StageFigures:
    process_id: str
    task_spec: str
    task_name: str
    cases: int  # open tasks at this element: one per case waiting there
    overdue: int


def by_stage(session: Session, root: Unit, w: Window) -> list[StageFigures]:
    """Open cases by procedure and stage (the element whose task they wait at), with the overdue
    among them. A case waiting at two elements at once (a review beside its main task) counts at
    each; a case's tasks are never two of one element (no multi-instance tasks in processes/)."""
    grouped = (
        select(
            T.process_id, T.task_spec, func.count().label("cases"),
            _count_if(_task_kind("overdue", w)).label("overdue"),
        )
        .where(_scanning(session, root, T.unit_id))
        .group_by(T.process_id, T.task_spec)
        .subquery()
    )
    # The element's name, by one seek on ix_task_spec_scope per stage (a few dozen).
    name = select(T.task_name).where(T.task_spec == grouped.c.task_spec, T.process_id == grouped.c.process_id).limit(1)
    rows = session.execute(
        select(grouped, name.scalar_subquery().label("task_name"))
        .order_by(grouped.c.process_id, grouped.c.cases.desc(), grouped.c.task_spec)
    ).all()
    return [StageFigures(r.process_id, r.task_spec, r.task_name, r.cases, r.overdue) for r in rows]


def by_process(stages: list[StageFigures]) -> dict[str, int]:
    """Open tasks of each procedure, from its stages."""
    totals: dict[str, int] = {}
    for stage in stages:
        totals[stage.process_id] = totals.get(stage.process_id, 0) + stage.cases
    return totals


# --- instance figures ---------------------------------------------------------------------------


def instance_counts(session: Session, root: Unit, w: Window) -> dict[str, int]:
    """How many instances of the subtree are in error, suspended, waiting too long."""
    return {
        kind: session.execute(
            select(func.count()).select_from(I)
            .where(_instance_kind(kind, w), subtree_filter(session, root, I.unit_id))
        ).scalar_one()
        for kind in COUNTED_INSTANCE_KINDS
    }


# --- the lists behind the figures ---------------------------------------------------------------


@dataclass(frozen=True)
class TaskQuery:
    """Which tasks a list shows: those of `root`'s subtree, narrowed."""

    root: Unit
    kind: str = "open"
    unit: str = ""  # one unit of the subtree, exactly
    assignee: str = ""  # an officer's username
    unassigned: bool = False
    process: str = ""
    task: str = ""
    version: int | None = None


def task_page(session: Session, q: TaskQuery, w: Window, page: int = 1) -> tuple[list, bool]:
    """One page of (TaskIndex, receipt_no, title, received_on, petition_type, petition_id) rows,
    in the inbox's order (due date, created), and whether a next page exists."""
    p = Petition
    stmt = (
        select(T, p.receipt_no, p.title, p.received_on, p.petition_type, p.id)
        .outerjoin(p, p.business_key == T.business_key)
        .where(_scanning(session, q.root, T.unit_id), _task_kind(q.kind, w))
    )
    if q.unit:
        stmt = stmt.where(T.unit_id == q.unit)
    if q.assignee:
        stmt = stmt.where(T.assignee == q.assignee)
    if q.unassigned:
        stmt = stmt.where(T.assignee.is_(None))
    if q.process:
        stmt = stmt.where(T.process_id == q.process)
    if q.task:
        stmt = stmt.where(T.task_spec == q.task)
    if q.version is not None:
        stmt = stmt.where(T.instance_id.in_(select(I.id).where(I.version_id == q.version)))
    rows = session.execute(
        stmt.order_by(T.due_date.asc().nulls_last(), T.created_at, T.id)
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@dataclass(frozen=True)
class InstanceRow:
    id: int
    business_key: str
    process_id: str
    version_id: int
    unit_id: str | None
    status: str
    error_task: str | None
    error_operation: str | None
    error_message: str | None
    updated_at: datetime
    receipt_no: str | None
    title: str | None
    petition_id: int | None


_INSTANCE_COLUMNS = (I.id, I.business_key, I.process_id, I.version_id, I.unit_id, I.status, I.error_task,
                     I.error_operation, I.error_message, I.updated_at)


def instance_page(session: Session, root: Unit, kind: str, w: Window, page: int = 1,
                  process: str = "", version: int | None = None) -> tuple[list[InstanceRow], bool]:
    """One page of the instances behind an instance figure, longest untouched first (never
    reading the workflow state)."""
    p = Petition
    stmt = (
        select(*_INSTANCE_COLUMNS, p.receipt_no, p.title, p.id.label("petition_id"))
        .outerjoin(p, p.business_key == I.business_key)
        .where(_instance_kind(kind, w), subtree_filter(session, root, I.unit_id))
    )
    if process:
        stmt = stmt.where(I.process_id == process)
    if version is not None:
        stmt = stmt.where(I.version_id == version)
    rows = session.execute(
        stmt.order_by(I.updated_at, I.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return [InstanceRow(*r) for r in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def instances_by_id(session: Session, ids: list[int]) -> list[InstanceRow]:
    """The instances named (a bulk action's selection), in the order given; unknown ids are left out."""
    p = Petition
    rows = session.execute(
        select(*_INSTANCE_COLUMNS, p.receipt_no, p.title, p.id.label("petition_id"))
        .outerjoin(p, p.business_key == I.business_key)
        .where(I.id.in_(ids))
    ).all()
    found = {r.id: InstanceRow(*r) for r in rows}
    return [found[i] for i in ids if i in found]


# --- the heatmap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    task_spec: str
    task_name: str
    count: int
    avg_wait: timedelta
    max_wait: timedelta


def _epoch_seconds(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


def _other_versions_running(session: Session, version: ProcessVersion) -> bool:
    """Whether instances of another version of the process exist (one seek per version): only
    then must the heatmap pick its version's tasks out by instance, which costs a pass over them."""
    others = select(ProcessVersion.id).where(
        ProcessVersion.process_id == version.process_id, ProcessVersion.id != version.id
    ).scalar_subquery()
    return session.execute(select(select(I.id).where(I.version_id.in_(others)).exists())).scalar()


def heatmap(session: Session, root: Unit, version: ProcessVersion, now: datetime) -> dict[str, HeatCell]:
    """Per element of one process version: how many open tasks of the subtree wait there, and
    their average and longest wait since the task opened."""
    grouped = (
        select(
            T.task_spec, func.count().label("count"), func.avg(_epoch_seconds(session, T.created_at)).label("avg"),
            func.min(T.created_at).label("oldest"),
        )
        .where(T.process_id == version.process_id, _scanning(session, root, T.unit_id))
        .group_by(T.task_spec)
        .subquery()
    )
    if _other_versions_running(session, version):
        grouped = grouped.element.where(T.instance_id.in_(select(I.id).where(I.version_id == version.id))).subquery()
    name = select(T.task_name).where(T.task_spec == grouped.c.task_spec, T.process_id == version.process_id).limit(1)
    rows = session.execute(
        select(grouped.c.task_spec, name.scalar_subquery(), grouped.c.count, grouped.c.avg, grouped.c.oldest)
    ).all()
    now_seconds = (now - _EPOCH).total_seconds()
    return {
        spec: HeatCell(spec, name, count, timedelta(seconds=max(0.0, now_seconds - float(avg))), max(timedelta(0), now - oldest))
        for spec, name, count, avg, oldest in rows
    }
