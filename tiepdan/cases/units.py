"""The organisation directory: administrative divisions, the unit tree, subtree queries, seeding.

Subtrees use a materialised path: each unit's `path` is its ancestors' ids and its own, 8 digits
and a dot each, root first ("00000001.00000007."). The units of a subtree are exactly those whose
path lies in [path, path with its last segment incremented): one range scan on the `path`
index, the same SQL on SQLite and PostgreSQL, and correct under any collation because every
segment has the same width and only digits and dots occur. Moving a unit rewrites its subtree's
paths (`move_unit`); that is rare, and reads (every inbox query) are frequent.

The 2025 divisions (34 provinces, 3,321 communes) come from the `vietnam-provinces` package, never
typed by hand. Units have validity dates so that pre-2025 districts stay readable in old cases.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, and_, func, insert, or_, select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock

from . import datafiles
from .errors import CaseError, UnknownRecord
from .models import AdminDivision, Unit
from .vocab import LEVELS, UNIT_KINDS, check_code

PATH_WIDTH = 8
REFORM_DATE = date(2025, 7, 1)  # two-tier local government (Luật 72/2025/QH15 Art 51(3))
DIVISIONS_SOURCE = "vietnam-provinces"


def _segment(unit_id: int) -> str:
    return f"{unit_id:0{PATH_WIDTH}d}."


def _ids_of(path: str) -> list[int]:
    return [int(part) for part in path.split(".") if part]


# --- administrative divisions ----------------------------------------------------------------


@dataclass(frozen=True)
class DivisionCounts:
    provinces: int
    communes: int
    added: int = 0


def package_divisions():
    """(provinces, communes) as the `vietnam-provinces` package has them, sorted by code."""
    from vietnam_provinces import Province, Ward

    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    communes = sorted(Ward.iter_all(), key=lambda w: int(w.code))
    return provinces, communes


def province_code_str(code: int | str) -> str:
    return f"{int(code):02d}"


def commune_code_str(code: int | str) -> str:
    return f"{int(code):05d}"


def _clean_name(name: str) -> str:
    """The package writes a few names with a double space ("Phường  Rạch Dừa")."""
    return " ".join(name.split())


def import_divisions(session: Session, province_code: int | str | None = None) -> DivisionCounts:
    """Insert the package's divisions that are not in `admin_division` yet (all of them, or one
    province and its communes). Returns how many provinces and communes the table then holds
    (for that province) and how many rows were added."""
    import vietnam_provinces

    provinces, communes = package_divisions()
    if province_code is not None:
        wanted = int(province_code)
        provinces = [p for p in provinces if int(p.code) == wanted]
        if not provinces:
            raise UnknownRecord(f"Không có tỉnh, thành phố mã {province_code!r} trong danh mục đơn vị hành chính")
        communes = [w for w in communes if int(w.province_code) == wanted]
    source = f"{DIVISIONS_SOURCE} {vietnam_provinces.__version__}"
    existing = set(session.execute(select(AdminDivision.code)).scalars())
    rows = [
        dict(
            code=province_code_str(p.code), name=_clean_name(p.name), division_type=p.division_type.value, level="province",
            codename=p.codename, province_code=province_code_str(p.code), valid_from=REFORM_DATE, valid_to=None,
            source=source,
        )
        for p in provinces
        if province_code_str(p.code) not in existing
    ] + [
        dict(
            code=commune_code_str(w.code), name=_clean_name(w.name), division_type=w.division_type.value, level="commune",
            codename=w.codename, province_code=province_code_str(w.province_code), valid_from=REFORM_DATE,
            valid_to=None, source=source,
        )
        for w in communes
        if commune_code_str(w.code) not in existing
    ]
    if rows:
        # Provinces first: the insert is one executemany, and nothing references a division yet.
        session.execute(insert(AdminDivision), rows)
    return DivisionCounts(len(provinces), len(communes), len(rows))


def division_counts(session: Session) -> DivisionCounts:
    """Provinces and communes in the `admin_division` table."""
    rows = dict(
        session.execute(select(AdminDivision.level, func.count()).group_by(AdminDivision.level)).all()
    )
    return DivisionCounts(rows.get("province", 0), rows.get("commune", 0))


# --- units -----------------------------------------------------------------------------------


def find_unit(session: Session, code: str) -> Unit | None:
    return session.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none()


def get_unit(session: Session, code: str | Unit) -> Unit:
    """The unit with this code (a Unit passes through); UnknownRecord when there is none."""
    if isinstance(code, Unit):
        return code
    unit = find_unit(session, code)
    if unit is None:
        raise UnknownRecord(f"Không có đơn vị mã {code!r}")
    return unit


def create_unit(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    level: str,
    parent: Unit | str | None = None,
    abbreviation: str = "",
    function: str | None = None,
    head_title: str = "",
    on_system: bool = True,
    province_code: str | None = None,
    division_code: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    clock: Clock | None = None,
) -> Unit:
    """Add one unit under `parent` (a Unit or its code; None for a root) and give it its path."""
    check_code(UNIT_KINDS, kind, "Loại đơn vị")
    check_code(LEVELS, level, "Cấp")
    if not code or len(code) > 50:
        raise CaseError(f"Mã đơn vị phải có từ 1 đến 50 ký tự: {code!r}")
    if find_unit(session, code) is not None:
        raise CaseError(f"Mã đơn vị {code!r} đã tồn tại")
    if valid_from and valid_to and valid_to < valid_from:
        raise CaseError(f"Đơn vị {code}: ngày hết hiệu lực trước ngày có hiệu lực")
    parent_unit = get_unit(session, parent) if parent is not None else None
    unit = Unit(
        code=code, name=name, kind=kind, level=level, abbreviation=abbreviation, function=function,
        head_title=head_title, on_system=on_system,
        province_code=province_code if province_code is not None else (parent_unit.province_code if parent_unit else None),
        division_code=division_code, valid_from=valid_from, valid_to=valid_to,
        parent=parent_unit, created_at=(clock or Clock()).now(),
    )
    session.add(unit)
    session.flush()
    unit.path = (parent_unit.path if parent_unit else "") + _segment(unit.id)
    unit.depth = parent_unit.depth + 1 if parent_unit else 0
    session.flush()
    return unit


def move_unit(session: Session, unit: Unit | str, new_parent: Unit | str | None) -> Unit:
    """Re-attach `unit` (and its subtree) under `new_parent`; rewrites the subtree's paths."""
    unit = get_unit(session, unit)
    parent = get_unit(session, new_parent) if new_parent is not None else None
    if parent is not None and is_within(parent, unit):
        raise CaseError(f"Không thể chuyển đơn vị {unit.code} vào đơn vị cấp dưới của chính nó ({parent.code})")
    old_prefix, old_depth = unit.path, unit.depth
    new_prefix = (parent.path if parent else "") + _segment(unit.id)
    depth_shift = (parent.depth + 1 if parent else 0) - old_depth
    for member in subtree(session, unit):
        member.path = new_prefix + member.path[len(old_prefix):]
        member.depth += depth_shift
    unit.parent = parent
    session.flush()
    return unit


