"""The front desk (bộ phận tiếp nhận): start a reception session, register a petition received by
post, forwarded by a body or sent online, and see today's reception schedule of the unit.

Who: reception officers and leaders, always in their own unit (no unit is taken from the form).
Each registration is one transaction: the case records (cases.receptions / cases.petitions /
cases.parties) and the start of the procedure (handlers.reception.open_reception_procedure /
handlers.intake.open_intake) commit together or not at all. Identities go to `party_identity`
only; the workflow gets the petition's business key and dates, never a name.

The citizen's tracking code is shown once, on the page that answers the registration: only its
sha256 is stored. A form carries a one-time id (kept in the session), so that reloading that page
or sending the form twice does not register the petition twice.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from tiepdan.cases.errors import CaseError
from tiepdan.cases.identity import visible_identity
from tiepdan.cases.models import Party, Petition, Reception, Unit, User
from tiepdan.cases.parties import IdentityData, add_petitioner, add_respondent
from tiepdan.cases.petitions import register_petition
from tiepdan.cases.receptions import add_citizen, open_reception
from tiepdan.cases.textutil import normalise_id_number
from tiepdan.cases.units import find_unit
from tiepdan.cases.vocab import CHANNELS, ID_TYPES
from tiepdan.engine.errors import EngineError
from tiepdan.engine.models import ProcessInstance, TaskIndex
from tiepdan.handlers.intake import open_intake
from tiepdan.handlers.reception import open_reception_procedure

from .security import current_user, db_session, has_role, roles_required, sees_subtree, services

bp = Blueprint("frontdesk", __name__, url_prefix="/frontdesk")

DESK_ROLES = ("reception_officer", "leader")
# The channels registered here: in person goes through a reception session.
LETTER_CHANNELS = ("post", "forwarded", "online")
MAX_PEOPLE = 30
FORM_IDS = "frontdesk_forms"
MAX_FORM_IDS = 20
PERSON_FIELDS = ("full_name", "address", "id_type", "id_number", "phone")
ID_PATTERNS = {
    "cccd": re.compile(r"\d{12}"),
    "dinh_danh": re.compile(r"\d{12}"),
    "cmnd": re.compile(r"\d{9}|\d{12}"),
    "passport": re.compile(r"[A-Z0-9]{6,12}"),
}
PHONE = re.compile(r"\+?[0-9]{8,15}")


def clock():
    return services().runtime.clock


def today() -> date:
    return clock().today()


# --- the one-time form id -----------------------------------------------------------------------


def new_form_id() -> str:
    ids = [i for i in session.get(FORM_IDS, []) if isinstance(i, str)][-(MAX_FORM_IDS - 1):]
    form_id = secrets.token_urlsafe(12)
    session[FORM_IDS] = ids + [form_id]
    return form_id


def form_id_valid(form_id: str | None) -> bool:
    return bool(form_id) and form_id in session.get(FORM_IDS, [])


def use_form_id(form_id: str) -> None:
    session[FORM_IDS] = [i for i in session.get(FORM_IDS, []) if i != form_id]


# --- people rows ----------------------------------------------------------------------------------


@dataclass
class PersonRow:
    full_name: str = ""
    address: str = ""
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    representative: bool = False

    @property
    def blank(self) -> bool:
        return not any(getattr(self, name) for name in PERSON_FIELDS) and not self.representative

    def identity(self) -> IdentityData:
        return IdentityData(
            full_name=self.full_name, address=self.address, id_type=self.id_type or None,
            id_number=normalise_id_number(self.id_number) or None, phone=self.phone or None,
        )


def _text(form, name: str, limit: int) -> str:
    return " ".join((form.get(name) or "").split())[:limit]


def row_count(form, prefix: str) -> int:
    try:
        count = int(form.get(f"{prefix}_rows") or 1)
    except ValueError:
        count = 1
    return max(1, min(count, MAX_PEOPLE))


def parse_people(form, prefix: str) -> list[PersonRow]:
    rows = []
    for i in range(row_count(form, prefix)):
        key = f"{prefix}-{i}-"
        rows.append(PersonRow(
            full_name=_text(form, key + "full_name", 200),
            address=_text(form, key + "address", 500),
            id_type=_text(form, key + "id_type", 20),
            id_number=_text(form, key + "id_number", 30),
            phone=_text(form, key + "phone", 30),
            representative=form.get(key + "representative") in ("1", "on", "true"),
        ))
    return rows


def validate_people(rows: list[PersonRow], prefix: str, errors: dict[str, str], *, what: str) -> list[PersonRow]:
    """The filled rows; per-field messages in `errors` (keyed by input name)."""
    filled = []
    for i, row in enumerate(rows):
        if row.blank:
            continue
        filled.append(row)
        key = f"{prefix}-{i}-"
        if not row.full_name:
            errors[key + "full_name"] = _("Hãy nhập họ và tên.")
        if row.id_type and row.id_type not in ID_TYPES:
            errors[key + "id_type"] = _("Loại giấy tờ không hợp lệ.")
        if row.id_number:
            number = normalise_id_number(row.id_number)
            if not row.id_type:
                errors[key + "id_type"] = _("Hãy chọn loại giấy tờ tùy thân của số đã nhập.")
            elif row.id_type in ID_PATTERNS and not ID_PATTERNS[row.id_type].fullmatch(number):
                errors[key + "id_number"] = (
                    _("Số hộ chiếu phải gồm 6 đến 12 chữ cái hoặc chữ số.") if row.id_type == "passport"
                    else _("Số căn cước, định danh cá nhân phải gồm 12 chữ số.") if row.id_type in ("cccd", "dinh_danh")
                    else _("Số chứng minh nhân dân phải gồm 9 hoặc 12 chữ số.")
                )
        if row.phone and not PHONE.fullmatch(re.sub(r"[\s.\-()]", "", row.phone)):
            errors[key + "phone"] = _("Số điện thoại không hợp lệ.")
    if not filled:
        errors[f"{prefix}-0-full_name"] = what
    return filled


def pad_rows(rows: list[PersonRow], minimum: int = 1) -> list[PersonRow]:
    return rows + [PersonRow() for _ in range(max(0, minimum - len(rows)))]


def parse_date(raw: str | None, name: str, errors: dict[str, str], *, required: bool = False,
               not_after: date | None = None) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            errors[name] = _("Hãy nhập ngày (dd/mm/yyyy).")
        return None
    value = None
    for parse in (date.fromisoformat, _dmy):
        try:
            value = parse(raw)
            break
        except ValueError:
            continue
    if value is None:
        errors[name] = _("Ngày không hợp lệ (dd/mm/yyyy).")
        return None
    if not_after is not None and value > not_after:
        errors[name] = _("Ngày không được sau ngày hôm nay.")
        return None
    return value


def _dmy(raw: str) -> date:
    day, month, year = raw.split("/")
    return date(int(year), int(month), int(day))


def unit_options(s) -> list[tuple[str, str]]:
    """Units offered as forwarding bodies and respondents' units (code, name)."""
    return list(s.execute(select(Unit.code, Unit.name).order_by(Unit.code).limit(5000)).all())


