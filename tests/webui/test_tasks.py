"""The task page: the form of every field type, server-side validation with the input kept,
drafts, a conflicting completion, comments, attachments (limits, magic bytes, download rights),
and who may open and complete a task. Every case waits at intake's 'classify' for the handling
officers of its unit (see conftest)."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from tests.scenarios.world import UBND
from tiepdan.cases.models import Attachment, CaseComment, TaskDraft
from tiepdan.cases.users import create_user
from tiepdan.config import REPO_ROOT
from tiepdan.engine.forms import parse_form
from tiepdan.webui import tasks as tasks_module

from .conftest import _HASH, USERS

VALID = {"petition_type": "recommendation", "within_competence": "yes", "outcome": "accept"}


def count(web, model, **where) -> int:
    with web.services.sessions() as s:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return s.execute(stmt).scalar_one()


def field_block(page: str, name: str) -> str:
    match = re.search(rf'data-field="{name}">(.*?)(?=data-field="|</form>)', page, re.S)
    assert match, name
    return match.group(1)


# --- who may open a task -------------------------------------------------------------------------------

# username -> {case: expected status of GET /tasks/<classify task of case>}
EXPECTED = {
    "canbo": {"an": 200, "xa": 404, "khac": 404},
    "canbo2": {"an": 200, "xa": 404, "khac": 404},
    "tiepdan": {"an": 403, "xa": 404, "khac": 404},
    "lanhdao": {"an": 403, "xa": 403, "khac": 404},
    "giamsat": {"an": 403, "xa": 403, "khac": 404},
    "quantri": {"an": 403, "xa": 404, "khac": 404},
    "xacminh": {"an": 404, "xa": 404, "khac": 404},
    "canbo.xa": {"an": 404, "xa": 200, "khac": 404},
    "lanhdao.xa": {"an": 404, "xa": 403, "khac": 404},
    "canbo.snnmt": {"an": 404, "xa": 404, "khac": 404},
    "canbo.khac": {"an": 404, "xa": 404, "khac": 200},
}


def test_every_route_needs_a_login(web):
    task = web.task("an").id
    browser = web.client()
    assert browser.get(f"/tasks/{task}").headers["Location"].startswith("/login?next=")
    for path in (f"/tasks/{task}", f"/tasks/{task}/comments", f"/tasks/{task}/attachments"):
        response = browser.post(path, {"action": "complete", **VALID})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path
    assert web.task("an").id == task


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_task_pages_by_role_and_unit(web, username):
    browser = web.login(username)
    for case, status in EXPECTED[username].items():
        task = web.task(case).id
        page = browser.get(f"/tasks/{task}")
        assert page.status_code == status, (case, status)
        if status == 404:
            assert "không thuộc phạm vi của đơn vị bạn" in page.get_data(as_text=True)
        for path, data in ((f"/tasks/{task}", {"action": "complete", **VALID}),
                           (f"/tasks/{task}", {"action": "draft", "note": "x"}),
                           (f"/tasks/{task}/comments", {"text": "ý kiến"})):
            if status == 200:
                continue
            assert browser.post(path, data, token_from="/inbox").status_code == status, (case, path)
    assert count(web, CaseComment) == 0 and count(web, TaskDraft) == 0


def test_the_assignee_of_another_unit_and_a_claimed_task(web):
    task = web.task("an").id
    owner, other = web.login("canbo"), web.login("canbo2")
    owner.post(f"/tasks/{task}/claim", token_from="/inbox")
    page = other.text(f"/tasks/{task}")
    assert "Việc này đang do Cán bộ canbo xử lý; bạn chỉ xem được." in page
    assert 'value="complete"' not in page
    assert other.post(f"/tasks/{task}", {"action": "complete", **VALID}, token_from="/inbox").status_code == 403
    assert web.task("an").id == task
    assert 'value="complete"' in owner.text(f"/tasks/{task}")


def test_csrf_is_required(web):
    browser = web.login("canbo")
    task = web.task("an").id
    browser.get(f"/tasks/{task}")
    for path, data in ((f"/tasks/{task}", {"action": "complete", **VALID}), (f"/tasks/{task}/comments", {"text": "x"})):
        response = browser.post(path, data, csrf=False)
        assert response.status_code == 400, path
        assert "CSRF" in response.get_data(as_text=True)
    assert web.task("an").id == task


# --- the form -----------------------------------------------------------------------------------------

ALL_TYPES = parse_form("all_types", {
    "title": "Mọi loại trường", "description": "Mô tả biểu mẫu",
    "fields": [
        {"name": "t_text", "label": "Văn bản ngắn", "type": "text", "required": True, "help": "Gợi ý văn bản"},
        {"name": "t_textarea", "label": "Văn bản dài", "type": "textarea", "default": "Dòng một"},
        {"name": "t_integer", "label": "Số nguyên", "type": "integer", "min": 1, "max": 9, "default": 3},
        {"name": "t_number", "label": "Số thực", "type": "number", "default": 2.5},
        {"name": "t_date", "label": "Ngày", "type": "date", "default": "2026-03-05"},
        {"name": "t_boolean", "label": "Có hay không", "type": "boolean", "default": True},
        {"name": "t_select", "label": "Chọn một", "type": "select", "default": "b",
         "options": [{"value": "a", "label": "Phương án A"}, {"value": "b", "label": "Phương án B"}]},
        {"name": "t_multi", "label": "Chọn nhiều", "type": "multiselect", "default": ["x", "z"],
         "options": [{"value": "x", "label": "Ích"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Dét"}]},
        {"name": "t_email", "label": "Thư điện tử", "type": "email"},
        {"name": "t_phone", "label": "Điện thoại", "type": "phone"},
        {"name": "t_id", "label": "Số định danh", "type": "id_number"},
    ],
})


def test_every_field_type_is_rendered_with_labels_help_and_required_marks(web, monkeypatch):
    monkeypatch.setattr(tasks_module, "form_for", lambda session, task: ALL_TYPES)
    page = web.login("canbo").text(f"/tasks/{web.task('an').id}")
    assert "Mọi loại trường" in page and "Mô tả biểu mẫu" in page
    text = field_block(page, "t_text")
    assert 'type="text"' in text and "required" in text and 'class="req"' in text and "Gợi ý văn bản" in text
    assert "<textarea" in field_block(page, "t_textarea") and "Dòng một</textarea>" in field_block(page, "t_textarea")
    assert 'inputmode="numeric" value="3"' in field_block(page, "t_integer")
    assert 'inputmode="decimal" value="2.5"' in field_block(page, "t_number")
    assert 'placeholder="dd/mm/yyyy"' in field_block(page, "t_date") and 'value="05/03/2026"' in field_block(page, "t_date")
    assert 'type="checkbox"' in field_block(page, "t_boolean") and "checked" in field_block(page, "t_boolean")
    select_ = field_block(page, "t_select")
    assert '<option value="b" selected>Phương án B</option>' in select_ and '<option value="a" >' in select_
    multi = field_block(page, "t_multi")
    assert re.search(r'value="x" checked', multi) and re.search(r'value="z" checked', multi)
    assert not re.search(r'value="y" checked', multi)
    assert 'type="email"' in field_block(page, "t_email")
    assert 'type="tel"' in field_block(page, "t_phone")
    assert 'autocomplete="off"' in field_block(page, "t_id")
    assert 'class="req"' not in field_block(page, "t_email")


def test_raw_input_is_shown_as_typed():
    values = tasks_module._from_lists(ALL_TYPES, {"t_multi": ["x"], "t_boolean": ["1"], "t_text": ["  a  "]})
    assert values["t_multi"] == ["x"] and values["t_boolean"] is True and values["t_text"] == "  a  "
    assert values["t_date"] == "" and values["t_select"] == ""


def test_the_form_is_prefilled_from_the_task_data_only_with_its_fields(web):
    task = web.task("an").id
    page = web.login("canbo").text(f"/tasks/{task}")
    data = web.services.runtime.task_data(task)
    # The intake proposed a type; whatever it holds besides the form's fields is not on the page.
    for name, value in data.items():
        if name in {f for f in re.findall(r'data-field="([^"]+)"', page)}:
            continue
        assert f'name="{name}"' not in page


def test_validation_errors_are_shown_per_field_with_the_input_kept(web):
    browser = web.login("canbo")
    task = web.task("an").id
    response = browser.post(f"/tasks/{task}", {
        "action": "complete", "petition_type": "", "within_competence": "yes", "outcome": "accept",
        "petitioner_count": "mười", "note": "Ghi chú <giữ lại>", "reasons": ["no_date", "bogus"],
        "signs_of_crime": "1",
    }, token_from=f"/tasks/{task}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Biểu mẫu còn lỗi" in page
    assert "Trường này là bắt buộc." in field_block(page, "petition_type")
    assert "Phải là số nguyên." in field_block(page, "petitioner_count")
    assert 'value="mười"' in field_block(page, "petitioner_count")
    assert 'aria-invalid="true"' in field_block(page, "petitioner_count")
    assert "Giá trị không nằm trong danh sách cho phép." in field_block(page, "reasons")
    assert "Ghi chú &lt;giữ lại&gt;</textarea>" in field_block(page, "note")
    assert "checked" in field_block(page, "signs_of_crime")
    assert '<option value="accept" selected>' in field_block(page, "outcome")
    assert web.task("an").id == task  # nothing completed


def test_completing_redirects_to_the_inbox_and_drops_drafts(web):
    browser = web.login("canbo")
    task = web.task("an").id
    browser.post(f"/tasks/{task}", {"action": "draft", "note": "nháp"}, token_from=f"/tasks/{task}")
    assert count(web, TaskDraft) == 1
    done = browser.post(f"/tasks/{task}", {"action": "complete", **VALID, "petitioner_count": "2"},
                        token_from=f"/tasks/{task}")
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    assert "Đã hoàn thành việc “Phân loại, xử lý đơn”." in browser.text("/inbox")
    assert web.task("an").task_spec == "approve_recommendation"
    assert count(web, TaskDraft) == 0


def test_a_draft_is_kept_per_user_and_prefills_the_form(web):
    task = web.task("an").id
    first, second = web.login("canbo"), web.login("canbo2")
    saved = first.post(f"/tasks/{task}", {
        "action": "draft", "petition_type": "complaint", "petitioner_count": "không phải số",
        "reasons": ["no_date", "no_name"], "note": "Đang xem xét", "against_head": "1",
    }, token_from=f"/tasks/{task}")
    assert saved.status_code == 302 and saved.headers["Location"] == f"/tasks/{task}"
    page = first.text(f"/tasks/{task}")
    assert "Đã lưu nháp." in page and "Đang hiển thị bản nháp" in page
    assert '<option value="complaint" selected>' in field_block(page, "petition_type")
    assert 'value="không phải số"' in field_block(page, "petitioner_count")
    assert re.search(r'value="no_date" checked', field_block(page, "reasons"))
    assert re.search(r'value="no_name" checked', field_block(page, "reasons"))
    assert "Đang xem xét</textarea>" in page and "checked" in field_block(page, "against_head")
    # Saving again replaces it; the other officer sees none of it.
    first.post(f"/tasks/{task}", {"action": "draft", "note": "Bản hai"}, token_from=f"/tasks/{task}")
    assert count(web, TaskDraft) == 1
    assert "Bản hai</textarea>" in first.text(f"/tasks/{task}")
    other = second.text(f"/tasks/{task}")
    assert "Bản hai" not in other and "Đang hiển thị bản nháp" not in other
    assert web.task("an").id == task


def test_a_conflicting_completion_says_who_and_when(web):
    task = web.task("binh").id
    first, second = web.login("canbo"), web.login("canbo2")
    token = second.token(f"/tasks/{task}")  # the second officer has the page open
    assert first.post(f"/tasks/{task}", {"action": "complete", "petition_type": "complaint", "within_competence": "yes",
                                         "outcome": "accept"}, token_from=f"/tasks/{task}").status_code == 302
    late = second.client.post(f"/tasks/{task}", data={"csrf_token": token, "action": "complete", **VALID},
                              environ_base=second.environ)
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Việc này đã được Cán bộ canbo (canbo) hoàn thành lúc 02/03/2026 09:00." in page
    assert "Dữ liệu bạn vừa nhập chưa được lưu." in page
    # Someone who may not see the case learns nothing.
    outsider = web.login("canbo.khac")
    assert outsider.post(f"/tasks/{task}", {"action": "complete", **VALID}, token_from="/inbox").status_code == 404
    assert web.login("canbo").post("/tasks/no-such-task", {"action": "complete"}, token_from="/inbox").status_code == 404


# --- comments -------------------------------------------------------------------------------------------


def test_comments_on_the_task_show_on_the_case(web):
    browser = web.login("canbo")
    task = web.task("an").id
    done = browser.post(f"/tasks/{task}/comments", {"text": "Cần xác minh hiện trường <b>gấp</b>"},
                        token_from=f"/tasks/{task}")
    assert done.status_code == 302
    page = browser.text(f"/tasks/{task}")
    assert "Cần xác minh hiện trường &lt;b&gt;gấp&lt;/b&gt;" in page and "Đã ghi ý kiến." in page
    assert "Cần xác minh hiện trường" in web.login("lanhdao").text(f"/cases/{web.cases['an']}")
    empty = browser.post(f"/tasks/{task}/comments", {"text": "   "}, token_from=f"/tasks/{task}")
    assert empty.status_code == 400 and "Hãy nhập nội dung ý kiến." in empty.get_data(as_text=True)
    assert count(web, CaseComment) == 1


# --- attachments ---------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."


def office(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main, "<x/>")
    return buffer.getvalue()


def upload(browser, task: str, name: str, content: bytes):
    return browser.post(f"/tasks/{task}/attachments", {"file": (io.BytesIO(content), name)},
                        token_from=f"/tasks/{task}", content_type="multipart/form-data")


def test_attachments_are_checked_stored_by_hash_and_served_to_the_case_only(web):
    browser = web.login("canbo")
    task = web.task("an").id
    key = web.cases["an"]
    accepted = {"don.pdf": PDF, "anh.PNG": PNG, "anh.jpg": JPG, "bien-ban.docx": office("word/document.xml"),
                "bang.xlsx": office("xl/workbook.xml")}
    for name, content in accepted.items():
        response = upload(browser, task, name, content)
        assert response.status_code == 302, (name, response.get_data(as_text=True)[-600:])
    refused = {
        "chuong-trinh.pdf": (EXE, "Nội dung tệp không đúng với loại tệp .pdf."),
        "chuong-trinh.exe": (EXE, "Chỉ nhận tệp PDF, JPG, PNG, DOCX hoặc XLSX."),
        "anh.png": (JPG, "Nội dung tệp không đúng với loại tệp .png."),
        "nen.docx": (office("xl/workbook.xml"), "Nội dung tệp không đúng với loại tệp .docx."),
        "rong.pdf": (b"", "Tệp rỗng."),
        "lon.pdf": (b"%PDF-" + b"0" * (10 * 1024 * 1024), "Tệp quá lớn: tối đa 10 MB."),
    }
    for name, (content, message) in refused.items():
        response = upload(browser, task, name, content)
        assert response.status_code == 400, name
        assert message in response.get_data(as_text=True), name
    assert count(web, Attachment) == len(accepted)

    var_dir = web.services.settings.var_dir
    digest = hashlib.sha256(PDF).hexdigest()
    assert (var_dir / "attachments" / digest[:2] / digest).read_bytes() == PDF
    with web.services.sessions() as s:
        pdf = s.execute(select(Attachment).where(Attachment.filename == "don.pdf")).scalar_one()
    assert (pdf.sha256, pdf.size, pdf.media_type, pdf.uploaded_by, pdf.business_key) == (
        digest, len(PDF), "application/pdf", "canbo", key)

    page = browser.text(f"/tasks/{task}")
    url = f"/cases/{key}/attachments/{pdf.id}"
    assert f'href="{url}"' in page
    for username in ("canbo", "tiepdan", "lanhdao", "giamsat"):
        download = web.login(username).get(url)
        assert download.status_code == 200, username
        assert download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Type"] == "application/pdf"
    for username in ("canbo.khac", "xacminh", "canbo.xa", "lanhdao.xa", "canbo.snnmt"):
        assert web.login(username).get(url).status_code == 404, username
    # Under another case's key: 404 even for someone who may see both.
    assert browser.get(f"/cases/{web.cases['binh']}/attachments/{pdf.id}").status_code == 404
    assert browser.get(f"/cases/{key}/attachments/999999").status_code == 404
    assert web.client().get(url).status_code == 302  # anonymous: to the login page


def test_an_upload_needs_a_file_and_the_right_to_work_on_the_task(web):
    task = web.task("an").id
    browser = web.login("canbo")
    missing = browser.post(f"/tasks/{task}/attachments", {}, token_from=f"/tasks/{task}", content_type="multipart/form-data")
    assert missing.status_code == 400 and "Hãy chọn một tệp để đính kèm." in missing.get_data(as_text=True)
    assert upload(web.login("tiepdan"), task, "don.pdf", PDF).status_code == 403
    assert upload(web.login("canbo.khac"), task, "don.pdf", PDF).status_code == 404
    assert count(web, Attachment) == 0


def test_an_officer_of_the_unit_with_the_role_added_later_may_work(web):
    with web.world.session() as s:
        create_user(s, username="canbo3", full_name="Cán bộ ba", unit=UBND, roles=("handling_officer",),
                    password_hash=_HASH, processes_dir=REPO_ROOT / "processes", clock=web.world.clock)
    assert "canbo3" not in USERS
    assert web.login("canbo3").get(f"/tasks/{web.task('an').id}").status_code == 200