def _valid_on(day: date) -> ColumnElement[bool]:
    return and_(
        or_(Unit.valid_from.is_(None), Unit.valid_from <= day),
        or_(Unit.valid_to.is_(None), Unit.valid_to >= day),
    )


def subtree_bounds(path: str) -> tuple[str, str]:
    """[low, high) of the paths in the subtree rooted at the unit with this path."""
    head, last = path[: -(PATH_WIDTH + 1)], int(path[-(PATH_WIDTH + 1):-1])
    return path, head + _segment(last + 1)


def subtree_condition(unit: Unit, *, on: date | None = None) -> ColumnElement[bool]:
    """A WHERE clause on `Unit` selecting `unit` and its descendants (valid on `on`, if given)."""
    low, high = subtree_bounds(unit.path)
    clause = and_(Unit.path >= low, Unit.path < high)
    return and_(clause, _valid_on(on)) if on is not None else clause


def subtree(session: Session, unit: Unit | str, *, on: date | None = None) -> list[Unit]:
    """`unit` and all its descendants, root first then by path (valid on `on`, if given)."""
    unit = get_unit(session, unit)
    return list(session.execute(select(Unit).where(subtree_condition(unit, on=on)).order_by(Unit.path)).scalars())


def subtree_codes(session: Session, unit: Unit | str, *, on: date | None = None):
    """A SELECT of the codes of `unit`'s subtree, to use as `column.in_(...)`."""
    unit = get_unit(session, unit)
    return select(Unit.code).where(subtree_condition(unit, on=on))


def subtree_filter(session: Session, unit: Unit | str, column, *, on: date | None = None) -> ColumnElement[bool]:
    """`column IN (codes of the subtree)`: scope an inbox query, e.g. on TaskIndex.unit_id."""
    return column.in_(subtree_codes(session, unit, on=on))


def subtree_id_filter(session: Session, unit: Unit | str, column, *, on: date | None = None) -> ColumnElement[bool]:
    """`column IN (ids of the subtree)`: scope a query on a unit foreign key."""
    unit = get_unit(session, unit)
    return column.in_(select(Unit.id).where(subtree_condition(unit, on=on)))


def is_within(unit: Unit, ancestor: Unit) -> bool:
    """True when `unit` is `ancestor` or one of its descendants (no query)."""
    return unit.path.startswith(ancestor.path)


