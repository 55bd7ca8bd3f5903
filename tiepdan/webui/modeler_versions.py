"""The versions of one process: who made each, when and why, how many cases run on it; the
difference between two versions (listed, and coloured on the newer diagram); and the migration of
running cases to another version, a dry run first (engine.migration.plan_migration says which can
move and why the others cannot), then the move itself, audited by the engine."""
from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from tiepdan.engine.migration import migrate, plan_migration
from tiepdan.engine.models import ProcessInstance
from tiepdan.engine.version_diff import diff_versions

from .modeler import ROLES, bp, version_of, versions_by_process
from .security import current_user, db_session, roles_required, services

FINISHED = ("completed", "terminated")
INSTANCES_SHOWN = 500


def running_instances(session, process_id: str) -> list[ProcessInstance]:
    return list(session.execute(
        select(ProcessInstance)
        .where(ProcessInstance.process_id == process_id, ProcessInstance.status.notin_(FINISHED))
        .order_by(ProcessInstance.version_id, ProcessInstance.id)
        .limit(INSTANCES_SHOWN)
    ).scalars())


def page(process_id: str, *, plan=None, chosen=(), target=None, status: int = 200):
    session = db_session()
    rows = versions_by_process(session).get(process_id)
    if not rows:
        abort(404)
    diff = a = b = None
    if request.args.get("a") and request.args.get("b"):
        a = version_of(session, process_id, request.args["a"])
        b = version_of(session, process_id, request.args["b"])
        diff = diff_versions(a.bpmn_xml.encode("utf-8"), b.bpmn_xml.encode("utf-8"))
    published = [v for v, _n in rows if v.status == "published"]
    return render_template(
        "process_versions.html", process_id=process_id, rows=rows, diff=diff, a=a, b=b,
        instances=running_instances(session, process_id), published=published,
        plan=plan, chosen=set(chosen), target=target or (published[0].id if published else None),
    ), status


@bp.get("/<process_id>/versions")
@roles_required(*ROLES)
def versions(process_id: str):
    return page(process_id)


def chosen_instances(session, process_id: str) -> list[int]:
    """The instances ticked one by one, or every running one of the version chosen as a whole."""
    ids: set[int] = set()
    for raw in request.form.getlist("instance"):
        if raw.isdigit():
            ids.add(int(raw))
    whole = request.form.get("from_version", "")
    if whole.isdigit():
        ids.update(i.id for i in running_instances(session, process_id) if i.version_id == int(whole))
    known = {i.id for i in running_instances(session, process_id)}
    return sorted(ids & known)


@bp.post("/<process_id>/migration")
@roles_required(*ROLES)
def migration(process_id: str):
    session = db_session()
    target = version_of(session, process_id, request.form.get("target"))
    if target.status != "published":
        flash(_("Chỉ chuyển được sang một phiên bản đã ban hành."), "error")
        return page(process_id, status=400)
    ids = chosen_instances(session, process_id)
    if not ids:
        flash(_("Chưa chọn hồ sơ nào để chuyển."), "error")
        return page(process_id, target=target.id, status=400)
    if request.form.get("action") != "move":
        plan = plan_migration(session, services().library, ids, target.id)
        return page(process_id, plan=plan, chosen=ids, target=target.id)
    target_id, actor = target.id, current_user().username
    session.rollback()  # the moves run in their own transactions, one per instance
    checks = migrate(services(), ids, target_id, actor)
    moved = [c for c in checks if c.ok]
    flash(_("Đã chuyển %(moved)d/%(total)d hồ sơ sang phiên bản %(id)s; hồ sơ không chuyển được giữ nguyên phiên bản.",
            moved=len(moved), total=len(checks), id=target_id), "success" if moved else "error")
    return page(process_id, plan=checks, target=target_id)
