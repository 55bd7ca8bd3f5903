"""The case file: summary, parties (masked), open tasks, timeline, documents, attachments,
comments, related cases, the events a leader may raise, and the BPMN diagram.

Who sees a case (issue 6): the users of its receiving unit or of the unit holding it now, and the
leaders and supervisors of the units above either. Anyone else gets 404, for the page and for
every route under it (documents, attachments, diagram, reveal, events), so that a direct URL does
not confirm that a case exists.

Identities follow tiepdan.cases.identity: a sealed identity (a denouncer) is never on the page;
the "Xem thông tin" button posts a reason, `reveal_identity` writes the audit row, and the
identity is shown on that one response only (no-store), never stored in the session.

The BPMN diagram: our processes/*.bpmn carry no diagram interchange (DI), so the browser lays
each one out with bpmn-auto-layout (bundled by `make setup` with esbuild into
node_modules/.tiepdan/) before the bpmn-js viewer draws it; both are served from node_modules by
`vendor` (no CDN). static/case_diagram.js reads /cases/<key>/diagram/<instance>.json:
the version's XML and the element ids completed (audit log) and current (task index), no data.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tiepdan.cases.documents import DOCUMENT_KINDS, documents_of
from tiepdan.cases.errors import CaseError, IdentityAccessDenied, UnknownRecord
from tiepdan.cases.identity import SEALED_MASK, reveal_identity, visible_identity
from tiepdan.cases.models import Attachment, CaseComment, CaseDocument, Party, Petition, Reception, Unit, User
from tiepdan.cases.petitions import sealed_strings
from tiepdan.cases.textutil import mask_text
from tiepdan.cases.vocab import CHANNELS, PARTY_ROLES, PETITION_STATUSES, PETITION_TYPES
from tiepdan.config import REPO_ROOT
from tiepdan.engine import audit
from tiepdan.engine.calendar import CalendarError
from tiepdan.engine.errors import EngineError
from tiepdan.engine.models import ProcessInstance, ProcessVersion, TaskIndex

from .i18n import is_english
from .security import current_user, db_session, has_role, login_required, may_see_unit, services

bp = Blueprint("cases", __name__)

NODE_MODULES = REPO_ROOT / "node_modules"
VENDOR_FILES = {
    "bpmn-viewer.js": (NODE_MODULES / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js", "text/javascript"),
    "bpmn-auto-layout.js": (NODE_MODULES / ".tiepdan" / "bpmn-auto-layout.js", "text/javascript"),
    "diagram-js.css": (NODE_MODULES / "bpmn-js" / "dist" / "assets" / "diagram-js.css", "text/css"),
    "bpmn-js.css": (NODE_MODULES / "bpmn-js" / "dist" / "assets" / "bpmn-js.css", "text/css"),
    "chart.js": (NODE_MODULES / "chart.js" / "dist" / "chart.umd.min.js", "text/javascript"),
}
DUE_SOON_DAYS = 3
COMMENT_MAX = 5000
REASON_MAX = 500

def message_label(name: str) -> str:
    labels = {
        "suspend": _("Tạm đình chỉ việc giải quyết"),
        "continue": _("Tiếp tục giải quyết"),
        "extend": _("Gia hạn giải quyết"),
        "withdraw": _("Người gửi đơn rút đơn"),
        "terminate": _("Đình chỉ việc giải quyết"),
        "appeal": _("Khiếu nại lần hai"),
        "lawsuit": _("Khởi kiện vụ án hành chính"),
    }
    return labels.get(name, name)


def action_label(action: str) -> str:
    labels = {
        "instance.start": _("Bắt đầu quy trình"),
        "instance.message": _("Sự kiện trên hồ sơ"),
        "instance.suspend": _("Tạm dừng hồ sơ"),
        "instance.resume": _("Tiếp tục hồ sơ"),
        "instance.terminate": _("Chấm dứt quy trình"),
        "instance.retry": _("Chạy lại bước bị lỗi"),
        "instance.error": _("Lỗi khi xử lý"),
        "task.complete": _("Hoàn thành việc"),
        "task.claim": _("Nhận việc"),
        "task.unclaim": _("Trả việc"),
        "task.reassign": _("Giao lại việc"),
        "task.reminder": _("Nhắc hạn xử lý"),
        "task.escalation": _("Báo quá hạn lên cấp trên"),
        "identity.reveal": _("Xem thông tin người tố cáo"),
        "case.denunciation_accepted": _("Thụ lý tố cáo"),
        "case.redacted": _("Che thông tin người tố cáo"),
        "case.extension_refused": _("Không được gia hạn"),
        "case.reminder": _("Nhắc kết quả chuyển đơn"),
        "publication.ended": _("Kết thúc công khai"),
    }
    return labels.get(action, action)


# --- the case and who may see it -------------------------------------------------------------------

_RECEPTION_KEY = re.compile(r"reception/([0-9]{1,18})")


@dataclass
class Case:
    """A petition, or a reception session (business key "reception/<id>")."""

    business_key: str
    receiving_unit: Unit
    holding_unit: Unit
    petition: Petition | None = None
    reception: Reception | None = None

    @property
    def parties(self) -> list[Party]:
        if self.petition is not None:
            return list(self.petition.parties)
        session = db_session()
        return list(session.execute(
            select(Party).where(Party.reception_id == self.reception.id, Party.petition_id.is_(None))
            .order_by(Party.ordinal, Party.id)
        ).scalars())

    @property
    def hidden(self) -> list[str]:
        """The sealed identities' strings, masked out of every text shown."""
        if self.petition is not None:
            return sealed_strings(self.petition)
        return []

    @property
    def title(self) -> str:
        if self.petition is not None:
            return mask_text(self.petition.title or "", self.hidden)
        return _("Lượt tiếp công dân ngày %(day)s", day=self.reception.received_on.strftime("%d/%m/%Y"))

    @property
    def number(self) -> str:
        return self.petition.receipt_no if self.petition is not None else self.business_key


