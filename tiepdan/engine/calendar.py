"""The legal working-day calendar (Bộ luật Lao động 2019 Art 112; BLDS 2015 Arts 147-148).

A day is a working day when it is Monday to Friday and not a public holiday, or when it is a
Saturday or Sunday declared a make-up working day (ngày làm việc bù). Four layers decide, each
overriding the one before it:

1. weekdays: Monday-Friday work, Saturday and Sunday rest;
2. the `holidays` package (`holidays.Vietnam`): the Labour Code holidays, the days off in lieu
   (nghỉ bù) and the substituted days the package knows, with their make-up Saturdays
   (`weekend_workdays`);
3. official adjustments shipped as data in ``processes/rules/calendar/official_adjustments.yaml``:
   swaps announced by the Government that the package lacks (or that we do not want to depend
   on the package for);
4. administrator overrides stored in the ``calendar_override`` table (`load_calendar`,
   `add_holiday`, `remove_holiday`, `add_workday`), every change written to the audit log.

All four are folded into per-day tables once, when a `WorkingCalendar` is built (and the build
is cached), so that every query is a list lookup: `add_working_days` over any number of days
costs about a microsecond.

Dates outside `SUPPORTED_YEARS` raise `CalendarError`, as does any result that would fall
outside them: the package's lunar tables and the official swaps are only meaningful there.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Mapping

import yaml

SUPPORTED_YEARS = range(2015, 2036)

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ADJUSTMENTS_RELPATH = Path("rules") / "calendar" / "official_adjustments.yaml"

_FIRST = date(SUPPORTED_YEARS.start, 1, 1)
_LAST = date(SUPPORTED_YEARS.stop - 1, 12, 31)
_FIRST_ORD = _FIRST.toordinal()
_NDAYS = _LAST.toordinal() - _FIRST_ORD + 1


class CalendarError(ValueError):
    """A date outside the supported years, a bad adjustment file, or a refused calendar change."""


def _check_date(d: date) -> int:
    """The day's offset in the tables; CalendarError when it is outside SUPPORTED_YEARS."""
    if not isinstance(d, date):
        raise CalendarError(f"not a date: {d!r}")
    i = d.toordinal() - _FIRST_ORD
    if not 0 <= i < _NDAYS:
        raise CalendarError(
            f"{d.isoformat()} is outside the supported years "
            f"{SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}"
        )
    return i


def check_supported(d: date) -> date:
    """Return `d` unchanged, or raise CalendarError if it is outside SUPPORTED_YEARS."""
    _check_date(d)
    return d


# --- layer 2: the holidays package ------------------------------------------------------------

_SUBSTITUTED = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


@functools.cache
def package_days() -> tuple[dict[date, str], dict[date, str]]:
    """(holidays, make-up weekend working days) from `holidays.Vietnam`, names in Vietnamese.

    The package gives no name to a make-up working day, so it is named after the day off it
    pays for (the package labels that one "Ngày nghỉ (thay cho ngày dd/mm/yyyy)").
    """
    import holidays

    vn = holidays.Vietnam(years=SUPPORTED_YEARS, language="vi")
    days_off = {d: name for d, name in vn.items() if d.year in SUPPORTED_YEARS}
    paid_back: dict[date, date] = {}
    for d, name in days_off.items():
        for dd, mm, yyyy in _SUBSTITUTED.findall(name):
            paid_back[date(int(yyyy), int(mm), int(dd))] = d
    workdays = {}
    for d in vn.weekend_workdays:
        if d.year in SUPPORTED_YEARS:
            off = paid_back.get(d)
            workdays[d] = (
                f"Làm việc bù (cho ngày nghỉ {off:%d/%m/%Y})" if off else "Làm việc bù"
            )
    return days_off, workdays


# --- layer 3: official adjustments (data) -----------------------------------------------------


def default_adjustments_path() -> Path:
    """processes/rules/calendar/official_adjustments.yaml under TIEPDAN_PROCESSES_DIR."""
    from ..config import Settings

    return Settings.from_env().processes_dir / ADJUSTMENTS_RELPATH


