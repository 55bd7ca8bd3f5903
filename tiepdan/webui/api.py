"""The REST API (flask-smorest, marshmallow schemas in webui.api_schemas): tasks, claim, complete,
a case and its documents, with the same permission checks as the pages.

Authentication
    Either the page's session cookie, or ``Authorization: Bearer <token>`` with a token made on
    the page "Mã truy cập API" (/api-tokens; shown once, only its sha256 is stored in
    `api_token`). A request with a session cookie must carry the page's CSRF token in an
    ``X-CSRFToken`` header for POST; a token-authenticated request needs none (a browser never
    adds the header by itself). A missing, unknown or revoked token answers 401.

Scope
    As on the pages: tasks and cases of the user's unit (and of the units below it for leaders
    and supervisors). A task or case outside that scope answers 404, whether or not it exists.
    A case is also open to a user who has a task on it in scope (a verifier of the inspectorate).
    GET /api/cases/<key> is the redacted view (identity.redacted_view) with each party as this
    viewer may see it (identity.visible_identity): a sealed identity is never in an answer.

Errors
    Always JSON: ``{"code": 404, "status": "Not Found", "message": "..."}``; a form that does not
    validate answers 422 with ``"errors": {field: message}``; a task someone else completed or
    claimed answers 409 with ``"by"`` and ``"at"``. Never an HTML page, never a traceback.

The OpenAPI document is at /api/openapi.json and a plain page listing the routes at /api/docs
(no Swagger UI: it would need scripts from a CDN, which the Content-Security-Policy forbids).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask import abort as http_abort
from flask_babel import gettext as _
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from flask_smorest import abort
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, InternalServerError
from wtforms import ValidationError

from tiepdan.cases.documents import documents_of
from tiepdan.cases.identity import redacted_view, visible_identity
from tiepdan.cases.models import ApiToken, CaseDocument, Petition, User
from tiepdan.engine import audit
from tiepdan.engine.errors import Conflict, EngineError, FormInvalid, InvalidState, NotFound
from tiepdan.engine.models import ProcessInstance, TaskIndex

from . import csrf
from . import inbox as inbox_views
from .cases import find_case, may_see_case
from .api_schemas import (
    CaseSchema,
    ClaimedSchema,
    CompletedSchema,
    DocumentListSchema,
    ApiErrorSchema,
    FormDataSchema,
    TaskPageSchema,
    TaskQuerySchema,
)
from .security import current_user, db_session, login_required, may_see_unit, sees_subtree, services, unit_scope

TOKEN_PREFIX = "tdn_"
MAX_ACTIVE_TOKENS = 20
LAST_USED_GRANULARITY = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADERS = ("X-CSRFToken", "X-CSRF-Token")

bp = ApiBlueprint(
    "api", __name__, url_prefix="/api",
    description="Việc, hồ sơ và văn bản của đơn vị (Tasks, cases and documents of the user's unit)",
)
pages = FlaskBlueprint("api_pages", __name__)


def now() -> datetime:
    return services().runtime.clock.now()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# --- authentication -----------------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        abort(401, message=_("Mã truy cập API không hợp lệ."))
    return value.strip()


def user_for_token(token: str) -> User | None:
    s = db_session()
    row = s.execute(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).scalar_one_or_none()
    if row is None or row.revoked or not row.user.active:
        return None
    moment = now()
    if row.last_used_at is None or moment - row.last_used_at >= LAST_USED_GRANULARITY:
        row.last_used_at = moment
        s.commit()
    return row.user


@bp.before_request
def authenticate():
    token = _bearer()
    if token is not None:
        user = user_for_token(token)
        if user is None:
            abort(401, message=_("Mã truy cập API không hợp lệ hoặc đã bị thu hồi."))
        g.user = user  # webui.security.current_user() answers this user for the request
        return None
    if current_user() is None:
        abort(401, message=_("Cần đăng nhập hoặc gửi mã truy cập API (Authorization: Bearer ...)."))
    if request.method not in SAFE_METHODS:
        sent = next((request.headers.get(h) for h in CSRF_HEADERS if request.headers.get(h)), None)
        try:
            validate_csrf(sent)
        except ValidationError:
            abort(400, message=_("Thiếu hoặc sai mã bảo vệ CSRF (tiêu đề X-CSRFToken) cho yêu cầu dùng phiên đăng nhập."))
    return None


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# --- tasks -----------------------------------------------------------------------------------------


def _task_links(task: TaskIndex) -> dict:
    links = {
        "claim": url_for("api.claim", task_id=task.id),
        "complete": url_for("api.complete", task_id=task.id),
    }
    if not task.business_key.startswith("reception/"):
        links["case"] = url_for("api.case", key=task.business_key)
    return links


def _task_dict(row) -> dict:
    t = row.task
    return {
        "id": t.id, "name": t.task_name, "task_spec": t.task_spec, "process_id": t.process_id,
        "business_key": t.business_key, "receipt_no": row.receipt_no, "title": row.title,
        "petition_type": row.petition_type, "received_on": row.received_on, "due_date": t.due_date,
        "working_days_left": row.days_left, "overdue": row.overdue, "due_soon": row.due_soon, "role": t.role,
        "unit": t.unit_id, "assignee": t.assignee, "state": t.state, "form": t.form, "links": _task_links(t),
    }


@bp.get("/tasks")
@bp.arguments(TaskQuerySchema, location="query")
@bp.response(200, TaskPageSchema)
@bp.alt_response(401, schema=ApiErrorSchema)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def tasks(args):
    """List and search tasks: my tasks, my unit's queue, or (leaders, supervisors) the units below.

    The same filters and scope as the inbox; ordered by due date; 50 a page."""
    user, s = current_user(), db_session()
    view = args["view"]
    if view == "units" and not sees_subtree(user):
        abort(403, message=_("Chỉ lãnh đạo và cán bộ giám sát mới xem được việc của các đơn vị cấp dưới."))
    filters = inbox_views.Filters(
        process=args["process"].strip(), task=args["task"].strip(), petition_type=args["type"],
        overdue=args["overdue"], received_from=args["received_from"], received_to=args["received_to"],
        q=args["q"].strip(), page=args["page"],
    )
    today = inbox_views.today()
    raw = s.execute(inbox_views.inbox_query(s, user, view, filters, today)).all()
    rows = inbox_views.build_rows(s, raw[:inbox_views.PAGE_SIZE], today)
    return {
        "items": [_task_dict(r) for r in rows], "view": view, "page": filters.page,
        "page_size": inbox_views.PAGE_SIZE, "has_next": len(raw) > inbox_views.PAGE_SIZE,
    }


def _visible_task(task_id: str) -> TaskIndex | None:
    s, user = db_session(), current_user()
    task = s.get(TaskIndex, task_id)
    if task is None:
        return None
    if not may_see_unit(s, user, task.unit_id):
        abort(404, message=_("Không có việc này, hoặc việc không thuộc phạm vi của đơn vị bạn."))
    return task


def _not_open(task_id: str):
    """404, or 409 with who and when when the task was completed (by someone) in the user's scope."""
    s, user = db_session(), current_user()
    entry = audit.last_event_for_task(s, task_id, "task.complete")
    if entry is not None and entry.instance_id is not None:
        instance = s.get(ProcessInstance, entry.instance_id)
        if instance is not None and may_see_unit(s, user, instance.unit_id):
            _conflict(Conflict("completed", by=entry.actor, at=entry.at), completed=True)
    abort(404, message=_("Không có việc này, hoặc việc không thuộc phạm vi của đơn vị bạn."))


