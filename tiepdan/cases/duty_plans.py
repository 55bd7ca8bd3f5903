"""Plans for citizen reception over a special period (kế hoạch tiếp công dân dịp Tết, kỳ họp
Quốc hội, sự kiện) and their duty rosters, as the provincial plans in shared/seeds/ write them:
the issuing unit, the period, what each unit involved does (free text, one entry per unit, in
the plan's order), and the officers on duty each day with a phone number to reach them.

Phone numbers are internal: they are shown on the signed-in pages only, never published. An
officer on the roster must work in the issuing unit, below it, or in a unit the plan involves.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from tiepdan.engine.calendar import CalendarError, check_supported
from tiepdan.engine.clock import Clock

from .errors import CaseError
from .models import DutyPlan, DutyPlanUnit, DutyRoster, Unit, User
from .units import find_unit, get_unit, is_within
from .users import find_user
from .vocab import Labels

DUTY_PLAN_KINDS: Labels = {
    "tet": ("Dịp Tết", "Tết holiday"),
    "national_assembly": ("Kỳ họp Quốc hội", "National Assembly session"),
    "event": ("Sự kiện, đợt cao điểm", "Event or peak period"),
}
MAX_DAYS = 92  # a plan covers a season, not a year: a longer one is a typing mistake
PHONE = re.compile(r"\+?\d{8,15}")


def _text(value: str | None, what: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CaseError(f"Phải ghi {what}")
    if len(value) > limit:
        raise CaseError(f"{what.capitalize()} dài quá {limit} ký tự")
    return value


def _day(value: date | None, what: str) -> date:
    if not isinstance(value, date):
        raise CaseError(f"Phải ghi {what} (dd/mm/yyyy)")
    try:
        return check_supported(value)
    except CalendarError:
        raise CaseError(f"{what.capitalize()} {value:%d/%m/%Y} nằm ngoài lịch được hỗ trợ") from None


def create_plan(
    session: Session,
    *,
    unit: Unit | str,
    title: str,
    kind: str,
    starts_on: date | None,
    ends_on: date | None,
    purpose: str = "",
    number: str = "",
    actor: str,
    clock: Clock | None = None,
) -> DutyPlan:
    """A new plan of `unit` for [starts_on, ends_on]; CaseError and nothing stored if invalid."""
    clock = clock or Clock()
    unit = get_unit(session, unit)
    title = _text(title, "tên kế hoạch", 300)
    if kind not in DUTY_PLAN_KINDS:
        raise CaseError(f"Loại kế hoạch không hợp lệ: {kind!r}")
    starts_on, ends_on = _day(starts_on, "ngày bắt đầu"), _day(ends_on, "ngày kết thúc")
    if ends_on < starts_on:
        raise CaseError(f"Ngày kết thúc {ends_on:%d/%m/%Y} trước ngày bắt đầu {starts_on:%d/%m/%Y}")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise CaseError(f"Kế hoạch dài quá {MAX_DAYS} ngày")
    plan = DutyPlan(unit=unit, number=_text(number, "số kế hoạch", 60, required=False), title=title, kind=kind,
                    starts_on=starts_on, ends_on=ends_on, purpose=_text(purpose, "mục đích, yêu cầu", 5000,
                                                                         required=False),
                    created_at=clock.now(), created_by=actor)
    session.add(plan)
    session.flush()
    return plan


def set_duties(session: Session, plan: DutyPlan, unit_code: str, duties: str) -> DutyPlanUnit:
    """What `unit_code` does under the plan (replacing what was written before)."""
    unit = find_unit(session, (unit_code or "").strip())
    if unit is None:
        raise CaseError(f"Không có đơn vị mã {unit_code!r}")
    duties = _text(duties, "nhiệm vụ của đơn vị", 5000)
    for entry in plan.duties:
        if entry.unit_id == unit.id:
            entry.duties = duties
            session.flush()
            return entry
    entry = DutyPlanUnit(unit=unit, duties=duties, ordinal=len(plan.duties) + 1)
    plan.duties.append(entry)
    session.flush()
    return entry


def _may_serve(plan: DutyPlan, user: User) -> bool:
    return is_within(user.unit, plan.unit) or any(entry.unit_id == user.unit_id for entry in plan.duties)


def add_duty(session: Session, plan: DutyPlan, *, day: date | None, username: str, phone: str = "",
             task: str = "") -> DutyRoster:
    """Put `username` on duty on `day` of the plan, reachable at `phone` (default: the user's)."""
    day = _day(day, "ngày trực")
    if not plan.starts_on <= day <= plan.ends_on:
        raise CaseError(f"Ngày trực {day:%d/%m/%Y} nằm ngoài thời gian của kế hoạch "
                        f"({plan.starts_on:%d/%m/%Y} - {plan.ends_on:%d/%m/%Y})")
    user = find_user(session, (username or "").strip())
    if user is None or not user.active:
        raise CaseError(f"Không có cán bộ có tên đăng nhập {username!r}")
    if not _may_serve(plan, user):
        raise CaseError(f"{user.full_name} không thuộc đơn vị ban hành hay đơn vị tham gia kế hoạch")
    number = re.sub(r"[\s.\-()]", "", phone or user.phone or "")
    if not PHONE.fullmatch(number):
        raise CaseError(f"Số điện thoại trực của {user.full_name} không hợp lệ: {phone!r} (8 đến 15 chữ số)")
    if any(entry.day == day and entry.user_id == user.id for entry in plan.roster):
        raise CaseError(f"{user.full_name} đã có tên trong lịch trực ngày {day:%d/%m/%Y}")
    entry = DutyRoster(day=day, user=user, phone=number, task=_text(task, "nhiệm vụ trực", 300, required=False))
    plan.roster.append(entry)
    session.flush()
    return entry


def remove_duty(session: Session, plan: DutyPlan, entry_id: int) -> None:
    entry = next((e for e in plan.roster if e.id == entry_id), None)
    if entry is None:
        raise CaseError("Không có dòng lịch trực này trong kế hoạch")
    plan.roster.remove(entry)
    session.flush()


def roster_by_day(plan: DutyPlan) -> list[tuple[date, list[DutyRoster]]]:
    """Every day of the plan with its officers (an empty list for a day nobody is on)."""
    days, day = [], plan.starts_on
    while day <= plan.ends_on:
        days.append((day, [e for e in plan.roster if e.day == day]))
        day += timedelta(days=1)
    return days


def on_duty(session: Session, user: User, day: date) -> list[tuple[DutyPlan, DutyRoster]]:
    """The plans `user` is on duty for on `day`, with the roster line."""
    rows = session.execute(
        select(DutyPlan, DutyRoster).join(DutyRoster, DutyRoster.plan_id == DutyPlan.id)
        .where(DutyRoster.user_id == user.id, DutyRoster.day == day).order_by(DutyPlan.starts_on, DutyPlan.id)
    ).all()
    return [(plan, entry) for plan, entry in rows]


def plans_visible(session: Session, user: User, unit_clause: ColumnElement[bool]) -> list[DutyPlan]:
    """The plans of the units `unit_clause` selects (a WHERE clause on DutyPlan.unit_id), those
    involving `user`'s unit, and those with `user` on the roster; latest first."""
    involved = exists().where(DutyPlanUnit.plan_id == DutyPlan.id, DutyPlanUnit.unit_id == user.unit_id)
    rostered = exists().where(DutyRoster.plan_id == DutyPlan.id, DutyRoster.user_id == user.id)
    return list(session.execute(
        select(DutyPlan).where(or_(unit_clause, involved, rostered)).order_by(DutyPlan.starts_on.desc(), DutyPlan.id.desc())
    ).scalars())