def ancestors(session: Session, unit: Unit | str) -> list[Unit]:
    """The units above `unit`, root first (one query by primary key)."""
    unit = get_unit(session, unit)
    ids = _ids_of(unit.path)[:-1]
    if not ids:
        return []
    found = {u.id: u for u in session.execute(select(Unit).where(Unit.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found]


def children(session: Session, unit: Unit | str, *, on: date | None = None) -> list[Unit]:
    unit = get_unit(session, unit)
    query = select(Unit).where(Unit.parent_id == unit.id)
    if on is not None:
        query = query.where(_valid_on(on))
    return list(session.execute(query.order_by(Unit.code)).scalars())


# --- seeding a province ----------------------------------------------------------------------


def _province_forms(province) -> dict[str, str]:
    """How names are written for this province: "tỉnh Cao Bằng" / "thành phố Hà Nội"."""
    from vietnam_provinces import VietNamDivisionType

    if province.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG:
        bare = province.name.removeprefix("Thành phố ").strip()
        return {"of": f"thành phố {bare}", "party_committee": f"Thành ủy {bare}", "bare": bare}
    bare = province.name.removeprefix("Tỉnh ").strip()
    return {"of": f"tỉnh {bare}", "party_committee": f"Tỉnh ủy {bare}", "bare": bare}


def _commune_phrase(name: str) -> str:
    """"Phường Hoàn Kiếm" -> "phường Hoàn Kiếm" (the division word is lower case mid-sentence)."""
    for prefix in ("Xã ", "Phường ", "Đặc khu "):
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix):]
    return name


def commune_unit_code(province_code: str, commune_code: str) -> str:
    return f"{province_code}.X{commune_code}"


def seed_province(
    session: Session,
    province_code: int | str,
    *,
    valid_from: date = REFORM_DATE,
    template_path: Path | None = None,
    clock: Clock | None = None,
) -> Unit:
    """Create the units of one province from data/province_units.yaml and the package's
    communes: the People's Committee (root), its inspectorate, reception office, departments and
    every commune/ward/special zone under it, plus the outside bodies petitions are transferred
    to (roots, not on the system). Units that already exist (by code) are left as they are, so
    running it twice adds nothing. Returns the People's Committee."""
    from vietnam_provinces import Province, ProvinceCode

    try:
        province = Province.from_code(ProvinceCode(int(province_code)))
    except ValueError:
        raise UnknownRecord(f"Không có tỉnh, thành phố mã {province_code!r} trong danh mục đơn vị hành chính") from None
    pcode = province_code_str(province.code)
    import_divisions(session, pcode)
    template = datafiles.province_template(template_path)
    forms = _province_forms(province)
    now = (clock or Clock()).now()
    existing = {
        u.code: u for u in session.execute(select(Unit).where(Unit.province_code == pcode)).scalars()
    }
    by_key: dict[str, Unit] = {}
    new: list[Unit] = []

    def make(code: str, spec: dict, name: str, parent: Unit | None, division: str) -> Unit:
        if code in existing:
            return existing[code]
        check_code(UNIT_KINDS, spec["kind"], f"{code}: loại đơn vị")
        check_code(LEVELS, spec["level"], f"{code}: cấp")
        unit = Unit(
            code=code, name=name, kind=spec["kind"], level=spec["level"],
            abbreviation=spec.get("abbreviation") or "", function=spec.get("function"),
            head_title=spec.get("head_title") or "", on_system=bool(spec.get("on_system", True)),
            province_code=pcode, division_code=division, valid_from=valid_from, valid_to=None,
            parent=parent, created_at=now,
        )
        session.add(unit)
        new.append(unit)
        return unit

    for spec in template["units"]:
        parent = by_key[spec["parent"]] if spec.get("parent") else None
        by_key[spec["key"]] = make(f"{pcode}.{spec['key']}", spec, spec["name"].format(**forms), parent, pcode)
    commune_spec = template["communes"]
    commune_parent = by_key[commune_spec["parent"]]
    communes = session.execute(
        select(AdminDivision).where(AdminDivision.province_code == pcode, AdminDivision.level == "commune")
        .order_by(AdminDivision.code)
    ).scalars()
    for division in communes:
        name = commune_spec["name"].format(commune=_commune_phrase(division.name), **forms)
        make(commune_unit_code(pcode, division.code), commune_spec, name, commune_parent, division.code)

    session.flush()  # ids for the new units
    # `new` is in creation order, parents before children (template order), so paths fill top-down.
    for unit in new:
        parent = unit.parent
        unit.path = (parent.path if parent else "") + _segment(unit.id)
        unit.depth = parent.depth + 1 if parent else 0
    session.flush()
    return by_key[template["units"][0]["key"]]


def province_committee(session: Session, province_code: int | str) -> Unit | None:
    """The People's Committee of a province, as seeded (code "<pp>.UBND")."""
    return session.execute(
        select(Unit).where(Unit.province_code == province_code_str(province_code), Unit.kind == "province_committee")
        .order_by(Unit.depth, Unit.id).limit(1)
    ).scalar_one_or_none()
