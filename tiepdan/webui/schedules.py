"""Internal pages of the leaders' reception schedules and of the special-period duty plans.

Schedules (/schedules): a unit's reception days with what needs attention on each (a day off
that must be moved, a date entered too late to be posted 5 working days ahead, a deputy whose
session does not count), the form to add one, and each day's page (/schedules/<id>) with the
front desk's reception sessions held that day at that unit, postponement and cancellation.
Leaders and supervisors also see every unit of their subtree whose schedule falls short of the
legal minimum (tiepdan.cases.schedules.shortfalls) over the current month and the next two.

Plans (/plans): the duty plans of the user's units, or involving his unit, or with him on the
roster; each plan's page and its printable copy show the units' duties and the roster with the
officers' phone numbers (internal: the public pages never show them).

Who: reception officers, leaders and supervisors, for their unit (leaders and supervisors also
for the units below theirs); any other unit answers 404. A plan is also readable by any officer
of a unit it involves or on its roster (the inbox points the officers on duty to it); only the
three roles above, within their scope, change it. Bad input changes nothing and says why.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tiepdan.cases import duty_plans, schedules
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import DutyPlan, ReceptionSchedule, Unit
from tiepdan.cases.units import find_unit, subtree, subtree_id_filter
from tiepdan.cases.users import users_with_role

from .inbox import _parse_date, today, working_calendar
from .public import weekday
from .security import (current_user, db_session, has_role, login_required, may_see_unit, require_unit, roles_required,
                       sees_subtree, services)

bp = Blueprint("schedules", __name__)

ROLES = ("reception_officer", "leader", "supervisor")
CHECK_MONTHS = 3  # the shortfalls shown: this month and the next two
LIST_DAYS_BACK = 31


def _scope_units(session) -> list[Unit]:
    user = current_user()
    if sees_subtree(user):
        return [u for u in subtree(session, user.unit) if u.on_system]
    return [user.unit]


def _unit_arg(session, code: str | None) -> Unit:
    unit = find_unit(session, code) if code else current_user().unit
    require_unit(session, current_user(), unit)
    return unit


def _check_window(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    last = first
    for _month in range(CHECK_MONTHS):
        last = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, last - timedelta(days=1)


def _clock():
    return services().runtime.clock


def _fail(err: Exception, target: str):
    db_session().rollback()
    flash(str(err), "error")
    return redirect(target)


# --- schedules ---------------------------------------------------------------------------------


@bp.get("/schedules")
@roles_required(*ROLES)
def index():
    session, user, today_ = db_session(), current_user(), today()
    unit = _unit_arg(session, request.args.get("unit"))
    calendar, rules = working_calendar(session), schedules.load_rules()
    rows = [
        {"s": s, "weekday": weekday(s.day), "publish": schedules.publish_date(calendar, s.day, rules),
         "late": schedules.posted_late(calendar, s, rules), "move": schedules.needs_moving(calendar, s),
         "counts": schedules.counts(calendar, s, rules)}
        for s in schedules.sessions_between(session, [unit.id], today_ - timedelta(days=LIST_DAYS_BACK),
                                            today_ + timedelta(days=366))
    ]
    short = {}
    if has_role(user, "leader", "supervisor"):
        first, last = _check_window(today_)
        short = schedules.shortfalls(session, _scope_units(session), first, last, calendar=calendar, rules=rules)
    names = {u.code: u.name for u in _scope_units(session)}
    return render_template(
        "schedules.html", unit=unit, rows=rows, shortfalls=short, names=names, today=today_,
        units=_scope_units(session), leaders=users_with_role(session, unit, "leader"),
        titles=schedules.LEADER_TITLES, minimums=rules.for_kind(unit.kind),
    )


@bp.post("/schedules/new")
@roles_required(*ROLES)
def add():
    session, user = db_session(), current_user()
    unit = _unit_arg(session, request.form.get("unit"))
    back = url_for("schedules.index", unit=unit.code)
    errors: dict[str, str] = {}
    day = _parse_date(request.form.get("day"), "day", errors)
    if day is None:
        return _fail(CaseError(errors.get("day") or _("Phải ghi ngày tiếp (dd/mm/yyyy).")), back)
    try:
        created = schedules.add_session(
            session, unit=unit, day=day, starts_at=request.form.get("starts_at", ""),
            ends_at=request.form.get("ends_at", ""), place=request.form.get("place", ""),
            leader=request.form.get("leader", ""), leader_title=request.form.get("leader_title", ""),
            topics=request.form.get("topics", ""), actor=user.username, clock=_clock(),
        )
    except CaseError as err:
        return _fail(err, back)
    session.commit()
    flash(_("Đã thêm lịch tiếp công dân ngày %(day)s.", day=created.day.strftime("%d/%m/%Y")), "success")
    return redirect(back)


def _schedule(schedule_id: int) -> ReceptionSchedule:
    session = db_session()
    found = session.get(ReceptionSchedule, schedule_id)
    if found is None or not may_see_unit(session, current_user(), found.unit):
        abort(404)
    return found


@bp.get("/schedules/<int:schedule_id>")
@roles_required(*ROLES)
def detail(schedule_id: int):
    session, found = db_session(), _schedule(schedule_id)
    calendar, rules = working_calendar(session), schedules.load_rules()
    receptions = schedules.receptions_of(session, found)
    return render_template(
        "schedule.html", s=found, weekday=weekday(found.day), receptions=receptions, today=today(),
        publish=schedules.publish_date(calendar, found.day, rules), late=schedules.posted_late(calendar, found, rules),
        move=schedules.needs_moving(calendar, found), counts=schedules.counts(calendar, found, rules),
        position=schedules.leader_position(found), inbox_view="units" if sees_subtree(current_user()) else "mine",
    )


@bp.post("/schedules/<int:schedule_id>/postpone")
@roles_required(*ROLES)
def postpone(schedule_id: int):
    session, found = db_session(), _schedule(schedule_id)
    back = url_for("schedules.detail", schedule_id=found.id)
    errors: dict[str, str] = {}
    day = _parse_date(request.form.get("day"), "day", errors)
    if day is None:
        return _fail(CaseError(errors.get("day") or _("Phải ghi ngày tiếp mới (dd/mm/yyyy).")), back)
    try:
        schedules.postpone(session, found, day, request.form.get("reason", ""), clock=_clock())
    except CaseError as err:
        return _fail(err, back)
    session.commit()
    flash(_("Đã dời lịch tiếp sang ngày %(day)s.", day=day.strftime("%d/%m/%Y")), "success")
    return redirect(back)


@bp.post("/schedules/<int:schedule_id>/cancel")
@roles_required(*ROLES)
def cancel(schedule_id: int):
    session, found = db_session(), _schedule(schedule_id)
    back = url_for("schedules.detail", schedule_id=found.id)
    try:
        schedules.cancel(session, found, request.form.get("reason", ""))
    except CaseError as err:
        return _fail(err, back)
    session.commit()
    flash(_("Đã hủy lịch tiếp công dân."), "success")
    return redirect(back)


# --- duty plans --------------------------------------------------------------------------------


def _plan_scope(session):
    user = current_user()
    if sees_subtree(user):
        return subtree_id_filter(session, user.unit, DutyPlan.unit_id)
    return DutyPlan.unit_id == user.unit_id


def _plan(plan_id: int) -> DutyPlan:
    session = db_session()
    found = session.get(DutyPlan, plan_id)
    if found is None or found.id not in {p.id for p in duty_plans.plans_visible(session, current_user(),
                                                                                _plan_scope(session))}:
        abort(404)
    return found


def _may_edit(plan: DutyPlan) -> bool:
    return has_role(current_user(), *ROLES) and may_see_unit(db_session(), current_user(), plan.unit)


@bp.get("/plans")
@login_required
def plans():
    session = db_session()
    return render_template("plans.html", plans=duty_plans.plans_visible(session, current_user(), _plan_scope(session)),
                           kinds=duty_plans.DUTY_PLAN_KINDS, units=_scope_units(session),
                           may_create=has_role(current_user(), *ROLES))


@bp.post("/plans/new")
@roles_required(*ROLES)
def new_plan():
    session, user = db_session(), current_user()
    unit = _unit_arg(session, request.form.get("unit"))
    errors: dict[str, str] = {}
    starts_on = _parse_date(request.form.get("starts_on"), "starts_on", errors)
    ends_on = _parse_date(request.form.get("ends_on"), "ends_on", errors)
    if errors:
        return _fail(CaseError(next(iter(errors.values()))), url_for("schedules.plans"))
    try:
        plan = duty_plans.create_plan(
            session, unit=unit, title=request.form.get("title", ""), kind=request.form.get("kind", ""),
            starts_on=starts_on, ends_on=ends_on, purpose=request.form.get("purpose", ""),
            number=request.form.get("number", ""), actor=user.username, clock=_clock(),
        )
    except CaseError as err:
        return _fail(err, url_for("schedules.plans"))
    session.commit()
    flash(_("Đã lập kế hoạch."), "success")
    return redirect(url_for("schedules.plan", plan_id=plan.id))


def _plan_page(plan_id: int, template: str):
    found = _plan(plan_id)
    return render_template(template, plan=found, days=duty_plans.roster_by_day(found), weekday=weekday,
                           kinds=duty_plans.DUTY_PLAN_KINDS, may_edit=_may_edit(found))


@bp.get("/plans/<int:plan_id>")
@login_required
def plan(plan_id: int):
    return _plan_page(plan_id, "plan.html")


@bp.get("/plans/<int:plan_id>/print")
@login_required
def plan_print(plan_id: int):
    return _plan_page(plan_id, "plan_print.html")


def _editable(plan_id: int) -> DutyPlan:
    found = _plan(plan_id)
    if not _may_edit(found):
        abort(403)
    return found


@bp.post("/plans/<int:plan_id>/duties")
@roles_required(*ROLES)
def plan_duties(plan_id: int):
    session, found = db_session(), _editable(plan_id)
    back = url_for("schedules.plan", plan_id=found.id)
    try:
        duty_plans.set_duties(session, found, request.form.get("unit", ""), request.form.get("duties", ""))
    except CaseError as err:
        return _fail(err, back)
    session.commit()
    flash(_("Đã ghi nhiệm vụ của đơn vị."), "success")
    return redirect(back)


@bp.post("/plans/<int:plan_id>/roster")
@roles_required(*ROLES)
def plan_roster(plan_id: int):
    session, found = db_session(), _editable(plan_id)
    back = url_for("schedules.plan", plan_id=found.id)
    errors: dict[str, str] = {}
    day = _parse_date(request.form.get("day"), "day", errors)
    if day is None:
        return _fail(CaseError(errors.get("day") or _("Phải ghi ngày trực (dd/mm/yyyy).")), back)
    try:
        duty_plans.add_duty(session, found, day=day, username=request.form.get("username", ""),
                            phone=request.form.get("phone", ""), task=request.form.get("task", ""))
    except CaseError as err:
        return _fail(err, back)
    session.commit()
    flash(_("Đã thêm cán bộ trực."), "success")
    return redirect(back)


@bp.post("/plans/<int:plan_id>/roster/<int:entry_id>/delete")
@roles_required(*ROLES)
def plan_roster_delete(plan_id: int, entry_id: int):
    session, found = db_session(), _editable(plan_id)
    back = url_for("schedules.plan", plan_id=found.id)
    try:
        duty_plans.remove_duty(session, found, entry_id)
    except CaseError as err:
        return _fail(err, back)
    session.commit()
    flash(_("Đã bỏ cán bộ khỏi lịch trực."), "success")
    return redirect(back)
