"""The supervisors' dashboard (/dashboard): what is open, late, failing or stuck in the user's unit
and the units below it, the lists behind every figure, the heatmap of a process version, and bulk
actions (reassign, retry, suspend, resume, migrate) through a confirmation page.

Leaders, supervisors and administrators see their unit's subtree (`?unit=` narrows it to a unit
inside); anyone else gets 403, and a unit outside the subtree 404 (security's rule). The figures
and their lists come from tiepdan.cases.monitoring. A bulk action checks every item again when
it is applied (scope, role, state) and runs each through the runtime, which audits it: an item
either changes completely or reports why it did not.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tiepdan.cases import monitoring
from tiepdan.cases.models import Unit, User
from tiepdan.cases.textutil import mask_text
from tiepdan.cases.units import find_unit, is_within
from tiepdan.engine import migration
from tiepdan.engine.errors import EngineError
from tiepdan.engine.models import ProcessVersion, TaskIndex

from .errors import render_error
from .inbox import _engine_message, build_rows, process_names, sealed_secrets, today, working_calendar
from .security import current_user, db_session, has_role, roles_required, safe_next, services

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

ROLES = ("leader", "supervisor", "administrator")
MAX_SELECTED = 200
CHART_UNITS = 15
OFFICERS_SHOWN = 25  # the heaviest workloads; "?officers=all" lists everyone
REASON_MAX = 500
TASK_ACTIONS = ("reassign",)
INSTANCE_ACTIONS = ("retry", "suspend", "resume", "migrate")


def settings() -> monitoring.MonitoringSettings:
    return monitoring.load_settings(services().settings.processes_dir)


def allowed_actions(user: User, actions) -> list[str]:
    rules = settings().bulk_roles
    return [a for a in actions if has_role(user, *rules.get(a, ()))]


def action_labels() -> dict[str, str]:
    return {
        "reassign": _("Giao lại việc"),
        "retry": _("Chạy lại bước bị lỗi"),
        "suspend": _("Tạm dừng hồ sơ"),
        "resume": _("Tiếp tục hồ sơ"),
        "migrate": _("Chuyển sang phiên bản khác của quy trình"),
    }


# --- scope and the figures' window -----------------------------------------------------------------


def root_unit(code: str | None) -> Unit:
    """The unit whose subtree the page shows: the user's, or one inside it (404 otherwise)."""
    user = current_user()
    if not code or code == user.unit.code:
        return user.unit
    unit = find_unit(db_session(), code[:50])
    if unit is None or not is_within(unit, user.unit):
        abort(404)
    return unit


def window() -> monitoring.Window:
    session = db_session()
    now = services().runtime.clock.now()
    return monitoring.Window.at(now, today(), working_calendar(session), settings())


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page") or 1), 100_000))
    except ValueError:
        return 1


def _masked(title: str | None, petition_id: int | None, secrets: dict[int, list[str]]) -> str:
    return mask_text(title or "", secrets.get(petition_id, [])) if title else ""


# --- the dashboard -------------------------------------------------------------------------------


@bp.get("/")
@roles_required(*ROLES)
def index():
    session, user = db_session(), current_user()
    root = root_unit(request.args.get("unit"))
    w = window()
    units = monitoring.by_unit(session, root, w)
    stages = monitoring.by_stage(session, root, w)
    by_process = monitoring.by_process(stages)
    names = process_names(session)
    totals = {key: sum(getattr(u, key) for u in units) for key in ("open", "overdue", "due_soon", "unassigned", "escalated")}
    errors, _more = monitoring.instance_page(session, root, "error", w)
    secrets = sealed_secrets(session, [r.petition_id for r in errors if r.petition_id])
    link = _link_maker(root)
    # The chart shows the units with late or nearly late work, the most overdue first.
    pressed = sorted((u for u in units if u.overdue or u.due_soon), key=lambda u: (-u.overdue, -u.due_soon))[:CHART_UNITS]
    officers = monitoring.by_officer(session, root, w)
    all_officers = request.args.get("officers") == "all"
    charts = {
        "process": {
            "type": "bar", "labels": [names.get(p, p) for p in by_process],
            "datasets": [{"label": _("Việc đang mở"), "data": list(by_process.values())}],
            "links": [link("dashboard.tasks", process=p) for p in by_process],
        },
        "units": {
            "type": "bar", "stacked": True,
            "labels": [u.name for u in pressed],
            "datasets": [
                {"label": _("Quá hạn"), "data": [u.overdue for u in pressed], "tone": "danger"},
                {"label": _("Sắp đến hạn"), "data": [u.due_soon for u in pressed], "tone": "warn"},
            ],
            "links": [link("dashboard.tasks", kind="overdue", unit=u.code) for u in pressed],
        },
    }
    return render_template(
        "dashboard.html", root=root, today=w.today, units=units, stages=stages, by_process=by_process,
        officers=officers if all_officers else officers[:OFFICERS_SHOWN], officer_count=len(officers), totals=totals,
        instances=monitoring.instance_counts(session, root, w), errors=errors,
        messages={r.id: _masked(r.error_message, r.petition_id, secrets) for r in errors}, titles={},
        statuses=instance_status_labels(),
        names=names, latest=latest_versions(session), charts=charts, link=link, conf=settings(),
        can_retry="retry" in allowed_actions(user, INSTANCE_ACTIONS),
    )


