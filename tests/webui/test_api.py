"""The REST API: every route x role x own/other unit, session (with CSRF) and bearer-token auth,
revoked tokens, JSON errors (401/403/404/405/409/422, never HTML), the OpenAPI document, and no
sealed identity in a case for anyone. The cases are those of conftest: an, binh, mat (a
denunciation: its denouncer is sealed) at 04.UBND, xa at a ward under it, khac elsewhere."""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from tests.scenarios.world import UBND
from tiepdan.cases.documents import issue_document
from tiepdan.cases.models import ApiToken
from tiepdan.cases.petitions import get_petition
from tiepdan.engine.db import transaction
from tiepdan.engine.models import TaskIndex

from .conftest import TTR

ALL = ("an", "binh", "mat", "xa", "khac")
UBND_CASES = {"an", "binh", "mat"}
# username -> (cases the user may see, cases whose task the user may claim, sees the units below)
SCOPES = {
    "canbo": (UBND_CASES, UBND_CASES, False),
    "tiepdan": (UBND_CASES, set(), False),
    "lanhdao": (UBND_CASES | {"xa"}, set(), True),
    "giamsat": (UBND_CASES | {"xa"}, set(), True),
    "xacminh": (set(), set(), False),
    "canbo.xa": ({"xa"}, {"xa"}, False),
    "canbo.khac": ({"khac"}, {"khac"}, True),
}
CLASSIFY = {"petition_type": "recommendation", "within_competence": "yes", "outcome": "accept"}
SEALED = ("Lý Văn Mật", "004090009999")
TOKEN_VALUE = re.compile(r'id="token-value">([^<]+)<')


class Api:
    """A JSON client: a signed-in browser (CSRF header from a page) or a bearer token."""

    def __init__(self, web, browser=None, token: str | None = None):
        self.web, self.browser, self.bearer = web, browser, token
        self.client = browser.client if browser is not None else web.app.test_client()
        self._csrf = None

    def headers(self, csrf: bool) -> dict:
        headers = {}
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        if csrf and self.browser is not None:
            if self._csrf is None:
                self._csrf = self.browser.token("/inbox")
            headers["X-CSRFToken"] = self._csrf
        return headers

    def get(self, path: str):
        return checked(self.client.get(path, headers=self.headers(False)))

    def post(self, path: str, body=None, *, csrf: bool = True, **kwargs):
        return checked(self.client.post(path, json=body if body is not None else {}, headers=self.headers(csrf), **kwargs))


