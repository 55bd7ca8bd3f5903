"""The front desk: reception sessions, petitions received by post, forwarded or online, today's
schedule; who may use it, validation with the input kept, the unit never taken from the form, the
tracking code shown once (only its hash stored), and no identity in the workflow's data."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.scenarios.world import COMMUNE, SNNMT, UBND
from tiepdan.cases.models import Party, Petition, Reception
from tiepdan.cases.petitions import tracking_code_hash
from tiepdan.engine.models import AuditEntry, ProcessInstance, TaskIndex

from .conftest import OTHER, TOKEN

FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')
TRACKING = re.compile(r'id="tracking-code">([A-Z0-9-]+)<')
RECEIPT = re.compile(r'id="receipt-no">([^<]+)<')
DESK = {"tiepdan", "lanhdao", "lanhdao.xa", "canbo.khac"}


def form(browser, path: str) -> dict:
    """The hidden fields of the form on `path`: CSRF token and one-time form id."""
    page = browser.text(path)
    return {"csrf_token": TOKEN.search(page).group(1), "form_id": FORM_ID.search(page).group(1)}


def send(browser, path: str, data: dict, hidden: dict | None = None):
    hidden = hidden if hidden is not None else form(browser, path)
    return browser.client.post(path, data={**hidden, **data}, environ_base=browser.environ)


def person_fields(prefix: str, i: int, name: str, id_number: str = "", *, id_type: str = "cccd", address: str = "",
                  phone: str = "", representative: bool = False) -> dict:
    key = f"{prefix}-{i}-"
    fields = {key + "full_name": name, key + "address": address, key + "phone": phone}
    if id_number:
        fields.update({key + "id_type": id_type, key + "id_number": id_number})
    if representative:
        fields[key + "representative"] = "1"
    return fields


def petitions(web) -> list[Petition]:
    with web.services.sessions() as s:
        rows = list(s.execute(select(Petition).where(Petition.created_by != "frontdesk").order_by(Petition.id)).scalars())
        for p in rows:
            for party in p.parties:
                party.identity  # noqa: B018
            p.receiving_unit, p.forwarded_by_unit  # noqa: B018
        return rows


def workflow_state(web, business_key: str) -> str:
    with web.services.sessions() as s:
        return " ".join(s.execute(select(ProcessInstance.state).where(ProcessInstance.business_key == business_key)).scalars())


# --- who ---------------------------------------------------------------------------------------------


def test_the_front_desk_needs_a_login(web):
    browser = web.client()
    for path in ("/frontdesk", "/frontdesk/reception", "/frontdesk/petition"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    assert browser.post("/frontdesk/petition", {"content": "x"}).status_code == 302
    assert petitions(web) == []


@pytest.mark.parametrize("username", ["tiepdan", "lanhdao", "canbo", "giamsat", "quantri", "xacminh", "canbo.khac"])
def test_the_front_desk_is_for_reception_officers_and_leaders(web, username):
    browser = web.login(username)
    inbox = browser.text("/inbox")
    allowed = username in DESK
    assert ('href="/frontdesk"' in inbox) == allowed
    for path in ("/frontdesk", "/frontdesk/reception", "/frontdesk/petition"):
        assert browser.get(path).status_code == (200 if allowed else 403), path
    if not allowed:
        response = browser.client.post("/frontdesk/petition", data={"csrf_token": browser.token("/inbox"),
                                                                    "channel": "post", "content": "x",
                                                                    "petitioner-0-full_name": "A"},
                                       environ_base=browser.environ)
        assert response.status_code == 403
        assert petitions(web) == []


def test_csrf_is_required(web):
    browser = web.login("tiepdan")
    hidden = form(browser, "/frontdesk/petition")
    response = browser.client.post("/frontdesk/petition", data={
        "form_id": hidden["form_id"], "channel": "post", "content": "Kiến nghị", "petitioner-0-full_name": "Hà Văn Một",
    }, environ_base=browser.environ)
    assert response.status_code == 400
    assert petitions(web) == []


# --- petitions by post, forwarded, online -------------------------------------------------------------


def test_a_petition_by_post_is_registered_with_its_parties_and_intake(web):
    browser = web.login("tiepdan")
    hidden = form(browser, "/frontdesk/petition?channel=post")
    response = send(browser, "/frontdesk/petition", {
        "channel": "post", "title": "Đơn kiến nghị về nước sạch", "content": "Kiến nghị cấp nước sạch cho tổ 9",
        "letter_date": "27/02/2026", "petitioner_count": "1", "petitioner_rows": "1",
        **person_fields("petitioner", 0, "Vũ Thị Nước", "004190007777", address="Tổ 9, phường Thục Phán",
                        phone="0912 345 678"),
        "respondent_name": "Nguyễn Văn Cấp", "respondent_position": "Giám đốc", "respondent_unit": SNNMT,
        "unit": OTHER,  # not a field of the form: ignored
    }, hidden)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    code = TRACKING.search(page).group(1)
    receipt = RECEIPT.search(page).group(1)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert "chỉ hiển thị một lần" in page and "không lưu mã ở dạng đọc được" in page
    assert "Phân loại, xử lý đơn" in page

    [petition] = petitions(web)
    assert petition.receipt_no == receipt and petition.receiving_unit.code == UBND
    assert (petition.channel, petition.title, petition.letter_date.isoformat()) == ("post", "Đơn kiến nghị về nước sạch", "2026-02-27")
    assert petition.created_by == "tiepdan" and petition.status == "registered"
    # Only the hash of the code is kept, nowhere the code itself.
    assert petition.tracking_code_hash == tracking_code_hash(code)
    with web.services.sessions() as s:
        logged = " ".join(s.execute(select(AuditEntry.detail_json)).scalars())
        row = " ".join(str(v) for v in s.execute(select(Petition.__table__).where(Petition.id == petition.id)).one())
    assert code not in logged and code.replace("-", "") not in logged and code not in row
    assert code not in workflow_state(web, petition.business_key)
    roles = {p.role: p for p in petition.parties}
    assert roles["petitioner"].identity.full_name == "Vũ Thị Nước"
    assert roles["petitioner"].identity.id_number == "004190007777"
    assert roles["petitioner"].identity.phone == "0912 345 678"
    assert (roles["respondent"].identity.full_name, roles["respondent"].position) == ("Nguyễn Văn Cấp", "Giám đốc")
    assert roles["respondent"].organisation_unit_id is not None
    # No identity in the workflow's data.
    state = workflow_state(web, petition.business_key)
    assert state and "Vũ Thị Nước" not in state and "004190007777" not in state and "0912" not in state

    # The intake task waits in the handling officers' queue of the unit.
    task = web.world.task(petition.business_key)
    assert (task.task_spec, task.role, task.unit_id) == ("classify", "handling_officer", UBND)
    assert f'data-task="{task.id}"' in web.login("canbo").text("/inbox?view=queue")

    # Sending the same form again (a reload) registers nothing more and shows no code.
    again = send(browser, "/frontdesk/petition", {"channel": "post", "content": "Kiến nghị cấp nước sạch cho tổ 9",
                                                  **person_fields("petitioner", 0, "Vũ Thị Nước")}, hidden)
    assert again.status_code == 302 and again.headers["Location"] == "/frontdesk"
    assert "đã được gửi" in browser.text("/frontdesk")
    assert len(petitions(web)) == 1


def test_a_forwarded_petition_names_the_forwarding_body(web):
    browser = web.login("tiepdan")
    by_unit = send(browser, "/frontdesk/petition", {
        "channel": "forwarded", "content": "Phản ánh ô nhiễm", "forwarded_by_unit": SNNMT, "forward_doc_no": "15/SNNMT-TTr",
        "forward_doc_date": "2026-02-25", **person_fields("petitioner", 0, "Lò Văn Khói"),
    })
    assert by_unit.status_code == 200, by_unit.get_data(as_text=True)[:2000]
    by_name = send(browser, "/frontdesk/petition", {
        "channel": "forwarded", "content": "Kiến nghị về chính sách", "forwarded_by_name": "Đoàn đại biểu Quốc hội tỉnh Cao Bằng",
        "forward_doc_no": "88/ĐĐBQH", "forward_doc_date": "26/02/2026", **person_fields("petitioner", 0, "Nông Thị Lời"),
    })
    assert by_name.status_code == 200
    first, second = petitions(web)
    assert first.channel == "forwarded" and first.forwarded_by_unit.code == SNNMT
    assert (first.forward_doc_no, first.forward_doc_date.isoformat()) == ("15/SNNMT-TTr", "2026-02-25")
    assert first.forwarded_by_name == first.forwarded_by_unit.name
    assert second.forwarded_by_unit is None and second.forwarded_by_name == "Đoàn đại biểu Quốc hội tỉnh Cao Bằng"
    assert second.forward_doc_date.isoformat() == "2026-02-26"
    for p in (first, second):
        assert web.world.task(p.business_key).task_spec == "classify"


def test_an_online_petition_of_a_group(web):
    browser = web.login("tiepdan")
    response = send(browser, "/frontdesk/petition", {
        "channel": "online", "content": "Kiến nghị của nhóm hộ dân về đường điện", "petitioner_count": "6",
        "petitioner_rows": "2",
        **person_fields("petitioner", 0, "Hà Văn Một", "004090000001", representative=True),
        **person_fields("petitioner", 1, "Hà Văn Hai", "123456789", id_type="cmnd"),
    })
    assert response.status_code == 200
    [petition] = petitions(web)
    assert petition.channel == "online" and petition.petitioner_count == 6
    people = sorted((p.identity.full_name, p.is_representative) for p in petition.parties if p.role == "petitioner")
    assert people == [("Hà Văn Hai", False), ("Hà Văn Một", True)]


def test_add_a_row_keeps_the_input(web):
    browser = web.login("tiepdan")
    hidden = form(browser, "/frontdesk/petition")
    response = send(browser, "/frontdesk/petition", {
        "action": "add", "channel": "online", "content": "Nội dung giữ lại", "petitioner_rows": "1",
        **person_fields("petitioner", 0, "Hà Văn Một"),
    }, hidden)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="petitioner-1-full_name"' in page and 'value="Hà Văn Một"' in page and "Nội dung giữ lại" in page
    assert 'value="online" selected' in page and "field-error" not in page
    assert petitions(web) == []


def test_validation_messages_per_field_and_the_input_kept(web):
    browser = web.login("tiepdan")
    hidden = form(browser, "/frontdesk/petition")
    response = send(browser, "/frontdesk/petition", {
        "channel": "forwarded", "content": "", "title": "Tiêu đề giữ lại", "letter_date": "01/04/2026",
        "petitioner_count": "0", "petitioner_rows": "3",
        **person_fields("petitioner", 0, "Hà Văn Một", "12345"),
        "petitioner-1-id_number": "004090000001", "petitioner-1-address": "Tổ 1",
        **person_fields("petitioner", 2, "Hà Văn Ba", phone="abc"),
        "forwarded_by_unit": "99.KHONGCO", "forward_doc_date": "31/02/2026", "respondent_position": "Chủ tịch",
        "respondent_unit": "XX",
    }, hidden)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    expected = {
        "content": "Hãy nhập nội dung đơn.",
        "letter_date": "Ngày không được sau ngày hôm nay.",
        "petitioner_count": "Số người đứng đơn phải là số nguyên từ 1 trở lên.",
        "petitioner-0-id_number": "Số căn cước, định danh cá nhân phải gồm 12 chữ số.",
        "petitioner-1-full_name": "Hãy nhập họ và tên.",
        "petitioner-1-id_type": "Hãy chọn loại giấy tờ tùy thân của số đã nhập.",
        "petitioner-2-phone": "Số điện thoại không hợp lệ.",
        "forwarded_by_unit": "Không có đơn vị mã 99.KHONGCO.",
        "forward_doc_no": "Hãy nhập số văn bản chuyển đơn.",
        "forward_doc_date": "Ngày không hợp lệ (dd/mm/yyyy).",
        "respondent_name": "Hãy nhập họ tên người bị khiếu nại, tố cáo.",
        "respondent_unit": "Không có đơn vị mã XX.",
    }
    for name, message in expected.items():
        assert f'<p class="field-error" id="{name}-error">{message}</p>' in page, name
        assert re.search(rf'id="{re.escape(name)}"[^>]*aria-invalid="true"', page), name
    # Input kept.
    for kept in ('value="Tiêu đề giữ lại"', 'value="Hà Văn Một"', 'value="12345"', 'value="Tổ 1"', 'value="99.KHONGCO"',
                 'value="Chủ tịch"', 'value="forwarded" selected'):
        assert kept in page, kept
    assert petitions(web) == []

    # Nothing at all: one petitioner is required; a channel outside the list is refused.
    empty = send(browser, "/frontdesk/petition", {"channel": "in_person", "content": "Nội dung"}, hidden)
    page = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert "Hãy nhập ít nhất một người đứng đơn." in page
    assert "Hãy chọn nguồn đơn" in page
    # Fewer petitioners than listed.
    fewer = send(browser, "/frontdesk/petition", {
        "channel": "post", "content": "Nội dung", "petitioner_count": "1", "petitioner_rows": "2",
        **person_fields("petitioner", 0, "A Một"), **person_fields("petitioner", 1, "B Hai")}, hidden)
    assert "Số người đứng đơn không được ít hơn số người đã nhập (2)." in fewer.get_data(as_text=True)
    # The form id survived the failed attempts: the corrected form goes through.
    fixed = send(browser, "/frontdesk/petition", {"channel": "post", "content": "Nội dung",
                                                  **person_fields("petitioner", 0, "A Một")}, hidden)
    assert fixed.status_code == 200 and len(petitions(web)) == 1


def test_a_petition_goes_to_the_users_own_unit(web):
    browser = web.login("lanhdao.xa")
    response = send(browser, "/frontdesk/petition", {
        "channel": "post", "content": "Phản ánh đèn đường", "unit": UBND, "receiving_unit": UBND,
        **person_fields("petitioner", 0, "Đàm Văn Sáng")})
    assert response.status_code == 200
    [petition] = petitions(web)
    assert petition.receiving_unit.code == COMMUNE
    task = web.world.task(petition.business_key)
    assert task.unit_id == COMMUNE
    assert f'data-task="{task.id}"' in web.login("canbo.xa").text("/inbox?view=queue")
    assert f'data-task="{task.id}"' not in web.login("canbo").text("/inbox?view=queue")


# --- reception sessions and today's schedule ----------------------------------------------------------


def test_a_reception_session_in_one_transaction_and_on_to_its_task(web):
    browser = web.login("tiepdan")
    response = send(browser, "/frontdesk/reception", {
        "citizen_rows": "2", "location": "Phòng tiếp công dân",
        **person_fields("citizen", 0, "Mạc Văn Đến", "004090004444", representative=True),
        **person_fields("citizen", 1, "Mạc Thị Cùng", phone="0987654321"),
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with web.services.sessions() as s:
        [reception] = s.execute(select(Reception)).scalars().all()
        citizens = s.execute(select(Party).where(Party.reception_id == reception.id).order_by(Party.ordinal)).scalars().all()
        names = [(c.identity.full_name, c.is_representative) for c in citizens]
        reception_id, unit_code, leader = reception.id, reception.unit.code, reception.is_leader_session
        assert reception.citizen_count == 2 and reception.location == "Phòng tiếp công dân"
    assert (unit_code, leader) == (UBND, False)
    assert names == [("Mạc Văn Đến", True), ("Mạc Thị Cùng", False)]
    key = f"reception/{reception_id}"
    task = web.world.task(key)
    assert (task.task_spec, task.assignee) == ("identify", "tiepdan")  # claimed for the officer
    # On to the task page when there is one, else to the officer's own tasks.
    assert response.headers["Location"] in (f"/tasks/{task.id}", f"/inbox?view=mine&q={key}")
    assert browser.get(response.headers["Location"]).status_code == 200
    assert f'data-task="{task.id}"' in browser.text(f"/inbox?view=mine&q={key}")
    state = workflow_state(web, key)
    assert "Mạc Văn Đến" not in state and "004090004444" not in state and "0987654321" not in state

    schedule = browser.text("/frontdesk")
    assert f'data-reception="{reception_id}"' in schedule
    assert "Mạc Văn Đến" in schedule and "và 1 người khác" in schedule
    assert "Đang tiếp: Xác định nhân thân" in schedule
    assert "Cán bộ tiepdan" in schedule
    # Another unit's desk does not see it.
    assert f'data-reception="{reception_id}"' not in web.login("lanhdao.xa").text("/frontdesk")
    assert f'data-reception="{reception_id}"' not in web.login("canbo.khac").text("/frontdesk")


def test_a_leader_session_needs_the_leader_role(web):
    officer = web.login("tiepdan")
    refused = send(officer, "/frontdesk/reception", {"is_leader_session": "1",
                                                     **person_fields("citizen", 0, "Hứa Văn Chờ")})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Chỉ lãnh đạo đơn vị mới ghi được buổi lãnh đạo tiếp công dân." in page and 'value="Hứa Văn Chờ"' in page
    with web.services.sessions() as s:
        assert s.execute(select(func.count()).select_from(Reception)).scalar_one() == 0

    leader = web.login("lanhdao")
    done = send(leader, "/frontdesk/reception", {"is_leader_session": "1", **person_fields("citizen", 0, "Hứa Văn Chờ")})
    assert done.status_code == 302
    # The first task is the reception officers': the leader goes to the units view.
    assert done.headers["Location"].startswith("/inbox?view=units&q=reception")
    with web.services.sessions() as s:
        reception = s.execute(select(Reception)).scalar_one()
        assert reception.is_leader_session and reception.received_by.username == "lanhdao"
        task = s.execute(select(TaskIndex).where(TaskIndex.business_key == f"reception/{reception.id}")).scalar_one()
        assert task.assignee is None and task.role == "reception_officer"
    assert "Lãnh đạo tiếp" in leader.text("/frontdesk")


def test_reception_validation(web):
    browser = web.login("tiepdan")
    response = send(browser, "/frontdesk/reception", {"citizen_rows": "2", "citizen-1-id_type": "passport",
                                                      "citizen-1-id_number": "AB1", "citizen-1-full_name": "Kim Ba"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Số hộ chiếu phải gồm 6 đến 12 chữ cái hoặc chữ số." in page and 'value="AB1"' in page
    empty = send(browser, "/frontdesk/reception", {"citizen_rows": "1"})
    assert "Hãy nhập ít nhất một công dân đến trình bày." in empty.get_data(as_text=True)
    with web.services.sessions() as s:
        assert s.execute(select(func.count()).select_from(Reception)).scalar_one() == 0


def test_the_schedule_shows_today_only(web):
    browser = web.login("tiepdan")
    send(browser, "/frontdesk/reception", {**person_fields("citizen", 0, "Hôm Nay")})
    web.world.clock.advance(days=1)
    page = browser.text("/frontdesk")
    assert "Hôm Nay" not in page and "Hôm nay đơn vị chưa có lượt tiếp công dân nào." in page