def find_case(session, business_key: str) -> Case | None:
    petition = session.execute(select(Petition).where(Petition.business_key == business_key)).scalar_one_or_none()
    if petition is not None:
        return Case(business_key, petition.receiving_unit, petition.holding_unit, petition=petition)
    m = _RECEPTION_KEY.fullmatch(business_key or "")
    if m:
        reception = session.get(Reception, int(m.group(1)))
        if reception is not None:
            return Case(business_key, reception.unit, reception.unit, reception=reception)
    return None


def may_see_case(session, user: User | None, case: Case | None) -> bool:
    """Users of the receiving or holding unit (and leaders and supervisors above them), and the
    assignee of an open task of the case (a verifier of another unit assigned to it)."""
    if user is None or case is None:
        return False
    if may_see_unit(session, user, case.receiving_unit) or may_see_unit(session, user, case.holding_unit):
        return True
    return session.execute(
        select(TaskIndex.id).where(TaskIndex.business_key == case.business_key, TaskIndex.assignee == user.username)
        .limit(1)
    ).first() is not None


def visible_case(business_key: str) -> Case:
    """The case, or 404 when it does not exist or lies outside the user's scope."""
    session = db_session()
    case = find_case(session, business_key)
    if not may_see_case(session, current_user(), case):
        abort(404)
    return case


def may_see_key(session, user: User, business_key: str) -> bool:
    return may_see_case(session, user, find_case(session, business_key))


# --- deadlines ----------------------------------------------------------------------------------------


@dataclass
class Due:
    due_date: date | None
    days_left: int | None
    overdue: bool
    due_soon: bool


def due_info(session, due_date: date | None) -> Due:
    from .inbox import today, working_calendar

    today_ = today()
    days_left = None
    if due_date is not None:
        try:
            days_left = working_calendar(session).working_days_between(today_, due_date)
        except CalendarError:
            days_left = None
    overdue = due_date is not None and due_date < today_
    due_soon = not overdue and days_left is not None and days_left <= DUE_SOON_DAYS
    return Due(due_date, days_left, overdue, due_soon)


# --- summary, parties ---------------------------------------------------------------------------------


@dataclass
class Summary:
    """What the task page and the case file show of a case: never a sealed identity."""

    business_key: str
    number: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    content: str = ""


