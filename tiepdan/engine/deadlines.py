"""Statutory deadlines: the rule catalogue (data) and the due-date arithmetic.

The catalogue lives in ``processes/rules/*.yaml`` (one level, not recursive), each file a mapping
``{rules: [...]}``. A rule entry::

    - id: complaint.accept            # the ID used by the BPMN diagrams
      description: ...                # Vietnamese
      description_en: ...
      count: 7
      unit: working_days              # days | working_days | months | years
      basis: NĐ 124/2020 Art 16(1) as amended by NĐ 155/2026
      valid_from: 2026-07-01          # optional: in force since (inclusive)
      valid_to:                       # optional: in force until (inclusive)
      to_verify: true                 # the source is [NV] / [S-OCR]: an administrator must check it
      extension: {count: 30, unit: days, max: 2}   # optional: gia hạn, length and max number;
                                      # + limits: {complex: 1, ...} how many a case of each
                                      # complexity may have (each within max)
      on_resume: recount              # optional: continue (default) | recount, see `due_date`

Several entries with the same id in one file are the versions of a rule over time; they must not
overlap. The same id in two files is refused.

Counting (Bộ luật Dân sự 2015 Arts 147-148; `due_date`):

- the start day (the triggering event: receipt, acceptance, decision...) is not counted;
- ``days``: the period ends on day start + N; if that is not a working day it ends on the next
  working day (Art 148(5));
- ``working_days``: the period ends on the Nth working day after start;
- ``months`` / ``years``: the corresponding day of the last month / year (the last day of that
  month when there is no corresponding day), rolled forward like ``days``.

The rule version applied is the one in force on the start date.
"""
from __future__ import annotations

import calendar as _pycal
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Sequence

import yaml

from .calendar import CalendarError, WorkingCalendar

UNITS = ("days", "working_days", "months", "years")
ON_RESUME = ("continue", "recount")

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_FIELDS = {
    "id", "description", "description_en", "count", "unit", "basis", "valid_from", "valid_to",
    "to_verify", "extension", "on_resume",
}
_REQUIRED = ("id", "description", "description_en", "count", "unit", "basis", "to_verify")


class RuleError(ValueError):
    """A bad rule file, an unknown rule, no version in force, or a refused computation.

    `problems` holds one line per problem (several for a catalogue that fails validation).
    """

    def __init__(self, message: str | list[str]):
        self.problems = [message] if isinstance(message, str) else list(message)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Extension:
    """Gia hạn: each extension adds `count` `unit`; at most `max` extensions, and at most
    `limits[complexity]` for a case of that complexity (e.g. LTC Art 30: once for a complex
    denunciation, twice for an especially complex one)."""

    count: int
    unit: str
    max: int
    limits: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ExtensionGrant:
    """One extension decision: how complex the case is, and the written reason the law asks for."""

    complexity: str
    reason: str


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    count: int
    unit: str
    basis: str
    valid_from: date | None
    valid_to: date | None
    to_verify: bool
    description_en: str = ""
    extension: Extension | None = None
    on_resume: str = "continue"
    source: str = ""  # the file it came from

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def as_dict(self) -> dict[str, Any]:
        """The rule as plain data (dates as ISO text), e.g. for a process version's assets."""
        out: dict[str, Any] = {
            "id": self.id,
            "description": self.description,
            "description_en": self.description_en,
            "count": self.count,
            "unit": self.unit,
            "basis": self.basis,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "to_verify": self.to_verify,
            "on_resume": self.on_resume,
        }
        if self.extension:
            out["extension"] = {
                "count": self.extension.count, "unit": self.extension.unit, "max": self.extension.max,
                "limits": dict(self.extension.limits),
            }
        return out


# --- loading and validation -------------------------------------------------------------------