# --- today's schedule ------------------------------------------------------------------------------


@dataclass
class ScheduleRow:
    reception: Reception
    first_citizen: str
    petitions: list[str]
    status: str
    status_class: str
    tasks: list[TaskIndex] = field(default_factory=list)


def reception_status(reception: Reception, instance: ProcessInstance | None, tasks: list[TaskIndex]) -> tuple[str, str]:
    if reception.refused:
        return _("Đã từ chối tiếp"), "overdue"
    if instance is None:
        return _("Chưa mở quy trình tiếp"), "due-soon"
    if instance.status == "completed":
        return _("Đã tiếp xong"), ""
    if instance.status == "error":
        return _("Quy trình gặp lỗi, cần xử lý"), "overdue"
    if instance.status == "suspended":
        return _("Tạm dừng"), "due-soon"
    if instance.status == "terminated":
        return _("Đã hủy"), ""
    if tasks:
        return _("Đang tiếp: %(tasks)s", tasks=", ".join(t.task_name for t in tasks)), "due-soon"
    return _("Đang tiếp"), "due-soon"


@bp.get("")
@roles_required(*DESK_ROLES)
def index():
    user, s = current_user(), db_session()
    day = today()
    receptions = list(s.execute(
        select(Reception).where(Reception.unit_id == user.unit_id, Reception.received_on == day)
        .order_by(Reception.received_at, Reception.id)
    ).scalars())
    keys = [f"reception/{r.id}" for r in receptions]
    instances = {i.business_key: i for i in s.execute(
        select(ProcessInstance).where(ProcessInstance.business_key.in_(keys or [""]))
        .order_by(ProcessInstance.id)
    ).scalars()}
    open_tasks: dict[str, list[TaskIndex]] = {}
    for task in s.execute(select(TaskIndex).where(TaskIndex.business_key.in_(keys or [""])).order_by(TaskIndex.created_at)).scalars():
        open_tasks.setdefault(task.business_key, []).append(task)
    rows = []
    for reception in receptions:
        key = f"reception/{reception.id}"
        people = list(s.execute(
            select(Party).where(Party.reception_id == reception.id, Party.role != "respondent")
            .order_by(Party.ordinal, Party.id).limit(1)
        ).scalars())
        first = visible_identity(s, people[0], user).display_name if people else ""
        petitions = list(s.execute(
            select(Petition.receipt_no).where(Petition.reception_id == reception.id).order_by(Petition.id)
        ).scalars())
        tasks = open_tasks.get(key, [])
        status, css = reception_status(reception, instances.get(key), tasks)
        rows.append(ScheduleRow(reception, first, petitions, status, css, tasks))
    registered_today = s.execute(
        select(func.count()).select_from(Petition)
        .where(Petition.receiving_unit_id == user.unit_id, Petition.received_on == day)
    ).scalar_one()
    return render_template("frontdesk_today.html", rows=rows, today=day, registered_today=registered_today,
                           inbox_view="units" if sees_subtree(user) else "queue")