def summary(case: Case) -> Summary:
    def lab(vocab, code):
        return "" if code is None else (vocab.get(code, (code, code))[1 if is_english() else 0])

    def day(value):
        return value.strftime("%d/%m/%Y") if value else ""

    rows: list[tuple[str, str]] = []
    content = ""
    p = case.petition
    if p is not None:
        hidden = case.hidden
        rows = [
            (_("Số đơn"), p.receipt_no),
            (_("Ngày nhận"), day(p.received_on)),
            (_("Loại đơn"), lab(PETITION_TYPES, p.petition_type)),
            (_("Trạng thái"), lab(PETITION_STATUSES, p.status)),
            (_("Nguồn đơn"), lab(CHANNELS, p.channel)),
            (_("Đơn vị tiếp nhận"), case.receiving_unit.name),
            (_("Đơn vị đang giải quyết"), case.holding_unit.name),
        ]
        if p.forwarded_by_name:
            rows.append((_("Cơ quan chuyển đơn"), p.forwarded_by_name))
        if p.transferred_to_unit is not None:
            rows.append((_("Đã chuyển đến"), p.transferred_to_unit.name))
        rows = [(k, v) for k, v in rows if v]
        content = mask_text(p.content or "", hidden)
    else:
        r = case.reception
        rows = [(_("Ngày tiếp"), day(r.received_on)), (_("Đơn vị tiếp"), r.unit.name),
                (_("Số công dân"), str(r.citizen_count))]
    return Summary(case.business_key, case.number, case.title, rows, content)


@dataclass
class PartyRow:
    party: Party
    role_label: str
    view: object  # identity.IdentityView


def party_rows(session, case: Case, user: User) -> list[PartyRow]:
    rows = []
    for party in case.parties:
        pair = PARTY_ROLES.get(party.role, (party.role, party.role))
        rows.append(PartyRow(party, pair[1] if is_english() else pair[0], visible_identity(session, party, user)))
    return rows


# --- tasks, instances, timeline -------------------------------------------------------------------------


def open_tasks(session, business_key: str) -> list[tuple[TaskIndex, Due]]:
    tasks = session.execute(
        select(TaskIndex).where(TaskIndex.business_key == business_key)
        .order_by(TaskIndex.due_date.asc().nulls_last(), TaskIndex.created_at)
    ).scalars().all()
    return [(t, due_info(session, t.due_date)) for t in tasks]


def instances_of(session, business_key: str) -> list[ProcessInstance]:
    return list(session.execute(
        select(ProcessInstance).where(ProcessInstance.business_key == business_key).order_by(ProcessInstance.id)
    ).scalars())


def _loaded(session, instance: ProcessInstance):
    try:
        return services().library.load(session, instance.version_id)
    except LookupError:
        return None


# The field types whose values the timeline may show: codes, flags, numbers and dates. Free text
# (text, textarea) and the identity types (email, phone, id_number) never leave the form.
SAFE_FIELD_TYPES = frozenset({"select", "multiselect", "boolean", "integer", "number", "date"})


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    label: str
    detail: list[str]


def timeline(session, case: Case) -> list[TimelineEntry]:
    instances = instances_of(session, case.business_key)
    loaded = {i.id: _loaded(session, i) for i in instances}
    names = {i.id: i.process_id for i in instances}
    process_names = dict(session.execute(select(ProcessVersion.process_id, ProcessVersion.name)).all())
    hidden = case.hidden
    entries = []
    for entry in audit.entries_for_case(session, case.business_key):
        detail = entry.detail
        lines: list[str] = []
        version = loaded.get(entry.instance_id)
        if entry.action == "instance.start":
            pid = detail.get("process_id") or names.get(entry.instance_id, "")
            lines.append(process_names.get(pid, pid))
        elif entry.action == "task.complete":
            spec = detail.get("task")
            info = version.user_tasks.get(spec) if version is not None else None
            lines.append(info.name if info is not None else (spec or ""))
            form = version.forms.get(info.form) if version is not None and info is not None and info.form else None
            data = detail.get("data") or {}
            if form is not None:
                for f in form.fields:
                    if f.type not in SAFE_FIELD_TYPES or f.name not in data or data[f.name] in (None, "", []):
                        continue
                    lines.append(f"{_field_label(f)}: {_show_value(f, data[f.name])}")
        elif entry.action == "instance.message":
            lines.append(message_label(detail.get("message", "")))
        elif entry.action in ("task.claim", "task.reassign", "task.unclaim") and detail.get("assignee"):
            lines.append(_("Người xử lý: %(user)s", user=detail["assignee"]))
        elif entry.action in ("instance.suspend", "instance.terminate") and detail.get("reason"):
            lines.append(mask_text(str(detail["reason"]), hidden))
        elif entry.action == "identity.reveal" and detail.get("reason"):
            lines.append(_("Lý do: %(reason)s", reason=mask_text(str(detail["reason"]), hidden)))
        elif entry.action in ("task.reminder", "task.escalation") and detail.get("task"):
            info = version.user_tasks.get(detail["task"]) if version is not None else None
            lines.append(info.name if info is not None else detail["task"])
        entries.append(TimelineEntry(entry.at, entry.actor, action_label(entry.action), lines))
    return entries


