"""Hot spots (điểm nóng): where petitions gather. Three flags, their thresholds as data in
processes/hotspots.yaml:

- a group petition (đơn đông người): `petitioner_count` at or above `group_min_petitioners`;
- a repeated matter: a first petition and the ones the officer marked as its duplicates (the
  candidates `cases.duplicates.likely_duplicates` proposes; the choice lands in
  `duplicate_of_id`), `repeat_min_petitions` or more received in the period;
- a commune with rising counts: at least `rising.min_count` petitions in the period and
  `rising.rise_percent` per cent more than in the period of the same length just before.

A petition's commune is the commune of the body it is about (the first respondent's unit) when
that is known, else the commune of the unit that received it; a petition received at a province
body about no commune-level unit has no commune ("Chưa xác định xã"). Since the 2025 reform a
province is divided directly into communes and wards, so the table groups by commune only.

The petitions counted are those received in the period by the unit's subtree (as in 02/XLD).
Nothing here reads a party's identity: a flagged case shows its receipt number, date, type,
number of petitioners and commune, never a name or the letter's title (which may name the
denouncer).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from .errors import CaseError
from .models import AdminDivision, Party, Petition, Unit
from .units import get_unit, subtree_id_filter

FLAGGED_LIMIT = 500


class HotspotError(CaseError):
    """processes/hotspots.yaml is missing a threshold or holds a bad one."""


@dataclass(frozen=True)
class Thresholds:
    group_min_petitioners: int
    repeat_min_petitions: int
    rising_min_count: int
    rising_percent: int


@lru_cache(maxsize=8)
def _load(path: str) -> Thresholds:
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    try:
        values = Thresholds(int(data["group_min_petitioners"]), int(data["repeat_min_petitions"]),
                            int(data["rising"]["min_count"]), int(data["rising"]["rise_percent"]))
    except (KeyError, TypeError, ValueError) as err:
        raise HotspotError(f"{path}: thiếu hoặc sai ngưỡng ({err})") from None
    if min(values.group_min_petitioners, values.repeat_min_petitions, values.rising_min_count) < 2 \
            or values.rising_percent < 0:
        raise HotspotError(f"{path}: ngưỡng phải từ 2 trở lên, tỷ lệ tăng không âm")
    return values


def thresholds(path: Path | str | None = None) -> Thresholds:
    if path is None:
        from tiepdan.config import Settings

        path = Path(Settings.from_env().processes_dir) / "hotspots.yaml"
    return _load(str(path))


@dataclass(frozen=True)
class CommuneRow:
    code: str | None  # None: petitions with no known commune
    name: str
    count: int
    previous: int
    groups: int
    repeated: int
    rising: bool

    @property
    def change_percent(self) -> int | None:
        return None if not self.previous else round(100 * (self.count - self.previous) / self.previous)

    @property
    def flagged(self) -> bool:
        return self.rising or bool(self.groups) or bool(self.repeated)


@dataclass(frozen=True)
class FlaggedCase:
    business_key: str
    receipt_no: str
    received_on: date
    petition_type: str | None
    petitioner_count: int
    commune: str
    group: bool
    repeated: bool


@dataclass
class Hotspots:
    unit_code: str
    unit_name: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    limits: Thresholds
    communes: list[CommuneRow]
    cases: list[FlaggedCase]
    more_cases: int  # flagged beyond FLAGGED_LIMIT


def _commune_code():
    """The commune a petition is about (see the module docstring), as a scalar subquery."""
    respondent = (select(Unit.division_code).join(Party, Party.organisation_unit_id == Unit.id)
                  .where(Party.petition_id == Petition.id, Party.role == "respondent")
                  .order_by(Party.ordinal, Party.id).limit(1).scalar_subquery())
    receiver = select(Unit.division_code).where(Unit.id == Petition.receiving_unit_id).scalar_subquery()
    commune_level = select(AdminDivision.code).where(AdminDivision.level == "commune")
    return case((respondent.in_(commune_level), respondent),
                (receiver.in_(commune_level), receiver))


def find_hotspots(session: Session, unit: Unit | str, start: date, end: date, *,
                  limits: Thresholds | None = None) -> Hotspots:
    """The hot spots among the petitions the subtree of `unit` received from `start` to `end`."""
    if end < start:
        raise HotspotError(f"Ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}")
    limits = limits or thresholds()
    unit = get_unit(session, unit)
    previous_end = start - timedelta(days=1)
    previous_start = previous_end - (end - start)
    day, scope = Petition.received_on, subtree_id_filter(session, unit, Petition.receiving_unit_id)
    now = and_(day >= start, day <= end)
    group = Petition.petitioner_count >= limits.group_min_petitioners

    matter = func.coalesce(Petition.duplicate_of_id, Petition.id)
    repeated_matters = (select(matter).where(scope, now).group_by(matter)
                        .having(func.count() >= limits.repeat_min_petitions))
    repeated = matter.in_(repeated_matters)

    commune = _commune_code().label("commune")
    counted = (select(commune, day.label("day"), group.label("is_group"), repeated.label("is_repeated"))
               .where(scope, day >= previous_start, day <= end).subquery())
    in_now = and_(counted.c.day >= start)
    rows = session.execute(
        select(counted.c.commune, AdminDivision.name,
               func.count(case((in_now, 1))), func.count(case((counted.c.day < start, 1))),
               func.count(case((and_(in_now, counted.c.is_group), 1))),
               func.count(case((and_(in_now, counted.c.is_repeated), 1))))
        .outerjoin(AdminDivision, AdminDivision.code == counted.c.commune)
        .group_by(counted.c.commune, AdminDivision.name)
    ).all()
    communes = []
    for code, name, count, previous, groups, rep in rows:
        rising = code is not None and count >= limits.rising_min_count and count > previous \
            and count * 100 >= previous * (100 + limits.rising_percent)
        communes.append(CommuneRow(code, name or "Chưa xác định xã", count, previous, groups, rep, rising))
    communes.sort(key=lambda r: (not r.flagged, -r.count, r.code is None, r.name))

    flagged = or_(group, repeated)
    names = {r.code: r.name for r in communes}
    found = session.execute(
        select(Petition.business_key, Petition.receipt_no, Petition.received_on, Petition.petition_type,
               Petition.petitioner_count, commune, group, repeated)
        .where(scope, now, flagged).order_by(Petition.received_on.desc(), Petition.id.desc()).limit(FLAGGED_LIMIT + 1)
    ).all()
    cases = [FlaggedCase(key, no, on, kind, n, names.get(code, "Chưa xác định xã"), bool(g), bool(r))
             for key, no, on, kind, n, code, g, r in found[:FLAGGED_LIMIT]]
    more = 0
    if len(found) > FLAGGED_LIMIT:
        more = session.execute(select(func.count()).select_from(Petition).where(scope, now, flagged)).scalar_one() \
            - FLAGGED_LIMIT
    return Hotspots(unit.code, unit.name, start, end, previous_start, previous_end, limits, communes, cases, more)
