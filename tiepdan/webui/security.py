"""Who is asking, and what they may see: the signed-in user, role checks and unit scoping.

Every view that shows or changes a case or a task goes through here. The rule of issue 6: an
officer sees the tasks and cases of their own unit; a leader or a supervisor also those of the
units below theirs; nothing else. A task or case outside that scope answers 404 (not 403), so
that a direct URL does not even confirm that the record exists.
"""
from __future__ import annotations

import hashlib
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from tiepdan.cases.models import Unit, User
from tiepdan.cases.units import find_unit, is_within, subtree_filter

# Roles that look over their unit's subtree (Luật Tiếp công dân / Luật Khiếu nại: the head and
# the inspectorate supervise the bodies below them).
SUBTREE_ROLES = frozenset({"leader", "supervisor"})
SESSION_USER = "uid"
SESSION_STAMP = "pwd"


def services():
    """The assembled application (tiepdan.wiring.Services) this app was created with."""
    return current_app.extensions["tiepdan"]


def db_session() -> Session:
    """One ORM session per request, closed at teardown (see `close_db_session`)."""
    if "db" not in g:
        g.db = services().sessions()
    return g.db


def close_db_session(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def password_stamp(user: User) -> str:
    """A short fingerprint of the stored hash: a password change ends every other session."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def sign_in(user: User) -> None:
    sign_out()  # a fresh session (keeping only the language)
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_STAMP] = password_stamp(user)


def sign_out() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def current_user() -> User | None:
    """The signed-in, active user whose password has not changed since signing in, or None."""
    if "user" in g:
        return g.user
    user = None
    uid = session.get(SESSION_USER)
    if uid is not None:
        candidate = db_session().get(User, uid)
        if candidate is not None and candidate.active and session.get(SESSION_STAMP) == password_stamp(candidate):
            user = candidate
        else:
            sign_out()
    g.user = user
    return user


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def has_role(user: User | None, *roles: str) -> bool:
    return user is not None and bool(user.roles & set(roles))


def roles_required(*roles: str) -> Callable:
    """Signed in and holding one of `roles`, else 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not has_role(current_user(), *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


# --- unit scoping ------------------------------------------------------------------------------


def sees_subtree(user: User) -> bool:
    return bool(user.roles & SUBTREE_ROLES)


def unit_scope(session: Session, user: User, column) -> ColumnElement[bool]:
    """A WHERE clause on a unit-code column (e.g. TaskIndex.unit_id): the units `user` may see."""
    if sees_subtree(user):
        return subtree_filter(session, user.unit, column)
    return column == user.unit.code


def may_see_unit(session: Session, user: User, unit: Unit | str | None) -> bool:
    """Whether a record held by `unit` (a Unit or its code) is within `user`'s scope."""
    if unit is None:
        return False
    if isinstance(unit, str):
        if unit == user.unit.code:
            return True
        unit = find_unit(session, unit)
        if unit is None:
            return False
    if unit.id == user.unit_id:
        return True
    return sees_subtree(user) and is_within(unit, user.unit)


def require_unit(session: Session, user: User, unit: Unit | str | None) -> None:
    """404 unless `user` may see records of `unit`."""
    if not may_see_unit(session, user, unit):
        abort(404)
