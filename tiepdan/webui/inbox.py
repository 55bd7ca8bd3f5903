"""The officer's inbox: my tasks, my unit's queue for my roles, and (leaders, supervisors) every
open task of the units below mine; claim, unclaim, reassign.

The inbox reads the task index (engine.models.TaskIndex) and the petition row it belongs to with
SQL only: it never loads a workflow. Tasks are ordered by due date; each shows the working days
left on the calendar in force (the runtime's DeadlineSource), marked overdue when the due date
has passed and due soon at 3 working days or fewer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from tiepdan.cases.duty_plans import on_duty
from tiepdan.cases.models import Party, PartyIdentity, Petition, User
from tiepdan.cases.petitions import identity_strings
from tiepdan.cases.textutil import fold, like_pattern, mask_text
from tiepdan.cases.units import subtree_codes
from tiepdan.cases.users import users_with_role
from tiepdan.cases.vocab import PETITION_TYPES
from tiepdan.engine.calendar import CalendarError
from tiepdan.engine.errors import Conflict, EngineError, NotFound
from tiepdan.engine.models import ProcessVersion, TaskIndex

from .security import (
    current_user,
    db_session,
    has_role,
    login_required,
    may_see_unit,
    safe_next,
    sees_subtree,
    services,
    unit_scope,
)

bp = Blueprint("inbox", __name__)

PAGE_SIZE = 50
DUE_SOON_DAYS = 3  # working days
VIEWS = ("mine", "queue", "units")


# --- filters -----------------------------------------------------------------------------------


@dataclass
class Filters:
    process: str = ""
    task: str = ""
    petition_type: str = ""
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    def args(self, **changes) -> dict:
        """The query-string arguments for a link to these filters (with `changes`)."""
        values = {
            "process": self.process, "task": self.task, "type": self.petition_type,
            "overdue": "1" if self.overdue else "", "from": _iso(self.received_from),
            "to": _iso(self.received_to), "q": self.q, "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.process or self.task or self.petition_type or self.overdue or self.received_from
                    or self.received_to or self.q)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _parse_date(raw: str | None, name: str, errors: dict[str, str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for parse in (date.fromisoformat, _parse_dmy):
        try:
            return parse(raw)
        except ValueError:
            continue
    errors[name] = _("Ngày không hợp lệ (dd/mm/yyyy).")
    return None


def _parse_dmy(raw: str) -> date:
    day, month, year = raw.split("/")
    return date(int(year), int(month), int(day))


def parse_filters(args) -> Filters:
    errors: dict[str, str] = {}
    try:
        page = max(1, min(int(args.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    petition_type = (args.get("type") or "").strip()
    if petition_type and petition_type not in PETITION_TYPES:
        errors["type"] = _("Loại đơn không hợp lệ.")
        petition_type = ""
    filters = Filters(
        process=(args.get("process") or "").strip()[:100],
        task=(args.get("task") or "").strip()[:200],
        petition_type=petition_type,
        overdue=args.get("overdue") in ("1", "on", "true"),
        received_from=_parse_date(args.get("from"), "from", errors),
        received_to=_parse_date(args.get("to"), "to", errors),
        q=(args.get("q") or "").strip()[:200],
        page=page,
        errors=errors,
    )
    return filters


# --- queries -----------------------------------------------------------------------------------


def view_condition(session: Session, user: User, view: str, *, in_due_order: bool = False):
    """The WHERE clause of a view. `in_due_order`: the statement reads the view's first rows in
    due-date order (the inbox page), see `_subtree_in_due_order`."""
    t = TaskIndex
    if view == "mine":
        return and_(t.assignee == user.username, unit_scope(session, user, t.unit_id))
    if view == "queue":
        return and_(t.unit_id == user.unit.code, t.role.in_(sorted(user.roles) or [""]), t.assignee.is_(None))
    if view == "units":
        if in_due_order:
            return _subtree_in_due_order(session, user)
        return unit_scope(session, user, t.unit_id)
    raise ValueError(view)


def _subtree_in_due_order(session: Session, user: User):
    """The units view's scope, written so that SQLite reads a large subtree in due-date order.

    A subtree of many units (a province's People's Committee: 100 and more) holds most of the
    open tasks. SQLite has no statistics (nobody runs ANALYZE on a deployment's file), so on
    `unit_id IN (...)` it reads every task of every unit by ix_task_unit_due and sorts them all
    (seconds at a million tasks) when the first page needs fifty. Hiding the column from the
    planner (`unit_id || ''`) makes it walk ix_task_due_order, which holds the whole ORDER BY and
    the unit, and stop at the page's last row; at worst (a subtree with almost no tasks in a
    large database) that is one pass over that index (~0.2 s per million tasks). A subtree of
    one unit keeps its own index. PostgreSQL's planner has statistics and gets the plain IN.
    """
    t = TaskIndex
    if not sees_subtree(user) or session.get_bind().dialect.name != "sqlite":
        return unit_scope(session, user, t.unit_id)
    codes = session.execute(subtree_codes(session, user.unit)).scalars().all()
    if len(codes) <= 1:
        return t.unit_id.in_(codes or [user.unit.code])
    return t.unit_id.concat("").in_(codes)


def inbox_query(session: Session, user: User, view: str, filters: Filters, today: date):
    """The page of (TaskIndex, receipt_no, title, received_on, petition_type, petition_id) rows."""
    t, p = TaskIndex, Petition
    stmt = (
        select(t, p.receipt_no, p.title, p.received_on, p.petition_type, p.id)
        .outerjoin(p, p.business_key == t.business_key)
        .where(view_condition(session, user, view, in_due_order=True))
    )
    if filters.process:
        stmt = stmt.where(t.process_id == filters.process)
    if filters.task:
        stmt = stmt.where(t.task_spec == filters.task)
    if filters.overdue:
        stmt = stmt.where(t.due_date < today)
    if filters.petition_type:
        stmt = stmt.where(p.petition_type == filters.petition_type)
    if filters.received_from:
        stmt = stmt.where(p.received_on >= filters.received_from)
    if filters.received_to:
        stmt = stmt.where(p.received_on <= filters.received_to)
    if filters.q:
        needle = fold(filters.q)
        stmt = stmt.where(or_(
            p.search_text.like(like_pattern(needle), escape="\\"),
            t.business_key == filters.q,
        ))
    return (
        stmt.order_by(t.due_date.asc().nulls_last(), t.created_at, t.id)
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )


def count(session: Session, user: User, view: str) -> int:
    return session.execute(select(func.count()).select_from(TaskIndex).where(view_condition(session, user, view))).scalar_one()


def task_choices(session: Session, user: User, view: str) -> list[tuple[str, str]]:
    """(task spec, task name) of the kinds of task in the view, by name: the task filter's choices.

    An officer's own tasks are few and are grouped. A unit's queue or a subtree may hold
    hundreds of thousands, so these are not read: the distinct specs of the whole index are
    found by a loose index scan (one seek on ix_task_spec_scope per spec, a few dozen), and for
    each the view is asked for one task of that spec (again a seek on that index)."""
    if view == "mine":
        rows = session.execute(
            select(TaskIndex.task_spec, func.min(TaskIndex.task_name))
            .where(view_condition(session, user, view))
            .group_by(TaskIndex.task_spec)
            .order_by(func.min(TaskIndex.task_name))
        ).all()
        return [(spec, name) for spec, name in rows]
    first, step = TaskIndex.__table__.alias("first_spec"), TaskIndex.__table__.alias("next_spec")
    specs = select(func.min(first.c.task_spec).label("spec")).cte("specs", recursive=True)
    specs = specs.union_all(
        select(select(func.min(step.c.task_spec)).where(step.c.task_spec > specs.c.spec).scalar_subquery())
        .where(specs.c.spec.is_not(None))
    )
    name = (
        select(TaskIndex.task_name)
        .where(TaskIndex.task_spec == specs.c.spec, view_condition(session, user, view))
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(select(specs.c.spec, name).where(specs.c.spec.is_not(None))).all()
    return sorted(((spec, name) for spec, name in rows if name is not None), key=lambda row: (row[1], row[0]))


def process_names(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(ProcessVersion.process_id, ProcessVersion.name)
        .where(ProcessVersion.status == "published")
        .order_by(ProcessVersion.id)
    ).all()
    return {pid: name or pid for pid, name in rows}


def sealed_secrets(session: Session, petition_ids: list[int]) -> dict[int, list[str]]:
    """The strings to mask in each petition's title: its sealed parties' identities."""
    secrets: dict[int, list[str]] = {}
    if not petition_ids:
        return secrets
    rows = session.execute(
        select(Party.petition_id, PartyIdentity)
        .join(PartyIdentity, PartyIdentity.party_id == Party.id)
        .where(Party.petition_id.in_(petition_ids), Party.sealed.is_(True))
    ).all()
    for petition_id, ident in rows:
        secrets.setdefault(petition_id, []).extend(identity_strings(ident))
    return secrets


class _ReadTx:
    """What DeadlineSource.for_step needs from a step's transaction, on a plain read session."""

    def __init__(self, session: Session):
        self.session = session
        self.conn = session.connection()
        self.info: dict = {}


