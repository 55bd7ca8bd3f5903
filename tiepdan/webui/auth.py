"""Signing in and out, and changing one's password.

Passwords are checked with Argon2id (tiepdan.cases.passwords). A failed sign-in says only that
the username or the password is wrong, never which; too many failures answer 429 with the
minutes to wait (webui.ratelimit). An unknown username costs the same hash verification as a
known one, so the answer time does not tell which usernames exist.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import User
from tiepdan.cases.passwords import MIN_LENGTH, check_password, hash_password
from tiepdan.cases.users import find_user

from . import ratelimit
from .security import (
    current_user,
    db_session,
    login_required,
    safe_next,
    services,
    sign_in,
    sign_out,
)

bp = Blueprint("auth", __name__)

# Verified against when the username is unknown, so that both answers take as long.
_DUMMY = User(active=True, password_hash=hash_password("tiepdan-dummy-password"))


def _now() -> datetime:
    clock = getattr(services().runtime, "clock", None)
    return clock.now() if clock is not None else datetime.now(timezone.utc).replace(tzinfo=None)


def _limits() -> ratelimit.Limits:
    cfg = current_app.config
    return ratelimit.Limits(cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_MAX_FAILURES_PER_IP"], cfg["LOGIN_WINDOW"])


def _client_ip() -> str:
    return request.remote_addr or "-"


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"), url_for("inbox.index"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, username="")
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    session, now, ip = db_session(), _now(), _client_ip()
    wait = ratelimit.blocked_for(session, username, ip, now, _limits())
    if wait:
        session.rollback()
        message = _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.", minutes=wait)
        return render_template("login.html", next=target, username=username, error=message), 429
    user = find_user(session, username) if username else None
    if user is not None and check_password(user, password):
        ratelimit.clear(session, username)
        session.commit()
        sign_in(user)
        current_app.logger.info("login ok: %s from %s", user.username, ip)
        return redirect(target)
    if user is None:
        check_password(_DUMMY, password)
    ratelimit.record_failure(session, username, ip, now)
    session.commit()
    current_app.logger.info("login failed: %r from %s", username[:100], ip)
    message = _("Tên đăng nhập hoặc mật khẩu không đúng.")
    return render_template("login.html", next=target, username=username, error=message), 401


@bp.post("/logout")
def logout():
    sign_out()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        current = request.form.get("current") or ""
        new = request.form.get("new") or ""
        confirm = request.form.get("confirm") or ""
        if not check_password(user, current):
            errors["current"] = _("Mật khẩu hiện tại không đúng.")
        if len(new) < MIN_LENGTH:
            errors["new"] = _("Mật khẩu mới phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH)
        elif new == current:
            errors["new"] = _("Mật khẩu mới phải khác mật khẩu hiện tại.")
        if new != confirm:
            errors["confirm"] = _("Mật khẩu nhập lại không khớp.")
        if not errors:
            try:
                user.password_hash = hash_password(new)
            except CaseError:
                errors["new"] = _("Mật khẩu mới phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH)
        if not errors:
            db_session().commit()
            sign_in(user)  # this session stays signed in; every other one ends
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("inbox.index"))
    status = 400 if errors else 200
    return render_template("password.html", errors=errors), status
