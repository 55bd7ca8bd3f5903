"""The web UI on a seeded world (tests/scenarios/world.py): Cao Bằng's units with officers who
have passwords, a few petitions in intake at the People's Committee, at a ward under it, and at
the People's Committee of an unrelated province, and Flask test clients with CSRF enabled."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import pytest

from tests.scenarios.world import COMMUNE, SNNMT, UBND, World, build_world, person
from tiepdan.cases.passwords import hash_password
from tiepdan.cases.units import create_unit
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT
from tiepdan.webui import create_app

PASSWORD = "matkhau-2026"
_HASH = hash_password(PASSWORD)  # one Argon2 hash for every test user: hashing is slow on purpose
TTR = "04.TTR"
OTHER = "99.UBND"  # a People's Committee outside Cao Bằng's tree

# username -> (unit, roles)
USERS = {
    "canbo": (UBND, ("handling_officer",)),
    "canbo2": (UBND, ("handling_officer",)),
    "tiepdan": (UBND, ("reception_officer",)),
    "lanhdao": (UBND, ("leader",)),
    "giamsat": (UBND, ("supervisor",)),
    "quantri": (UBND, ("administrator",)),
    "xacminh": (TTR, ("verifier",)),
    "canbo.xa": (COMMUNE, ("handling_officer",)),
    "lanhdao.xa": (COMMUNE, ("leader",)),
    "canbo.snnmt": (SNNMT, ("handling_officer",)),
    "canbo.khac": (OTHER, ("handling_officer", "leader")),
    "nghiviec": (UBND, ("handling_officer",)),  # inactive
}

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Web:
    world: World
    app: object
    cases: dict[str, str] = field(default_factory=dict)  # name -> business key

    @property
    def services(self):
        return self.world.services

    def client(self, ip: str = "127.0.0.1") -> "Browser":
        return Browser(self.app.test_client(), ip)

    def login(self, username: str, password: str = PASSWORD) -> "Browser":
        browser = self.client()
        response = browser.login(username, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return browser

    def task(self, case: str):
        """The one open task of a named case."""
        return self.world.task(self.cases[case])


class Browser:
    """A test client that reads the CSRF token off a page, as a browser's form would carry it."""

    def __init__(self, client, ip: str):
        self.client = client
        self.environ = {"REMOTE_ADDR": ip}

    def get(self, path: str, **kwargs):
        return self.client.get(path, environ_base=self.environ, **kwargs)

    def token(self, path: str = "/login") -> str:
        page = self.get(path).get_data(as_text=True)
        match = TOKEN.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, token_from: str = "/login", **kwargs):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token(token_from)
        return self.client.post(path, data=data, environ_base=self.environ, **kwargs)

    def login(self, username: str, password: str = PASSWORD, **extra):
        return self.post("/login", {"username": username, "password": password, **extra})

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def add_users(world: World) -> None:
    with world.session() as s:
        create_unit(s, code=OTHER, name="Ủy ban nhân dân tỉnh Khác", kind="province_committee", level="province",
                    clock=world.clock)
        for username, (unit, roles) in USERS.items():
            create_user(s, username=username, full_name=f"Cán bộ {username}", unit=unit, roles=roles,
                        password_hash=_HASH, active=username != "nghiviec", processes_dir=REPO_ROOT / "processes",
                        clock=world.clock)


def register_letters(world: World) -> dict[str, str]:
    """Two letters at the provincial committee, in intake: a recommendation and a complaint."""
    return {
        "an": world.register(
            unit=UBND, title="Đơn kiến nghị về đường giao thông",
            content="Kiến nghị sửa chữa đường liên xóm bị sạt lở", petitioners=[person("Nguyễn Văn An", "004090001234")],
            petition_type="recommendation",
        ),
        "binh": world.register(
            unit=UBND, title="Đơn khiếu nại quyết định thu hồi đất",
            content="Khiếu nại quyết định thu hồi đất của hộ gia đình", petitioners=[person("Trần Thị Bình")],
            petition_type="complaint",
        ),
    }


def register_cases(world: World) -> dict[str, str]:
    """Petitions in intake: each waits at 'classify' for the handling officers of its unit."""
    return {
        **register_letters(world),
        "mat": world.register(
            unit=UBND, title="Đơn tố cáo của ông Lý Văn Mật",
            content="Tố cáo cán bộ địa chính nhận tiền của dân", petitioners=[person("Lý Văn Mật", "004090009999")],
            petition_type="denunciation",
        ),
        "xa": world.register(
            unit=COMMUNE, title="Đơn phản ánh tiếng ồn", content="Phản ánh tiếng ồn của xưởng cưa ban đêm",
            petitioners=[person("Hoàng Thị Xuân")], petition_type="recommendation",
        ),
        "khac": world.register(
            unit=OTHER, title="Đơn của tỉnh khác", content="Kiến nghị về cấp nước sinh hoạt",
            petitioners=[person("Đỗ Văn Khác")], petition_type="recommendation",
        ),
    }


@pytest.fixture
def web(db, tmp_path, monkeypatch):
    monkeypatch.delenv("TIEPDAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("TIEPDAN_SECURE_COOKIES", raising=False)
    world = build_world(db)
    world.services.settings = dataclasses.replace(world.services.settings, var_dir=tmp_path / "var")
    add_users(world)
    cases = register_cases(world)
    yield Web(world, create_app(world.services), cases)
    world.services.db.dispose()
