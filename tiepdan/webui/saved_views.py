"""Saved inbox views: a user names the list and filters they use every day and opens them again
with one click. Only the inbox's own arguments are kept, so a saved view can never carry
anything else into a URL."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tiepdan.cases.models import SavedView

from .inbox import VIEWS, parse_filters
from .security import current_user, db_session, login_required, sees_subtree, services

bp = Blueprint("saved_views", __name__)
MAX_VIEWS = 20
MAX_NAME = 100


def views_of(session, user) -> list[SavedView]:
    return list(session.execute(select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)).scalars())


def link(saved: SavedView) -> str:
    return url_for("inbox.index") + "?" + saved.query


def _clean_query(form) -> str | None:
    """The inbox arguments of the submitted view, normalised; None when they are not valid."""
    view = form.get("view") or "mine"
    if view not in VIEWS or (view == "units" and not sees_subtree(current_user())):
        return None
    filters = parse_filters(form)
    if filters.errors:
        return None
    return urlencode({"view": view, **filters.args(page="")})


@bp.post("/inbox/views")
@login_required
def save():
    user, session = current_user(), db_session()
    name = (request.form.get("name") or "").strip()
    query = _clean_query(request.form)
    back = url_for("inbox.index", **dict(parse_qsl(query))) if query else url_for("inbox.index")
    if not name or len(name) > MAX_NAME:
        flash(_("Tên bộ lọc phải có từ 1 đến %(n)d ký tự.", n=MAX_NAME), "error")
    elif query is None:
        flash(_("Bộ lọc không hợp lệ: không lưu được."), "error")
    elif len(views_of(session, user)) >= MAX_VIEWS and not any(v.name == name for v in views_of(session, user)):
        flash(_("Mỗi người lưu tối đa %(n)d bộ lọc.", n=MAX_VIEWS), "error")
    else:
        existing = session.execute(
            select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name)
        ).scalar_one_or_none()
        if existing is None:
            session.add(SavedView(user_id=user.id, name=name, query=query, created_at=services().runtime.clock.now()))
        else:
            existing.query = query
        session.commit()
        flash(_("Đã lưu bộ lọc “%(name)s”.", name=name), "success")
    return redirect(back)


@bp.post("/inbox/views/<int:view_id>/delete")
@login_required
def delete(view_id: int):
    user, session = current_user(), db_session()
    saved = session.get(SavedView, view_id)
    if saved is None or saved.user_id != user.id:
        abort(404)
    session.delete(saved)
    session.commit()
    flash(_("Đã xóa bộ lọc “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("inbox.index"))
