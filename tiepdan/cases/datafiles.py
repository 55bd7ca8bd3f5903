"""The small lists legal staff and administrators correct, read from YAML in `cases/data/`.

Each loader takes an optional path (tests and deployments may point elsewhere), validates the
file and raises `DataFileError` with one line naming the file and the entry on any problem. The
parsed result is cached per (path, modification time), so an edited file is picked up without a
restart.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml

from .errors import DataFileError
from .vocab import PETITION_TYPES

DATA_DIR = Path(__file__).resolve().parent / "data"

T = TypeVar("T")
_cache: dict[tuple[str, str], tuple[float, Any]] = {}


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataFileError(f"{path}:{where} not valid YAML: {problem}") from None
    except ValueError as exc:  # a scalar YAML could not construct, e.g. the date 2026-13-01
        raise DataFileError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None


def cached(kind: str, path: Path, parse: Callable[[Path], T]) -> T:
    """`parse(path)`, re-run only when the file changed since the last call."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    key = (kind, str(path))
    hit = _cache.get(key)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    value = parse(path)
    _cache[key] = (mtime, value)
    return value


def _mapping(path: Path, where: str, value: Any, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise DataFileError(f"{path}: {where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise DataFileError(f"{path}: {where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(k for k in required if value.get(k) in (None, ""))
    if missing:
        raise DataFileError(f"{path}: {where}: missing {missing[0]!r}")
    return value


def _optional_date(path: Path, where: str, value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    raise DataFileError(f"{path}: {where}: expected a date YYYY-MM-DD, got {value!r}")


# --- refusal grounds -------------------------------------------------------------------------


@dataclass(frozen=True)
class RefusalGround:
    code: str
    label: str
    label_en: str
    basis: str
    written_notice: bool
    valid_from: date | None
    valid_to: date | None
    to_verify: bool

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def _parse_grounds(path: Path) -> dict[str, RefusalGround]:
    doc = _mapping(path, "top level", read_yaml(path), {"grounds"}, {"grounds"})
    if not isinstance(doc["grounds"], list):
        raise DataFileError(f"{path}: grounds: expected a list")
    result: dict[str, RefusalGround] = {}
    keys = {"code", "label", "label_en", "basis", "written_notice", "valid_from", "valid_to", "to_verify"}
    for i, entry in enumerate(doc["grounds"]):
        where = f"grounds[{i}]"
        e = _mapping(path, where, entry, keys, {"code", "label", "label_en", "basis"})
        code = str(e["code"])
        if code in result:
            raise DataFileError(f"{path}: {where}: duplicate code {code!r}")
        result[code] = RefusalGround(
            code=code,
            label=str(e["label"]),
            label_en=str(e["label_en"]),
            basis=str(e["basis"]),
            written_notice=bool(e.get("written_notice", False)),
            valid_from=_optional_date(path, f"{where}.valid_from", e.get("valid_from")),
            valid_to=_optional_date(path, f"{where}.valid_to", e.get("valid_to")),
            to_verify=bool(e.get("to_verify", False)),
        )
        ground = result[code]
        if ground.valid_from and ground.valid_to and ground.valid_to < ground.valid_from:
            raise DataFileError(f"{path}: {where}: valid_to is before valid_from")
    return result


def refusal_grounds(path: Path | None = None) -> dict[str, RefusalGround]:
    """Grounds for refusing a reception (LTCD Art 9, NĐ 154/2026 Art 4), by code."""
    return cached("refusal_grounds", path or DATA_DIR / "refusal_grounds.yaml", _parse_grounds)


# --- ineligibility reasons -------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    label_en: str
    basis: str
    to_verify: bool


def _parse_reasons(path: Path) -> dict[str, Reason]:
    doc = _mapping(path, "top level", read_yaml(path), {"reasons"}, {"reasons"})
    if not isinstance(doc["reasons"], list):
        raise DataFileError(f"{path}: reasons: expected a list")
    result: dict[str, Reason] = {}
    for i, entry in enumerate(doc["reasons"]):
        where = f"reasons[{i}]"
        e = _mapping(path, where, entry, {"code", "label", "label_en", "basis", "to_verify"}, {"code", "label", "label_en"})
        code = str(e["code"])
        if code in result:
            raise DataFileError(f"{path}: {where}: duplicate code {code!r}")
        result[code] = Reason(code, str(e["label"]), str(e["label_en"]), str(e.get("basis", "")), bool(e.get("to_verify", False)))
    return result


def ineligibility_reasons(path: Path | None = None) -> dict[str, Reason]:
    """Why a petition is not eligible for processing (TT 05/2021 Art 6), by code."""
    return cached("ineligibility_reasons", path or DATA_DIR / "ineligibility_reasons.yaml", _parse_reasons)


# --- identity access -------------------------------------------------------------------------

UNIT_SCOPES = ("receiving", "holding", "ancestors")


@dataclass(frozen=True)
class AccessRule:
    roles: frozenset[str]
    units: frozenset[str]


@dataclass(frozen=True)
class IdentityAccess:
    sealed_types: frozenset[str]
    sealed: AccessRule
    open: AccessRule


def _parse_access(path: Path) -> IdentityAccess:
    doc = _mapping(path, "top level", read_yaml(path), {"sealed_types", "sealed", "open"}, {"sealed_types", "sealed", "open"})

    def rule(name: str) -> AccessRule:
        e = _mapping(path, name, doc[name], {"roles", "units"}, {"roles", "units"})
        for key in ("roles", "units"):
            if not isinstance(e[key], list) or not all(isinstance(x, str) for x in e[key]):
                raise DataFileError(f"{path}: {name}.{key}: expected a list of codes")
        bad = [u for u in e["units"] if u not in UNIT_SCOPES]
        if bad:
            raise DataFileError(f"{path}: {name}.units: unknown scope {bad[0]!r} (allowed: {', '.join(UNIT_SCOPES)})")
        return AccessRule(frozenset(e["roles"]), frozenset(e["units"]))

    if not isinstance(doc["sealed_types"], list):
        raise DataFileError(f"{path}: sealed_types: expected a list of petition types")
    # A misspelt type must not pass: it would silently leave every denouncer unsealed.
    unknown = [t for t in doc["sealed_types"] if t not in PETITION_TYPES]
    if unknown:
        raise DataFileError(
            f"{path}: sealed_types: unknown petition type {unknown[0]!r} (allowed: {', '.join(PETITION_TYPES)})"
        )
    return IdentityAccess(frozenset(doc["sealed_types"]), rule("sealed"), rule("open"))


def identity_access(path: Path | None = None) -> IdentityAccess:
    """Who may see sealed (denouncers') and open identities; see data/identity_access.yaml."""
    return cached("identity_access", path or DATA_DIR / "identity_access.yaml", _parse_access)


# --- group representation --------------------------------------------------------------------


@dataclass(frozen=True)
class RepresentationBand:
    min_people: int
    max_people: int | None
    min_representatives: int
    max_representatives: int

    def covers(self, people: int) -> bool:
        return people >= self.min_people and (self.max_people is None or people <= self.max_people)


def _parse_bands(path: Path) -> list[RepresentationBand]:
    doc = _mapping(path, "top level", read_yaml(path), {"bands"}, {"bands"})
    if not isinstance(doc["bands"], list):
        raise DataFileError(f"{path}: bands: expected a list")
    bands = []
    keys = {"min_people", "max_people", "min_representatives", "max_representatives"}
    for i, entry in enumerate(doc["bands"]):
        where = f"bands[{i}]"
        e = _mapping(path, where, entry, keys, keys - {"max_people"})
        for key in keys:
            value = e.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise DataFileError(f"{path}: {where}.{key}: expected a whole number, got {value!r}")
        if e["min_representatives"] > e["max_representatives"]:
            raise DataFileError(f"{path}: {where}: min_representatives is greater than max_representatives")
        if e.get("max_people") is not None and e["max_people"] < e["min_people"]:
            raise DataFileError(f"{path}: {where}: max_people is less than min_people")
        bands.append(RepresentationBand(e["min_people"], e.get("max_people"), e["min_representatives"], e["max_representatives"]))
    return bands


def representation_bands(path: Path | None = None) -> list[RepresentationBand]:
    """How many representatives a group of petitioners appoints, by size (LTCD Art 30)."""
    return cached("representation", path or DATA_DIR / "representation.yaml", _parse_bands)


# --- province template -----------------------------------------------------------------------


def province_template(path: Path | None = None) -> dict:
    """The units seeded for a province (data/province_units.yaml), checked for shape."""

    def parse(p: Path) -> dict:
        doc = _mapping(p, "top level", read_yaml(p), {"units", "communes"}, {"units", "communes"})
        unit_keys = {"key", "parent", "kind", "level", "abbreviation", "on_system", "function", "name", "head_title"}
        seen: set[str] = set()
        for i, entry in enumerate(doc["units"]):
            e = _mapping(p, f"units[{i}]", entry, unit_keys, {"key", "kind", "level", "name"})
            if e.get("parent") is not None and e["parent"] not in seen:
                raise DataFileError(f"{p}: units[{i}]: parent {e['parent']!r} must be listed before it")
            seen.add(e["key"])
        c = _mapping(p, "communes", doc["communes"], unit_keys - {"key", "function"}, {"parent", "kind", "level", "name"})
        if c["parent"] not in seen:
            raise DataFileError(f"{p}: communes: unknown parent {c['parent']!r}")
        return doc

    return cached("province_template", path or DATA_DIR / "province_units.yaml", parse)