def _link_maker(root: Unit):
    """url_for for the lists, carrying the dashboard's unit when it is not the user's own."""
    within = root.code if root.code != current_user().unit.code else None

    def link(endpoint: str, **args):
        return url_for(endpoint, within=within, **{k: v for k, v in args.items() if v not in (None, "")})

    return link


def latest_versions(session) -> dict[str, int]:
    """The latest published version of each procedure (the heatmap a stage row links to)."""
    rows = session.execute(
        select(ProcessVersion.process_id, ProcessVersion.id)
        .where(ProcessVersion.status == "published").order_by(ProcessVersion.id)
    ).all()
    return {pid: vid for pid, vid in rows}


# --- the lists behind the figures ------------------------------------------------------------------


@bp.get("/tasks")
@roles_required(*ROLES)
def tasks():
    session, user = db_session(), current_user()
    root = root_unit(request.args.get("within"))
    args = request.args
    kind = args.get("kind") or "open"
    errors = []
    if kind not in monitoring.TASK_KINDS:
        errors.append(_("Loại danh sách không hợp lệ."))
        kind = "open"
    try:
        version = int(args["version"]) if args.get("version") else None
    except ValueError:
        errors.append(_("Phiên bản quy trình không hợp lệ."))
        version = None
    query = monitoring.TaskQuery(
        root=root, kind=kind, unit=(args.get("unit") or "")[:50], assignee=(args.get("assignee") or "")[:100],
        unassigned=args.get("unassigned") == "1", process=(args.get("process") or "")[:100],
        task=(args.get("task") or "")[:200], version=version,
    )
    w, page = window(), _page()
    raw, has_next = monitoring.task_page(session, query, w, page)
    rows = build_rows(session, raw, w.today)
    assignees = {r.task.assignee for r in rows if r.task.assignee}
    people = dict(session.execute(select(User.username, User.full_name).where(User.username.in_(assignees))).all()) if assignees else {}
    return render_template(
        "dashboard_tasks.html", root=root, query=query, rows=rows, has_next=has_next, page=page, errors=errors,
        people=people, names=process_names(session), actions=allowed_actions(user, TASK_ACTIONS),
        action_labels=action_labels(), kind_labels=task_kind_labels(),
    ), (400 if errors else 200)


def task_kind_labels() -> dict[str, str]:
    return {"open": _("Việc đang mở"), "overdue": _("Việc quá hạn"), "due_soon": _("Việc sắp đến hạn"),
            "escalated": _("Việc quá hạn đã báo lên giám sát")}


def instance_kind_labels() -> dict[str, str]:
    return {"error": _("Hồ sơ bị lỗi"), "suspended": _("Hồ sơ tạm dừng"), "stuck": _("Hồ sơ chờ quá lâu"),
            "active": _("Hồ sơ đang chạy")}


