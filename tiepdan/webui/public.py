"""The public side (no sign-in): published decisions and conclusions, and case tracking.

Publications (/public/, /public/publications, /public/publications/archive): what the
publication procedure put on the public list (tiepdan.cases.publications): title, unit, the
document's date, the posting period and the published document as stored. Nothing else of the
case is shown. The title is built by the procedure and refused if it names a denouncer; the page
masks every party's identity in it as well (no personal name at all on the list), and the
downloadable document is the one the procedure checked. A document of a publication that is not
on the current list or in the archive answers 404.

Reception schedules (/public/schedules, printable at /public/schedules/print): the leaders'
periodic reception days from today on, each shown once its posting day has come (5 working
days ahead on the calendar, tiepdan.cases.schedules), with postponements and cancellations:
day, hours, place, and the receiving leader's name and position, nothing else of anyone.

Tracking (/public/track): the receipt number and the secret code printed on the receipt give
the stage, the next step with its statutory due date, and the documents sent to the citizen;
nothing of anyone's personal data. A wrong code answers exactly as an unknown receipt. Failed
tries are rate-limited per client address, in the sign-in limiter's table (webui.ratelimit,
`login_attempt`): one row per failure with ``username = TRACK_MARKER`` and ``ip = "track:" +
address``, so that they never count against an office's sign-ins nor the other way round, and
rows are pruned with the others. The documents of a tracking result download through a signed
token bound to this browser session's tracking result and valid for `DOWNLOAD_MAX_AGE`.
"""
from __future__ import annotations

import math
import secrets
from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_babel import gettext as _
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from tiepdan.cases.documents import DOCUMENT_KINDS
from tiepdan.cases.identity import public_projection
from tiepdan.cases.models import CaseDocument, LoginAttempt, Petition, Publication
from tiepdan.cases.petitions import find_by_tracking_code, identity_strings
from tiepdan.cases.publications import archived_publications, current_publications
from tiepdan.cases.schedules import LEADER_TITLES, leader_position, public_sessions
from tiepdan.cases.textutil import mask_text
from tiepdan.cases.vocab import PETITION_STATUSES, PETITION_TYPES, PUBLICATION_FORMS
from tiepdan.engine.calendar import load_calendar
from tiepdan.engine.clock import utc_to_local
from tiepdan.engine.models import TaskIndex

from . import i18n, ratelimit
from .security import db_session, services

bp = Blueprint("public", __name__, url_prefix="/public")

PAGE_SIZE = 20
TRACK_MAX_FAILURES = 10  # per client address ...
TRACK_WINDOW = timedelta(minutes=15)  # ... in this window (app.config can override both)
TRACK_MARKER = "#public-track"  # cannot be a username: the limiter rows of tracking
DOWNLOAD_MAX_AGE = 30 * 60  # seconds a tracking result's document links stay valid
SESSION_NONCE = "track"
# Documents addressed to the citizen (notices, guidance, decisions sent to the parties); only
# those that leave the unit, which were checked for a sealed identity when issued.
CITIZEN_KINDS = frozenset({
    "guidance", "transfer_slip", "refusal_notice", "documents_receipt",
    "complaint_accept", "complaint_refuse", "complaint_dec1", "complaint_dec2",
    "denounce_notice", "extension", "suspension", "continuation", "termination",
})
MAX_INPUT = 60


def _now() -> datetime:
    clock = getattr(services().runtime, "clock", None)
    return clock.now() if clock is not None else datetime.now(timezone.utc).replace(tzinfo=None)


def _today() -> date:
    return utc_to_local(_now()).date()


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# --- publications ------------------------------------------------------------------------------


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def _public_title(publication: Publication) -> str:
    """The title with every party's identity masked: no personal name on the public list."""
    hidden: list[str] = []
    for party in publication.petition.parties:
        if party.identity is not None:
            hidden += identity_strings(party.identity)
    return mask_text(publication.title, hidden) if hidden else publication.title


