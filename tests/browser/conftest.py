"""Browser tests: the real app served over HTTP, driven by Playwright in Debian's chromium.

`live_server` serves tiepdan.webui.create_app on a real SQLite file holding a seeded world
(tests/scenarios/world.py: Cao Bằng's units, the published processes, a fixed clock) with
officers who have passwords, through werkzeug in a thread on 127.0.0.1 and a free port.
`page` is a fresh browser context and page in headless chromium (/usr/bin/chromium, installed
by scripts/browser-setup; Playwright's own browser downloads are never used). Screenshots go to
var/screenshots/ (`screenshot(page, name)`).

Without chromium (or the playwright package) the tests are skipped locally and fail in CI
(CI set), like the PostgreSQL cases of tests/conftest.py: a CI run cannot pass without them.
"""
from __future__ import annotations

import dataclasses
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import open_database
from tests.scenarios.world import UBND, World, build_world
from tests.webui.conftest import register_letters
from tiepdan.cases.passwords import hash_password
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT

CHROMIUM = Path(os.environ.get("TIEPDAN_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
PASSWORD = "matkhau-2026"

# Demo-like officers of the People's Committee (tiepdan.demo.DEMO_USERS' usernames and roles):
# username -> (full name, unit, roles)
USERS = {
    "tiepcongdan": ("Nguyễn Thị Thanh Hương", UBND, ("reception_officer",)),
    "xulydon": ("Lê Minh Tuấn", UBND, ("handling_officer",)),
    "lanhdao": ("Trần Văn Phúc", UBND, ("leader",)),
}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} in CI: the browser tests must run (scripts/browser-setup installs chromium)")
    pytest.skip(f"{reason} (run `scripts/browser-setup` as root, or `make test`)")


@dataclass
class LiveServer:
    url: str
    world: World
    cases: dict[str, str] = field(default_factory=dict)  # name -> business key


def _seed(world: World) -> dict[str, str]:
    digest = hash_password(PASSWORD)
    with world.session() as s:
        for username, (full_name, unit, roles) in USERS.items():
            create_user(s, username=username, full_name=full_name, unit=unit, roles=roles, password_hash=digest,
                        processes_dir=REPO_ROOT / "processes", clock=world.clock)
    return register_letters(world)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from tiepdan.webui import create_app

    tmp = tmp_path_factory.mktemp("browser")
    saved = {k: os.environ.pop(k) for k in ("TIEPDAN_SECRET_KEY", "TIEPDAN_SECURE_COOKIES") if k in os.environ}
    database, close = open_database("sqlite", tmp)
    world = build_world(database)
    world.services.settings = dataclasses.replace(world.services.settings, var_dir=tmp / "var")
    cases = _seed(world)
    app = create_app(world.services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", world, cases)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        world.services.db.dispose()
        close()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as var/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/inbox"))
