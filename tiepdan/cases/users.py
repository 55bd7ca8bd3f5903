"""Users of tiepdan: a person in one unit holding one or more roles there.

Role codes are those of processes/roles.yaml (the BPMN lanes name them). Authentication is
issue 6's: `password_hash` is stored as given.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan.config import Settings
from tiepdan.engine.catalogues import load_roles
from tiepdan.engine.clock import Clock

from .errors import CaseError, UnknownRecord
from .models import Unit, User, UserRole
from .units import get_unit


def known_roles(processes_dir: Path | None = None) -> dict[str, dict]:
    """Role code -> {label, label_en}, from processes/roles.yaml."""
    return load_roles(processes_dir or Settings.from_env().processes_dir)


def _check_roles(roles, processes_dir: Path | None) -> list[str]:
    allowed = known_roles(processes_dir)
    roles = list(dict.fromkeys(roles))
    bad = [r for r in roles if r not in allowed]
    if bad:
        raise CaseError(f"Vai trò không hợp lệ: {', '.join(bad)} (cho phép: {', '.join(allowed)})")
    return roles


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    unit: Unit | str,
    roles: list[str] | tuple[str, ...] = (),
    phone: str | None = None,
    email: str | None = None,
    password_hash: str | None = None,
    active: bool = True,
    processes_dir: Path | None = None,
    clock: Clock | None = None,
) -> User:
    username = username.strip()
    if not username:
        raise CaseError("Tên đăng nhập không được để trống")
    if find_user(session, username) is not None:
        raise CaseError(f"Tên đăng nhập {username!r} đã tồn tại")
    unit = get_unit(session, unit)
    user = User(
        username=username, full_name=full_name, unit=unit, phone=phone, email=email,
        password_hash=password_hash, active=active, created_at=(clock or Clock()).now(),
        role_rows=[UserRole(role=r) for r in _check_roles(roles, processes_dir)],
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def get_user(session: Session, username: str | User) -> User:
    if isinstance(username, User):
        return username
    user = find_user(session, username)
    if user is None:
        raise UnknownRecord(f"Không có người dùng {username!r}")
    return user


def grant_role(session: Session, user: User | str, role: str, *, processes_dir: Path | None = None) -> User:
    user = get_user(session, user)
    _check_roles([role], processes_dir)
    if role not in user.roles:
        user.role_rows.append(UserRole(role=role))
        session.flush()
    return user


def revoke_role(session: Session, user: User | str, role: str) -> User:
    user = get_user(session, user)
    for row in list(user.role_rows):
        if row.role == role:
            user.role_rows.remove(row)
    session.flush()
    return user


def users_with_role(session: Session, unit: Unit | str, role: str, *, active_only: bool = True) -> list[User]:
    """The users of `unit` holding `role` (e.g. to offer assignees for a task)."""
    unit = get_unit(session, unit)
    query = select(User).join(UserRole).where(User.unit_id == unit.id, UserRole.role == role)
    if active_only:
        query = query.where(User.active.is_(True))
    return list(session.execute(query.order_by(User.full_name)).scalars())
