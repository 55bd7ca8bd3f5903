"""Legal staff's process pages (issue 7): the process list, the BPMN modeler, its JSON endpoints
(save a draft, run the scenarios, publish), and the browser bundle it runs on.

Only legal staff and administrators come here. The modeler is bpmn-js's Modeler with the
properties panel and tiepdan's own panels (static/modeler/, bundled by scripts/build-assets.mjs
into node_modules/.tiepdan/ and served by `vendor`). Every change goes through the engine:
`save_draft` validates and stores a draft version, `run_scenarios` runs processes/scenarios/ against
it, `publish_draft` refuses a draft whose validation or scenarios fail. The JSON endpoints answer
errors in JSON (the page shows them), never an HTML page or a 500. The version, diff and migration
pages are in modeler_versions.py, the form, rule and import pages in modeler_files.py.
"""
from __future__ import annotations

import inspect
from collections import defaultdict

from flask import Blueprint, abort, jsonify, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from tiepdan.config import REPO_ROOT
from tiepdan.engine.catalogues import document_names, load_roles
from tiepdan.engine.bpmn_import import BpmnRejected
from tiepdan.engine.drafts import publish_draft, save_draft
from tiepdan.engine.library import PublishRefused
from tiepdan.engine.models import ProcessVersion
from tiepdan.engine.scenarios import run_scenarios

from .errors import render_error
from .i18n import label
from .security import current_user, db_session, roles_required, services

bp = Blueprint("modeler", __name__, url_prefix="/processes")

ROLES = ("legal_staff", "administrator")
ASSETS = REPO_ROOT / "node_modules" / ".tiepdan"
VENDOR_FILES = {
    "modeler.js": "text/javascript",
    "modeler.css": "text/css",
    "modeler-bpmn.woff2": "font/woff2",
    "modeler-bpmn.woff": "font/woff",
    "modeler-bpmn.ttf": "font/ttf",
    "modeler-bpmn.eot": "application/vnd.ms-fontobject",
    "modeler-bpmn.svg": "image/svg+xml",
}
NOTE_MAX = 500
XML_MAX = 5 * 1024 * 1024


# --- errors: JSON for the JSON endpoints -------------------------------------------------------


JSON_ENDPOINTS = frozenset({"modeler.options", "modeler.version_xml", "modeler.save", "modeler.scenarios", "modeler.publish"})


def wants_json() -> bool:
    return request.endpoint in JSON_ENDPOINTS


def json_error(message: str, status: int, **extra):
    return jsonify({"error": message, **extra}), status


@bp.errorhandler(CSRFError)
def csrf_error(err):
    message = _("Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang và thử lại.")
    return json_error(message, 400) if wants_json() else render_error(400, message)


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException):
    if err.code is None or err.code < 400:
        return err
    if err.code == 413:  # over the app's MAX_CONTENT_LENGTH, before any view ran
        message = _("Tệp quá lớn; không có gì được lưu.")
        return json_error(message, 413) if wants_json() else render_error(413, message)
    if not wants_json():
        return render_error(err.code)
    messages = {
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy quy trình hoặc phiên bản."),
    }
    return json_error(messages.get(err.code) or _("Yêu cầu không hợp lệ (mã %(code)s).", code=err.code), err.code)


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


def actor() -> str:
    return current_user().username


# --- what the panels offer ---------------------------------------------------------------------


def operation_parameters(fn) -> list[dict]:
    """The keyword parameters of an operation `fn(ctx, **params)`, the required ones first."""
    required = list(getattr(fn, "required_params", ()))
    optional = []
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        for name, param in list(signature.parameters.items())[1:]:
            if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or name in required:
                continue
            optional.append(name)
    return [{"name": n, "required": True} for n in required] + [{"name": n, "required": False} for n in optional]


def panel_options() -> dict:
    svc = services()
    ctx = svc.library.ctx
    processes_dir = svc.library.processes_dir
    roles = load_roles(processes_dir)
    rules = []
    for rid in sorted(ctx.rule_ids):
        latest = svc.catalogue.versions(rid)[-1]
        rules.append({"value": rid, "label": label((latest.description, latest.description_en))})
    return {
        "operations": [
            {"name": name, "parameters": operation_parameters(fn)} for name, fn in sorted(ctx.operations.items())
        ],
        "forms": [
            {"value": name, "label": label((f.title, f.title_en))}
            for name, f in sorted(ctx.forms.items())
        ],
        "rules": rules,
        "roles": [{"value": code, "label": label((r.get("label", code), r.get("label_en")))} for code, r in roles.items()],
        "documents": sorted(document_names(processes_dir)),
    }