def _entry(publication: Publication) -> dict:
    doc = publication.document
    return {
        "id": publication.id,
        "title": _public_title(publication),
        "unit": publication.unit.name,
        "form": i18n.label(PUBLICATION_FORMS.get(publication.form)),
        "date": doc.created_at if doc is not None else publication.created_at,
        "number": doc.number if doc is not None else "",
        "starts_on": publication.starts_on,
        "ends_on": publication.ends_on,
        "has_document": doc is not None,
    }


def _listing(archive: bool):
    s, today, page = db_session(), _today(), _page()
    found = (archived_publications if archive else current_publications)(s, today)
    window = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1]
    items = [_entry(p) for p in window[:PAGE_SIZE]]
    return render_template("public_publications.html", items=items, archive=archive, page=page,
                           has_next=len(window) > PAGE_SIZE, total=len(found), today=today)


@bp.get("/")
@bp.get("/publications")
def publications():
    return _listing(archive=False)


@bp.get("/publications/archive")
def archive():
    return _listing(archive=True)


def _is_public(publication: Publication, today: date) -> bool:
    """On the current list or in the archive (the conditions of tiepdan.cases.publications)."""
    if publication.status != "ended":
        return publication.starts_on <= today <= publication.ends_on
    return bool(publication.keep_in_archive) and publication.ends_on < today