def _conflict(err: Conflict, *, completed: bool = False):
    s = db_session()
    name = s.execute(select(User.full_name).where(User.username == err.by)).scalar_one_or_none() if err.by else None
    if completed or err.at is not None:
        message = _("Việc này đã được %(user)s xử lý xong lúc %(at)s.", user=name or err.by or "?",
                    at=_when(err.at))
    elif err.by:
        message = _("Việc này đã được %(user)s nhận hoặc xử lý trước.", user=name or err.by)
    else:
        message = _("Việc này vừa được người khác thay đổi. Vui lòng tải lại.")
    abort(409, message=message, by=err.by, by_name=name, at=err.at.isoformat() + "Z" if err.at else None)


def _when(at: datetime | None) -> str:
    from .i18n import format_datetime

    return format_datetime(at) if at else "?"


def _release_read() -> None:
    """End the request's read transaction before a runtime step opens its own (see inbox)."""
    db_session().commit()


@bp.post("/tasks/<task_id>/claim")
@bp.response(200, ClaimedSchema)
@bp.alt_response(401, schema=ApiErrorSchema)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
def claim(task_id: str):
    """Claim an unclaimed task of my unit's queue (a task for one of my roles)."""
    user = current_user()
    task = _visible_task(task_id)
    if task is None:
        _not_open(task_id)
    if task.unit_id != user.unit.code or task.role not in user.roles:
        abort(403, message=_("Việc này dành cho vai trò hoặc đơn vị khác."))
    if task.state != "open":
        abort(409, message=_("Hồ sơ của việc này đang tạm dừng; chưa nhận được."))
    _release_read()
    try:
        services().runtime.claim(task_id, user.username)
    except Conflict as err:
        _conflict(err)
    except NotFound:
        _not_open(task_id)
    return {"id": task_id, "assignee": user.username}