@bp.get("/instances")
@roles_required(*ROLES)
def instances():
    session, user = db_session(), current_user()
    root = root_unit(request.args.get("within"))
    kind = request.args.get("kind") or "error"
    if kind not in monitoring.INSTANCE_KINDS:
        return render_error(400, _("Loại danh sách không hợp lệ."))
    raw_version = request.args.get("version") or ""
    if raw_version and not raw_version.isdigit():
        return render_error(400, _("Phiên bản quy trình không hợp lệ."))
    w, page = window(), _page()
    rows, has_next = monitoring.instance_page(session, root, kind, w, page, process=(request.args.get("process") or "")[:100],
                                              version=int(raw_version) if raw_version else None)
    secrets = sealed_secrets(session, [r.petition_id for r in rows if r.petition_id])
    return render_template(
        "dashboard_instances.html", root=root, kind=kind, rows=rows, has_next=has_next, page=page,
        titles={r.id: _masked(r.title, r.petition_id, secrets) for r in rows},
        messages={r.id: _masked(r.error_message, r.petition_id, secrets) for r in rows},
        names=process_names(session), actions=allowed_actions(user, INSTANCE_ACTIONS), action_labels=action_labels(),
        kind_labels=instance_kind_labels(), conf=settings(), versions=migration_targets(session),
        statuses=instance_status_labels(), can_retry="retry" in allowed_actions(user, INSTANCE_ACTIONS),
    )


def migration_targets(session) -> list[ProcessVersion]:
    return list(session.execute(
        select(ProcessVersion).where(ProcessVersion.status == "published").order_by(ProcessVersion.process_id, ProcessVersion.id)
    ).scalars())


# --- the heatmap -----------------------------------------------------------------------------------


@bp.get("/heatmap")
@roles_required(*ROLES)
def heatmap():
    session = db_session()
    root = root_unit(request.args.get("within"))
    versions = list(session.execute(
        select(ProcessVersion).where(ProcessVersion.status != "draft").order_by(ProcessVersion.process_id, ProcessVersion.id.desc())
    ).scalars())
    chosen = versions[0] if versions else None
    raw = request.args.get("version")
    if raw:
        chosen = next((v for v in versions if str(v.id) == raw), None)
        if chosen is None:
            return render_error(404, _("Không có phiên bản quy trình này."))
    cells = monitoring.heatmap(session, root, chosen, services().runtime.clock.now()) if chosen else {}
    return render_template(
        "dashboard_heatmap.html", root=root, versions=versions, chosen=chosen, cells=sorted(
            cells.values(), key=lambda c: (-c.count, c.task_spec)), link=_link_maker(root),
    )


@bp.get("/heatmap/<int:version_id>.json")
@roles_required(*ROLES)
def heatmap_data(version_id: int):
    session = db_session()
    root = root_unit(request.args.get("within"))
    version = session.get(ProcessVersion, version_id)
    if version is None:
        abort(404)
    link = _link_maker(root)
    cells = monitoring.heatmap(session, root, version, services().runtime.clock.now())
    response = jsonify({
        "xml": version.bpmn_xml,
        "cells": {
            spec: {"count": c.count, "avg_days": round(c.avg_wait.total_seconds() / 86400, 1),
                   "max_days": round(c.max_wait.total_seconds() / 86400, 1),
                   "link": link("dashboard.tasks", process=version.process_id, task=spec, version=version_id)}
            for spec, c in cells.items()
        },
    })
    response.headers["Cache-Control"] = "no-store"
    return response


# --- bulk actions ----------------------------------------------------------------------------------


@dataclass
class Item:
    """One selected task or instance: what it is, what will happen to it, or why not."""

    id: str
    case: str
    what: str
    now: str
    change: str = ""
    refused: str = ""


@dataclass
class Bulk:
    action: str
    ids: list[str]
    assignee: str = ""
    reason: str = ""
    version: str = ""
    within: str = ""
    next: str = ""
    error: str = ""


def parse_bulk(form) -> Bulk:
    bulk = Bulk(
        action=form.get("action") or "", ids=list(dict.fromkeys(i.strip()[:36] for i in form.getlist("ids") if i.strip())),
        assignee=(form.get("assignee") or "").strip()[:100], reason=(form.get("reason") or "").strip(),
        version=(form.get("version") or "").strip()[:20], within=(form.get("within") or "")[:50],
        next=safe_next(form.get("next"), url_for("dashboard.index")),
    )
    if bulk.action not in TASK_ACTIONS + INSTANCE_ACTIONS:
        bulk.error = _("Hãy chọn một thao tác.")
    elif not bulk.ids:
        bulk.error = _("Hãy chọn ít nhất một mục.")
    elif len(bulk.ids) > MAX_SELECTED:
        bulk.error = _("Mỗi lần chỉ thực hiện được tối đa %(n)d mục.", n=MAX_SELECTED)
    elif bulk.action in INSTANCE_ACTIONS and not all(i.isdigit() for i in bulk.ids):
        bulk.error = _("Mã hồ sơ được chọn không hợp lệ.")
    elif bulk.action == "suspend" and not bulk.reason:
        bulk.error = _("Hãy nêu lý do tạm dừng.")
    elif len(bulk.reason) > REASON_MAX:
        bulk.error = _("Lý do dài quá %(n)d ký tự.", n=REASON_MAX)
    elif bulk.action == "migrate" and not bulk.version.isdigit():
        bulk.error = _("Hãy chọn phiên bản quy trình đích.")
    return bulk