def working_calendar(session: Session):
    return services().deadlines.for_step(_ReadTx(session)).calendar


def today() -> date:
    return services().runtime.clock.today()


@dataclass
class Row:
    task: TaskIndex
    receipt_no: str | None
    title: str
    received_on: date | None
    petition_type: str | None
    days_left: int | None
    overdue: bool
    due_soon: bool


def build_rows(session: Session, raw, today_: date) -> list[Row]:
    calendar = working_calendar(session)
    secrets = sealed_secrets(session, [r[5] for r in raw if r[5] is not None])
    rows = []
    for task, receipt_no, title, received_on, petition_type, petition_id in raw:
        days_left = None
        if task.due_date is not None:
            try:
                days_left = calendar.working_days_between(today_, task.due_date)
            except CalendarError:
                days_left = None
        overdue = task.due_date is not None and task.due_date < today_
        due_soon = not overdue and days_left is not None and days_left <= DUE_SOON_DAYS
        if title and petition_id in secrets:
            title = mask_text(title, secrets[petition_id])
        rows.append(Row(task, receipt_no, title or "", received_on, petition_type, days_left, overdue, due_soon))
    return rows


# --- pages -------------------------------------------------------------------------------------


@bp.get("/")
def home():
    return redirect(url_for("inbox.index") if current_user() else url_for("auth.login"))