# --- a reception session ---------------------------------------------------------------------------


@bp.route("/reception", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def reception():
    user = current_user()
    form = request.form
    errors: dict[str, str] = {}
    leader_session = form.get("is_leader_session") in ("1", "on")
    location = _text(form, "location", 300)
    rows = parse_people(form, "citizen") if request.method == "POST" else [PersonRow()]
    form_id = form.get("form_id") if request.method == "POST" else new_form_id()
    status = 200
    if request.method == "POST" and form.get("action") == "add":
        rows = pad_rows(rows, len(rows) + 1) if len(rows) < MAX_PEOPLE else rows
    elif request.method == "POST":
        if not form_id_valid(form_id):
            return _already_sent()
        people = validate_people(rows, "citizen", errors, what=_("Hãy nhập ít nhất một công dân đến trình bày."))
        if leader_session and not has_role(user, "leader"):
            errors["is_leader_session"] = _("Chỉ lãnh đạo đơn vị mới ghi được buổi lãnh đạo tiếp công dân.")
        if not errors:
            key = _start_reception(user, people, leader_session, location, errors)
            if key is not None:
                use_form_id(form_id)
                return _to_task(user, key)
        status = 400
    return render_template(
        "frontdesk_reception.html", rows=rows, errors=errors, leader_session=leader_session, location=location,
        form_id=form_id, id_types=ID_TYPES, is_leader=has_role(user, "leader"),
    ), status


def _start_reception(user: User, people: list[PersonRow], leader_session: bool, location: str,
                     errors: dict[str, str]) -> str | None:
    s = db_session()
    try:
        reception = open_reception(
            s, unit=user.unit, received_by=user, is_leader_session=leader_session, location=location,
            citizen_count=len(people), created_by=user.username, clock=clock(),
        )
        for row in people:
            add_citizen(s, reception, row.identity(), is_representative=row.representative, clock=clock())
        key = open_reception_procedure(services().runtime, s, reception, user.username)
        s.commit()
    except (CaseError, ValueError, EngineError) as err:
        s.rollback()
        errors["_form"] = _("Không lưu được: %(error)s", error=str(err))
        return None
    return key


def _to_task(user: User, business_key: str):
    """To the session's first task: claimed for the officer who holds its role, else the queue."""
    s = db_session()
    task = s.execute(
        select(TaskIndex).where(TaskIndex.business_key == business_key).order_by(TaskIndex.created_at)
    ).scalars().first()
    view = "units" if sees_subtree(user) else "queue"
    if task is not None and task.role in user.roles and task.unit_id == user.unit.code:
        s.commit()  # end the read before the runtime's own transaction
        try:
            services().runtime.claim(task.id, user.username)
            view = "mine"
        except EngineError:
            pass
    flash(_("Đã mở lượt tiếp công dân. Tiếp tục ở việc “%(task)s”.", task=task.task_name) if task is not None
          else _("Đã mở lượt tiếp công dân."), "success")
    if view == "mine" and "tasks.show" in current_app.view_functions:
        return redirect(url_for("tasks.show", task_id=task.id))
    return redirect(url_for("inbox.index", view=view, q=business_key))


def _already_sent():
    flash(_("Biểu mẫu này đã được gửi (hoặc đã hết hạn) nên không ghi lại lần nữa. "
            "Hãy kiểm tra danh sách hôm nay trước khi nhập lại."), "error")
    return redirect(url_for("frontdesk.index"))


# --- a petition received by post, forwarded or online ----------------------------------------------


@dataclass
class PetitionForm:
    channel: str = "post"
    title: str = ""
    content: str = ""
    letter_date: str = ""
    petitioner_count: str = "1"
    forwarded_by_unit: str = ""
    forwarded_by_name: str = ""
    forward_doc_no: str = ""
    forward_doc_date: str = ""
    respondent_name: str = ""
    respondent_position: str = ""
    respondent_unit: str = ""

    @classmethod
    def from_request(cls, form) -> "PetitionForm":
        return cls(
            channel=(form.get("channel") or "").strip(),
            title=_text(form, "title", 300),
            content=(form.get("content") or "").strip()[:20000],
            letter_date=_text(form, "letter_date", 20),
            petitioner_count=_text(form, "petitioner_count", 6) or "1",
            forwarded_by_unit=_text(form, "forwarded_by_unit", 50),
            forwarded_by_name=_text(form, "forwarded_by_name", 300),
            forward_doc_no=_text(form, "forward_doc_no", 60),
            forward_doc_date=_text(form, "forward_doc_date", 20),
            respondent_name=_text(form, "respondent_name", 200),
            respondent_position=_text(form, "respondent_position", 200),
            respondent_unit=_text(form, "respondent_unit", 50),
        )


@dataclass
class Checked:
    letter_date: date | None = None
    count: int = 1
    forward_unit: Unit | None = None
    forward_doc_date: date | None = None
    respondent_unit: Unit | None = None


def validate_petition(f: PetitionForm, people: list[PersonRow], errors: dict[str, str]) -> Checked:
    s, day = db_session(), today()
    out = Checked()
    if f.channel not in LETTER_CHANNELS:
        errors["channel"] = _("Hãy chọn nguồn đơn: bưu chính, cơ quan chuyển đến hoặc trực tuyến.")
    if not f.content:
        errors["content"] = _("Hãy nhập nội dung đơn.")
    out.letter_date = parse_date(f.letter_date, "letter_date", errors, not_after=day)
    try:
        out.count = int(f.petitioner_count)
        if out.count < 1 or out.count > 100_000:
            raise ValueError
    except ValueError:
        errors["petitioner_count"] = _("Số người đứng đơn phải là số nguyên từ 1 trở lên.")
    else:
        if out.count < len(people):
            errors["petitioner_count"] = _("Số người đứng đơn không được ít hơn số người đã nhập (%(n)d).", n=len(people))
    if sum(1 for p in people if p.representative) > max(out.count, len(people)):
        errors["petitioner_count"] = _("Số người đại diện không được nhiều hơn số người đứng đơn.")
    if f.channel == "forwarded":
        if f.forwarded_by_unit:
            out.forward_unit = find_unit(s, f.forwarded_by_unit)
            if out.forward_unit is None:
                errors["forwarded_by_unit"] = _("Không có đơn vị mã %(code)s.", code=f.forwarded_by_unit)
        elif not f.forwarded_by_name:
            errors["forwarded_by_name"] = _("Hãy chọn đơn vị hoặc ghi tên cơ quan, tổ chức, cá nhân chuyển đơn.")
        if not f.forward_doc_no:
            errors["forward_doc_no"] = _("Hãy nhập số văn bản chuyển đơn.")
        out.forward_doc_date = parse_date(f.forward_doc_date, "forward_doc_date", errors, required=True, not_after=day)
    if f.respondent_unit:
        out.respondent_unit = find_unit(s, f.respondent_unit)
        if out.respondent_unit is None:
            errors["respondent_unit"] = _("Không có đơn vị mã %(code)s.", code=f.respondent_unit)
    if f.respondent_position and not f.respondent_name:
        errors["respondent_name"] = _("Hãy nhập họ tên người bị khiếu nại, tố cáo.")
    return out


@bp.route("/petition", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def petition():
    user, s = current_user(), db_session()
    errors: dict[str, str] = {}
    if request.method == "GET":
        f = PetitionForm(channel=request.args.get("channel") if request.args.get("channel") in LETTER_CHANNELS else "post")
        rows, form_id = [PersonRow()], new_form_id()
    else:
        f, rows, form_id = PetitionForm.from_request(request.form), parse_people(request.form, "petitioner"), request.form.get("form_id")
    status = 200
    if request.method == "POST" and request.form.get("action") == "add":
        rows = pad_rows(rows, len(rows) + 1) if len(rows) < MAX_PEOPLE else rows
    elif request.method == "POST":
        if not form_id_valid(form_id):
            return _already_sent()
        people = validate_petition_people(rows, errors)
        checked = validate_petition(f, people, errors)
        if not errors:
            registered = _register(user, f, people, checked, errors)
            if registered is not None:
                use_form_id(form_id)
                new, code = registered
                task = s.execute(
                    select(TaskIndex).where(TaskIndex.business_key == new.business_key).order_by(TaskIndex.created_at)
                ).scalars().first()
                # Answered here, not after a redirect: the code is in this one response only.
                return render_template("frontdesk_registered.html", petition=new, tracking_code=code, task=task,
                                       channel_label=CHANNELS.get(new.channel),
                                       inbox_view="units" if sees_subtree(user) else None,
                                       case_url=url_for("cases.show", business_key=new.business_key)
                                       if "cases.show" in current_app.view_functions else None)
        status = 400
    return render_template(
        "frontdesk_petition.html", f=f, rows=rows, errors=errors, form_id=form_id, id_types=ID_TYPES,
        channels={c: CHANNELS[c] for c in LETTER_CHANNELS}, units=unit_options(s),
    ), status


def validate_petition_people(rows: list[PersonRow], errors: dict[str, str]) -> list[PersonRow]:
    return validate_people(rows, "petitioner", errors, what=_("Hãy nhập ít nhất một người đứng đơn."))


def _register(user: User, f: PetitionForm, people: list[PersonRow], checked: Checked, errors: dict[str, str]):
    s = db_session()
    try:
        registered = register_petition(
            s, unit=user.unit, content=f.content, channel=f.channel, created_by=user.username, title=f.title,
            letter_date=checked.letter_date, petitioner_count=max(checked.count, len(people)),
            forwarded_by=checked.forward_unit if f.channel == "forwarded" else None,
            forwarded_by_name=(f.forwarded_by_name or None) if f.channel == "forwarded" else None,
            forward_doc_no=f.forward_doc_no if f.channel == "forwarded" else None,
            forward_doc_date=checked.forward_doc_date if f.channel == "forwarded" else None,
            clock=clock(),
        )
        petition = registered.petition
        for row in people:
            add_petitioner(s, petition, row.identity(), is_representative=row.representative, clock=clock())
        if f.respondent_name or checked.respondent_unit is not None:
            add_respondent(
                s, petition, name=f.respondent_name or checked.respondent_unit.name, position=f.respondent_position,
                organisation_unit=checked.respondent_unit, kind="person" if f.respondent_name else "organisation",
                clock=clock(),
            )
        open_intake(services().runtime, s, petition, user.username)
        s.commit()
    except (CaseError, ValueError, EngineError) as err:
        s.rollback()
        errors["_form"] = _("Không lưu được: %(error)s", error=str(err))
        return None
    return petition, registered.tracking_code
