"""Signing in and out, password change, rate limiting and CSRF, with CSRF protection on."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tiepdan.cases.models import LoginAttempt
from tiepdan.cases.passwords import check_password
from tiepdan.cases.users import get_user
from tiepdan.webui import create_app

from .conftest import PASSWORD, Browser


def _signed_in(browser: Browser) -> bool:
    return browser.get("/inbox").status_code == 200


def test_logged_out_visitors_are_sent_to_the_login_page(web):
    browser = web.client()
    root = browser.get("/")
    assert root.status_code == 302 and root.headers["Location"] == "/login"
    inbox = browser.get("/inbox?view=queue")
    assert inbox.status_code == 302
    assert inbox.headers["Location"] == "/login?next=/inbox?view%3Dqueue"
    page = browser.text("/login")
    assert "Đăng nhập" in page and 'name="csrf_token"' in page


def test_login_succeeds_with_the_right_password_and_a_hardened_cookie(web):
    browser = web.client()
    response = browser.login("canbo")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("tiepdan_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert _signed_in(browser)
    assert browser.get("/").headers["Location"] == "/inbox"
    page = browser.text("/inbox")
    assert "Cán bộ canbo" in page and "Ủy ban nhân dân tỉnh Cao Bằng" in page
    assert browser.get("/inbox").headers["Cache-Control"] == "no-store"


def test_secure_cookies_when_asked(web, monkeypatch):
    monkeypatch.setenv("TIEPDAN_SECURE_COOKIES", "1")
    app = create_app(web.services)
    browser = Browser(app.test_client(), "127.0.0.1")
    response = browser.login("canbo")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("tiepdan_session="))
    assert "Secure" in cookie


def test_login_follows_only_a_local_next(web):
    assert web.client().login("canbo", next="/inbox?view=queue").headers["Location"] == "/inbox?view=queue"
    for bad in ("https://evil.example/x", "//evil.example/x", "/\\evil.example"):
        assert web.client().login("canbo", next=bad).headers["Location"] == "/inbox"


def test_wrong_password_unknown_and_inactive_users_are_refused_alike(web):
    for username, password in (("canbo", "sai-mat-khau"), ("khongco", PASSWORD), ("nghiviec", PASSWORD), ("", "")):
        browser = web.client()
        response = browser.login(username, password)
        assert response.status_code == 401, username
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
        assert not _signed_in(browser)


def test_five_failures_lock_the_username_for_fifteen_minutes(web):
    browser = web.client()
    for _ in range(5):
        assert browser.login("canbo", "sai-mat-khau").status_code == 401
    blocked = browser.login("canbo", PASSWORD)  # even the right password
    assert blocked.status_code == 429
    assert "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in blocked.get_data(as_text=True)
    assert not _signed_in(browser)
    # Another user from another address is not affected.
    assert web.client(ip="10.0.0.9").login("canbo2").status_code == 302
    # Nor is the same user from another address: the username is what is locked.
    assert web.client(ip="10.0.0.9").login("canbo").status_code == 429
    web.world.clock.advance(minutes=10)
    assert "5 phút" in web.client().login("canbo").get_data(as_text=True)
    web.world.clock.advance(minutes=6)
    assert web.client().login("canbo").status_code == 302


def test_an_address_spraying_many_usernames_is_locked(web):
    app = create_app(web.services, {"LOGIN_MAX_FAILURES_PER_IP": 3})
    spray = Browser(app.test_client(), "203.0.113.7")
    for name in ("a1", "a2", "a3"):
        assert spray.login(name, "x-wrong-1").status_code == 401
    assert spray.login("canbo", PASSWORD).status_code == 429
    assert Browser(app.test_client(), "203.0.113.8").login("canbo", PASSWORD).status_code == 302


def test_the_limit_holds_across_processes(web):
    """Two app instances (two gunicorn workers) share the failures through the database."""
    other_worker = create_app(web.services)
    for _ in range(5):
        web.client().login("canbo", "sai-mat-khau")
    assert Browser(other_worker.test_client(), "127.0.0.1").login("canbo").status_code == 429


def test_a_successful_login_clears_that_usernames_failures(web):
    browser = web.client()
    for _ in range(4):
        browser.login("canbo", "sai-mat-khau")
    assert browser.login("canbo").status_code == 302
    browser = web.client()
    for _ in range(4):
        assert browser.login("canbo", "sai-mat-khau").status_code == 401
    assert browser.login("canbo").status_code == 302
    with web.services.sessions() as s:
        assert s.execute(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == "canbo")).scalar_one() == 0


def test_old_failures_are_pruned(web):
    web.client().login("ai-do", "x-wrong-1")
    web.world.clock.advance(days=2)
    web.client().login("ai-khac", "x-wrong-1")
    with web.services.sessions() as s:
        assert set(s.execute(select(LoginAttempt.username)).scalars()) == {"ai-khac"}


def test_post_without_csrf_token_is_refused(web):
    browser = web.client()
    response = browser.post("/login", {"username": "canbo", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert not _signed_in(browser)
    forged = browser.post("/login", {"username": "canbo", "password": PASSWORD, "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400
    # Signed in, every form still needs its token.
    browser = web.login("canbo")
    assert browser.post("/logout", csrf=False).status_code == 400
    assert _signed_in(browser)
    task = web.task("binh")
    assert browser.post(f"/tasks/{task.id}/claim", csrf=False).status_code == 400
    assert web.task("binh").assignee is None


def test_logout_is_a_post_and_ends_the_session(web):
    browser = web.login("canbo")
    assert browser.get("/logout").status_code == 405
    assert _signed_in(browser)
    response = browser.post("/logout", token_from="/inbox")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not _signed_in(browser)
    assert "Bạn đã đăng xuất." in browser.text("/login")


def test_password_change(web):
    browser = web.login("canbo")
    elsewhere = web.login("canbo")  # another browser, signed in before the change

    def change(current, new, confirm):
        return browser.post("/password", {"current": current, "new": new, "confirm": confirm}, token_from="/password")

    wrong = change("sai-mat-khau", "mat-khau-moi-1", "mat-khau-moi-1")
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    short = change(PASSWORD, "ngan", "ngan")
    assert short.status_code == 400 and "ít nhất 8 ký tự" in short.get_data(as_text=True)
    mismatch = change(PASSWORD, "mat-khau-moi-1", "mat-khau-moi-2")
    assert mismatch.status_code == 400 and "Mật khẩu nhập lại không khớp." in mismatch.get_data(as_text=True)
    same = change(PASSWORD, PASSWORD, PASSWORD)
    assert same.status_code == 400 and "khác mật khẩu hiện tại" in same.get_data(as_text=True)
    with web.services.sessions() as s:
        assert check_password(get_user(s, "canbo"), PASSWORD)

    done = change(PASSWORD, "mat-khau-moi-1", "mat-khau-moi-1")
    assert done.status_code == 302
    assert "Đã đổi mật khẩu." in browser.text("/inbox")  # still signed in, with the news
    assert not _signed_in(elsewhere)  # the other session ended with the old password
    assert web.client().login("canbo", PASSWORD).status_code == 401
    assert web.client().login("canbo", "mat-khau-moi-1").status_code == 302


def test_password_page_needs_a_login(web):
    response = web.client().get("/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/password")


def test_window_setting_is_used(web):
    app = create_app(web.services, {"LOGIN_WINDOW": timedelta(minutes=1), "LOGIN_MAX_FAILURES": 2})
    browser = Browser(app.test_client(), "127.0.0.1")
    browser.login("canbo", "x-wrong-1")
    browser.login("canbo", "x-wrong-1")
    assert browser.login("canbo").status_code == 429
    web.world.clock.advance(minutes=2)
    assert browser.login("canbo").status_code == 302
