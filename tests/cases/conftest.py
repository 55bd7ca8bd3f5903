"""Case-record fixtures: a seeded province (Cao Bằng, code 4) with users for every role, on each
database backend (the shared `db` fixture), and a fixed clock.

Every test gets its own database, so tests stay independent. Seeding a province through the ORM
costs about 0.15 s, which a hundred tests would pay again and again; so `seed_world` runs the
real `seed_province` and `create_user` once per test run (into a scratch SQLite file), keeps the
rows it wrote, and bulk-inserts those rows into each test's database. `tests/cases/test_units.py`
tests seeding itself on both backends.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from tiepdan.cases import units, users
from tiepdan.cases.models import AdminDivision, Unit, User, UserRole
from tiepdan.cases.parties import IdentityData
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.db import Base, make_engine, make_sessionmaker, transaction

PROVINCE = 4  # Cao Bằng: 56 communes and wards
P = "04"
# 2026-03-02 09:00 in Hà Nội (UTC+7), a Monday, before NĐ 154/2026 takes effect (2026-07-01).
T0 = datetime(2026, 3, 2, 2, 0)

# (username, full name, unit key of World, roles)
USERS = [
    ("tiep.btcd", "Nông Thị Tiếp", "office", ["reception_officer"]),
    ("xuly.btcd", "Hoàng Văn Xử", "office", ["handling_officer"]),
    ("truongban", "Lục Văn Trưởng", "office", ["leader"]),
    ("xacminh.btcd", "Vi Thị Kiểm", "office", ["verifier"]),
    ("xacminh.ttr", "Bế Văn Minh", "inspectorate", ["verifier"]),
    ("giamsat.ttr", "Lương Thị Sát", "inspectorate", ["supervisor"]),
    ("xuly.ttr", "Nông Văn Tra", "inspectorate", ["handling_officer"]),
    ("chutich", "Đàm Văn Chủ", "committee", ["leader", "supervisor"]),
    ("phapche", "Hà Thị Luật", "committee", ["legal_staff"]),
    ("admin", "Quản Trị", "committee", ["administrator"]),
    ("tiep.xa", "Triệu Thị Xã", "commune", ["reception_officer", "handling_officer"]),
    ("chutich.xa", "Mã Văn Xã", "commune", ["leader"]),
    ("xuly.xa2", "La Văn Hai", "other_commune", ["handling_officer"]),
]


@dataclass
class World:
    """Unit codes and the clock of a seeded database; rows are reloaded in each session."""

    db: object
    clock: FixedClock
    committee: str = f"{P}.UBND"
    inspectorate: str = f"{P}.TTR"
    office: str = f"{P}.BTCD"
    construction: str = f"{P}.SXD"
    court: str = f"{P}.TAND"
    investigation: str = f"{P}.CSDT"
    commune: str = f"{P}.X01273"  # Phường Thục Phán
    other_commune: str = f"{P}.X01279"  # Phường Nùng Trí Cao

    def session(self):
        return transaction(self.db.sessions)


_TABLES = [AdminDivision.__table__, Unit.__table__, User.__table__, UserRole.__table__]
_snapshot: dict[str, list[dict]] | None = None


def _seed(session: Session, clock: FixedClock) -> None:
    units.seed_province(session, PROVINCE, clock=clock)
    world = World(db=None, clock=clock)
    for username, full_name, where, roles in USERS:
        users.create_user(
            session, username=username, full_name=full_name, unit=getattr(world, where), roles=roles, clock=clock
        )


def _rows() -> dict[str, list[dict]]:
    global _snapshot
    if _snapshot is None:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'seed.db'}")
            Base.metadata.create_all(engine)
            with transaction(make_sessionmaker(engine)) as session:
                _seed(session, FixedClock(T0))
            with engine.connect() as conn:
                _snapshot = {
                    t.name: [dict(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns)).mappings()]
                    for t in _TABLES
                }
            engine.dispose()
    return _snapshot


def seed_world(db, clock: FixedClock | None = None) -> World:
    """Load the seeded province and users into `db` (rows made by the real seeding code)."""
    rows = _rows()
    with db.engine.begin() as conn:
        for table in _TABLES:
            conn.execute(insert(table), rows[table.name])
        if db.backend == "postgresql":
            for table in ("unit", "app_user"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    return World(db=db, clock=clock or FixedClock(T0))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def world(db, clock) -> World:
    return seed_world(db, clock)


def unit(session: Session, code: str) -> Unit:
    return units.get_unit(session, code)


def user(session: Session, username: str) -> User:
    return users.get_user(session, username)


def person(name: str, *, address: str = "", cccd: str | None = None, phone: str | None = None,
           email: str | None = None) -> IdentityData:
    return IdentityData(
        full_name=name, address=address, id_type="cccd" if cccd else None, id_number=cccd, phone=phone, email=email
    )
