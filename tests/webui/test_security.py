"""Security headers on every response, error pages without tracebacks, the secret key."""
from __future__ import annotations

import stat

import pytest

from tiepdan.webui import create_app, secret_key
from tiepdan.webui.errors import SECURITY_HEADERS

from .conftest import Browser


def _assert_headers(response, what):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (what, name)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_security_headers_on_every_kind_of_response(web):
    anonymous = web.client()
    browser = web.login("canbo")
    task = web.task("an").id
    responses = {
        "login page": anonymous.get("/login"),
        "redirect": anonymous.get("/inbox"),
        "static": anonymous.get("/static/app.css"),
        "inbox": browser.get("/inbox"),
        "404": browser.get("/khong-co"),
        "403": browser.get("/inbox?view=units"),
        "400 csrf": browser.post(f"/tasks/{task}/claim", csrf=False),
        "405": browser.get("/logout"),
        "health": anonymous.get("/healthz"),
    }
    for what, response in responses.items():
        _assert_headers(response, what)
    assert responses["static"].status_code == 200 and "text/css" in responses["static"].content_type
    assert responses["health"].get_json() == {"status": "ok"}


@pytest.mark.parametrize("path, code, text", [
    ("/khong-co-trang-nay", 404, "Không tìm thấy"),
    ("/logout", 405, "Thao tác không được phép"),
])
def test_error_pages_are_in_vietnamese(web, path, code, text):
    response = web.client().get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert text in body and '<html lang="vi">' in body


def test_an_unexpected_error_is_a_500_page_without_traceback(web):
    app = create_app(web.services)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = Browser(app.test_client(), "127.0.0.1").get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Lỗi hệ thống" in body
    assert "Traceback" not in body and "secret internal detail" not in body
    _assert_headers(response, "500")


def test_the_secret_key_is_made_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("TIEPDAN_SECRET_KEY", raising=False)
    var = tmp_path / "var"
    key = secret_key(var)
    path = var / "secret_key"
    assert len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(var) == key  # the same key after a restart
    path.chmod(0o644)
    assert secret_key(var) == key and stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("TIEPDAN_SECRET_KEY", "from-the-environment")
    assert secret_key(var) == "from-the-environment"


def test_the_app_uses_the_key_in_var(web):
    key_file = web.services.settings.var_dir / "secret_key"
    assert web.app.config["SECRET_KEY"] == key_file.read_text().strip()
    # A second worker on the same var/ signs cookies the same way: a session moves between them.
    browser = web.login("canbo")
    other = create_app(web.services).test_client()
    other.set_cookie("tiepdan_session", browser.client.get_cookie("tiepdan_session").value)
    assert other.get("/inbox").status_code == 200