def _as_date(value: Any) -> date | None | str:
    """A date, None for absent, or the string 'bad'."""
    if value is None:
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return "bad"
    return "bad"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_rule(entry: Any, source: str, n: int, problems: list[str]) -> Rule | None:
    if not isinstance(entry, dict):
        problems.append(f"{source}: rule #{n}: expected a mapping of fields")
        return None
    rid = entry.get("id")
    if isinstance(rid, str) and rid.strip():
        label = f"{source}: rule {rid}"
    else:
        label = f"{source}: rule #{n}"
    before = len(problems)

    def bad(msg: str) -> None:
        problems.append(f"{label}: {msg}")

    unknown = set(map(str, entry)) - _FIELDS
    if unknown:
        bad(f"unknown field(s) {', '.join(sorted(unknown))}")
    for field in _REQUIRED:
        if field not in entry or entry[field] is None:
            bad(f"missing field '{field}'")
    if "id" in entry and entry["id"] is not None and not (isinstance(rid, str) and _ID.match(rid)):
        bad(f"'id' must be a dotted lower-case name like complaint.accept, not {rid!r}")
    for field in ("description", "description_en", "basis"):
        value = entry.get(field)
        if value is not None and (not isinstance(value, str) or (field != "description_en" and not value.strip())):
            bad(f"'{field}' must be a non-empty text")
    count = entry.get("count")
    if count is not None:
        if not _is_int(count):
            bad(f"'count' must be a whole number, not {count!r}")
        elif count <= 0:
            bad(f"'count' must be positive, not {count}")
    unit = entry.get("unit")
    if unit is not None and unit not in UNITS:
        bad(f"unknown unit {unit!r} (expected one of {', '.join(UNITS)})")
    to_verify = entry.get("to_verify")
    if to_verify is not None and not isinstance(to_verify, bool):
        bad(f"'to_verify' must be true or false, not {to_verify!r}")
    valid_from, valid_to = _as_date(entry.get("valid_from")), _as_date(entry.get("valid_to"))
    if valid_from == "bad":
        bad(f"'valid_from' must be a date YYYY-MM-DD, not {entry.get('valid_from')!r}")
    if valid_to == "bad":
        bad(f"'valid_to' must be a date YYYY-MM-DD, not {entry.get('valid_to')!r}")
    if isinstance(valid_from, date) and isinstance(valid_to, date) and valid_to < valid_from:
        bad(f"valid_to {valid_to} is before valid_from {valid_from}")
    on_resume = entry.get("on_resume", "continue")
    if on_resume not in ON_RESUME:
        bad(f"'on_resume' must be 'continue' or 'recount', not {on_resume!r}")
    extension = None
    ext = entry.get("extension")
    if ext is not None:
        limits = ext.get("limits", {}) if isinstance(ext, dict) else None
        if not isinstance(ext, dict) or set(map(str, ext)) - {"limits"} != {"count", "unit", "max"}:
            bad("'extension' must be a mapping with count, unit and max (and optional limits)")
        elif not isinstance(limits, dict) or not all(
            isinstance(k, str) and _is_int(v) and 0 < v <= (ext["max"] if _is_int(ext["max"]) else 0)
            for k, v in limits.items()
        ):
            bad(f"'extension.limits' must map each complexity to a whole number from 1 to max, not {limits!r}")
        elif not (_is_int(ext["count"]) and ext["count"] > 0):
            bad(f"'extension.count' must be a positive whole number, not {ext['count']!r}")
        elif not (_is_int(ext["max"]) and ext["max"] > 0):
            bad(f"'extension.max' must be a positive whole number, not {ext['max']!r}")
        elif ext["unit"] != unit:
            bad(f"'extension.unit' must be the rule's unit ({unit}), not {ext['unit']!r}")
        else:
            extension = Extension(ext["count"], ext["unit"], ext["max"], tuple(sorted(limits.items())))
    if len(problems) > before:
        return None
    return Rule(
        id=rid,
        description=entry["description"].strip(),
        count=count,
        unit=unit,
        basis=entry["basis"].strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        to_verify=to_verify,
        description_en=entry["description_en"].strip(),
        extension=extension,
        on_resume=on_resume,
        source=source,
    )