def _units_in_scope(session, root: Unit, codes) -> set[str]:
    codes = {c for c in codes if c}
    if not codes:
        return set()
    units = session.execute(select(Unit).where(Unit.code.in_(codes))).scalars()
    return {u.code for u in units if is_within(u, root)}


def check_tasks(session, bulk: Bulk, root: Unit) -> tuple[list[Item], User | None]:
    """The selected tasks and what reassigning each to `bulk.assignee` would do."""
    found = {t.id: t for t in session.execute(select(TaskIndex).where(TaskIndex.id.in_(bulk.ids))).scalars()}
    visible = _units_in_scope(session, root, {t.unit_id for t in found.values()})
    officer = session.execute(select(User).where(User.username == bulk.assignee)).scalar_one_or_none() if bulk.assignee else None
    names = process_names(session)
    items = []
    for task_id in bulk.ids:
        task = found.get(task_id)
        if task is None or task.unit_id not in visible:
            # Outside the scope reads as absent: the page does not confirm that it exists.
            items.append(Item(task_id, "", "", "", refused=_("Việc không còn mở hoặc không thuộc phạm vi của bạn.")))
            continue
        item = Item(task.id, task.business_key, f"{task.task_name} · {names.get(task.process_id, task.process_id)}",
                    task.assignee or _("Chưa nhận"))
        if officer is None:
            item.refused = _("Hãy chọn cán bộ nhận việc.") if not bulk.assignee else _("Không có cán bộ này.")
        elif not officer.active or officer.unit.code != task.unit_id or task.role not in officer.roles:
            item.refused = _("%(name)s không thuộc đơn vị của việc hoặc không giữ vai trò %(role)s.",
                             name=officer.full_name, role=task.role)
        elif task.assignee == officer.username:
            item.refused = _("Việc này đã giao cho người này.")
        else:
            item.change = _("Giao cho %(name)s", name=officer.full_name)
        items.append(item)
    return items, officer


def candidates_for(session, bulk: Bulk, root: Unit) -> list[User]:
    """Officers who may take at least one of the selected tasks: of its unit, holding its role."""
    rows = session.execute(select(TaskIndex.unit_id, TaskIndex.role).where(TaskIndex.id.in_(bulk.ids))).all()
    visible = _units_in_scope(session, root, {u for u, _r in rows})
    wanted = {(u, r) for u, r in rows if u in visible}
    if not wanted:
        return []
    users = session.execute(
        select(User).join(Unit, Unit.id == User.unit_id)
        .where(Unit.code.in_({u for u, _r in wanted}), User.active.is_(True)).order_by(User.full_name)
    ).scalars()
    return [u for u in users if any(unit == u.unit.code and role in u.roles for unit, role in wanted)]


def check_instances(session, bulk: Bulk, root: Unit) -> list[Item]:
    rows = monitoring.instances_by_id(session, [int(i) for i in bulk.ids])
    visible = _units_in_scope(session, root, {r.unit_id for r in rows})
    found = {str(r.id): r for r in rows if r.unit_id in visible}
    names = process_names(session)
    secrets = sealed_secrets(session, [r.petition_id for r in found.values() if r.petition_id])
    plans = _migration_plans(session, bulk, list(found)) if bulk.action == "migrate" else {}
    statuses = instance_status_labels()
    items = []
    for raw_id in bulk.ids:
        row = found.get(raw_id)
        if row is None:
            items.append(Item(raw_id, "", "", "", refused=_("Hồ sơ không có hoặc không thuộc phạm vi của bạn.")))
            continue
        now = statuses.get(row.status, row.status)
        if row.status == "error":
            now += f": {row.error_task or ''} {row.error_operation or ''} — {_masked(row.error_message, row.petition_id, secrets)}"
        item = Item(raw_id, row.receipt_no or row.business_key, names.get(row.process_id, row.process_id), now)
        if bulk.action == "retry":
            if row.status == "error":
                item.change = _("Chạy lại bước %(task)s", task=row.error_task or "")
            else:
                item.refused = _("Hồ sơ không ở trạng thái lỗi.")
        elif bulk.action == "suspend":
            if row.status in ("running", "waiting", "error"):
                item.change = _("Tạm dừng (lý do: %(reason)s)", reason=bulk.reason)
            else:
                item.refused = _("Chỉ tạm dừng được hồ sơ đang chạy.")
        elif bulk.action == "resume":
            if row.status == "suspended":
                item.change = _("Tiếp tục xử lý")
            else:
                item.refused = _("Hồ sơ không ở trạng thái tạm dừng.")
        elif bulk.action == "migrate":
            check = plans.get(row.id)
            if check is not None and check.ok:
                item.change = _("Chuyển sang phiên bản %(version)s", version=bulk.version)
            else:
                item.refused = (check.reason if check is not None else "") or _("Không chuyển được hồ sơ này.")
        items.append(item)
    return items


