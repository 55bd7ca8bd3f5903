"""The public pages (issue 9), on SQLite and PostgreSQL: published decisions and conclusions
and case tracking, without signing in; nothing of a denouncer anywhere in any byte they serve;
a wrong tracking code answered as an unknown receipt; the tracking rate limit; documents of
publications off the public list are 404; the leaders' reception schedule posted 5 working days
ahead with its postponements, showing the receiving leader's name and position and nothing of
the duty rosters' phone numbers."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select

from tests.scenarios.world import COMMUNE, UBND, person
from tiepdan.cases import duty_plans, schedules
from tiepdan.cases.documents import DOCX, docx_text, issue_document
from tiepdan.cases.models import CaseDocument, Publication, ReceptionSchedule, User
from tiepdan.cases.parties import add_petitioner
from tiepdan.cases.petitions import get_petition, register_petition
from tiepdan.cases.publications import plan_publication
from tiepdan.cases.textutil import fold
from tiepdan.handlers.intake import open_intake

DENUNCIATION = ("Tôi tố cáo ông Trần Văn Bình, cán bộ địa chính phường Thục Phán, có hành vi nhận hối lộ. "
                "Liên hệ: Nguyễn Thị Hoa, 0912 345 678.")
DENOUNCER = person("Nguyễn Thị Hoa", "004190001234", "Số 7 phố Kim Đồng, phường Thục Phán", "0912345678")
# Every form in which the denouncers of the world (this one, and conftest's "mat") could leak.
SECRETS = ["Nguyễn Thị Hoa", "004190001234", "0912345678", "0912 345 678", "0912.345.678", "Số 7 phố Kim Đồng",
           "Lý Văn Mật", "004090009999",
           # and the phone numbers of the duty roster and of the receiving leader (internal only)
           "0988777666", "0911222333"]
COMPLAINANT = person("Lê Văn Nam", "004085000111", phone="0987654321")
PUBLIC_PAGES = ["/public/", "/public/publications", "/public/publications/archive", "/public/track",
                "/public/schedules", "/public/schedules/print"]


def _registered(web, *, content, petitioner, petition_type, intake=True) -> tuple[str, str, str]:
    """(business key, receipt number, tracking code) of a new petition at the People's Committee."""
    world = web.world
    with world.session() as s:
        registered = register_petition(s, unit=UBND, content=content, channel="post", created_by="frontdesk",
                                       petition_type=petition_type, clock=world.clock)
        petition = registered.petition
        add_petitioner(s, petition, petitioner, clock=world.clock)
        if intake:
            open_intake(world.services.runtime, s, petition, "frontdesk")
        return petition.business_key, petition.receipt_no, registered.tracking_code


def _issue(web, key, kind, body, *, leaves_unit):
    with web.world.session() as s:
        petition = get_petition(s, key)
        return issue_document(s, kind=kind, unit=petition.holding_unit, created_by="officer", body=body,
                              petition=petition, leaves_unit=leaves_unit, clock=web.world.clock).id


def _publish(web, key, rule, spec, form_data):
    """Run the publication procedure: start it for a decision of Mon 2 March 2026, then plan."""
    web.services.runtime.start("publication", key, unit_id=UBND, actor="officer",
                               data={"publish_rule": rule, "decided_on": "2026-03-02", "document": "", "remind_days": 3})
    web.world.complete(key, spec, form_data)


def _strip_csrf(body: bytes) -> bytes:
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token" value=""', body)


def _track(browser, receipt_no, code):
    return browser.post("/public/track", {"receipt_no": receipt_no, "code": code}, token_from="/public/track")