def _parse_file(path: Path, problems: list[str]) -> list[Rule]:
    name = path.name
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(f"{name}: malformed YAML{where}: {problem}")
        return []
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: cannot read the file: {exc}")
        return []
    return _parse_data(data, name, problems)


def _parse_data(data: Any, source: str, problems: list[str]) -> list[Rule]:
    if not isinstance(data, dict) or "rules" not in data:
        problems.append(f"{source}: expected a mapping with a 'rules' list")
        return []
    extra = set(map(str, data)) - {"rules"}
    if extra:
        problems.append(f"{source}: unknown top-level key(s) {', '.join(sorted(extra))}")
    if not isinstance(data["rules"], list):
        problems.append(f"{source}: 'rules' must be a list")
        return []
    rules = []
    for n, entry in enumerate(data["rules"], 1):
        rule = _parse_rule(entry, source, n, problems)
        if rule is not None:
            rules.append(rule)
    return rules


def _check_versions(rules: list[Rule], problems: list[str]) -> dict[str, list[Rule]]:
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rid, versions in by_id.items():
        sources = sorted({r.source for r in versions})
        if len(sources) > 1:
            problems.append(f"{sources[1]}: rule {rid}: duplicate id, also defined in {sources[0]}")
            continue
        versions.sort(key=lambda r: r.valid_from or date.min)
        for a, b in zip(versions, versions[1:]):
            if a.valid_to is None or b.valid_from is None or a.valid_to >= b.valid_from:
                problems.append(
                    f"{a.source}: rule {rid}: overlapping versions "
                    f"({a.valid_from or '...'} to {a.valid_to or '...'} and "
                    f"{b.valid_from or '...'} to {b.valid_to or '...'})"
                )
    return by_id


