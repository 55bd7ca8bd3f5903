"""Leaders' periodic reception days (lịch tiếp công dân định kỳ) and the legal minimums.

A unit's head receives citizens in person on scheduled days: the provincial chairman at least one
day a month, a commune chairman one day a week until 30/06/2026 and two days a month from
01/07/2026, the head of an agency one day a month; the minimums are data
(processes/schedules.yaml, `ScheduleRules`), by unit kind, with their dates of force.

What counts towards a minimum (`counts`): a session that is not cancelled, held by the head
himself (a deputy's does not: no delegation), on a working day of the calendar. A session
entered on a weekend or a holiday is flagged "cần dời lịch" (`needs_moving`) and counts only
once it is postponed to a working day: the office is closed that day, so the citizens could
not come, and the law's own local practice moves such a session to the next working day.

`shortfalls` checks every calendar month, or week from Monday to Sunday, that overlaps the
asked period, counting the sessions of the whole month or week (a week straddling two months
is checked whole, under the rule in force on its Monday). A week without a single working day
(the Tết holiday) requires nothing: the minimum is capped at the period's working days.

Publication (LTCD Art 24): a session is posted `publish_working_days_before` (5) working days
ahead — `publish_date` — and a postponed one stays posted with its new date.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tiepdan.engine.calendar import CalendarError, WorkingCalendar, check_supported, load_calendar
from tiepdan.engine.clock import Clock

from . import datafiles
from .errors import CaseError, DataFileError
from .models import Reception, ReceptionSchedule, Unit, User
from .units import get_unit
from .users import find_user
from .vocab import Labels

FILE_NAME = "schedules.yaml"
LEADER_TITLES: Labels = {
    "head": ("Người đứng đầu (Chủ tịch, Thủ trưởng)", "Head (chairman, director)"),
    "deputy": ("Cấp phó", "Deputy"),
}
PERIODS = ("month", "week")
HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
MAX_TEXT = 300


# --- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Minimum:
    per: str  # month | week
    days: int
    basis: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class ScheduleRules:
    minimums: dict[str, tuple[Minimum, ...]]  # by unit kind
    deputy_sessions_count: bool
    publish_working_days_before: int

    def for_kind(self, kind: str) -> tuple[Minimum, ...]:
        return self.minimums.get(kind, ())


def _parse(path: Path) -> ScheduleRules:
    data = datafiles.read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("minimums"), dict):
        raise DataFileError(f"{path}: expected a mapping with 'minimums'")
    lead = data.get("publish_working_days_before")
    if not isinstance(lead, int) or lead < 0:
        raise DataFileError(f"{path}: publish_working_days_before must be a whole number >= 0")
    minimums = {}
    for kind, versions in data["minimums"].items():
        parsed = []
        for n, entry in enumerate(versions or [], 1):
            where = f"{path}: minimums.{kind}[{n}]"
            if not isinstance(entry, dict) or entry.get("per") not in PERIODS:
                raise DataFileError(f"{where}: per must be one of {', '.join(PERIODS)}")
            if not isinstance(entry.get("days"), int) or entry["days"] < 1:
                raise DataFileError(f"{where}: days must be a whole number >= 1")
            for key in ("from", "until"):
                if entry.get(key) is not None and not isinstance(entry[key], date):
                    raise DataFileError(f"{where}: {key} must be a date (YYYY-MM-DD)")
            parsed.append(Minimum(entry["per"], entry["days"], str(entry.get("basis") or ""),
                                  entry.get("from"), entry.get("until")))
        minimums[kind] = tuple(parsed)
    return ScheduleRules(minimums, bool(data.get("deputy_sessions_count", False)), lead)


def load_rules(path: Path | None = None) -> ScheduleRules:
    """processes/schedules.yaml (or `path`), re-read when the file changes."""
    if path is None:
        from tiepdan.config import Settings

        path = Path(Settings.from_env().processes_dir) / FILE_NAME
    return datafiles.cached("schedules", Path(path), _parse)


# --- one session ---------------------------------------------------------------------------------


def publish_date(calendar: WorkingCalendar, day: date, rules: ScheduleRules) -> date:
    """The last day the session of `day` may be posted: N working days before it."""
    return calendar.add_working_days(day, -rules.publish_working_days_before)


def visible_from(calendar: WorkingCalendar, schedule: ReceptionSchedule, rules: ScheduleRules) -> date:
    """From when the public page lists the session: its publish date, or the first date's for a
    postponed one (what was posted stays posted, now with its new date)."""
    days = [schedule.day] + ([schedule.postponed_from] if schedule.postponed_from else [])
    return min(publish_date(calendar, d, rules) for d in days)


def posted_late(calendar: WorkingCalendar, schedule: ReceptionSchedule, rules: ScheduleRules) -> bool:
    """The current date was entered after the day it had to be posted."""
    return schedule.posted_on > publish_date(calendar, schedule.day, rules)


def leader_position(schedule: ReceptionSchedule) -> str:
    """The receiving leader's position as posted: the unit's head title, "Phó ..." for a deputy."""
    head = schedule.unit.head_title or "Thủ trưởng cơ quan"
    return head if schedule.leader_title == "head" else f"Phó {head}"


def needs_moving(calendar: WorkingCalendar, schedule: ReceptionSchedule) -> bool:
    """A session that is still on, on a day the office does not work."""
    return not schedule.cancelled and not calendar.is_working_day(schedule.day)


def counts(calendar: WorkingCalendar, schedule: ReceptionSchedule, rules: ScheduleRules) -> bool:
    """Whether the session counts towards the head's minimum (see the module docstring)."""
    return (not schedule.cancelled and (schedule.leader_title == "head" or rules.deputy_sessions_count)
            and calendar.is_working_day(schedule.day))


