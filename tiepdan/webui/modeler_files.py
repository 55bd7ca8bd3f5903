"""What legal staff edit besides diagrams: form definitions (processes/forms/<name>.yaml), the
deadline rule catalogue (processes/rules/catalogue.yaml), and BPMN files drawn with other tools.

A form or the catalogue is checked by the engine's own loaders before anything is written; an
invalid text comes back with the loader's messages and the file is untouched. A valid one is
written atomically (a temporary file in the same folder, then os.replace: a reader never sees half
a file) and audited with its hash. A saved form joins the process library's validation context at
once (the next draft is checked against it, and publishing embeds it in the version); the rule
catalogue is loaded by the runtime at start, so a rule change takes effect at the next restart,
and until then drafts are checked against the rules the runtime uses.

An imported BPMN file goes through engine.bpmn_import.check_bpmn: a refused file (not XML, not
BPMN, entity tricks, too large) stores nothing; an accepted one becomes a draft per process.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tiepdan.engine import audit
from tiepdan.engine.bpmn_import import BpmnRejected, check_bpmn
from tiepdan.engine.deadlines import RuleCatalogue, RuleError
from tiepdan.engine.drafts import save_draft
from tiepdan.engine.forms import FormError, load_form

from .modeler import NOTE_MAX, ROLES, bp
from .security import current_user, db_session, roles_required, services

FORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,80}$")
RULES_FILE = "catalogue.yaml"
TEXT_MAX = 512 * 1024


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_audited(path: Path, text: str, action: str, detail: dict) -> None:
    """Write `text` to `path` and record it; the audit row commits only once the file is written."""
    session = db_session()
    svc = services()
    audit.record(
        session, actor=current_user().username, action=action, clock=svc.runtime.clock,
        detail={**detail, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()},
    )
    write_atomically(path, text)
    session.commit()


def submitted_text() -> str | None:
    text = request.form.get("content")
    if text is None or len(text) > TEXT_MAX:
        return None
    return text.replace("\r\n", "\n")


# --- forms -------------------------------------------------------------------------------------


def forms_dir() -> Path:
    return services().library.processes_dir / "forms"


def check_form(name: str, text: str):
    """(FormDefinition, []) or (None, problems), read by the engine's loader from a scratch copy."""
    with tempfile.TemporaryDirectory(prefix="tiepdan-form-") as tmp:
        path = Path(tmp) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_form(path), []
        except FormError as err:
            return None, [p.replace(str(path), path.name) for p in err.problems]


@bp.get("/forms")
@roles_required(*ROLES)
def forms():
    new = request.args.get("name", "")
    if FORM_NAME.match(new):
        return redirect(url_for(".edit_form", name=new))
    names = sorted(p.stem for p in forms_dir().glob("*.yaml") if not p.name.startswith("."))
    return render_template("process_forms.html", names=names, form_titles=services().library.ctx.forms)


@bp.route("/forms/<name>", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit_form(name: str):
    if not FORM_NAME.match(name):
        abort(404)
    path = forms_dir() / f"{name}.yaml"
    problems: list[str] = []
    if request.method == "POST":
        text = submitted_text()
        if text is None:
            problems = [_("Nội dung quá dài hoặc bị thiếu.")]
        else:
            form, problems = check_form(name, text)
            if form is not None:
                save_audited(path, text, "process.form_saved", {"form": name})
                services().library.ctx.forms[name] = form
                flash(_("Đã lưu biểu mẫu %(name)s.", name=name), "success")
                return redirect(url_for(".edit_form", name=name))
        content = request.form.get("content", "")
    else:
        content = path.read_text(encoding="utf-8") if path.is_file() else ""
    return render_template(
        "process_file.html", title=_("Biểu mẫu %(name)s", name=name), content=content, problems=problems,
        action=url_for(".edit_form", name=name), is_new=not path.is_file(),
    ), (400 if problems else 200)


# --- the deadline rule catalogue -----------------------------------------------------------------


def rules_dir() -> Path:
    return services().library.processes_dir / "rules"


def check_rules(text: str) -> tuple[list[str], set[str]]:
    """(problems, rule ids) of the catalogue with `text` as catalogue.yaml, read by the engine's
    loader from a scratch copy of the rules folder (so a duplicate id in another file shows)."""
    with tempfile.TemporaryDirectory(prefix="tiepdan-rules-") as tmp:
        scratch = Path(tmp)
        for other in rules_dir().glob("*.y*ml"):
            if other.name != RULES_FILE:
                shutil.copy(other, scratch / other.name)
        (scratch / RULES_FILE).write_text(text, encoding="utf-8")
        problems = RuleCatalogue.validate(scratch)
        if problems:
            return problems, set()
        return [], set(RuleCatalogue.load(scratch).ids())


def rule_ids_on_disk() -> set[str]:
    try:
        return set(RuleCatalogue.load(rules_dir()).ids())
    except RuleError:
        return set()


def rules_in_use(rule_ids: set[str]) -> list[str]:
    """The problems of removing `rule_ids`: each one a diagram in processes/ still names."""
    found = []
    for path in sorted(services().library.processes_dir.glob("*.bpmn")):
        text = path.read_text(encoding="utf-8")
        found += [
            _("Quy tắc %(rule)s vẫn được dùng trong %(file)s.", rule=rid, file=path.name)
            for rid in sorted(rule_ids) if f'"{rid}"' in text
        ]
    return found


@bp.route("/rules", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit_rules():
    path = rules_dir() / RULES_FILE
    problems: list[str] = []
    if request.method == "POST":
        text = submitted_text()
        if text is None:
            problems = [_("Nội dung quá dài hoặc bị thiếu.")]
        else:
            problems, ids = check_rules(text)
            if not problems:
                problems = rules_in_use(rule_ids_on_disk() - ids)
            if not problems:
                save_audited(path, text, "process.rules_saved", {"file": f"rules/{RULES_FILE}"})
                flash(_("Đã lưu danh mục quy tắc thời hạn."), "success")
                flash(_("Thay đổi có hiệu lực từ lần khởi động lại tiếp theo của hệ thống."), "info")
                return redirect(url_for(".edit_rules"))
        content = request.form.get("content", "")
    else:
        content = path.read_text(encoding="utf-8")
    return render_template(
        "process_file.html", title=_("Danh mục quy tắc thời hạn"), content=content, problems=problems,
        action=url_for(".edit_rules"), is_new=False,
    ), (400 if problems else 200)


# --- import --------------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*ROLES)
def import_file():
    if request.method == "GET":
        return render_template("process_import.html")
    upload = request.files.get("file")
    note = (request.form.get("note") or "").strip()[:NOTE_MAX]
    if upload is None or not upload.filename:
        return render_template("process_import.html", error=_("Chưa chọn tệp.")), 400
    filename = Path(upload.filename).name
    try:
        report = check_bpmn(upload.read(), filename)
    except BpmnRejected as err:
        return render_template("process_import.html", error=err.message), 400
    session = db_session()
    drafts = []
    try:
        for process_id in report.process_ids:
            result = save_draft(session, services().library, process_id, report.xml, current_user().username,
                                note or _("Nhập từ tệp %(file)s", file=filename), clock=services().runtime.clock)
            drafts.append((process_id, result))
    except BpmnRejected as err:
        session.rollback()
        return render_template("process_import.html", error=err.message), 400
    session.commit()
    return render_template("process_import.html", report=report, drafts=drafts, filename=filename)