@bp.post("/tasks/<task_id>/complete")
@bp.arguments(FormDataSchema, location="json")
@bp.response(200, CompletedSchema)
@bp.alt_response(401, schema=ApiErrorSchema)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def complete(data, task_id: str):
    """Complete a task I have claimed, with its form data as a JSON object.

    422 with per-field Vietnamese messages when the form does not validate; 409 with who and
    when when someone else completed it first."""
    user = current_user()
    task = _visible_task(task_id)
    if task is None:
        _not_open(task_id)
    if task.assignee != user.username:
        if task.assignee is None:
            abort(403, message=_("Hãy nhận việc trước khi hoàn thành."))
        _conflict(Conflict("claimed", by=task.assignee))
    if task.state != "open":
        abort(409, message=_("Hồ sơ của việc này đang tạm dừng; chưa hoàn thành được."))
    _release_read()
    try:
        result = services().runtime.complete_task(task_id, dict(data), user.username)
    except FormInvalid as err:
        abort(422, message=_("Dữ liệu biểu mẫu chưa hợp lệ."), errors=dict(err.errors))
    except Conflict as err:
        _conflict(err, completed=err.at is not None)
    except NotFound:
        _not_open(task_id)
    except InvalidState as err:
        abort(409, message=_("Không thực hiện được: %(error)s", error=str(err)))
    except EngineError as err:
        abort(400, message=_("Không thực hiện được: %(error)s", error=str(err)))
    error = None
    if result.status == "error":
        instance = db_session().get(ProcessInstance, result.instance_id)
        error = instance.error_message if instance is not None else None
    return {"id": task_id, "instance_id": result.instance_id, "status": result.status,
            "open_tasks": list(result.open_tasks), "error": error}


# --- cases and documents ---------------------------------------------------------------------------


def visible_petition(key: str) -> Petition:
    """The petition with this business key, if the user may see its case (the same rule as the
    case page: `cases.may_see_case`), else 404."""
    s, user = db_session(), current_user()
    case = find_case(s, key)
    if case is not None and case.petition is not None and may_see_case(s, user, case):
        return case.petition
    abort(404, message=_("Không có hồ sơ này, hoặc hồ sơ không thuộc phạm vi của đơn vị bạn."))


def _identity_dict(view) -> dict | None:
    if view.masked:
        return None
    return {"full_name": view.full_name, "address": view.address, "id_type": view.id_type,
            "id_number": view.id_number, "phone": view.phone, "email": view.email}