def _field_label(f) -> str:
    return f.label_en if is_english() and f.label_en else f.label


def _show_value(f, value) -> str:
    if f.type in ("select", "multiselect"):
        by_value = {o.value: (o.label_en if is_english() and o.label_en else o.label) for o in f.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(by_value.get(str(v), str(v)) for v in values)
    if f.type == "boolean":
        return _("Có") if value else _("Không")
    if f.type == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


# --- related cases ----------------------------------------------------------------------------------------


def related(session, case: Case, user: User) -> list[tuple[str, str, str | None]]:
    """(relation label, receipt number, business key or None when the user may not see it)."""
    p = case.petition
    if p is None:
        return []
    links = [
        (_("Trùng với đơn"), p.duplicate_of_id),
        (_("Tách từ đơn"), p.split_from_id),
        (_("Chuyển đến từ đơn"), p.transferred_from_id),
        (_("Đã chuyển thành đơn"), p.transferred_to_id),
        (_("Khiếu nại lần hai của đơn"), p.appeal_of_id),
    ]
    back = [
        (_("Đơn trùng với đơn này"), Petition.duplicate_of_id),
        (_("Đơn tách từ đơn này"), Petition.split_from_id),
        (_("Khiếu nại lần hai"), Petition.appeal_of_id),
    ]
    out = []
    for label, pid in links:
        if pid is not None:
            other = session.get(Petition, pid)
            if other is not None:
                out.append((label, other))
    for label, column in back:
        for other in session.execute(select(Petition).where(column == p.id).order_by(Petition.id)).scalars():
            out.append((label, other))
    rows = []
    for label, other in out:
        target = Case(other.business_key, other.receiving_unit, other.holding_unit, petition=other)
        visible = may_see_case(session, user, target)
        rows.append((label, other.receipt_no if visible else _("(đơn của đơn vị khác)"),
                     other.business_key if visible else None))
    return rows


# --- comments, attachments (shared with the task page) -------------------------------------------------------


def comments_of(session, business_key: str) -> list[CaseComment]:
    return list(session.execute(
        select(CaseComment).where(CaseComment.business_key == business_key).order_by(CaseComment.created_at, CaseComment.id)
    ).scalars())


def attachments_of(session, business_key: str) -> list[Attachment]:
    return list(session.execute(
        select(Attachment).where(Attachment.business_key == business_key).order_by(Attachment.id)
    ).scalars())


def add_comment(session, case: Case, user: User, raw: str, task_id: str | None = None) -> str | None:
    """Store a comment; the error message when the text is unusable."""
    text = (raw or "").replace("\r\n", "\n").strip()
    if not text:
        return _("Hãy nhập nội dung ý kiến.")
    if len(text) > COMMENT_MAX:
        return _("Ý kiến tối đa %(n)d ký tự.", n=COMMENT_MAX)
    if re.search("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]", text):
        return _("Ý kiến chứa ký tự không hợp lệ.")
    session.add(CaseComment(business_key=case.business_key, task_id=task_id, author=user.username, text=text,
                            created_at=services().runtime.clock.now()))
    session.commit()
    return None


MAX_ATTACHMENT = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": DOCX,
    "xlsx": XLSX,
}


