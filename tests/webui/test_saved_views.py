"""Saved inbox views: per user, only the inbox's own arguments, CSRF, refused input changes nothing."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select

from tiepdan.cases.models import SavedView

from .test_inbox import ids, task_ids


def saved_count(web) -> int:
    with web.services.sessions() as s:
        return s.execute(select(func.count()).select_from(SavedView)).scalar_one()


def test_a_saved_view_reopens_the_same_list_for_its_owner_only(web):
    browser = web.login("canbo")
    response = browser.post("/inbox/views", {"name": "Đơn của ông An", "view": "queue", "q": "nguyen van an",
                                             "evil": "<script>"}, token_from="/inbox")
    assert response.status_code == 302
    page = browser.text("/inbox")
    assert "Đơn của ông An" in page
    with web.services.sessions() as s:
        [saved] = s.execute(select(SavedView)).scalars().all()
    assert dict(parse_qsl(saved.query)) == {"view": "queue", "q": "nguyen van an"}  # nothing else kept
    link = "/inbox?" + saved.query
    assert link in page.replace("&amp;", "&")
    assert task_ids(browser.text(link)) == ids(web, "an")
    # Saving under the same name replaces it; another user does not see it and cannot delete it.
    browser.post("/inbox/views", {"name": "Đơn của ông An", "view": "queue", "q": "thu hoi dat"}, token_from="/inbox")
    assert saved_count(web) == 1
    other = web.login("lanhdao")
    assert "Đơn của ông An" not in other.text("/inbox")
    assert other.post(f"/inbox/views/{saved.id}/delete", token_from="/inbox").status_code == 404
    assert browser.post(f"/inbox/views/{saved.id}/delete", token_from="/inbox").status_code == 302
    assert saved_count(web) == 0


def test_bad_input_saves_nothing(web):
    browser = web.login("canbo")
    for data in ({"name": "", "view": "queue"}, {"name": "x" * 101, "view": "queue"},
                 {"name": "Tất cả", "view": "units"},  # an officer has no subtree view
                 {"name": "Ngày sai", "view": "queue", "from": "31/02/2026"}):
        response = browser.post("/inbox/views", data, token_from="/inbox")
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/inbox"
    assert browser.post("/inbox/views", {"name": "x", "view": "queue"}, csrf=False).status_code == 400
    assert saved_count(web) == 0