@bp.get("/cases/<path:key>")
@bp.response(200, CaseSchema)
@bp.alt_response(401, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
def case(key: str):
    """A case (petition) by its business key, e.g. 04.UBND/2026/12.

    The redacted view, with each party's identity as this user may see it: open identities to
    the roles and units allowed (identity_access.yaml), never a sealed one."""
    s, user = db_session(), current_user()
    petition = visible_petition(key)
    view = redacted_view(s, petition)
    for party, entry in zip(petition.parties, view["parties"]):
        shown = visible_identity(s, party, user)
        entry.update(name=shown.display_name, masked=shown.masked, can_reveal=shown.can_reveal,
                     identity=_identity_dict(shown))
    today = inbox_views.today()
    raw = s.execute(
        select(TaskIndex, Petition.receipt_no, Petition.title, Petition.received_on, Petition.petition_type, Petition.id)
        .join(Petition, Petition.business_key == TaskIndex.business_key)
        .where(TaskIndex.business_key == key, unit_scope(s, user, TaskIndex.unit_id))
        .order_by(TaskIndex.due_date.asc().nulls_last(), TaskIndex.created_at)
    ).all()
    view["tasks"] = [_task_dict(r) for r in inbox_views.build_rows(s, raw, today)]
    view["documents_url"] = url_for("api.documents", key=key)
    return view


def visible_documents(petition: Petition) -> list[CaseDocument]:
    """The case's documents this user may download: all of them inside the circle that may know
    the parties (the receiving or holding unit, or the issuing unit); elsewhere (a verifier of
    another unit, a superior unit) only those that may leave the unit, which never name a sealed
    identity, unless the petition has no sealed party."""
    s, user = db_session(), current_user()
    docs = documents_of(s, petition)
    inside = {petition.receiving_unit_id, petition.holding_unit_id}
    sealed = any(p.sealed for p in petition.parties)
    return [d for d in docs if not sealed or d.leaves_unit or user.unit_id in inside or d.unit_id == user.unit_id]


@bp.get("/cases/<path:key>/documents")
@bp.response(200, DocumentListSchema)
@bp.alt_response(401, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
def documents(key: str):
    """The documents of a case, oldest first, with their download URLs."""
    petition = visible_petition(key)
    items = [{
        "id": d.id, "kind": d.kind, "number": d.number, "title": d.title, "filename": d.filename,
        "media_type": d.media_type, "size": len(d.content or b""), "sha256": d.sha256, "leaves_unit": d.leaves_unit,
        "unit": d.unit.code, "created_at": d.created_at, "created_by": d.created_by,
        "download_url": url_for("api.document", key=key, doc_id=d.id),
    } for d in visible_documents(petition)]
    return {"business_key": key, "items": items}


@bp.get("/cases/<path:key>/documents/<int:doc_id>")
@bp.response(200, content_type="application/octet-stream",
             description="The document's file (text/plain or DOCX), as an attachment")
@bp.alt_response(401, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
def document(key: str, doc_id: int):
    """Download one document of a case."""
    petition = visible_petition(key)
    found = next((d for d in visible_documents(petition) if d.id == doc_id), None)
    if found is None:
        abort(404, message=_("Không có văn bản này trong hồ sơ."))
    response = current_app.response_class(found.content, mimetype=found.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["X-Content-SHA256"] = found.sha256
    return response


# --- JSON errors for /api/ -------------------------------------------------------------------------


def is_api_request() -> bool:
    path = request.path
    return (path == "/api" or path.startswith("/api/")) and path != "/api/docs"


def _flatten(errors) -> dict[str, str]:
    """webargs' {"json": {"field": ["message"]}} (or a FormInvalid dict) as {field: message}."""
    flat: dict[str, str] = {}

    def walk(value, prefix: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{prefix}.{k}" if prefix else str(k))
        elif isinstance(value, (list, tuple)):
            if all(isinstance(v, str) for v in value):
                flat[prefix or "_schema"] = " ".join(value)
            else:
                for i, v in enumerate(value):
                    walk(v, f"{prefix}.{i}" if prefix else str(i))
        else:
            flat[prefix or "_schema"] = str(value)

    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "headers", "cookies", "files", "view_args"}:
        for location_errors in errors.values():
            walk(location_errors, "")
    else:
        walk(errors, "")
    return flat


def json_error(err: Exception):
    if isinstance(err, HTTPException) and err.code is not None:
        code, name = err.code, err.name
    else:
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        code, name = 500, InternalServerError.name
    payload: dict = {"code": code, "status": name}
    data = getattr(err, "data", None) or {}
    messages = {
        400: _("Yêu cầu gửi lên không hợp lệ."),
        401: _("Cần đăng nhập hoặc gửi mã truy cập API (Authorization: Bearer ...)."),
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không có tài nguyên này, hoặc không thuộc phạm vi của đơn vị bạn."),
        405: _("Phương thức này không được phép ở địa chỉ này."),
        413: _("Nội dung gửi lên quá lớn."),
        422: _("Dữ liệu gửi lên chưa hợp lệ."),
        500: _("Đã có lỗi xảy ra. Lỗi đã được ghi lại; vui lòng thử lại sau."),
    }
    payload["message"] = data.get("message") or messages.get(code) or name
    if isinstance(err, CSRFError):
        payload["message"] = _("Thiếu hoặc sai mã bảo vệ CSRF (tiêu đề X-CSRFToken) cho yêu cầu dùng phiên đăng nhập.")
    errors = data.get("errors", data.get("messages"))
    if errors:
        payload["errors"] = _flatten(errors)
    for key in ("by", "by_name", "at"):
        if key in data:
            payload[key] = data[key]
    response = jsonify(payload)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    for header, value in (data.get("headers") or {}).items():
        response.headers[header] = value
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tiepdan"'
    return response


def _chain_error_handler(app: Flask, exc_class: type[Exception]) -> None:
    """Answer JSON under /api/, and leave every other path to the handler registered before."""
    exc, code = app._get_exc_class_and_code(exc_class)
    previous = app.error_handler_spec.get(None, {}).get(code, {}).get(exc)

    def handler(err):
        if is_api_request():
            try:
                return json_error(err)
            except Exception:  # pragma: no cover - a JSON error must never become an HTML 500
                return {"code": 500, "status": InternalServerError.name}, 500
        if previous is not None:
            return previous(err)
        if isinstance(err, HTTPException):
            return err
        raise err

    app.register_error_handler(exc_class, handler)


class _Api(Api):
    """flask-smorest's Api without its app-wide JSON error handler: the pages keep their HTML
    error pages; /api/ answers JSON through `_chain_error_handler`."""

    def _register_error_handlers(self):
        for exc_class in (CSRFError, HTTPException, Exception):
            _chain_error_handler(self._app, exc_class)


# --- the docs page and the tokens page --------------------------------------------------------------


@pages.get("/api/docs")
def docs():
    spec = current_app.extensions["tiepdan_api"].spec.to_dict()
    routes = []
    for path, operations in sorted(spec.get("paths", {}).items()):
        for method, op in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                routes.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "description": op.get("description", "")})
    return render_template("api_docs.html", routes=routes, spec=spec)


@pages.route("/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    user, s = current_user(), db_session()
    errors: dict[str, str] = {}
    created = None
    name = ""
    status = 200
    if request.method == "POST":
        name = " ".join((request.form.get("name") or "").split())
        active = [t for t in _tokens_of(user) if not t.revoked]
        if not name:
            errors["name"] = _("Hãy đặt tên cho mã truy cập (ví dụ: tên phần mềm dùng mã).")
        elif len(name) > 100:
            errors["name"] = _("Tên mã truy cập dài tối đa 100 ký tự.")
        elif len(active) >= MAX_ACTIVE_TOKENS:
            errors["name"] = _("Bạn đã có %(n)d mã đang dùng; hãy thu hồi mã không dùng nữa.", n=MAX_ACTIVE_TOKENS)
        if errors:
            status = 400
        else:
            created = new_token()
            s.add(ApiToken(user_id=user.id, token_hash=token_hash(created), name=name, created_at=now(), revoked=False))
            s.commit()
            name = ""
    return render_template("api_tokens.html", tokens=_tokens_of(user), created=created, errors=errors,
                           name=name), status


def _tokens_of(user: User) -> list[ApiToken]:
    return list(db_session().execute(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.revoked, ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


@pages.post("/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    user, s = current_user(), db_session()
    token = s.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        http_abort(404)
    if not token.revoked:
        token.revoked = True
        s.commit()
        flash(_("Đã thu hồi mã truy cập “%(name)s”.", name=token.name), "success")
    return redirect(url_for("api_pages.tokens"))


# --- wiring ----------------------------------------------------------------------------------------


def init_app(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "tiepdan")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = _Api(app, spec_kwargs={"info": {"description": __doc__.split("\n\n")[0]}})
    api.spec.components.security_scheme("bearerToken", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "tiepdan_session"})
    api.spec.options["security"] = [{"bearerToken": []}, {"sessionCookie": []}]
    csrf.exempt(bp)
    api.register_blueprint(bp)
    app.register_blueprint(pages)
    app.extensions["tiepdan_api"] = api
    return api
