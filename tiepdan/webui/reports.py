"""The statutory reports on screen (/reports), their .xlsx downloads, the hot spots
(/reports/hotspots) and the user's notifications (/notifications).

Reports are for leaders, supervisors and administrators, on their own unit or (leaders and
supervisors) a unit below it: `security.may_see_unit` decides, so nobody reports on a unit
outside his scope. Everything is computed by `cases.reports`, `cases.hotspots` and
`cases.report_export`; this module only reads the request and renders. The chart's figures go to
static/reports.js in a data-* attribute (the Content-Security-Policy forbids inline scripts).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from tiepdan.cases import hotspots, notifications, register, report_export, reports
from tiepdan.cases.units import get_unit, subtree
from tiepdan.cases.vocab import PETITION_TYPES

from .security import current_user, db_session, login_required, may_see_unit, roles_required, sees_subtree, services

bp = Blueprint("reports", __name__)
REPORT_ROLES = ("leader", "supervisor", "administrator")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER = "register"


@dataclass
class Choice:
    """The report the user asked for: form, unit, period, or the errors that stop it."""

    form: str = "01/TCD"
    unit: str = ""
    kind: str = "quarter"
    year: int | None = None
    quarter: int = 1
    date_from: str = ""
    date_to: str = ""
    period: reports.Period | None = None
    errors: list[str] = field(default_factory=list)

    def args(self, **extra) -> dict:
        return {"form": self.form, "unit": self.unit, "kind": self.kind, "year": self.year or "",
                "quarter": self.quarter, "from": self.date_from, "to": self.date_to, **extra}


def _date(text: str, what: str, errors: list[str]) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    errors.append(_("%(what)s không phải ngày hợp lệ (dd/mm/yyyy): %(value)s", what=what, value=text[:20]))
    return None


def _choice(args, user, *, forms=tuple(reports.FORMS)) -> Choice:
    today = services().runtime.clock.today()
    c = Choice(form=args.get("form") or forms[0], unit=args.get("unit") or user.unit.code,
               kind=args.get("kind") or "quarter", date_from=args.get("from", ""), date_to=args.get("to", ""))
    if c.form not in forms:
        c.errors.append(_("Biểu báo cáo không hợp lệ."))
    if not may_see_unit(db_session(), user, c.unit):
        abort(404)
    try:
        c.year = int(args.get("year") or today.year)
        c.quarter = int(args.get("quarter") or (today.month - 1) // 3 + 1)
    except ValueError:
        c.errors.append(_("Năm và quý phải là số."))
        return c
    if c.kind == "custom":
        start = _date(c.date_from, _("Từ ngày"), c.errors) if c.date_from else None
        end = _date(c.date_to, _("Đến ngày"), c.errors) if c.date_to else None
        if not (c.date_from and c.date_to):
            c.errors.append(_("Kỳ tùy chọn cần cả ngày bắt đầu và ngày kết thúc."))
        elif start and end and end < start:
            c.errors.append(_("Ngày kết thúc %(end)s trước ngày bắt đầu %(start)s.",
                              end=end.strftime("%d/%m/%Y"), start=start.strftime("%d/%m/%Y")))
        elif start and end:
            c.period = reports.custom_period(start, end)
        return c
    if c.kind not in reports.PERIOD_KINDS:
        c.errors.append(_("Kỳ báo cáo không hợp lệ."))
        return c
    try:
        c.period = reports.report_period(c.kind, c.year, c.quarter if c.kind == "quarter" else None)
    except reports.ReportError:
        c.errors.append(_("Năm hoặc quý không hợp lệ (quý từ 1 đến 4)."))
    return c


def _units(user):
    session = db_session()
    if sees_subtree(user):
        return [u for u in subtree(session, user.unit) if u.on_system]
    return [user.unit]


def _chart(report: reports.Report) -> dict:
    rows = [r for r in report.rows if r.value is not None]
    return {"labels": [f"{r.code}. {r.label}" for r in rows], "values": [r.value for r in rows],
            "title": f"{report.form}: {report.title}"}


@bp.get("/reports")
@roles_required(*REPORT_ROLES)
def index():
    user = current_user()
    choice = _choice(request.args, user)
    report = None
    if choice.period is not None and not choice.errors:
        report = reports.build_report(db_session(), choice.form, choice.unit, choice.period)
    status = 400 if choice.errors else 200
    return render_template("reports.html", choice=choice, report=report, units=_units(user), forms=reports.FORMS,
                           chart=_chart(report) if report else None, no_data=reports.NO_DATA), status


@bp.get("/reports/export")
@roles_required(*REPORT_ROLES)
def export():
    """The chosen form (or every form, or the reception register) as .xlsx."""
    user = current_user()
    choice = _choice(request.args, user, forms=(*reports.FORMS, "all", REGISTER))
    if choice.errors:  # the report page shows them
        return redirect(url_for("reports.index", **request.args))
    session, p = db_session(), choice.period
    unit = get_unit(session, choice.unit)
    if choice.form == REGISTER:
        rows = register.register_rows(session, unit, p.start, p.end, include_subunits=True)
        book = report_export.register_workbook(rows, unit_name=unit.name, date_from=p.start, date_to=p.end)
        name = f"so-tiep-cong-dan-{unit.code}-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"
    else:
        forms = list(reports.FORMS) if choice.form == "all" else [choice.form]
        book = report_export.reports_workbook(reports.build_reports(session, forms, unit, p))
        label = "tat-ca" if choice.form == "all" else choice.form.replace("/", "-")
        name = f"bao-cao-{label}-{unit.code}-{p.start:%Y%m%d}-{p.end:%Y%m%d}.xlsx"
    return send_file(BytesIO(report_export.workbook_bytes(book)), mimetype=XLSX, as_attachment=True,
                     download_name=name)


@bp.get("/reports/hotspots")
@roles_required(*REPORT_ROLES)
def hotspot_page():
    user = current_user()
    choice = _choice(request.args, user)
    found = None
    if choice.period is not None and not choice.errors:
        found = hotspots.find_hotspots(db_session(), choice.unit, choice.period.start, choice.period.end)
    return render_template("hotspots.html", choice=choice, found=found, units=_units(user),
                           petition_types=PETITION_TYPES), 400 if choice.errors else 200


@bp.get("/notifications")
@login_required
def notification_list():
    user, session = current_user(), db_session()
    return render_template("notifications.html", items=notifications.for_user(session, user),
                           unread=notifications.unread_count(session, user))


@bp.post("/notifications/read")
@login_required
def notification_read():
    user, session = current_user(), db_session()
    raw = request.form.getlist("id")
    try:
        ids = [int(i) for i in raw] if raw else None
    except ValueError:
        flash(_("Thông báo không hợp lệ."), "error")
        return redirect(url_for("reports.notification_list"))
    notifications.mark_read(session, user, ids, clock=services().runtime.clock)
    session.commit()
    return redirect(url_for("reports.notification_list"))


@bp.app_context_processor
def _bell():
    """`unread_notifications()` for the bell in base.html (a query only when the page asks)."""
    def unread() -> int:
        user = current_user()
        return notifications.unread_count(db_session(), user) if user else 0

    return {"unread_notifications": unread}
