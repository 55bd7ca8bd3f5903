"""The task page: the task's form (from its form definition), the case beside it, comments,
attachments, "Lưu nháp" (save as draft) and "Hoàn thành" (complete).

Who may open a task: the officers holding its role in its unit, and its assignee. A task of a unit
outside the user's scope answers 404; one within it that the user does not work on answers 403.
Completing goes through `runtime.complete_task`, which validates on the server (FormInvalid:
the page comes back, 400, with a Vietnamese message per field and the input kept) and loses a
race politely (Conflict: a 409 page naming who completed it and when). A task assigned to
someone else can be read but not completed (a leader reassigns it from the inbox).

Drafts are the raw input, unvalidated, one per task and user (`task_draft`), and prefill the form
before the task's data does; completing the task drops them.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from tiepdan.cases.models import TaskDraft, User
from tiepdan.engine import audit
from tiepdan.engine.errors import Conflict, EngineError, FormInvalid, InvalidState, NotFound
from tiepdan.engine.forms import FORM_ERROR_KEY, FormDefinition
from tiepdan.engine.models import ProcessInstance, TaskIndex

from .cases import (
    add_comment,
    attachments_of,
    comments_of,
    due_info,
    find_case,
    may_see_key,
    party_rows,
    store_attachment,
    summary,
)
from .i18n import format_datetime, is_english
from .security import current_user, db_session, login_required, may_see_unit, services

bp = Blueprint("tasks", __name__)

_TRUE = frozenset({"on", "true", "1", "yes"})


# --- access -------------------------------------------------------------------------------------


def may_work(user: User, task: TaskIndex) -> bool:
    """Holds the task's role in the task's unit, or is its assignee."""
    return task.assignee == user.username or (task.unit_id == user.unit.code and task.role in user.roles)


def may_complete(user: User, task: TaskIndex) -> bool:
    return may_work(user, task) and task.assignee in (None, user.username) and task.state == "open"


def visible_task(task_id: str) -> TaskIndex:
    """The open task the user works on; 404 outside the user's units (or no such task), 403
    within them for a task of another role."""
    session, user = db_session(), current_user()
    task = session.get(TaskIndex, task_id)
    if task is None or not may_see_unit(session, user, task.unit_id):
        abort(404)
    if not may_work(user, task):
        abort(403)
    return task


def form_for(session, task: TaskIndex) -> FormDefinition | None:
    """The form definition of the task, in the process version its instance runs on."""
    instance = session.get(ProcessInstance, task.instance_id)
    if instance is None:
        return None
    loaded = services().library.load(session, instance.version_id)
    info = loaded.user_tasks.get(task.task_spec)
    form_name = (info.form if info is not None else None) or task.form
    return loaded.forms.get(form_name) if form_name else None


# --- values shown in the inputs ----------------------------------------------------------------------


def _from_lists(form: FormDefinition, lists) -> dict:
    """Input values from raw submitted lists ({name: [values]}, a draft or request.form)."""
    values = {}
    for f in form.fields:
        raw = lists.getlist(f.name) if hasattr(lists, "getlist") else list(lists.get(f.name) or [])
        raw = [str(v) for v in raw]
        if f.type == "multiselect":
            values[f.name] = raw
        elif f.type == "boolean":
            values[f.name] = any(v.strip().lower() in _TRUE for v in raw)
        else:
            values[f.name] = raw[0] if raw else ""
    return values


def _show_date(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return ""


def _from_data(form: FormDefinition, data: dict) -> dict:
    """Input values from the task's data (cleaned values of earlier steps), else defaults."""
    values = {}
    for f in form.fields:
        value = data.get(f.name)
        if value is None:
            value = f.default
            if f.type == "date" and value == "today":
                value = services().runtime.clock.today()
        if f.type == "multiselect":
            values[f.name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else ([] if value is None else [str(value)])
        elif f.type == "boolean":
            values[f.name] = value is True or (isinstance(value, str) and value.strip().lower() in _TRUE)
        elif f.type == "date":
            values[f.name] = _show_date(value)
        elif value is None:
            values[f.name] = ""
        elif isinstance(value, float) and value.is_integer():
            values[f.name] = str(int(value))
        else:
            values[f.name] = str(value)
    return values


def _draft(session, task_id: str, username: str) -> TaskDraft | None:
    return session.execute(
        select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.username == username)
    ).scalar_one_or_none()


def _task_data(task_id: str) -> dict:
    # The runtime reads on its own connection: end the request's read transaction first (on
    # SQLite every transaction takes the write lock).
    db_session().commit()
    try:
        return services().runtime.task_data(task_id)
    except EngineError:
        return {}


# --- rendering -----------------------------------------------------------------------------------------