def _links(page: str, prefix: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({re.escape(prefix)}[^"]+)"', page)))


def _assert_no_secret(what: str, data: bytes, media_type: str = "") -> None:
    texts = [data.decode("utf-8", "replace")]
    if media_type.startswith(DOCX) or data[:2] == b"PK":
        texts.append(docx_text(data))
    for text in texts:
        haystack, folded = text.lower(), fold(text)
        for secret in SECRETS:
            assert secret.lower() not in haystack, (what, secret)
            assert fold(secret) not in folded, (what, secret)
    # Numbers written with any spacing of their digits.
    digits = re.sub(r"\D", "", "".join(texts))
    for number in ("004190001234", "0912345678", "004090009999", "0988777666", "0911222333"):
        assert number not in digits, (what, number)


def test_the_public_pages_need_no_sign_in_and_show_only_what_is_published(web):
    browser = web.client()
    for path in PUBLIC_PAGES:
        response = browser.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert '<html lang="vi">' in page and "Hộp việc" not in page and "Đăng xuất" not in page
    assert "Hiện không có quyết định, kết luận nào đang công khai." in browser.text("/public/")

    key, receipt_no, _code = _registered(web, content="Tôi khiếu nại Quyết định số 12/QĐ-UBND về thu hồi đất.",
                                         petitioner=COMPLAINANT, petition_type="complaint", intake=False)
    _publish(web, key, "complaint.publish", "plan_publication_complaint",
             {"form": "posting", "starts_on": "2026-03-02", "keep_in_archive": True,
              "summary": "Giữ nguyên Quyết định số 12/QĐ-UBND."})
    # A title typed with the complainant's name: the list shows no personal name at all.
    with web.world.session() as s:
        petition = get_petition(s, key)
        named = plan_publication(s, petition, unit=UBND, title="Quyết định giải quyết khiếu nại của ông Lê Văn Nam",
                                 form="media", starts_on=date(2026, 3, 2), days=15, clock=web.world.clock).id
    page = browser.text("/public/publications")
    assert "Quyết định giải quyết khiếu nại ngày 02/03/2026" in page
    assert "Ủy ban nhân dân" in page and "Từ 02/03/2026 đến hết 16/03/2026" in page
    assert f'id="publication-{named}"' in page and "Quyết định giải quyết khiếu nại của ông" in page
    for private in ("Lê Văn Nam", "004085000111", "0987654321", receipt_no, "thu hồi đất", key):
        assert private not in page, private
    [link] = [link for link in _links(page, "/public/publications/") if "archive" not in link]
    response = browser.get(link)
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "Giữ nguyên Quyết định số 12/QĐ-UBND." in docx_text(response.data)
    assert response.headers["Content-Disposition"].startswith("attachment;")

    # English on request, same data.
    browser.get("/lang/en")
    page = browser.text("/public/publications")
    assert '<html lang="en">' in page and "Decisions and conclusions now published" in page
    assert "Download" in page and "Posted at the office or reception place" in page


def test_documents_of_publications_off_the_public_list_are_404(web):
    world, browser = web.world, web.client()
    keys = {}
    for name, starts_on, keep in (("kept", "2026-03-02", True), ("dropped", "2026-03-02", False),
                                  ("planned", "2026-03-05", True)):
        keys[name], _receipt, _code = _registered(web, content=f"Khiếu nại {name}", petitioner=COMPLAINANT,
                                                  petition_type="complaint", intake=False)
        _publish(web, keys[name], "complaint.publish", "plan_publication_complaint",
                 {"form": "posting", "starts_on": starts_on, "keep_in_archive": keep})
    with web.services.sessions() as s:
        ids = {name: s.execute(select(Publication.id).where(Publication.petition_id == get_petition(s, key).id))
               .scalar_one() for name, key in keys.items()}
    document = "/public/publications/{}/document".format
    assert browser.get(document(ids["kept"])).status_code == 200
    assert browser.get(document(ids["dropped"])).status_code == 200
    assert browser.get(document(ids["planned"])).status_code == 404  # not yet begun
    assert browser.get(document(999999)).status_code == 404
    assert f'id="publication-{ids["planned"]}"' not in browser.text("/public/")

    # 24:00 local at the end of 16 March: the two running ones end; the planned one runs.
    world.clock.at = datetime(2026, 3, 16, 17, 0)
    assert world.services.runtime.fire_due_timers() == 2
    current = browser.text("/public/")
    assert f'id="publication-{ids["planned"]}"' in current and f'id="publication-{ids["kept"]}"' not in current
    archive = browser.text("/public/publications/archive")
    assert f'id="publication-{ids["kept"]}"' in archive and f'id="publication-{ids["dropped"]}"' not in archive
    assert browser.get(document(ids["kept"])).status_code == 200  # archived
    assert browser.get(document(ids["dropped"])).status_code == 404  # ended, not kept
    assert browser.get(document(ids["planned"])).status_code == 200


def test_tracking_shows_the_stage_next_step_due_date_and_the_citizens_documents(web):
    key, receipt_no, code = _registered(web, content=DENUNCIATION, petitioner=DENOUNCER, petition_type="denunciation")
    notice = _issue(web, key, "guidance", "Phiếu hướng dẫn: đề nghị gửi đơn đến cơ quan có thẩm quyền.", leaves_unit=True)
    _issue(web, key, "proposal_accept", "Đề xuất thụ lý đơn của bà Nguyễn Thị Hoa (nội bộ).", leaves_unit=False)
    task = web.world.task(key)
    browser = web.client()
    assert browser.post("/public/track", {"receipt_no": receipt_no, "code": code}, csrf=False).status_code == 400

    response = _track(browser, receipt_no, code.lower().replace("-", ""))  # case and dashes do not matter
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert f"Hồ sơ số {receipt_no}" in page and "Đã vào sổ" in page
    assert task.task_name in page and f"hạn theo quy định: {task.due_date:%d/%m/%Y}" in page
    assert "Phiếu hướng dẫn (Mẫu 02)" in page and "Phiếu đề xuất thụ lý" not in page
    [link] = _links(page, "/public/track/document/")
    download = browser.get(link)
    assert download.status_code == 200 and "Phiếu hướng dẫn: đề nghị" in download.get_data(as_text=True)
    assert download.headers["Cache-Control"] == "no-store"
    # The link works only in the browser session of this result, and only for 30 minutes.
    assert web.client().get(link).status_code == 404
    assert browser.get(link.replace("/document/", "/document/x")).status_code == 404
    web.world.clock.advance(minutes=31)
    assert browser.get(link).status_code == 404
    assert notice  # the one document addressed to the citizen

    # Same receipt with another code, and an unknown receipt: the same answer, byte for byte.
    wrong = _track(browser, receipt_no, "AAAA-BBBB-CCCC")
    unknown = _track(browser, "999/2026/TCD-UBND", code)
    assert wrong.status_code == unknown.status_code == 404
    assert _strip_csrf(wrong.data) == _strip_csrf(unknown.data)
    assert "Không tìm thấy hồ sơ với số biên nhận và mã tra cứu đã nhập." in wrong.get_data(as_text=True)
    assert receipt_no not in wrong.get_data(as_text=True)


def test_tracking_is_rate_limited_per_address(web):
    _key, receipt_no, code = _registered(web, content="Kiến nghị sửa đường", petitioner=COMPLAINANT,
                                        petition_type="recommendation")
    attacker = web.client("10.0.0.9")
    for i in range(10):
        assert _track(attacker, receipt_no, f"AAAA-BBBB-{i:04d}").status_code == 404
    blocked = _track(attacker, receipt_no, code)  # even the right code, once blocked
    assert blocked.status_code == 429
    assert "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in blocked.get_data(as_text=True)
    # Another address is not affected, nor sign-in from the same address.
    assert _track(web.client("10.0.0.10"), receipt_no, code).status_code == 200
    assert attacker.login("canbo").status_code == 302
    # The window passes.
    web.world.clock.advance(minutes=16)
    assert _track(attacker, receipt_no, code).status_code == 200


def test_no_byte_of_any_public_page_or_document_holds_the_denouncer(web):
    world = web.world
    tracked, receipt_no, code = _registered(web, content=DENUNCIATION, petitioner=DENOUNCER,
                                            petition_type="denunciation")
    _issue(web, tracked, "denounce_notice", "Thông báo việc thụ lý tố cáo: cơ quan đã thụ lý nội dung tố cáo.",
           leaves_unit=True)
    _issue(web, tracked, "proposal_accept", "Nội bộ: người tố cáo Nguyễn Thị Hoa, 0912 345 678.", leaves_unit=False)
    published, _receipt, _code = _registered(web, content=DENUNCIATION, petitioner=DENOUNCER,
                                             petition_type="denunciation", intake=False)
    _publish(web, published, "denunciation.publish", "plan_publication_denunciation",
             {"form": "posting", "starts_on": "2026-03-02", "keep_in_archive": True,
              "summary": "Nội dung tố cáo đúng một phần."})
    with world.session() as s:  # the world's own denunciation ("mat") is published too
        plan_publication(s, get_petition(s, web.cases["mat"]), unit=UBND, title="Kết luận nội dung tố cáo số 1/KL",
                         form="media", starts_on=date(2026, 3, 2), days=15, keep_in_archive=True, clock=world.clock)

    with world.session() as s:  # a posted reception day, and a duty roster with phone numbers
        s.execute(select(User).where(User.username == "lanhdao")).scalar_one().phone = "0911222333"
        schedules.add_session(s, unit=UBND, day=date(2026, 3, 9), starts_at="07:30", ends_at="11:00",
                              place="Trụ sở tiếp công dân", leader="lanhdao", leader_title="head", actor="tiepdan",
                              clock=world.clock)
        plan = duty_plans.create_plan(s, unit=UBND, title="Kế hoạch trực", kind="event", starts_on=date(2026, 3, 2),
                                      ends_on=date(2026, 3, 31), actor="lanhdao", clock=world.clock)
        duty_plans.add_duty(s, plan, day=date(2026, 3, 9), username="tiepdan", phone="0988777666")

    def harvest(browser) -> int:
        seen = set()
        for path in PUBLIC_PAGES:
            response = browser.get(path)
            _assert_no_secret(path, response.data)
            for link in _links(response.get_data(as_text=True), "/public/publications/"):
                if link.endswith("/document"):
                    download = browser.get(link)
                    assert download.status_code == 200
                    _assert_no_secret(link, download.data, download.mimetype)
                    seen.add(link)
        result = _track(browser, receipt_no, code)
        assert result.status_code == 200
        _assert_no_secret("tracking result", result.data)
        for link in _links(result.get_data(as_text=True), "/public/track/document/"):
            download = browser.get(link)
            assert download.status_code == 200
            _assert_no_secret(link, download.data, download.mimetype)
            seen.add(link)
        return len(seen)

    assert "Cán bộ lanhdao" in web.client().text("/public/schedules")  # the one name shown
    for lang in ("vi", "en"):
        browser = web.client()
        browser.get(f"/lang/{lang}")
        assert harvest(browser) == 2  # the published notice and the notice to the denouncer
    world.clock.at = datetime(2026, 3, 16, 17, 0) + timedelta(days=1)
    world.services.runtime.fire_due_timers()
    archive = web.client().text("/public/publications/archive")
    assert "Kết luận nội dung tố cáo" in archive
    assert harvest(web.client()) == 2  # now from the archive


def test_a_publication_links_the_notice_it_published(web):
    key, _receipt, _code = _registered(web, content="Khiếu nại quyết định thu hồi đất", petitioner=COMPLAINANT,
                                       petition_type="complaint", intake=False)
    _publish(web, key, "complaint.publish", "plan_publication_complaint",
             {"form": "posting", "starts_on": "2026-03-02", "keep_in_archive": True})
    with web.services.sessions() as s:
        [publication] = s.execute(select(Publication).where(Publication.petition_id == get_petition(s, key).id)).scalars()
        notice = s.get(CaseDocument, publication.document_id)
        assert (notice.kind, notice.leaves_unit, notice.petition_id) == ("publication", True, publication.petition_id)
    response = web.client().get(f"/public/publications/{publication.id}/document")
    assert response.status_code == 200 and response.data == notice.content


def _schedule(web, unit, day, leader, **extra) -> int:
    with web.world.session() as s:
        return schedules.add_session(s, unit=unit, day=day, starts_at="07:30", ends_at="11:00",
                                     place=extra.pop("place", "Trụ sở tiếp công dân"), leader=leader,
                                     leader_title=extra.pop("title", "head"), actor="tiepdan", clock=web.world.clock,
                                     **extra).id


def test_the_reception_schedule_is_posted_five_working_days_ahead_with_postponements(web):
    world = web.world
    with world.session() as s:
        for username in ("lanhdao", "lanhdao.xa"):
            s.execute(select(User).where(User.username == username)).scalar_one().phone = "0911222333"
    # The clock: Mon 2/3/2026. Posted from 5 working days before the session.
    moved = _schedule(web, COMMUNE, date(2026, 3, 9), "lanhdao.xa")  # posted from Mon 2/3
    later = _schedule(web, COMMUNE, date(2026, 3, 10), "lanhdao.xa", place="Nhà văn hóa tổ 3")  # from Tue 3/3
    late = _schedule(web, UBND, date(2026, 3, 5), "lanhdao", topics="Tiếp công dân về đất đai")  # from Thu 26/2
    dropped = _schedule(web, UBND, date(2026, 3, 4), "lanhdao", title="deputy")
    past = _schedule(web, UBND, date(2026, 2, 27), "lanhdao")
    with world.session() as s:
        schedules.postpone(s, s.get(ReceptionSchedule, moved), date(2026, 3, 16), "Chủ tịch họp đột xuất",
                           clock=world.clock)
        schedules.cancel(s, s.get(ReceptionSchedule, dropped), "Trùng lịch họp HĐND")
        plan = duty_plans.create_plan(s, unit=UBND, title="Kế hoạch trực Tết nội bộ", kind="tet",
                                      starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6), actor="lanhdao",
                                      clock=world.clock)
        duty_plans.add_duty(s, plan, day=date(2026, 3, 2), username="tiepdan", phone="0988777666")

    browser = web.client()
    page = browser.text("/public/schedules")
    shown = set(map(int, re.findall(r'id="schedule-(\d+)"', page)))
    assert shown == {moved, late, dropped}  # not yet: 10/3; over: 27/2
    row = page[page.index(f'id="schedule-{moved}"'):]
    row = row[:row.index("</tr>")]
    assert "Thứ Hai, 16/03/2026" in row and "Dời lịch từ ngày 09/03/2026" in row and "Chủ tịch họp đột xuất" in row
    assert "Cán bộ lanhdao.xa" in row and "Chủ tịch Ủy ban nhân dân" in row
    assert "Đã hủy" in page and "Trùng lịch họp HĐND" in page and "Phó Chủ tịch Ủy ban nhân dân" in page
    assert "Tiếp công dân về đất đai" in page and "Ủy ban nhân dân phường Thục Phán" in page
    printable = browser.text("/public/schedules/print")
    assert set(map(int, re.findall(r'id="schedule-(\d+)"', printable))) == shown
    assert "<nav" not in printable and "công bố ngày 02/03/2026" in printable
    for text in (page, printable):
        for private in ("0911222333", "0988777666", "Kế hoạch trực Tết nội bộ", "Cán bộ tiepdan"):
            assert private not in text, private
    # Tuesday 3/3: the session of 10/3 is posted.
    world.clock.advance(days=1)
    assert f'id="schedule-{later}"' in browser.text("/public/schedules")
    assert past  # entered, never shown
    browser.get("/lang/en")
    assert "Head (chairman, director)" in browser.text("/public/schedules")
