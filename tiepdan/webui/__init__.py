"""The Flask application factory. Blueprints per audience are added as they are built."""
from __future__ import annotations

from flask import Flask, render_template
from sqlalchemy import text


def create_app(services=None) -> Flask:
    from .. import wiring

    services = services or wiring.build()
    app = Flask(__name__)
    app.extensions["tiepdan"] = services

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'")
        return response

    @app.get("/")
    def index():
        with services.sessions() as session:
            versions = services.library.list_versions(session)
        return render_template("index.html", versions=versions)

    @app.get("/healthz")
    def healthz():
        with services.db.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