def sniff(extension: str, content: bytes) -> bool:
    """Whether the bytes are what the extension says (magic bytes; an Office file is a zip with
    the parts of a Word document or an Excel workbook)."""
    if extension == "pdf":
        return content.startswith(b"%PDF-")
    if extension in ("jpg", "jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("docx", "xlsx"):
        if not content.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
        main = "word/document.xml" if extension == "docx" else "xl/workbook.xml"
        return "[Content_Types].xml" in names and main in names
    return False


def attachment_path(sha256: str) -> Path:
    return Path(services().settings.var_dir) / "attachments" / sha256[:2] / sha256


def _safe_filename(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip()
    return name[-200:] or "tep"


def store_attachment(session, case: Case, user: User, upload, task_id: str | None = None) -> str | None:
    """Check and store an uploaded file; the error message when it is refused."""
    if upload is None or not upload.filename:
        return _("Hãy chọn một tệp để đính kèm.")
    filename = _safe_filename(upload.filename)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_TYPES:
        return _("Chỉ nhận tệp PDF, JPG, PNG, DOCX hoặc XLSX.")
    content = upload.stream.read(MAX_ATTACHMENT + 1)
    if len(content) > MAX_ATTACHMENT:
        return _("Tệp quá lớn: tối đa 10 MB.")
    if not content:
        return _("Tệp rỗng.")
    if not sniff(extension, content):
        return _("Nội dung tệp không đúng với loại tệp .%(ext)s.", ext=extension)
    digest = hashlib.sha256(content).hexdigest()
    path = attachment_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    session.add(Attachment(business_key=case.business_key, task_id=task_id, filename=filename, sha256=digest,
                           size=len(content), media_type=ALLOWED_TYPES[extension], uploaded_by=user.username,
                           created_at=services().runtime.clock.now()))
    session.commit()
    return None


# --- events ---------------------------------------------------------------------------------------------


def may_raise_events(user: User, case: Case) -> bool:
    """Leaders of the unit holding the case."""
    return has_role(user, "leader") and user.unit_id == case.holding_unit.id


def raisable_events(session, case: Case) -> list[tuple[ProcessInstance, list[str]]]:
    out = []
    running = [i for i in instances_of(session, case.business_key) if i.status in ("running", "waiting")]
    # The runtime reads on its own connection: end the request's read transaction first (on
    # SQLite every transaction takes the write lock).
    session.commit()
    for instance in running:
        try:
            names = services().runtime.waiting_messages(instance.id)
        except EngineError:
            names = []
        if names:
            out.append((instance, names))
    return out


# --- pages --------------------------------------------------------------------------------------------------


def render_case(case: Case, *, revealed=None, reveal_error: str | None = None, comment_error: str | None = None,
                status: int = 200):
    session, user = db_session(), current_user()
    instances = instances_of(session, case.business_key)
    process_names = dict(session.execute(select(ProcessVersion.process_id, ProcessVersion.name)).all())
    documents = documents_of(session, case.petition) if case.petition is not None else list(session.execute(
        select(CaseDocument).where(CaseDocument.reception_id == case.reception.id).order_by(CaseDocument.id)
    ).scalars())
    kinds = {k: (v[1] if is_english() else v[0]) for k, v in DOCUMENT_KINDS.items()}
    can_events = may_raise_events(user, case)
    return render_template(
        "case.html", case=case, summary=summary(case), parties=party_rows(session, case, user),
        tasks=open_tasks(session, case.business_key), timeline=timeline(session, case), documents=documents,
        kinds=kinds, related=related(session, case, user), instances=instances, process_names=process_names,
        events=raisable_events(session, case) if can_events else [], message_label=message_label,
        comments=comments_of(session, case.business_key), attachments=attachments_of(session, case.business_key),
        revealed=revealed, reveal_error=reveal_error, comment_error=comment_error, sealed_mask=SEALED_MASK,
    ), status


@bp.get("/cases/<path:business_key>")
@login_required
def show(business_key: str):
    return render_case(visible_case(business_key))


@bp.post("/cases/<path:business_key>/parties/<int:party_id>/reveal")
@login_required
def reveal(business_key: str, party_id: int):
    case = visible_case(business_key)
    session, user = db_session(), current_user()
    party = session.get(Party, party_id)
    if party is None or party not in case.parties:
        abort(404)
    reason = (request.form.get("reason") or "").strip()[:REASON_MAX]
    if not reason:
        return render_case(case, reveal_error=(party_id, _("Phải nêu lý do khi xem thông tin người tố cáo.")),
                           status=400)
    try:
        view = reveal_identity(session, party_id, user, reason, clock=services().runtime.clock)
    except IdentityAccessDenied:
        session.rollback()
        abort(403)
    except (CaseError, UnknownRecord) as err:
        session.rollback()
        return render_case(case, reveal_error=(party_id, str(err)), status=400)
    session.commit()
    return render_case(case, revealed=view)


@bp.post("/cases/<path:business_key>/comments")
@login_required
def comment(business_key: str):
    case = visible_case(business_key)
    error = add_comment(db_session(), case, current_user(), request.form.get("text", ""))
    if error:
        return render_case(case, comment_error=error, status=400)
    flash(_("Đã ghi ý kiến."), "success")
    return redirect(url_for("cases.show", business_key=case.business_key) + "#comments")


@bp.post("/cases/<path:business_key>/events")
@login_required
def raise_event(business_key: str):
    case = visible_case(business_key)
    session, user = db_session(), current_user()
    if not may_raise_events(user, case):
        abort(403)
    try:
        instance_id = int(request.form.get("instance_id", ""))
    except ValueError:
        abort(400)
    name = request.form.get("message", "")
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.business_key != case.business_key:
        abort(404)
    session.commit()  # release the read transaction before the step opens its own (SQLite)
    if name not in services().runtime.waiting_messages(instance_id):
        flash(_("Hồ sơ không chờ sự kiện này lúc này."), "error")
    else:
        try:
            services().runtime.send_message(instance_id, name, {}, actor=user.username)
        except EngineError as err:
            flash(_("Không thực hiện được: %(error)s", error=str(err)), "error")
        else:
            flash(_("Đã ghi nhận sự kiện “%(event)s”.", event=message_label(name)), "success")
    return redirect(url_for("cases.show", business_key=case.business_key))


def _download(content_or_path, filename: str, media_type: str):
    if isinstance(content_or_path, Path):
        response = send_file(content_or_path, mimetype=media_type, as_attachment=True, download_name=filename,
                             conditional=False, etag=False, max_age=0)
    else:
        response = send_file(io.BytesIO(content_or_path), mimetype=media_type, as_attachment=True,
                             download_name=filename, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cases/<path:business_key>/documents/<int:document_id>")
@login_required
def document(business_key: str, document_id: int):
    case = visible_case(business_key)
    doc = db_session().get(CaseDocument, document_id)
    if doc is None:
        abort(404)
    if case.petition is not None and doc.petition_id != case.petition.id:
        abort(404)
    if case.petition is None and doc.reception_id != case.reception.id:
        abort(404)
    return _download(doc.content, doc.filename, doc.media_type)


@bp.get("/cases/<path:business_key>/attachments/<int:attachment_id>")
@login_required
def attachment(business_key: str, attachment_id: int):
    case = visible_case(business_key)
    row = db_session().get(Attachment, attachment_id)
    if row is None or row.business_key != case.business_key:
        abort(404)
    path = attachment_path(row.sha256)
    if not path.is_file():
        abort(404)
    return _download(path, row.filename, row.media_type)


# --- the diagram ---------------------------------------------------------------------------------------------


@bp.get("/cases/<path:business_key>/diagram/<int:instance_id>.json")
@login_required
def diagram(business_key: str, instance_id: int):
    case = visible_case(business_key)
    session = db_session()
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.business_key != case.business_key:
        abort(404)
    version = session.get(ProcessVersion, instance.version_id)
    current = sorted({t for t in session.execute(
        select(TaskIndex.task_spec).where(TaskIndex.instance_id == instance_id)).scalars()})
    completed = []
    for entry in audit.entries_for_case(session, case.business_key):
        if entry.instance_id == instance_id and entry.action == "task.complete":
            spec = entry.detail.get("task")
            if spec and spec not in completed:
                completed.append(spec)
    response = jsonify({"xml": version.bpmn_xml, "process_id": instance.process_id,
                        "completed": completed, "current": current})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/vendor/<name>")
def vendor(name: str):
    """The browser libraries installed from npm by `make setup` (never a CDN)."""
    if name not in VENDOR_FILES:
        abort(404)
    path, media_type = VENDOR_FILES[name]
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=media_type, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