def _send(doc: CaseDocument):
    response = current_app.response_class(doc.content, mimetype=doc.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response


@bp.get("/publications/<int:publication_id>/document")
def publication_document(publication_id: int):
    s = db_session()
    publication = s.get(Publication, publication_id)
    if publication is None or not _is_public(publication, _today()):
        abort(404)
    doc = publication.document
    if doc is None:
        abort(404)
    return _send(doc)


# --- reception schedules -----------------------------------------------------------------------


def weekday(day: date) -> str:
    return (_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"),
            _("Chủ nhật"))[day.weekday()]


def _schedule_groups(s, today: date) -> list[tuple[str, list[dict]]]:
    """The public sessions by unit, in the unit tree's order."""
    groups: dict[str, list[dict]] = {}
    for found in public_sessions(s, today, calendar=load_calendar(s)):
        groups.setdefault(found.unit.name, []).append({
            "id": found.id, "day": found.day, "weekday": weekday(found.day),
            "hours": f"{found.starts_at} - {found.ends_at}", "place": found.place,
            "leader": found.leader.full_name,
            "position": i18n.label(LEADER_TITLES[found.leader_title]) if i18n.is_english() else leader_position(found),
            "topics": found.topics, "postponed_from": found.postponed_from, "postpone_reason": found.postpone_reason,
            "cancelled": found.cancelled, "cancel_reason": found.cancel_reason,
        })
    return list(groups.items())


def _schedules_page(template: str):
    s, today = db_session(), _today()
    groups = _schedule_groups(s, today)
    s.rollback()
    return render_template(template, groups=groups, today=today)


@bp.get("/schedules")
def schedules():
    return _schedules_page("public_schedules.html")


@bp.get("/schedules/print")
def schedules_print():
    return _schedules_page("public_schedules_print.html")


# --- tracking ----------------------------------------------------------------------------------


def _client_ip() -> str:
    return request.remote_addr or "-"


def _limiter_ip() -> str:
    return f"track:{_client_ip()}"[:64]


def _blocked_for(s, now: datetime) -> int:
    """Minutes until this address may try again (0: now)."""
    limit = current_app.config.get("PUBLIC_TRACK_MAX_FAILURES", TRACK_MAX_FAILURES)
    window = current_app.config.get("PUBLIC_TRACK_WINDOW", TRACK_WINDOW)
    count, oldest = s.execute(
        select(func.count(), func.min(LoginAttempt.at))
        .where(LoginAttempt.ip == _limiter_ip(), LoginAttempt.at > now - window)
    ).one()
    if count < limit:
        return 0
    return max(1, math.ceil((oldest + window - now).total_seconds() / 60))


def _normal_receipt(value: str) -> str:
    return "".join(value.split()).upper()


def _find(s, receipt_no: str, code: str) -> Petition | None:
    """The petition of this receipt number and code; None for a wrong code or an unknown one."""
    if not receipt_no or not code or len(receipt_no) > MAX_INPUT or len(code) > MAX_INPUT:
        return None
    petition = find_by_tracking_code(s, code)
    if petition is None or _normal_receipt(petition.receipt_no) != _normal_receipt(receipt_no):
        return None
    return petition


class _ClockSigner(TimestampSigner):
    """Timestamps from the application's clock (the engine's), so a fixed clock governs expiry."""

    def get_timestamp(self) -> int:
        return int(_now().replace(tzinfo=timezone.utc).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="tiepdan.public.track-document", signer=_ClockSigner)


def _result(s, petition: Petition) -> dict:
    projection = public_projection(s, petition)
    tasks = list(s.execute(
        select(TaskIndex).where(TaskIndex.business_key == petition.business_key, TaskIndex.state == "open")
        .order_by(TaskIndex.due_date.is_(None), TaskIndex.due_date, TaskIndex.created_at)
    ).scalars())
    steps, seen = [], set()
    for task in tasks:
        if task.task_name not in seen:
            seen.add(task.task_name)
            steps.append({"name": task.task_name, "due_date": task.due_date})
    nonce = secrets.token_urlsafe(16)
    session[SESSION_NONCE] = nonce
    serializer = _serializer()
    documents = [
        {
            "title": i18n.label(DOCUMENT_KINDS[doc.kind][:2]),
            "number": doc.number,
            "date": doc.created_at,
            "token": serializer.dumps({"d": doc.id, "p": petition.id, "n": nonce}),
        }
        for doc in s.execute(
            select(CaseDocument).where(
                CaseDocument.petition_id == petition.id, CaseDocument.leaves_unit.is_(True),
                CaseDocument.kind.in_(sorted(CITIZEN_KINDS)),
            ).order_by(CaseDocument.id)
        ).scalars()
    ]
    return {
        "receipt_no": projection["receipt_no"],
        "received_on": petition.received_on,
        "receiving_unit": projection["receiving_unit"],
        "holding_unit": projection["holding_unit"],
        "petition_type": i18n.label(PETITION_TYPES.get(petition.petition_type)),
        "status": i18n.label(PETITION_STATUSES.get(petition.status)) or petition.status,
        "transferred_to": projection["transferred_to"],
        "guided_to": projection["guided_to"],
        "steps": steps,
        "documents": documents,
    }


@bp.route("/track", methods=["GET", "POST"])
def track():
    if request.method == "GET":
        return _no_store(current_app.make_response(render_template("public_track.html")))
    s, now = db_session(), _now()
    wait = _blocked_for(s, now)
    if wait:
        s.rollback()
        message = _("Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.", minutes=wait)
        return _no_store(current_app.make_response((render_template("public_track.html", error=message), 429)))
    petition = _find(s, (request.form.get("receipt_no") or "").strip(), (request.form.get("code") or "").strip())
    if petition is None:
        ratelimit.record_failure(s, TRACK_MARKER, _limiter_ip(), now)
        s.commit()
        current_app.logger.info("public tracking failed from %s", _client_ip())
        message = _("Không tìm thấy hồ sơ với số biên nhận và mã tra cứu đã nhập. Vui lòng kiểm tra lại.")
        return _no_store(current_app.make_response((render_template("public_track.html", error=message), 404)))
    result = _result(s, petition)
    s.rollback()
    return _no_store(current_app.make_response(render_template("public_track.html", result=result)))


@bp.get("/track/document/<token>")
def tracked_document(token: str):
    try:
        data = _serializer().loads(token, max_age=DOWNLOAD_MAX_AGE)
    except BadSignature:  # also SignatureExpired
        abort(404)
    if not isinstance(data, dict) or not data.get("n") or data.get("n") != session.get(SESSION_NONCE):
        abort(404)
    doc = db_session().get(CaseDocument, data.get("d"))
    if (doc is None or doc.petition_id != data.get("p") or not doc.leaves_unit or doc.kind not in CITIZEN_KINDS):
        abort(404)
    return _no_store(_send(doc))