def load_adjustments(path: Path | None = None) -> dict[date, tuple[str, str]]:
    """Read the official adjustments file: day -> (kind, name).

    Format: a mapping with one key ``adjustments``, a list of ``{day, kind, name, source}``
    (``source`` optional but expected). A missing file means no adjustments. Any problem raises
    CalendarError with one line per problem, naming the file and the entry.
    """
    path = Path(path) if path is not None else default_adjustments_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return dict(_load_adjustments_cached(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _load_adjustments_cached(path: str, _mtime: int, _size: int) -> tuple[tuple[date, tuple[str, str]], ...]:
    name = os.path.basename(path)
    problems: list[str] = []
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CalendarError(f"{name}: malformed YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"{name}: cannot read: {exc}") from None
    if data is None:
        return ()
    if not isinstance(data, dict) or set(data) != {"adjustments"} or not isinstance(data["adjustments"], list):
        raise CalendarError(f"{name}: expected a mapping with one key 'adjustments' holding a list")
    out: dict[date, tuple[str, str]] = {}
    for n, entry in enumerate(data["adjustments"], 1):
        label = f"{name}: adjustment #{n}"
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a mapping")
            continue
        day = entry.get("day")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                pass
        if not isinstance(day, date):
            problems.append(f"{label}: 'day' must be a date YYYY-MM-DD")
            continue
        label = f"{name}: adjustment {day.isoformat()}"
        unknown = set(entry) - {"day", "kind", "name", "source"}
        if unknown:
            problems.append(f"{label}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        kind, title = entry.get("kind"), entry.get("name")
        if kind not in KINDS:
            problems.append(f"{label}: 'kind' must be 'holiday' or 'workday', not {kind!r}")
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{label}: 'name' must be a non-empty text")
        if day.year not in SUPPORTED_YEARS:
            problems.append(f"{label}: outside the supported years")
        if day in out:
            problems.append(f"{label}: listed twice")
        if kind in KINDS and isinstance(title, str):
            out[day] = (kind, title.strip())
    if problems:
        raise CalendarError("\n".join(problems))
    return tuple(sorted(out.items()))


# --- the calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    working: bytes  # 1 per working day, indexed by offset from _FIRST
    cum: tuple[int, ...]  # cum[i] = working days in [_FIRST, _FIRST + i]
    workdays: tuple[int, ...]  # ordinals of the working days, ascending
    names: dict[date, str]  # the name of every day that is not a plain weekday / weekend day


def _freeze(m: Mapping[date, tuple[str, str]] | None) -> tuple:
    if not m:
        return ()
    items = []
    for d, value in m.items():
        kind, name = value
        if kind not in KINDS:
            raise CalendarError(f"{d}: kind must be 'holiday' or 'workday', not {kind!r}")
        items.append((d, kind, name))
    return tuple(sorted(items))


@functools.lru_cache(maxsize=32)
def _build(adjustments: tuple, overrides: tuple) -> _Tables:
    working = bytearray(1 if (_FIRST + timedelta(days=i)).weekday() < 5 else 0 for i in range(_NDAYS))
    names: dict[date, str] = {}

    def apply(d: date, is_working: bool, name: str) -> None:
        i = d.toordinal() - _FIRST_ORD
        if 0 <= i < _NDAYS:
            working[i] = 1 if is_working else 0
            names[d] = name

    days_off, weekend_workdays = package_days()
    for d, name in days_off.items():
        apply(d, False, name)
    for d, name in weekend_workdays.items():
        apply(d, True, name)
    for layer in (adjustments, overrides):
        for d, kind, name in layer:
            apply(d, kind == WORKDAY, name)

    cum, workdays, total = [], [], 0
    for i, w in enumerate(working):
        if w:
            total += 1
            workdays.append(_FIRST_ORD + i)
        cum.append(total)
    return _Tables(bytes(working), tuple(cum), tuple(workdays), names)


class WorkingCalendar:
    """The working-day calendar in force: package holidays + official adjustments + overrides.

    `overrides` and `adjustments` map a day to ``(kind, name)`` with kind ``'holiday'`` or
    ``'workday'``; overrides win over adjustments, which win over the package. With
    ``adjustments=None`` (the default) the shipped official adjustments file is read (see
    `load_adjustments`); pass ``{}`` for the package alone.
    """

    def __init__(
        self,
        overrides: Mapping[date, tuple[str, str]] | None = None,
        adjustments: Mapping[date, tuple[str, str]] | None = None,
    ):
        if adjustments is None:
            adjustments = load_adjustments()
        self.overrides = dict(overrides or {})
        self.adjustments = dict(adjustments)
        t = _build(_freeze(adjustments), _freeze(overrides))
        self._working = t.working
        self._cum = t.cum
        self._workdays = t.workdays
        self._names = t.names

    def _nth(self, index: int) -> date:
        """The working day at `index` in the ascending list of all supported working days."""
        if not 0 <= index < len(self._workdays):
            raise CalendarError(
                f"the result falls outside the supported years "
                f"{SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}"
            )
        return date.fromordinal(self._workdays[index])

    def is_working_day(self, d: date) -> bool:
        return self._working[_check_date(d)] == 1

    def roll_forward(self, d: date) -> date:
        """`d` if it is a working day, else the next working day (BLDS 2015 Art 148(5))."""
        i = _check_date(d)
        if self._working[i]:
            return d
        return self._nth(self._cum[i])

    def add_working_days(self, start: date, n: int) -> date:
        """The nth working day after `start` (start itself is never counted; BLDS Art 147).

        ``n == 0`` returns `start` unchanged; a negative n gives the |n|th working day before
        `start`.
        """
        i = _check_date(start)
        if n > 0:
            return self._nth(self._cum[i] + n - 1)
        if n == 0:
            return start
        return self._nth(self._cum[i] - self._working[i] + n)

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days in (a, b]; negative (minus those in (b, a]) if b < a."""
        return self._cum[_check_date(b)] - self._cum[_check_date(a)]

    def name(self, d: date) -> str | None:
        """The holiday / make-up day name of `d`, if it has one (whatever its status now)."""
        _check_date(d)
        return self._names.get(d)

    def _year_days(self, year: int) -> Iterable[date]:
        if year not in SUPPORTED_YEARS:
            raise CalendarError(
                f"{year} is outside the supported years {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}"
            )
        d = date(year, 1, 1)
        while d.year == year:
            yield d
            d += timedelta(days=1)

    def non_working_weekdays(self, year: int) -> list[tuple[date, str]]:
        """Monday-Friday days off in `year`, with their names, in date order."""
        return [
            (d, self._names.get(d, ""))
            for d in self._year_days(year)
            if d.weekday() < 5 and not self._working[d.toordinal() - _FIRST_ORD]
        ]

    def working_weekend_days(self, year: int) -> list[tuple[date, str]]:
        """Saturdays and Sundays that are working days in `year`, with their names."""
        return [
            (d, self._names.get(d, ""))
            for d in self._year_days(year)
            if d.weekday() >= 5 and self._working[d.toordinal() - _FIRST_ORD]
        ]


# --- administrator overrides (database) -------------------------------------------------------


def _overrides(session) -> dict[date, tuple[str, str]]:
    from sqlalchemy import select

    from .models import CalendarOverride

    rows = session.execute(select(CalendarOverride)).scalars()
    return {r.day: (r.kind, r.name) for r in rows if r.day.year in SUPPORTED_YEARS}


def load_calendar(session, *, adjustments_path: Path | None = None) -> WorkingCalendar:
    """The calendar in force: package holidays + official adjustments + the DB overrides."""
    return WorkingCalendar(_overrides(session), load_adjustments(adjustments_path))


def _clean_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise CalendarError("the name must not be empty")
    name = " ".join(name.split())
    if len(name) > 200:
        raise CalendarError("the name is longer than 200 characters")
    return name


def _change(session, day: date, kind: str | None, name: str, actor: str, action: str,
            detail: dict, clock=None) -> None:
    """Set (kind) or delete (kind None) the override on `day`, and audit it."""
    from datetime import datetime, timezone

    from . import audit
    from .models import CalendarOverride

    row = session.get(CalendarOverride, day)
    if kind is None:
        if row is not None:
            session.delete(row)
    else:
        now = clock.now() if clock else datetime.now(timezone.utc).replace(tzinfo=None)
        if row is None:
            session.add(CalendarOverride(day=day, kind=kind, name=name, created_by=actor, created_at=now))
        else:
            row.kind, row.name, row.created_by, row.created_at = kind, name, actor, now
    session.flush()
    audit.record(session, actor=actor, action=action, detail={"day": day.isoformat(), **detail}, clock=clock)


def _check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise CalendarError("the actor must not be empty")
    return actor.strip()[:100]


def add_holiday(session, day: date, name: str, actor: str, *, clock=None) -> None:
    """Make a working `day` a holiday (e.g. a day off announced by the Government). Audited.

    Refused (CalendarError, nothing changed) if the day is already not a working day.
    """
    _check_date(day)
    name, actor = _clean_name(name), _check_actor(actor)
    cal = load_calendar(session)
    if not cal.is_working_day(day):
        what = cal.name(day) or _WEEKDAYS_EN[day.weekday()]
        raise CalendarError(f"{day.isoformat()} is already not a working day ({what})")
    _change(session, day, HOLIDAY, name, actor, "calendar.add_holiday", {"name": name}, clock)


def add_workday(session, day: date, name: str, actor: str, *, clock=None) -> None:
    """Make a non-working `day` a working day (e.g. a make-up Saturday). Audited.

    Refused (CalendarError, nothing changed) if the day is already a working day.
    """
    _check_date(day)
    name, actor = _clean_name(name), _check_actor(actor)
    cal = load_calendar(session)
    if cal.is_working_day(day):
        raise CalendarError(f"{day.isoformat()} is already a working day")
    _change(session, day, WORKDAY, name, actor, "calendar.add_workday", {"name": name}, clock)


def remove_holiday(session, day: date, actor: str, *, clock=None) -> None:
    """Undo a holiday on `day`. Audited.

    - an administrator's holiday is deleted, restoring what the package and the official
      adjustments say (a Saturday that was a make-up working day becomes one again);
    - a holiday from the package or the official adjustments on a weekday is overridden: the
      day becomes a working day (stored as a ``workday`` override);
    - anything else (a working day, a plain Saturday or Sunday, or a package holiday that falls on
      a weekend) is not a holiday that can be removed: CalendarError, nothing changed.
    """
    _check_date(day)
    actor = _check_actor(actor)
    overrides = _overrides(session)
    adjustments = load_adjustments()
    cal = WorkingCalendar(overrides, adjustments)
    if cal.is_working_day(day):
        raise CalendarError(f"{day.isoformat()} is not a holiday: it is a working day")
    old_name = cal.name(day) or ""
    admin_holiday = overrides.get(day, ("",))[0] == HOLIDAY
    below = WorkingCalendar({d: v for d, v in overrides.items() if d != day}, adjustments)
    if below.is_working_day(day) or (admin_holiday and day.weekday() >= 5):
        _change(session, day, None, "", actor, "calendar.remove_holiday",
                {"name": old_name, "effect": "administrator holiday deleted"}, clock)
    elif day.weekday() < 5:
        _change(session, day, WORKDAY, f"Làm việc (bỏ ngày nghỉ: {old_name})"[:200], actor,
                "calendar.remove_holiday", {"name": old_name, "effect": "now a working day"}, clock)
    else:
        raise CalendarError(
            f"{day.isoformat()} is a {_WEEKDAYS_EN[day.weekday()]}, a weekly rest day, "
            f"not a holiday that can be removed (use add-workday to make it a working day)"
        )