class RuleCatalogue:
    """Every deadline rule, by id, with its versions over time."""

    def __init__(self, versions: dict[str, list[Rule]]):
        self._versions = {rid: sorted(v, key=lambda r: r.valid_from or date.min) for rid, v in versions.items()}

    @staticmethod
    def _collect(rules_dir: Path) -> tuple[dict[str, list[Rule]], list[str]]:
        problems: list[str] = []
        rules_dir = Path(rules_dir)
        if not rules_dir.is_dir():
            return {}, [f"{rules_dir}: no such rules directory"]
        files = sorted(p for p in rules_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            return {}, [f"{rules_dir}: no rule files (*.yaml)"]
        rules: list[Rule] = []
        for path in files:
            rules.extend(_parse_file(path, problems))
        by_id = _check_versions(rules, problems)
        return by_id, problems

    @classmethod
    def load(cls, rules_dir: Path) -> "RuleCatalogue":
        """Read every ``*.yaml`` in `rules_dir`; RuleError listing every problem if any."""
        by_id, problems = cls._collect(rules_dir)
        if problems:
            raise RuleError(problems)
        return cls(by_id)

    @staticmethod
    def validate(rules_dir: Path) -> list[str]:
        """One line per problem ("file: rule id: message"); [] when the catalogue is sound."""
        return RuleCatalogue._collect(rules_dir)[1]

    @classmethod
    def from_data(cls, data: dict[str, list[dict]], source: str = "<data>") -> "RuleCatalogue":
        """Rebuild a catalogue from `as_data()` output (e.g. frozen in a process version)."""
        problems: list[str] = []
        entries = [e for versions in (data or {}).values() for e in versions]
        rules = _parse_data({"rules": entries}, source, problems)
        by_id = _check_versions(rules, problems)
        if problems:
            raise RuleError(problems)
        return cls(by_id)

    def as_data(self) -> dict[str, list[dict]]:
        return {rid: [r.as_dict() for r in versions] for rid, versions in sorted(self._versions.items())}

    def ids(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, rule_id: str) -> list[Rule]:
        try:
            return list(self._versions[rule_id])
        except KeyError:
            raise RuleError(f"unknown rule {rule_id!r}") from None

    def in_force(self, rule_id: str, on: date) -> Rule:
        for rule in self.versions(rule_id):
            if rule.in_force_on(on):
                return rule
        raise RuleError(f"rule {rule_id} has no version in force on {on.isoformat()}")


# --- arithmetic -------------------------------------------------------------------------------


def _add_months(d: date, months: int) -> date:
    """The corresponding day `months` later, or the last day of that month (BLDS Art 148(3))."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _pycal.monthrange(year, month)[1]))


def _raw_end(calendar: WorkingCalendar, unit: str, start: date, n: int) -> date:
    """The last day of an n-unit period from `start`, before any roll-forward."""
    if unit == "working_days":
        return calendar.add_working_days(start, n)
    if unit == "days":
        return start + timedelta(days=n)
    if unit == "months":
        return _add_months(start, n)
    return _add_months(start, 12 * n)  # years (Art 148(4)); 29 Feb -> 28 Feb


def _check_pauses(start: date, pauses: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    out = []
    for p in pauses:
        try:
            frm, to = p
        except (TypeError, ValueError):
            raise RuleError(f"a pause must be a (from, to) pair of dates, not {p!r}") from None
        if not (isinstance(frm, date) and isinstance(to, date)):
            raise RuleError(f"a pause must be a (from, to) pair of dates, not {p!r}")
        if to < frm:
            raise RuleError(f"pause {frm} to {to}: it resumes before it starts")
        if frm < start:
            raise RuleError(f"pause {frm} to {to}: it starts before the period's start {start}")
        out.append((frm, to))
    out.sort()
    for (f1, t1), (f2, t2) in zip(out, out[1:]):
        if f2 < t1:
            raise RuleError(f"pauses {f1} to {t1} and {f2} to {t2} overlap")
    return out


def due_date(
    calendar: WorkingCalendar,
    rule: Rule,
    start: date,
    *,
    pauses: Sequence[tuple[date, date]] = (),
    extensions: int | Sequence[ExtensionGrant] = 0,
    on_resume: str | None = None,
) -> date:
    """The last day of `rule`'s period triggered on `start` (the period ends at 24:00 that day).

    Extensions (gia hạn): each adds ``rule.extension.count`` units to the period (so 30 days +
    2 extensions of 30 days = one 90-day period from `start`, rolled forward once at its end);
    more than ``rule.extension.max``, or any for a rule without ``extension``, is a RuleError.
    Given as `ExtensionGrant` decisions, each needs its reason, and a case of a complexity the
    rule limits (``extension.limits``) may have at most that many.

    Pauses (tạm đình chỉ): ``(frm, to)`` means the suspension decision was issued on `frm` and
    the continuation decision on `to`. Day `frm` still counts (the clock ran that day); the days
    after it up to and including `to` do not (like the start day, the continuation day is a
    triggering day that is not counted); counting goes on from the day after `to`. So the
    suspended days are the interval (frm, to], and for a working-day rule a pause containing k
    working days — ``calendar.working_days_between(frm, to) == k`` — moves the deadline by
    exactly k working days (k calendar days for a calendar-day rule).

    A pause counts only if the period had not run out when it began (``frm`` is on or before
    the due date computed so far); a later pause changes nothing. If it began on the last day
    itself, nothing of the period is left and it ends on `to` (rolled forward).

    `on_resume` (default: the rule's ``on_resume``) chooses what happens after a pause:

    - ``"continue"``: the remaining time runs on (suspended time is not counted; LTC Art 34,
      LKN Art 9 for objective obstacles);
    - ``"recount"``: the full period (with its extensions) is counted again from the
      continuation decision `to`, as for complaints (NĐ 124/2020 Art 28b as amended by NĐ
      155/2026: "thời hạn giải quyết được tính lại từ ngày có quyết định tiếp tục giải quyết").
      This is the same as calling with ``start=to`` of the last pause, which callers may also do.

    A start date, or a result, outside the calendar's supported years raises CalendarError.
    The rule *version* is the caller's choice (`Deadlines.due` takes the one in force on
    `start`, also for a recount).
    """
    if not _is_int(extensions):
        extensions = _granted(rule, extensions)
    if extensions < 0:
        raise RuleError(f"extensions must be a whole number >= 0, not {extensions!r}")
    if extensions:
        if rule.extension is None:
            raise RuleError(f"rule {rule.id} cannot be extended")
        if extensions > rule.extension.max:
            raise RuleError(
                f"rule {rule.id} can be extended at most {rule.extension.max} time(s), not {extensions}"
            )
    mode = on_resume or rule.on_resume
    if mode not in ON_RESUME:
        raise RuleError(f"on_resume must be 'continue' or 'recount', not {mode!r}")
    try:
        calendar.is_working_day(start)
        total = rule.count + (rule.extension.count * extensions if extensions else 0)
        raw = _raw_end(calendar, rule.unit, start, total)
        for frm, to in _check_pauses(start, pauses):
            if frm > calendar.roll_forward(raw):
                break  # the period had run out before this pause
            if mode == "recount":
                raw = _raw_end(calendar, rule.unit, to, total)
            elif rule.unit == "working_days":
                left = max(0, calendar.working_days_between(frm, raw))
                raw = calendar.add_working_days(to, left)
            else:
                left = max(0, (raw - frm).days)
                raw = to + timedelta(days=left)
        return calendar.roll_forward(raw)
    except CalendarError as exc:
        raise CalendarError(f"rule {rule.id} from {start}: {exc}") from None


def _granted(rule: Rule, grants) -> int:
    """How many extensions `grants` add, after checking each decision against the rule."""
    if isinstance(grants, (str, bytes)) or not all(isinstance(g, ExtensionGrant) for g in grants):
        raise RuleError(f"extensions must be a whole number or extension decisions, not {grants!r}")
    grants = list(grants)
    if not grants:
        return 0
    if rule.extension is None:
        raise RuleError(f"rule {rule.id} cannot be extended")
    limits = dict(rule.extension.limits)
    for i, grant in enumerate(grants, 1):
        if not grant.reason or not grant.reason.strip():
            raise RuleError(f"extension {i} of rule {rule.id} gives no reason (the law requires one)")
        if limits and grant.complexity not in limits:
            raise RuleError(
                f"extension {i} of rule {rule.id}: complexity must be one of {', '.join(limits)}, not {grant.complexity!r}"
            )
    if limits:
        complexity = grants[-1].complexity  # the latest decision says how complex the case is now
        if len(grants) > limits[complexity]:
            raise RuleError(
                f"rule {rule.id}: a {complexity} case can be extended at most {limits[complexity]} time(s), not {len(grants)}"
            )
    return len(grants)


class Deadlines:
    """Due dates by rule id: the rule version in force on the start date, on a calendar."""

    def __init__(self, calendar: WorkingCalendar, catalogue: RuleCatalogue):
        self.calendar = calendar
        self.catalogue = catalogue

    def rule(self, rule_id: str, on: date) -> Rule:
        return self.catalogue.in_force(rule_id, on)

    def due(
        self,
        rule_id: str,
        start: date,
        *,
        pauses: Sequence[tuple[date, date]] = (),
        extensions: int | Sequence[ExtensionGrant] = 0,
        on_resume: str | None = None,
    ) -> date:
        """See `due_date`; the rule version is the one in force on `start`."""
        return due_date(
            self.calendar,
            self.catalogue.in_force(rule_id, start),
            start,
            pauses=pauses,
            extensions=extensions,
            on_resume=on_resume,
        )
