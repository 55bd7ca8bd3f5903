"""The Flask application factory: configuration, extensions and blueprints in one place.

Blueprints, one per audience, as they are built: `auth` (sign in and out, password), `inbox`
(the officer's tasks), `lang` (language switch). Views reach the rest of the application
through `app.extensions["tiepdan"]` (tiepdan.wiring.Services); see webui.security.
"""
from __future__ import annotations

import os
import secrets
from importlib import import_module
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

csrf = CSRFProtect()

SECRET_KEY_FILE = "secret_key"


def secret_key(var_dir: Path) -> str:
    """TIEPDAN_SECRET_KEY, else a random key kept in <var>/secret_key (mode 0600), made once.

    The key signs the session cookie: a key kept on disk keeps officers signed in across
    restarts, and every process of one deployment must share it (set the variable, or share
    var/)."""
    from_env = os.environ.get("TIEPDAN_SECRET_KEY")
    if from_env:
        return from_env
    path = var_dir / SECRET_KEY_FILE
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        key = path.read_text().strip()
        if key:
            return key
        # An empty file (a crash between create and write): replace it.
        path.unlink()
        return secret_key(var_dir)
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def create_app(services=None, config: dict | None = None) -> Flask:
    from .. import wiring
    from ..engine.catalogues import load_roles
    from . import auth, errors, i18n, inbox
    from .security import close_db_session, current_user

    services = services or wiring.build()
    var_dir = Path(services.settings.var_dir)
    app = Flask(__name__)
    app.extensions["tiepdan"] = services
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.config.update(
        SECRET_KEY=secret_key(var_dir),
        SESSION_COOKIE_NAME="tiepdan_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("TIEPDAN_SECURE_COOKIES") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        LOGIN_MAX_FAILURES=5,
        LOGIN_MAX_FAILURES_PER_IP=20,
        LOGIN_WINDOW=timedelta(minutes=15),
    )
    app.config.update(config or {})

    csrf.init_app(app)
    i18n.init_app(app, var_dir)
    errors.init_app(app)
    app.teardown_appcontext(close_db_session)
    app.context_processor(lambda: {"current_user": current_user()})
    roles = load_roles(services.settings.processes_dir)
    app.jinja_env.filters["role_label"] = lambda code: i18n.label(
        (roles.get(code, {}).get("label", code), roles.get(code, {}).get("label_en"))
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(import_module(".saved_views", __name__).bp)  # saved inbox views
    app.register_blueprint(import_module(".frontdesk", __name__).bp)  # the front desk
    import_module(".api", __name__).init_app(app)  # the REST API (/api/), its docs, API tokens
    app.register_blueprint(import_module(".cases", __name__).bp)  # the case file
    app.register_blueprint(import_module(".tasks", __name__).bp)  # the task page
    app.register_blueprint(import_module(".public", __name__).bp)  # public pages (no sign-in)
    app.register_blueprint(import_module(".modeler", __name__).bp)  # legal staff: processes, modeler (/processes)
    app.register_blueprint(import_module(".schedules", __name__).bp)  # reception schedules, duty plans
    app.register_blueprint(import_module(".dashboard", __name__).bp)  # supervisors' dashboard (/dashboard)
    app.register_blueprint(import_module(".reports", __name__).bp)  # reports, hot spots, notifications

    @app.get("/healthz")
    def healthz():
        with services.db.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