def panel_texts() -> dict:
    """The modeler's words, in the user's language (the bundle has none of its own)."""
    return {
        "none": _("(không chọn)"),
        "unknown": _("không có trong danh mục"),
        "groupTask": _("Người thực hiện và biểu mẫu"),
        "groupDeadline": _("Thời hạn theo luật"),
        "groupDocuments": _("Văn bản tạo ra"),
        "groupOperation": _("Thao tác tự động"),
        "form": _("Biểu mẫu"),
        "role": _("Vai trò (làn)"),
        "rule": _("Quy tắc thời hạn"),
        "from": _("Tính từ ngày"),
        "fromHelp": _("Biểu thức trên dữ liệu của hồ sơ, ví dụ received_on"),
        "variant": _("Biến thể quy tắc"),
        "variantHelp": _("Biểu thức cho hậu tố của quy tắc, ví dụ resolve_variant or \"\""),
        "adjusted": _("Tính theo đồng hồ của hồ sơ (tạm đình chỉ, gia hạn)"),
        "operation": _("Thao tác"),
        "result": _("Biến kết quả"),
        "parameterRequired": _("Bắt buộc; một biểu thức, ví dụ \"văn bản\""),
        "parameterHelp": _("Không bắt buộc; một biểu thức"),
        "timerRule": _("Quy tắc trong biểu thức hẹn giờ"),
        "timerRuleHelp": _("Thay mã quy tắc được nêu trong biểu thức của bộ hẹn giờ"),
        "problems": _("Lỗi kiểm tra sơ đồ"),
        "scenarios": _("Kết quả chạy kịch bản"),
        "pass": _("Đạt"),
        "fail": _("Không đạt"),
        "noScenarios": _("Quy trình này chưa có kịch bản kiểm thử."),
        "reasonRequired": _("Cần nêu lý do ban hành."),
        "importWarnings": _("Cảnh báo khi mở sơ đồ"),
        "error": _("Đã có lỗi xảy ra."),
        "backToList": _("Về danh sách quy trình"),
    }


# --- the process list --------------------------------------------------------------------------


def versions_by_process(session) -> dict[str, list[tuple[ProcessVersion, int]]]:
    grouped: dict[str, list[tuple[ProcessVersion, int]]] = defaultdict(list)
    for version, running in services().library.list_versions(session):
        grouped[version.process_id].append((version, running))
    for rows in grouped.values():
        rows.sort(key=lambda row: row[0].id, reverse=True)
    return dict(sorted(grouped.items()))


def version_of(session, process_id: str, version_id) -> ProcessVersion:
    """The version `version_id` of `process_id`, else 404 (also for an id of another process)."""
    try:
        version = session.get(ProcessVersion, int(version_id))
    except (TypeError, ValueError):
        abort(404)
    if version is None or version.process_id != process_id:
        abort(404)
    return version


def latest_version(session, process_id: str) -> ProcessVersion:
    version = session.execute(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.id.desc()).limit(1)
    ).scalar_one_or_none()
    if version is None:
        abort(404)
    return version


def status_label(status: str) -> str:
    return {"draft": _("Bản nháp"), "published": _("Đã ban hành"), "retired": _("Ngừng dùng")}.get(status, status)


@bp.app_template_filter("version_status")
def _version_status(status: str) -> str:
    return status_label(status)


@bp.get("/")
@roles_required(*ROLES)
def index():
    return render_template("processes.html", processes=versions_by_process(db_session()))


# --- the modeler -------------------------------------------------------------------------------


@bp.get("/<process_id>/modeler")
@roles_required(*ROLES)
def modeler(process_id: str):
    session = db_session()
    version_id = request.args.get("version")
    version = version_of(session, process_id, version_id) if version_id else latest_version(session, process_id)
    return render_template("modeler.html", version=version, texts=panel_texts())


@bp.get("/options.json")
@roles_required(*ROLES)
def options():
    return jsonify(panel_options())