def checked(response):
    """Every answer under /api/ is JSON (a document download aside), never a 500."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.mimetype != "application/json":
        assert response.status_code == 200 and "attachment" in response.headers.get("Content-Disposition", "")
    else:
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_json()
        if response.status_code >= 400:
            assert body["code"] == response.status_code and body["status"] and body["message"], body
    return response


def session_api(web, username: str) -> Api:
    return Api(web, web.login(username))


def make_token(web, username: str, name: str = "tích hợp") -> str:
    browser = web.login(username)
    response = browser.post("/api-tokens", {"name": name}, token_from="/api-tokens")
    assert response.status_code == 200
    return TOKEN_VALUE.search(response.get_data(as_text=True)).group(1)


def key_path(key: str) -> str:
    return quote(key, safe="/")


def task_ids(body) -> set[str]:
    return {item["id"] for item in body["items"]}


def ids(web, *cases) -> set[str]:
    return {web.task(c).id for c in cases}


# --- the document -------------------------------------------------------------------------------------


def test_openapi_document_and_docs_page(web):
    client = web.app.test_client()
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert {"get"} <= set(paths["/api/tasks"])
    assert "post" in paths["/api/tasks/{task_id}/claim"] and "post" in paths["/api/tasks/{task_id}/complete"]
    assert "get" in paths["/api/cases/{key}"] and "get" in paths["/api/cases/{key}/documents"]
    assert "422" in paths["/api/tasks/{task_id}/complete"]["post"]["responses"]
    assert "409" in paths["/api/tasks/{task_id}/complete"]["post"]["responses"]
    assert "bearerToken" in spec["components"]["securitySchemes"]
    docs = client.get("/api/docs")
    page = docs.get_data(as_text=True)
    assert docs.status_code == 200 and docs.mimetype == "text/html"
    assert 'data-route="GET /api/tasks"' in page and 'data-route="POST /api/tasks/{task_id}/complete"' in page
    assert "<script" not in page


# --- authentication -----------------------------------------------------------------------------------


def test_every_route_needs_authentication(web):
    anonymous = Api(web)
    task = web.task("an").id
    key = key_path(web.cases["an"])
    for response in (anonymous.get("/api/tasks"), anonymous.get(f"/api/cases/{key}"),
                     anonymous.get(f"/api/cases/{key}/documents"), anonymous.post(f"/api/tasks/{task}/claim"),
                     anonymous.post(f"/api/tasks/{task}/complete", CLASSIFY)):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert web.task("an").assignee is None


def test_token_auth_revocation_and_csrf(web):
    token = make_token(web, "canbo")
    assert token.startswith("tdn_")
    with web.services.sessions() as s:
        row = s.execute(select(ApiToken)).scalar_one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.last_used_at is None
        assert row.user.username == "canbo" and row.name == "tích hợp"
    # Shown once: the tokens page lists it by name only.
    page = web.login("canbo").text("/api-tokens")
    assert "tích hợp" in page and token not in page

    api = Api(web, token=token)
    assert task_ids(api.get("/api/tasks?view=queue").get_json()) == ids(web, "an", "binh", "mat")
    # A token request needs no CSRF token.
    task = web.task("an").id
    assert api.post(f"/api/tasks/{task}/claim", csrf=False).status_code == 200
    assert web.task("an").assignee == "canbo"
    with web.services.sessions() as s:
        assert s.execute(select(ApiToken)).scalar_one().last_used_at is not None

    for bad in ("tdn_nope", "", "Basic abc"):
        headers = {"Authorization": bad if bad.startswith("Basic") else f"Bearer {bad}"}
        response = checked(web.app.test_client().get("/api/tasks", headers=headers))
        assert response.status_code == 401, bad

    # Revoked on the page (with the page's CSRF token): 401 from then on.
    browser = web.login("canbo")
    with web.services.sessions() as s:
        token_id = s.execute(select(ApiToken.id)).scalar_one()
    assert browser.post(f"/api-tokens/{token_id}/revoke", token_from="/api-tokens").status_code == 302
    assert "Đã thu hồi" in browser.text("/api-tokens")
    response = api.get("/api/tasks")
    assert response.status_code == 401 and "thu hồi" in response.get_json()["message"]
    # Another user cannot revoke it (404), and an inactive user's token stops working.
    assert web.login("canbo2").post(f"/api-tokens/{token_id}/revoke", token_from="/api-tokens").status_code == 404


def test_an_inactive_users_token_is_refused(web):
    token = make_token(web, "canbo2")
    assert Api(web, token=token).get("/api/tasks").status_code == 200
    from tiepdan.cases.models import User

    with transaction(web.services.sessions) as s:
        s.execute(select(User).where(User.username == "canbo2")).scalar_one().active = False
    assert Api(web, token=token).get("/api/tasks").status_code == 401


def test_token_page_validation(web):
    browser = web.login("canbo")
    response = browser.post("/api-tokens", {"name": "  "}, token_from="/api-tokens")
    assert response.status_code == 400 and "Hãy đặt tên cho mã truy cập" in response.get_data(as_text=True)
    assert browser.post("/api-tokens", {"name": "x"}, csrf=False).status_code == 400  # CSRF on the page
    with web.services.sessions() as s:
        assert s.execute(select(ApiToken)).first() is None


def test_session_auth_needs_the_csrf_header_for_post(web):
    api = session_api(web, "canbo")
    task = web.task("an").id
    refused = api.post(f"/api/tasks/{task}/claim", csrf=False)
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    wrong = checked(api.client.post(f"/api/tasks/{task}/claim", json={}, headers={"X-CSRFToken": "forged"}))
    assert wrong.status_code == 400
    assert web.task("an").assignee is None
    assert api.get("/api/tasks").status_code == 200  # GET needs none
    assert api.post(f"/api/tasks/{task}/claim").status_code == 200
    assert web.task("an").assignee == "canbo"


# --- routes x roles x units ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(SCOPES))
def test_routes_by_role_and_unit(web, username):
    visible, claimable, subtree = SCOPES[username]
    api = session_api(web, username) if username != "giamsat" else Api(web, token=make_token(web, username))

    assert task_ids(api.get("/api/tasks?view=queue").get_json()) == ids(web, *claimable)
    assert task_ids(api.get("/api/tasks").get_json()) == set()
    units = api.get("/api/tasks?view=units")
    if subtree:
        assert units.status_code == 200 and task_ids(units.get_json()) == ids(web, *visible)
    else:
        assert units.status_code == 403

    for case in ALL:
        key = key_path(web.cases[case])
        task = web.task(case).id
        case_view, documents = api.get(f"/api/cases/{key}"), api.get(f"/api/cases/{key}/documents")
        complete = api.post(f"/api/tasks/{task}/complete", CLASSIFY)
        claim = api.post(f"/api/tasks/{task}/claim")
        if case not in visible:
            for response in (case_view, documents, complete, claim):
                assert response.status_code == 404, (case, response.get_json())
            assert web.task(case).assignee is None
            continue
        assert case_view.status_code == 200 and case_view.get_json()["business_key"] == web.cases[case]
        assert documents.status_code == 200 and documents.get_json()["items"] == []
        assert complete.status_code == 403  # not claimed
        if case in claimable:
            assert claim.status_code == 200 and claim.get_json() == {"id": task, "assignee": username}
            assert web.task(case).assignee == username
        else:
            assert claim.status_code == 403
            assert web.task(case).assignee is None


def test_unknown_routes_and_methods_answer_json(web):
    api = session_api(web, "canbo")
    for response, code in ((api.get("/api/nope"), 404), (api.get("/api/cases/04.UBND/2026/999"), 404),
                           (api.post("/api/tasks/no-such-task/claim"), 404),
                           (api.post("/api/tasks"), 405), (api.get(f"/api/tasks/{web.task('an').id}/claim"), 405)):
        assert response.status_code == code and response.mimetype == "application/json"
    # The pages keep their HTML error pages.
    page = web.login("canbo").get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_query_validation_answers_422_with_field_errors(web):
    api = session_api(web, "canbo")
    response = api.get("/api/tasks?page=0&from=31/02/2026&type=bogus&view=all")
    body = response.get_json()
    assert response.status_code == 422
    assert set(body["errors"]) == {"page", "from", "type", "view"}
    assert all(isinstance(v, str) for v in body["errors"].values())


def test_filters_search_and_paging(web, monkeypatch):
    from tiepdan.webui import inbox

    api = session_api(web, "canbo")
    assert task_ids(api.get("/api/tasks?view=queue&q=nguyen+van+an").get_json()) == ids(web, "an")
    assert task_ids(api.get("/api/tasks?view=queue&type=complaint").get_json()) == ids(web, "binh")
    assert task_ids(api.get("/api/tasks?view=queue&q=ly+van+mat").get_json()) == set()  # sealed: not searchable
    items = api.get("/api/tasks?view=queue").get_json()["items"]
    mat = next(i for i in items if i["business_key"] == web.cases["mat"])
    assert "Lý Văn Mật" not in mat["title"]
    assert mat["links"]["case"] == f"/api/cases/{web.cases['mat']}"
    assert mat["due_date"] and isinstance(mat["working_days_left"], int)
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    first = api.get("/api/tasks?view=queue").get_json()
    second = api.get("/api/tasks?view=queue&page=2").get_json()
    assert first["has_next"] and not second["has_next"]
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert task_ids(first) | task_ids(second) == ids(web, "an", "binh", "mat")


# --- complete: 422, 409, success ----------------------------------------------------------------------


def test_complete_validation_conflict_and_success(web):
    first, second = session_api(web, "canbo"), Api(web, token=make_token(web, "canbo2"))
    task = web.task("an").id
    assert first.post(f"/api/tasks/{task}/claim").status_code == 200

    # Claimed by someone else: 409 with who.
    taken = second.post(f"/api/tasks/{task}/claim")
    assert taken.status_code == 409 and taken.get_json()["by"] == "canbo"
    assert "Cán bộ canbo" in taken.get_json()["message"]
    assert second.post(f"/api/tasks/{task}/complete", CLASSIFY).status_code == 409

    invalid = first.post(f"/api/tasks/{task}/complete", {"petition_type": "nope", "petitioner_count": "abc"})
    body = invalid.get_json()
    assert invalid.status_code == 422
    assert {"petition_type", "within_competence", "outcome"} <= set(body["errors"])
    assert all(isinstance(v, str) and v for v in body["errors"].values())
    not_an_object = first.post(f"/api/tasks/{task}/complete", [1, 2])
    assert not_an_object.status_code == 422 and not_an_object.get_json()["errors"]
    broken = checked(first.client.post(f"/api/tasks/{task}/complete", data="{", content_type="application/json",
                                       headers=first.headers(True)))
    assert broken.status_code in (400, 422)
    assert web.task("an").id == task  # still open

    done = first.post(f"/api/tasks/{task}/complete", CLASSIFY)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] in ("running", "waiting") and done.get_json()["open_tasks"]

    # Afterwards: 409 with who and when, for claim and complete alike.
    for response in (second.post(f"/api/tasks/{task}/complete", CLASSIFY), second.post(f"/api/tasks/{task}/claim")):
        body = response.get_json()
        assert response.status_code == 409 and body["by"] == "canbo" and body["at"].startswith("2026-03-02")
    # ... but 404 from another unit, which must not learn that the task existed.
    assert session_api(web, "canbo.khac").post(f"/api/tasks/{task}/complete", CLASSIFY).status_code == 404


# --- cases and documents ------------------------------------------------------------------------------


def add_verifier_task(web, case: str) -> None:
    """A verification task of the inspectorate (04.TTR) on a UBND case, assigned to its verifier."""
    task = web.task(case)
    with transaction(web.services.sessions) as s:
        s.add(TaskIndex(id="verify-" + case, instance_id=task.instance_id, business_key=task.business_key,
                        process_id=task.process_id, task_spec="verify", task_name="Xác minh", role="verifier",
                        unit_id=TTR, assignee="xacminh", created_at=task.created_at, state="open"))


@pytest.mark.parametrize("username", ["canbo", "tiepdan", "lanhdao", "giamsat", "xacminh"])
def test_no_sealed_identity_in_a_case(web, username):
    add_verifier_task(web, "mat")
    add_verifier_task(web, "an")
    api = session_api(web, username)
    response = api.get(f"/api/cases/{key_path(web.cases['mat'])}")
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    for secret in SEALED:
        assert secret not in raw and secret not in json.dumps(response.get_json(), ensure_ascii=False)
    [petitioner] = [p for p in response.get_json()["parties"] if p["role"] == "petitioner"]
    assert petitioner["sealed"] and petitioner["masked"] and petitioner["identity"] is None
    assert petitioner["name"] == "(Thông tin người tố cáo được giữ bí mật)"
    assert petitioner["can_reveal"] == (username in ("canbo", "tiepdan", "lanhdao"))
    assert "Đơn tố cáo của ông" in response.get_json()["title"]

    # An open identity: shown to the unit and above, masked for the verifier of another unit.
    an = api.get(f"/api/cases/{key_path(web.cases['an'])}").get_json()
    [person] = [p for p in an["parties"] if p["role"] == "petitioner"]
    if username == "xacminh":
        assert person["masked"] and person["identity"] is None and "Nguyễn Văn An" not in json.dumps(an, ensure_ascii=False)
        assert [t["unit"] for t in an["tasks"]] == [TTR]
    else:
        assert person["identity"]["full_name"] == "Nguyễn Văn An" and person["identity"]["id_number"] == "004090001234"


def test_another_units_verifier_and_case_are_404(web):
    assert session_api(web, "xacminh").get(f"/api/cases/{key_path(web.cases['mat'])}").status_code == 404
    assert session_api(web, "canbo.khac").get(f"/api/cases/{key_path(web.cases['mat'])}").status_code == 404
    assert session_api(web, "canbo.xa").get(f"/api/cases/{key_path(web.cases['an'])}").status_code == 404


def test_documents_list_and_download(web):
    with transaction(web.services.sessions) as s:
        mat = get_petition(s, web.cases["mat"])
        internal = issue_document(s, kind="proposal_accept", unit=mat.holding_unit, created_by="canbo",
                                  body="Phiếu đề xuất: người tố cáo Lý Văn Mật", petition=mat,
                                  clock=web.world.clock).id
        outgoing = issue_document(s, kind="guidance", unit=mat.holding_unit, created_by="canbo",
                                  body="Phiếu hướng dẫn", petition=mat, leaves_unit=True, clock=web.world.clock).id
    add_verifier_task(web, "mat")
    key = key_path(web.cases["mat"])

    api = Api(web, token=make_token(web, "canbo"))
    listing = api.get(f"/api/cases/{key}/documents").get_json()
    assert [d["id"] for d in listing["items"]] == [internal, outgoing]
    first = listing["items"][0]
    assert first["download_url"] == f"/api/cases/{web.cases['mat']}/documents/{internal}"
    assert first["number"].endswith("-UBND") and first["size"] > 0
    download = api.get(first["download_url"])
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.get_data(as_text=True) == "Phiếu đề xuất: người tố cáo Lý Văn Mật"
    assert hashlib.sha256(download.get_data()).hexdigest() == first["sha256"]

    # The verifier of another unit gets only what may leave the unit: never the denouncer's name.
    verifier = session_api(web, "xacminh")
    seen = verifier.get(f"/api/cases/{key}/documents").get_json()["items"]
    assert [d["id"] for d in seen] == [outgoing]
    assert verifier.get(f"/api/cases/{key}/documents/{internal}").status_code == 404
    assert verifier.get(f"/api/cases/{key}/documents/{outgoing}").status_code == 200
    # Another unit: 404 for the list and the file.
    other = session_api(web, "canbo.khac")
    assert other.get(f"/api/cases/{key}/documents").status_code == 404
    assert other.get(f"/api/cases/{key}/documents/{outgoing}").status_code == 404
    # A document id of another case under this case's key: 404.
    an = key_path(web.cases["an"])
    assert api.get(f"/api/cases/{an}/documents/{outgoing}").status_code == 404


def test_a_case_lists_its_open_tasks_in_scope(web):
    api = session_api(web, "lanhdao")
    body = api.get(f"/api/cases/{key_path(web.cases['xa'])}").get_json()
    assert [t["id"] for t in body["tasks"]] == [web.task("xa").id]
    assert body["holding_unit"]["code"] != UBND
    assert body["documents_url"] == f"/api/cases/{web.cases['xa']}/documents"