def render_task(task: TaskIndex, *, values: dict | None = None, errors: dict | None = None, status: int = 200,
                upload_error: str | None = None, comment_error: str | None = None):
    session, user = db_session(), current_user()
    form = form_for(session, task)
    draft = _draft(session, task.id, user.username)
    if values is None and form is not None:
        if draft is not None:
            values = _from_lists(form, draft.data or {})
        else:
            data = _task_data(task.id)
            values = _from_data(form, {f.name: data.get(f.name) for f in form.fields})
    case = find_case(session, task.business_key)
    assignee_name = None
    if task.assignee:
        assignee_name = session.execute(select(User.full_name).where(User.username == task.assignee)).scalar_one_or_none()
    return render_template(
        "task.html", task=task, form=form, values=values or {}, errors=errors or {}, draft=draft,
        form_error=(errors or {}).get(FORM_ERROR_KEY), due=due_info(session, task.due_date),
        case=case, summary=summary(case) if case else None,
        parties=party_rows(session, case, user) if case else [],
        comments=comments_of(session, task.business_key) if case else [],
        attachments=attachments_of(session, task.business_key) if case else [],
        can_complete=may_complete(user, task), assignee_name=assignee_name or task.assignee,
        upload_action=url_for("tasks.upload", task_id=task.id) if case else None,
        comment_action=url_for("tasks.comment", task_id=task.id) if case else None,
        upload_error=upload_error, comment_error=comment_error, english=is_english(),
    ), status


def render_conflict(message: str):
    return render_template("task_conflict.html", message=message), 409


def _conflict_message(session, by: str | None, at) -> str:
    if not by:
        return _("Việc này không còn mở: đã được xử lý hoặc hồ sơ đã thay đổi.")
    name = session.execute(select(User.full_name).where(User.username == by)).scalar_one_or_none()
    who = f"{name} ({by})" if name else by
    if at is not None:
        return _("Việc này đã được %(who)s hoàn thành lúc %(at)s.", who=who, at=format_datetime(at))
    return _("Việc này đã được %(who)s xử lý trước.", who=who)


def _gone(task_id: str):
    """A POST on a task no longer open: 409 naming who completed it (to users who may see the
    case), else 404."""
    session, user = db_session(), current_user()
    entry = audit.last_event_for_task(session, task_id, "task.complete")
    if entry is None or not entry.business_key or not may_see_key(session, user, entry.business_key):
        abort(404)
    return render_conflict(_conflict_message(session, entry.actor, entry.at))


# --- pages ---------------------------------------------------------------------------------------------------


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str):
    return render_task(visible_task(task_id))


@bp.post("/tasks/<task_id>")
@login_required
def submit(task_id: str):
    session, user = db_session(), current_user()
    if session.get(TaskIndex, task_id) is None:
        return _gone(task_id)
    task = visible_task(task_id)
    form = form_for(session, task)
    action = request.form.get("action", "complete")
    if action == "draft":
        if form is None:
            abort(400)
        raw = {f.name: request.form.getlist(f.name) for f in form.fields}
        draft = _draft(session, task.id, user.username)
        now = services().runtime.clock.now()
        if draft is None:
            session.add(TaskDraft(task_id=task.id, business_key=task.business_key, username=user.username,
                                  data=raw, updated_at=now))
        else:
            draft.data, draft.updated_at = raw, now
        session.commit()
        flash(_("Đã lưu nháp."), "success")
        return redirect(url_for("tasks.show", task_id=task.id))
    if action != "complete":
        abort(400)
    if not may_complete(user, task):
        abort(403)
    data = MultiDict()
    if form is not None:
        for f in form.fields:
            for value in request.form.getlist(f.name):
                data.add(f.name, value)
    name = task.task_name
    session.commit()  # end the read transaction before the step opens its own (SQLite)
    try:
        services().runtime.complete_task(task.id, data, actor=user.username)
    except FormInvalid as err:
        values = _from_lists(form, request.form) if form is not None else {}
        return render_task(task, values=values, errors=err.errors, status=400)
    except Conflict as err:
        session.rollback()
        return render_conflict(_conflict_message(session, err.by, err.at))
    except NotFound:
        session.rollback()
        entry = audit.last_event_for_task(session, task_id, "task.complete")
        return render_conflict(_conflict_message(session, entry.actor if entry else None, entry.at if entry else None))
    except InvalidState:
        return render_conflict(_("Hồ sơ đang tạm dừng hoặc đã kết thúc: việc này chưa hoàn thành được."))
    except EngineError as err:
        flash(_("Không thực hiện được: %(error)s", error=str(err)), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
    session.commit()
    flash(_("Đã hoàn thành việc “%(task)s”.", task=name), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/comments")
@login_required
def comment(task_id: str):
    task = visible_task(task_id)
    session = db_session()
    case = find_case(session, task.business_key)
    if case is None:
        abort(404)
    error = add_comment(session, case, current_user(), request.form.get("text", ""), task_id=task.id)
    if error:
        return render_task(task, comment_error=error, status=400)
    flash(_("Đã ghi ý kiến."), "success")
    return redirect(url_for("tasks.show", task_id=task.id) + "#comments")


@bp.post("/tasks/<task_id>/attachments")
@login_required
def upload(task_id: str):
    task = visible_task(task_id)
    session = db_session()
    case = find_case(session, task.business_key)
    if case is None:
        abort(404)
    error = store_attachment(session, case, current_user(), request.files.get("file"), task_id=task.id)
    if error:
        return render_task(task, upload_error=error, status=400)
    flash(_("Đã đính kèm tệp."), "success")
    return redirect(url_for("tasks.show", task_id=task.id) + "#attachments")