# --- entering, postponing, cancelling ----------------------------------------------------------


def _text(value: str | None, what: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise CaseError(f"Phải ghi {what}")
    if len(value) > limit:
        raise CaseError(f"{what.capitalize()} dài quá {limit} ký tự")
    return value


def _supported(day: date, what: str) -> date:
    if not isinstance(day, date):
        raise CaseError(f"{what.capitalize()} không hợp lệ")
    try:
        return check_supported(day)
    except CalendarError:
        raise CaseError(f"{what.capitalize()} {day:%d/%m/%Y} nằm ngoài lịch làm việc được hỗ trợ") from None


def _hours(starts_at: str, ends_at: str) -> tuple[str, str]:
    starts_at, ends_at = (starts_at or "").strip(), (ends_at or "").strip()
    for value in (starts_at, ends_at):
        if not HHMM.fullmatch(value):
            raise CaseError(f"Giờ không hợp lệ: {value!r} (ghi theo dạng 07:30)")
    if ends_at <= starts_at:
        raise CaseError(f"Giờ kết thúc {ends_at} phải sau giờ bắt đầu {starts_at}")
    return starts_at, ends_at


def receiving_leader(session: Session, unit: Unit, username: str) -> User:
    """The active user `username` holding the leader role in `unit`."""
    user = find_user(session, (username or "").strip())
    if user is None or not user.active:
        raise CaseError(f"Không có lãnh đạo có tên đăng nhập {username!r}")
    if user.unit_id != unit.id or "leader" not in user.roles:
        raise CaseError(f"{user.full_name} không phải lãnh đạo của {unit.name}")
    return user


def add_session(
    session: Session,
    *,
    unit: Unit | str,
    day: date,
    starts_at: str,
    ends_at: str,
    place: str,
    leader: str,
    leader_title: str,
    topics: str = "",
    actor: str,
    clock: Clock | None = None,
) -> ReceptionSchedule:
    """Schedule one reception day of `leader` (a username) at `unit`; CaseError, nothing stored,
    on any bad input. A day on a holiday is accepted and flagged (`needs_moving`)."""
    clock = clock or Clock()
    unit = get_unit(session, unit)
    if not unit.on_system:
        raise CaseError(f"{unit.name} không làm việc trên hệ thống")
    day = _supported(day, "ngày tiếp")
    starts_at, ends_at = _hours(starts_at, ends_at)
    if leader_title not in LEADER_TITLES:
        raise CaseError(f"Chức danh người tiếp không hợp lệ: {leader_title!r}")
    user = receiving_leader(session, unit, leader)
    clash = session.execute(select(ReceptionSchedule.id).where(
        ReceptionSchedule.unit_id == unit.id, ReceptionSchedule.day == day, ReceptionSchedule.leader_id == user.id,
        ReceptionSchedule.cancelled.is_(False),
    )).first()
    if clash is not None:
        raise CaseError(f"{user.full_name} đã có lịch tiếp công dân ngày {day:%d/%m/%Y} tại {unit.name}")
    schedule = ReceptionSchedule(
        unit=unit, day=day, starts_at=starts_at, ends_at=ends_at, place=_text(place, "địa điểm tiếp"),
        leader=user, leader_title=leader_title, topics=_text(topics, "nội dung", required=False, limit=2000),
        postponed_from=None, postpone_reason="", cancelled=False, cancel_reason="",
        posted_on=clock.today(), created_at=clock.now(), created_by=actor,
    )
    session.add(schedule)
    session.flush()
    return schedule


def postpone(session: Session, schedule: ReceptionSchedule, new_day: date, reason: str, *,
             clock: Clock | None = None) -> ReceptionSchedule:
    """Move the session to `new_day` with a reason; the first date is kept for the public page."""
    clock = clock or Clock()
    new_day = _supported(new_day, "ngày tiếp mới")
    reason = _text(reason, "lý do dời lịch", limit=1000)
    if schedule.cancelled:
        raise CaseError("Lịch tiếp đã hủy: không dời được")
    if new_day == schedule.day:
        raise CaseError(f"Ngày mới trùng ngày tiếp hiện tại {new_day:%d/%m/%Y}")
    if new_day < clock.today():
        raise CaseError(f"Không dời lịch về ngày đã qua ({new_day:%d/%m/%Y})")
    schedule.postponed_from = schedule.postponed_from or schedule.day
    schedule.day, schedule.postpone_reason, schedule.posted_on = new_day, reason, clock.today()
    session.flush()
    return schedule


def cancel(session: Session, schedule: ReceptionSchedule, reason: str) -> ReceptionSchedule:
    reason = _text(reason, "lý do hủy lịch", limit=1000)
    if schedule.cancelled:
        raise CaseError("Lịch tiếp đã hủy trước đó")
    schedule.cancelled, schedule.cancel_reason = True, reason
    session.flush()
    return schedule


# --- queries -----------------------------------------------------------------------------------


def sessions_between(session: Session, unit_ids, start: date, end: date) -> list[ReceptionSchedule]:
    """The sessions of these units on days in [start, end], by day and hour."""
    return list(session.execute(
        select(ReceptionSchedule).where(ReceptionSchedule.unit_id.in_(list(unit_ids)),
                                        ReceptionSchedule.day >= start, ReceptionSchedule.day <= end)
        .order_by(ReceptionSchedule.day, ReceptionSchedule.starts_at, ReceptionSchedule.id)
    ).scalars())


def receptions_of(session: Session, schedule: ReceptionSchedule) -> list[Reception]:
    """The reception sessions (front desk) held at the session's unit on its day."""
    return list(session.execute(
        select(Reception).where(Reception.unit_id == schedule.unit_id, Reception.received_on == schedule.day)
        .order_by(Reception.received_at, Reception.id)
    ).scalars())


def public_sessions(session: Session, today: date, *, calendar: WorkingCalendar | None = None,
                    rules: ScheduleRules | None = None, horizon_days: int = 120) -> list[ReceptionSchedule]:
    """The sessions of today onwards that are public by today, by unit and day: posted once
    their publish date has come (a postponement is shown with its new date)."""
    calendar = calendar or load_calendar(session)
    rules = rules or load_rules()
    candidates = session.execute(
        select(ReceptionSchedule).where(
            or_(and_(ReceptionSchedule.day >= today, ReceptionSchedule.day <= today + timedelta(days=horizon_days)),
                and_(ReceptionSchedule.postponed_from >= today,
                     ReceptionSchedule.postponed_from <= today + timedelta(days=horizon_days))),
        ).order_by(ReceptionSchedule.day, ReceptionSchedule.starts_at, ReceptionSchedule.id)
    ).scalars()
    return sorted((s for s in candidates if s.day >= today and visible_from(calendar, s, rules) <= today),
                  key=lambda s: (s.unit.path, s.day, s.starts_at, s.id))


# --- the minimums ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """A month or week whose counted sessions fall below the minimum in force."""

    unit_code: str
    per: str  # month | week
    start: date
    end: date  # inclusive
    required: int
    counted: int
    basis: str
    to_move: tuple[date, ...] = ()  # sessions of the period on non-working days


def _months(start: date, end: date):
    first = start.replace(day=1)
    while first <= end:
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        yield first, following - timedelta(days=1)
        first = following


def _weeks(start: date, end: date):
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        yield monday, monday + timedelta(days=6)
        monday += timedelta(days=7)


def _working_days(calendar: WorkingCalendar, first: date, last: date) -> int:
    return calendar.working_days_between(first - timedelta(days=1), last)


def _periods(minimums: tuple[Minimum, ...], start: date, end: date):
    """(first, last, minimum) of every period overlapping [start, end], each under the version
    in force on its first day."""
    for per, split in (("month", _months), ("week", _weeks)):
        for first, last in split(start, end):
            for minimum in minimums:
                if minimum.per == per and minimum.in_force_on(first):
                    yield first, last, minimum
                    break


def shortfalls(
    session: Session,
    units: list[Unit],
    start: date,
    end: date,
    *,
    calendar: WorkingCalendar | None = None,
    rules: ScheduleRules | None = None,
) -> dict[str, list[Shortfall]]:
    """For each unit (by code) with a minimum, every month or week overlapping [start, end]
    that falls short; units with none are left out. One query for all the units."""
    if end < start:
        raise CaseError(f"Ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}")
    calendar = calendar or load_calendar(session)
    rules = rules or load_rules()
    checked = [u for u in units if rules.for_kind(u.kind)]
    if not checked:
        return {}
    # Periods reach past [start, end] to the Monday before and the Sunday after.
    low, high = min(start.replace(day=1), start - timedelta(days=6)), end + timedelta(days=37)
    by_unit: dict[int, list[ReceptionSchedule]] = defaultdict(list)
    for schedule in sessions_between(session, [u.id for u in checked], low, high):
        by_unit[schedule.unit_id].append(schedule)
    found: dict[str, list[Shortfall]] = {}
    for unit in checked:
        mine = by_unit.get(unit.id, [])
        for first, last, minimum in _periods(rules.for_kind(unit.kind), start, end):
            within = [s for s in mine if first <= s.day <= last]
            counted = len({s.day for s in within if counts(calendar, s, rules)})
            required = min(minimum.days, _working_days(calendar, first, last))
            if counted < required:
                found.setdefault(unit.code, []).append(Shortfall(
                    unit.code, minimum.per, first, last, required, counted, minimum.basis,
                    tuple(s.day for s in within if needs_moving(calendar, s)),
                ))
        if unit.code in found:
            found[unit.code].sort(key=lambda f: (f.start, f.per))
    return found