@bp.get("/inbox")
@login_required
def index():
    from . import saved_views  # its module imports this one for the filters
    user = current_user()
    session = db_session()
    view = request.args.get("view") or "mine"
    if view not in VIEWS:
        abort(404)
    if view == "units" and not sees_subtree(user):
        abort(403)
    filters = parse_filters(request.args)
    today_ = today()
    raw = session.execute(inbox_query(session, user, view, filters, today_)).all()
    has_next = len(raw) > PAGE_SIZE
    rows = build_rows(session, raw[:PAGE_SIZE], today_)
    assignees = {r.task.assignee for r in rows if r.task.assignee}
    names = dict(session.execute(select(User.username, User.full_name).where(User.username.in_(assignees))).all()) if assignees else {}
    counts = {"mine": count(session, user, "mine"), "queue": count(session, user, "queue")}
    return render_template(
        "inbox.html", view=view, rows=rows, filters=filters, has_next=has_next, counts=counts,
        today=today_, names=names, processes=process_names(session), tasks=task_choices(session, user, view),
        petition_types=PETITION_TYPES, views=[v for v in VIEWS if v != "units" or sees_subtree(user)],
        is_leader=has_role(user, "leader"), saved_views=saved_views.views_of(session, user),
        saved_link=saved_views.link, on_duty=on_duty(session, user, today_),
    )


# --- claim, unclaim, reassign -------------------------------------------------------------------


def _visible_task(task_id: str) -> TaskIndex:
    """The open task, or 404 when it does not exist or lies outside the user's units."""
    session, user = db_session(), current_user()
    task = session.get(TaskIndex, task_id)
    if task is None or not may_see_unit(session, user, task.unit_id):
        abort(404)
    return task


def _back():
    return redirect(safe_next(request.form.get("next"), url_for("inbox.index")))


def _release_read() -> None:
    """End the request's read transaction before a runtime step opens its own: on SQLite every
    transaction takes the write lock (BEGIN IMMEDIATE), and the step would wait for ours."""
    db_session().commit()


def _engine_message(err: EngineError) -> str:
    if isinstance(err, Conflict):
        if err.by:
            return _("Việc này đã được %(user)s nhận hoặc xử lý trước.", user=err.by)
        return _("Việc này vừa được người khác thay đổi. Vui lòng tải lại trang.")
    if isinstance(err, NotFound):
        return _("Việc này không còn mở (đã được xử lý hoặc hồ sơ đã thay đổi).")
    return _("Không thực hiện được: %(error)s", error=str(err))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    user, task = current_user(), _visible_task(task_id)
    if task.unit_id != user.unit.code or task.role not in user.roles:
        abort(403)
    if task.state != "open":
        flash(_("Hồ sơ của việc này đang tạm dừng; chưa nhận được."), "error")
        return _back()
    _release_read()
    try:
        services().runtime.claim(task_id, user.username)
    except EngineError as err:
        flash(_engine_message(err), "error")
    else:
        flash(_("Đã nhận việc “%(task)s”.", task=task.task_name), "success")
    return _back()


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    user, task = current_user(), _visible_task(task_id)
    if task.assignee != user.username and not has_role(user, "leader"):
        abort(403)
    if task.assignee is None:
        flash(_("Việc này chưa có người nhận."), "error")
        return _back()
    _release_read()
    try:
        services().runtime.unclaim(task_id, actor=user.username)
    except EngineError as err:
        flash(_engine_message(err), "error")
    else:
        flash(_("Đã trả việc “%(task)s” về hàng chờ của đơn vị.", task=task.task_name), "success")
    return _back()


@bp.route("/tasks/<task_id>/reassign", methods=["GET", "POST"])
@login_required
def reassign(task_id: str):
    user, task = current_user(), _visible_task(task_id)
    if not has_role(user, "leader"):
        abort(403)
    session = db_session()
    candidates = users_with_role(session, task.unit_id, task.role) if task.unit_id else []
    error = None
    if request.method == "POST":
        chosen = request.form.get("username") or ""
        if chosen not in {c.username for c in candidates}:
            error = _("Hãy chọn một cán bộ của đơn vị có vai trò phù hợp.")
        elif chosen == task.assignee:
            error = _("Việc này đã giao cho người này.")
        else:
            _release_read()
            try:
                services().runtime.reassign(task_id, chosen, actor=user.username)
            except EngineError as err:
                flash(_engine_message(err), "error")
            else:
                name = next(c.full_name for c in candidates if c.username == chosen)
                flash(_("Đã giao việc “%(task)s” cho %(name)s.", task=task.task_name, name=name), "success")
            return _back()
    return render_template(
        "reassign.html", task=task, candidates=candidates, error=error,
        next=safe_next(request.values.get("next"), url_for("inbox.index")),
    ), (400 if error else 200)