def _migration_plans(session, bulk: Bulk, ids: list[str]) -> dict:
    if not ids:
        return {}
    checks = migration.plan_migration(session, services().library, [int(i) for i in ids], int(bulk.version))
    return {c.instance_id: c for c in checks}


def instance_status_labels() -> dict[str, str]:
    return {
        "running": _("Đang chạy"), "waiting": _("Đang chờ"), "completed": _("Đã kết thúc"), "error": _("Bị lỗi"),
        "suspended": _("Tạm dừng"), "terminated": _("Đã chấm dứt"),
    }


def _checked(bulk: Bulk):
    """(items, officer, root) for a parsed selection, or a 403 when the user's roles do not
    allow the action."""
    session, user = db_session(), current_user()
    if bulk.action not in allowed_actions(user, TASK_ACTIONS + INSTANCE_ACTIONS):
        abort(403)
    root = root_unit(bulk.within)
    if bulk.action in TASK_ACTIONS:
        items, officer = check_tasks(session, bulk, root)
        return items, officer, root
    return check_instances(session, bulk, root), None, root


@bp.post("/bulk/confirm")
@roles_required(*ROLES)
def bulk_confirm():
    bulk = parse_bulk(request.form)
    if bulk.error:
        return render_error(400, bulk.error)
    items, officer, root = _checked(bulk)
    candidates = candidates_for(db_session(), bulk, root) if bulk.action == "reassign" else []
    return render_template(
        "bulk_confirm.html", bulk=bulk, items=items, officer=officer, candidates=candidates,
        ready=[i for i in items if i.change], label=action_labels()[bulk.action],
    )


@bp.post("/bulk/apply")
@roles_required(*ROLES)
def bulk_apply():
    bulk = parse_bulk(request.form)
    if bulk.error:
        return render_error(400, bulk.error)
    items, officer, root = _checked(bulk)
    user = current_user()
    # End the read before the steps: on SQLite a step's transaction takes the write lock.
    db_session().commit()
    runtime = services().runtime
    results = []
    for item in items:
        if item.change:
            try:
                failure = _apply(runtime, bulk, item, officer, user.username)
            except EngineError as err:
                failure = _engine_message(err)
            if failure:
                item.refused, item.change = failure, ""
        results.append(item)
    return render_template(
        "bulk_result.html", bulk=bulk, items=results, label=action_labels()[bulk.action],
        done=sum(1 for i in results if i.change),
    )


def _apply(runtime, bulk: Bulk, item: Item, officer: User | None, actor: str) -> str:
    """One item, one runtime step (its own transaction and audit entry): why it did not take
    effect, or "" when it did."""
    if bulk.action == "reassign":
        runtime.reassign(item.id, officer.username, actor=actor)
    elif bulk.action == "retry":
        if runtime.retry(int(item.id), actor=actor).status == "error":
            return _("Chạy lại vẫn lỗi; xem thông báo lỗi mới của hồ sơ.")
    elif bulk.action == "suspend":
        runtime.suspend(int(item.id), actor=actor, reason=bulk.reason)
    elif bulk.action == "resume":
        runtime.resume(int(item.id), actor=actor)
    elif bulk.action == "migrate":
        [check] = migration.migrate(runtime, [int(item.id)], int(bulk.version), actor)
        return "" if check.ok else check.reason
    return ""