@bp.get("/<process_id>/versions/<int:version_id>.json")
@roles_required(*ROLES)
def version_xml(process_id: str, version_id: int):
    version = version_of(db_session(), process_id, version_id)
    return jsonify({
        "id": version.id,
        "status": version.status,
        "xml": version.bpmn_xml,
        "has_di": "BPMNDiagram" in version.bpmn_xml,
    })


def problem_dicts(problems) -> list[dict]:
    return [{"element": p.element, "message": p.message} for p in problems]


def store_draft(process_id: str, xml: bytes, note: str):
    """save_draft in the request's session, committed; (result, None) or (None, error message)."""
    session = db_session()
    try:
        result = save_draft(session, services().library, process_id, xml, actor(), note, clock=services().runtime.clock)
    except BpmnRejected as err:
        session.rollback()
        return None, err.message
    session.commit()
    return result, None


@bp.post("/<process_id>/drafts")
@roles_required(*ROLES)
def save(process_id: str):
    data = json_body()
    xml, note = data.get("xml"), data.get("note") or ""
    if not isinstance(xml, str) or not xml.strip() or not isinstance(note, str):
        return json_error(_("Thiếu nội dung sơ đồ."), 400)
    if len(xml.encode("utf-8")) > XML_MAX or len(note) > NOTE_MAX:
        return json_error(_("Sơ đồ hoặc ghi chú quá dài."), 400)
    latest_version(db_session(), process_id)  # 404 for an unknown process
    result, error = store_draft(process_id, xml.encode("utf-8"), note.strip())
    if error:
        return json_error(error, 400)
    problems = problem_dicts(result.problems)
    message = (
        _("Đã lưu bản nháp số %(id)s; sơ đồ còn %(n)d lỗi.", id=result.version_id, n=len(problems))
        if problems else _("Đã lưu bản nháp số %(id)s; sơ đồ hợp lệ.", id=result.version_id)
    )
    return jsonify({
        "version_id": result.version_id,
        "problems": problems,
        "message": message,
        "url": url_for(".modeler", process_id=process_id, version=result.version_id),
    })


def scenario_dicts(results) -> list[dict]:
    return [{"name": r.name, "ok": r.ok, "failures": list(r.failures)} for r in results]


@bp.post("/<process_id>/scenarios")
@roles_required(*ROLES)
def scenarios(process_id: str):
    session = db_session()
    version = version_of(session, process_id, json_body().get("version_id"))
    results = run_scenarios(services().library.processes_dir, version_id=version.id, session=session)
    failed = sum(not r.ok for r in results)
    message = (
        _("%(n)d kịch bản không đạt.", n=failed) if failed else _("Tất cả %(n)d kịch bản đều đạt.", n=len(results))
    )
    return jsonify({"results": scenario_dicts(results), "message": message})


@bp.post("/<process_id>/publish")
@roles_required(*ROLES)
def publish(process_id: str):
    session = db_session()
    data = json_body()
    version = version_of(session, process_id, data.get("version_id"))
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return json_error(_("Cần nêu lý do ban hành."), 400)
    if len(reason) > NOTE_MAX:
        return json_error(_("Lý do quá dài."), 400)
    if version.status != "draft":
        return json_error(_("Chỉ ban hành được bản nháp."), 409)
    try:
        published = publish_draft(session, services().library, version.id, actor(), reason.strip(),
                                  clock=services().runtime.clock)
    except PublishRefused as refused:
        session.rollback()
        return json_error(
            _("Không ban hành được: sơ đồ chưa hợp lệ hoặc kịch bản chưa đạt."), 409,
            problems=problem_dicts(refused.problems),
        )
    session.commit()
    return jsonify({
        "version_id": published.id,
        "message": _("Đã ban hành phiên bản %(id)s.", id=published.id),
        "url": url_for(".index"),
    })


@bp.get("/vendor/<name>")
@roles_required(*ROLES)
def vendor(name: str):
    """The modeler bundle built by `npm run build` (never a CDN)."""
    if name not in VENDOR_FILES or not (ASSETS / name).is_file():
        abort(404)
    return send_file(ASSETS / name, mimetype=VENDOR_FILES[name], max_age=3600)


from . import modeler_files, modeler_versions  # noqa: E402,F401  (their routes are on `bp`)
