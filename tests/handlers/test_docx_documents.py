"""Official documents as Word templates (docxtpl): every shipped template fills from a redacted
case, renders in the same sandbox as the text templates, and a Word file that leaves the unit is
refused when its text holds a sealed identity."""
from __future__ import annotations

import io
import sys
from types import SimpleNamespace

import docx
import pytest

from tiepdan.cases import parties, petitions
from tiepdan.cases.documents import DOCUMENT_KINDS, DOCX, docx_text, issue_document
from tiepdan.cases.errors import CaseError
from tiepdan.cases.identity import SEALED_MASK
from tiepdan.config import REPO_ROOT
from tiepdan.handlers.documents import produce, render_docx, vn_long_date

from tests.cases.conftest import person, seed_world, unit

PROCESSES = REPO_ROOT / "processes"
SHIPPED = sorted(p.name for p in (PROCESSES / "documents").glob("*.docx"))

UNIT = {"code": "04.UBND", "name": "Ủy ban nhân dân tỉnh Cao Bằng", "head_title": "Chủ tịch Ủy ban nhân dân",
        "abbreviation": "UBND"}
COMPLAINT = {
    "business_key": "04.UBND/2026/7", "receipt_no": "7/2026/TCD-UBND", "received_on": "2026-03-02",
    "content": "Khiếu nại Quyết định thu hồi đất số 15/QĐ-UBND của UBND phường Thục Phán & việc bồi thường <thấp>.",
    "petition_type": "complaint", "petition_type_label": "Khiếu nại",
    "holding_unit": {"code": "04.UBND", "name": "Ủy ban nhân dân tỉnh Cao Bằng"},
    "parties": [
        {"name": "Hoàng Văn Khải", "role": "petitioner", "role_label": "Người khiếu nại, tố cáo, kiến nghị, phản ánh",
         "sealed": False},
        {"name": "Ủy ban nhân dân phường Thục Phán", "role": "respondent",
         "role_label": "Người bị khiếu nại, bị tố cáo", "sealed": False},
    ],
}
DENUNCIATION = {
    **COMPLAINT,
    "receipt_no": "8/2026/TCD-UBND", "petition_type": "denunciation", "petition_type_label": "Tố cáo",
    "content": "Tố cáo ông Lý Văn Quan, Phó Chủ tịch phường, nhận tiền của dân.",
    "parties": [
        {"name": SEALED_MASK, "role": "petitioner", "role_label": "Người khiếu nại, tố cáo, kiến nghị, phản ánh",
         "sealed": True},
        {"name": "Lý Văn Quan", "role": "respondent", "role_label": "Người bị khiếu nại, bị tố cáo", "sealed": False},
    ],
}

# template -> (case, the `doc` values, strings its text must hold)
CASES = {
    "complaint_acceptance.docx": (COMPLAINT, {"accepted_on": "2026-03-05", "due_on": "2026-04-17"},
                                  ["Hoàng Văn Khải", "05/03/2026", "17/04/2026", "thụ lý giải quyết khiếu nại"]),
    "complaint_refusal.docx": (COMPLAINT, {"reason": "Khiếu nại đã quá thời hiệu 90 ngày."},
                               ["Khiếu nại đã quá thời hiệu 90 ngày.", "không thụ lý"]),
    "guidance.docx": (COMPLAINT, {"guided_to": "Tòa án nhân dân tỉnh Cao Bằng"},
                      ["Tòa án nhân dân tỉnh Cao Bằng", "PHIẾU HƯỚNG DẪN"]),
    "transfer_slip.docx": (DENUNCIATION, {"target": {"name": "Thanh tra tỉnh Cao Bằng", "head_title": "Chánh Thanh tra"}},
                           ["Chánh Thanh tra - Thanh tra tỉnh Cao Bằng", "giữ bí mật", "PHIẾU CHUYỂN ĐƠN"]),
    "denunciation_acceptance.docx": (DENUNCIATION, {"due_on": "2026-04-06"},
                                     ["Lý Văn Quan", "06/04/2026", "nhận tiền của dân", "Về việc thụ lý tố cáo"]),
    "denunciation_notice.docx": (DENUNCIATION, {"recipient": "denouncer", "decision_no": "3/2026/QĐ-UBND",
                                                "decision_on": "2026-03-06", "due_on": "2026-04-06"},
                                 ["Người tố cáo theo đơn số 8/2026/TCD-UBND", "3/2026/QĐ-UBND", "06/03/2026"]),
    "extension_decision.docx": (DENUNCIATION, {"acceptance_no": "3/2026/QĐ-UBND", "acceptance_on": "2026-03-06",
                                               "extension_days": 30, "due_on": "2026-05-06",
                                               "reason": "Vụ việc phức tạp, cần xác minh tại nhiều nơi."},
                                ["thêm 30 ngày", "06/05/2026", "Vụ việc phức tạp, cần xác minh tại nhiều nơi."]),
    "verification_assignment.docx": (DENUNCIATION, {"verifier": "Ông Bế Văn Minh, Thanh tra viên",
                                                    "report_by": "2026-03-27"},
                                     ["Ông Bế Văn Minh, Thanh tra viên", "27/03/2026", "xác minh nội dung tố cáo"]),
    "dialogue_minutes.docx": (COMPLAINT, {"dialogue_on": "2026-03-20", "venue": "Phòng họp số 2",
                                          "attendees": [{"name": "Lục Văn Trưởng", "position": "Trưởng Ban"},
                                                        {"name": "Vi Thị Kiểm"}],
                                          "discussion": "Người khiếu nại đề nghị bồi thường theo giá thị trường.",
                                          "result": "Các bên thống nhất đo đạc lại diện tích."},
                              ["ngày 20 tháng 03 năm 2026", "Phòng họp số 2", "Lục Văn Trưởng, Trưởng Ban", "Vi Thị Kiểm",
                               "Người khiếu nại đề nghị bồi thường theo giá thị trường.",
                               "Các bên thống nhất đo đạc lại diện tích.", "Hoàng Văn Khải"]),
    "suspension_decision.docx": (COMPLAINT, {"reason": "Chờ kết quả giám định của cơ quan chuyên môn."},
                                 ["Chờ kết quả giám định của cơ quan chuyên môn.", "tạm đình chỉ việc giải quyết khiếu nại"]),
    "continuation_decision.docx": (DENUNCIATION, {"suspension_no": "5/2026/QĐ-UBND", "suspension_on": "2026-03-10",
                                                  "reason": "Đã có kết quả giám định.", "due_on": "2026-04-30"},
                                   ["5/2026/QĐ-UBND", "10/03/2026", "Đã có kết quả giám định.", "30/04/2026",
                                    "tiếp tục giải quyết tố cáo"]),
    "termination_decision.docx": (COMPLAINT, {"reason": "Người khiếu nại rút toàn bộ nội dung khiếu nại."},
                                  ["Người khiếu nại rút toàn bộ nội dung khiếu nại.", "đình chỉ việc giải quyết khiếu nại"]),
    "complaint_decision_first.docx": (COMPLAINT, {"findings": "Việc thu hồi đúng trình tự.",
                                                  "dialogue_result": "Người khiếu nại giữ nguyên ý kiến.",
                                                  "conclusion": "Khiếu nại là đúng một phần.",
                                                  "decision_text": "Công nhận một phần nội dung khiếu nại.",
                                                  "appeal_to": "Chủ tịch Ủy ban nhân dân tỉnh Cao Bằng"},
                                      ["Việc thu hồi đúng trình tự.", "Người khiếu nại giữ nguyên ý kiến.",
                                       "Khiếu nại là đúng một phần.", "Công nhận một phần nội dung khiếu nại.",
                                       "(lần đầu)", "khiếu nại đến Chủ tịch Ủy ban nhân dân tỉnh Cao Bằng"]),
    "complaint_decision_second.docx": (COMPLAINT, {"first_decision_no": "2/2026/QĐ-UBND",
                                                   "first_decision_on": "2026-01-15",
                                                   "first_decision_by": "Chủ tịch UBND phường Thục Phán",
                                                   "findings": "Quyết định lần đầu chưa xét giá bồi thường.",
                                                   "dialogue_result": "Không thống nhất.",
                                                   "conclusion": "Khiếu nại là đúng.",
                                                   "decision_text": "Hủy Quyết định lần đầu."},
                                       ["2/2026/QĐ-UBND", "15/01/2026", "Chủ tịch UBND phường Thục Phán",
                                        "Quyết định lần đầu chưa xét giá bồi thường.", "Hủy Quyết định lần đầu.",
                                        "(lần hai)"]),
    "denunciation_conclusion.docx": (DENUNCIATION, {"acceptance_no": "3/2026/QĐ-UBND", "acceptance_on": "2026-03-06",
                                                    "findings": "Có căn cứ xác định đã nhận 5 triệu đồng.",
                                                    "conclusion": "Tố cáo là đúng.",
                                                    "measures": "Kiểm điểm, xử lý kỷ luật theo quy định."},
                                     ["Lý Văn Quan", "Có căn cứ xác định đã nhận 5 triệu đồng.", "Tố cáo là đúng.",
                                      "Kiểm điểm, xử lý kỷ luật theo quy định.", "KẾT LUẬN"]),
    "publication_notice.docx": (DENUNCIATION, {"published_title": "Kết luận nội dung tố cáo",
                                               "published_no": "1/2026/KL-UBND", "published_on": "2026-04-06",
                                               "method": "Niêm yết tại trụ sở trong 15 ngày.",
                                               "summary": "Tố cáo là đúng; đã xử lý kỷ luật."},
                               ["Kết luận nội dung tố cáo", "1/2026/KL-UBND", "06/04/2026",
                                "Niêm yết tại trụ sở trong 15 ngày.", "Tố cáo là đúng; đã xử lý kỷ luật."]),
}


def values(case: dict, doc: dict, number: str = "4/2026/QĐ-UBND") -> dict:
    return {"number": number, "issued_on": "06/03/2026", "unit": UNIT, "case": case, "doc": doc}


def make_docx(path, *, paragraph: str = "", cell: str = "", header: str = "") -> bytes:
    document = docx.Document()
    if paragraph:
        document.add_paragraph(paragraph)
    if cell:
        document.add_table(rows=1, cols=2).rows[0].cells[1].add_paragraph(cell)
    if header:
        document.sections[0].header.add_paragraph(header)
    out = io.BytesIO()
    document.save(out)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(out.getvalue())
    return out.getvalue()


# --- the shipped templates ------------------------------------------------------------------------


def test_every_template_named_by_the_issue_is_shipped_and_made_by_the_script():
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    try:
        import make_document_templates as script
    finally:
        sys.path.remove(str(REPO_ROOT / "scripts"))
    assert SHIPPED == sorted(CASES) == sorted(script.TEMPLATES)


@pytest.mark.parametrize("template", sorted(CASES))
def test_each_template_fills_from_a_redacted_case(template):
    case, doc, expected = CASES[template]
    text = docx_text(render_docx(PROCESSES, template, values(case, doc)))
    for needle in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 4/2026/QĐ-UBND",
                   "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG", "Ngày 06 tháng 03 năm 2026", case["receipt_no"], *expected]:
        assert needle in text, f"{template}: {needle!r} missing"
    assert "{{" not in text and "}}" not in text and "{%" not in text and "%}" not in text


@pytest.mark.parametrize("template", sorted(CASES))
def test_values_are_escaped_as_xml_and_line_breaks_kept(template):
    case, doc, _ = CASES[template]
    case = {**case, "content": "Đất & nhà <số 5>\nDòng thứ hai"}
    doc = {**doc, "allegations": "Đất & nhà <số 5>\nDòng thứ hai", "scope": "Đất & nhà <số 5>\nDòng thứ hai"}
    text = docx_text(render_docx(PROCESSES, template, values(case, doc)))
    if "Đất" in text:
        assert "Đất & nhà <số 5>\nDòng thứ hai" in text


@pytest.mark.parametrize("template, doc, expected", [
    ("suspension_decision.docx", {"decided_on": "2026-03-10", "reason": "Chờ giám định."}, "kể từ ngày 10/03/2026"),
    ("continuation_decision.docx", {"decided_on": "2026-03-20", "reason": "Đã có kết quả."}, "kể từ ngày 20/03/2026"),
    ("termination_decision.docx", {"decided_on": "2026-03-25", "reason": "Rút đơn."}, "kể từ ngày 25/03/2026"),
    ("extension_decision.docx", {"decided_on": "2026-03-30", "reason": "Phức tạp.", "complexity": "complex",
                                 "extension_days": 30}, "thêm 30 ngày."),
    ("suspension_decision.docx", {"reason": "Chờ giám định."}, "kể từ ngày ký Quyết định này"),
])
def test_stage_decisions_fill_from_what_the_leader_form_gives(template, doc, expected):
    """The optional values of the suspension, continuation, termination and extension decisions
    may be left out (tiepdan/handlers/case_events.py passes only the form's date and reason)."""
    text = docx_text(render_docx(PROCESSES, template, values(DENUNCIATION, doc)))
    assert expected in text and doc["reason"] in text and "{{" not in text


def test_the_notice_to_the_denounced_says_nothing_of_the_denouncer():
    case, doc, _ = CASES["denunciation_notice.docx"]
    to_denounced = docx_text(render_docx(PROCESSES, "denunciation_notice.docx",
                                         values(case, {**doc, "recipient": "denounced"})))
    assert "Kính gửi: Lý Văn Quan" in to_denounced and "Về nội dung tố cáo" in to_denounced
    assert SEALED_MASK not in to_denounced and "Người tố cáo theo đơn" not in to_denounced
    to_denouncer = docx_text(render_docx(PROCESSES, "denunciation_notice.docx", values(case, doc)))
    assert "Về việc thụ lý tố cáo" in to_denouncer and SEALED_MASK not in to_denouncer


def test_a_missing_document_value_fails_with_the_template_name():
    with pytest.raises(ValueError, match=r"mẫu văn bản complaint_refusal.docx: .*reason"):
        render_docx(PROCESSES, "complaint_refusal.docx", values(COMPLAINT, {}))


def test_vn_long_date_reads_iso_and_vietnamese_dates():
    assert vn_long_date("2026-09-02") == vn_long_date("02/09/2026") == "ngày 02 tháng 09 năm 2026"
    assert vn_long_date(None) == "ngày … tháng … năm ……"


# --- the sandbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ number.__class__.__init__.__globals__ }}",
    "{% set x = values.append(1) %}",
])
def test_a_docx_template_cannot_reach_python(tmp_path, payload):
    make_docx(tmp_path / "documents" / "t.docx", paragraph=f"Số: {payload}")
    with pytest.raises(ValueError, match="mẫu văn bản t.docx"):
        render_docx(tmp_path, "t.docx", {"number": "1", "values": []})


def test_an_unknown_name_in_a_docx_is_an_error_not_a_blank(tmp_path):
    make_docx(tmp_path / "documents" / "t.docx", cell="Số: {{ numbr }}")
    with pytest.raises(ValueError, match="numbr"):
        render_docx(tmp_path, "t.docx", {"number": "1"})


def test_a_missing_docx_template_is_named(tmp_path):
    with pytest.raises(ValueError, match="mẫu văn bản nope.docx"):
        render_docx(tmp_path, "nope.docx", {})


# --- storing and the sealed-identity check ----------------------------------------------------------

NAME = "Nguyễn Thị Hồng Nhung"
CCCD = "004186000123"


@pytest.fixture
def world(db):
    return seed_world(db)


def _denunciation(s, world):
    p = petitions.register_petition(
        s, unit=world.office, channel="post", created_by="xuly.btcd", petition_type="denunciation",
        content="Tố cáo ông Lý Văn Quan, Phó Chủ tịch phường, nhận tiền của dân.", clock=world.clock,
    ).petition
    parties.add_petitioner(s, p, person(NAME, address="Số 12 phố Hiến Giang, phường Thục Phán", cccd=CCCD))
    parties.add_respondent(s, p, name="Lý Văn Quan", position="Phó Chủ tịch", organisation_unit=world.commune)
    return p


@pytest.mark.parametrize("where", ["paragraph", "cell", "header"])
def test_a_docx_leaving_the_unit_with_a_sealed_name_is_refused(world, where):
    with world.session() as s:
        p = _denunciation(s, world)
        content = make_docx(None, **{where: f"Người tố cáo: bà {NAME.upper()}"})
        with pytest.raises(CaseError, match="chứa thông tin người tố cáo"):
            issue_document(s, kind="denounce_notice", unit=unit(s, world.office), content=content, extension="docx",
                           created_by="xuly.btcd", petition=p, leaves_unit=True, clock=world.clock)
        # inside the unit it may be kept; a number in the text with other spacing is caught too
        kept = issue_document(s, kind="denounce_notice", unit=unit(s, world.office), content=content,
                              extension="docx", created_by="xuly.btcd", petition=p, clock=world.clock)
        assert kept.filename.endswith(".docx") and kept.media_type == DOCX
        with pytest.raises(CaseError, match="chứa thông tin người tố cáo"):
            issue_document(s, kind="transfer_slip", unit=unit(s, world.office),
                           content=make_docx(None, cell="CCCD 004 186 000 123"), extension="docx",
                           created_by="xuly.btcd", petition=p, leaves_unit=True, clock=world.clock)


def test_text_and_file_documents_are_stored_with_their_type(world):
    with world.session() as s:
        p = _denunciation(s, world)
        office = unit(s, world.office)
        text = issue_document(s, kind="archive_note", unit=office, body="Lưu đơn", created_by="xuly.btcd", petition=p,
                              clock=world.clock)
        assert (text.filename, text.media_type, text.content) == (
            f"archive_note-2026-{text.doc_seq}.txt", "text/plain; charset=utf-8", "Lưu đơn".encode())
        with pytest.raises(CaseError):
            issue_document(s, kind="archive_note", unit=office, created_by="xuly.btcd", petition=p, clock=world.clock)
        with pytest.raises(CaseError):
            issue_document(s, kind="archive_note", unit=office, body="x", content=b"x", extension="docx",
                           created_by="xuly.btcd", petition=p, clock=world.clock)


def test_kinds_sharing_a_symbol_share_its_number_series(world):
    with world.session() as s:
        p = _denunciation(s, world)
        office = unit(s, world.office)
        first = issue_document(s, kind="denounce_accept", unit=office, content=make_docx(None, paragraph="a"),
                               extension="docx", created_by="xuly.btcd", petition=p, clock=world.clock)
        second = issue_document(s, kind="extension", unit=office, content=make_docx(None, paragraph="b"),
                                extension="docx", created_by="xuly.btcd", petition=p, clock=world.clock)
        assert (first.number, second.number) == ("1/2026/QĐ-BTCD", "2/2026/QĐ-BTCD")
    assert all(len(kind) <= 16 for kind in DOCUMENT_KINDS if kind != "documents_receipt")


def test_produce_renders_a_docx_template_and_stores_it_with_the_case(world):
    with world.session() as s:
        p = _denunciation(s, world)
        office = unit(s, world.office)
        ctx = SimpleNamespace(session=s, clock=world.clock, actor="xuly.btcd",
                              runtime=SimpleNamespace(library=SimpleNamespace(processes_dir=PROCESSES)))
        docs = [
            produce(ctx, kind="denounce_notice", template="denunciation_notice.docx", unit=office, petition=p,
                    leaves_unit=True, extra={"doc": {"recipient": recipient, "decision_no": "1/2026/QĐ-BTCD",
                                                     "decision_on": "2026-03-02", "due_on": "2026-04-01"}})
            for recipient in ("denouncer", "denounced")
        ]
        for doc in docs:
            assert doc.media_type == DOCX and doc.filename == f"denounce_notice-2026-{doc.doc_seq}.docx"
            text = docx_text(doc.content)
            assert doc.number in text and "Lý Văn Quan" in text
            assert NAME.split()[-1] not in text and CCCD not in text
        assert f"Người tố cáo theo đơn số {p.receipt_no}" in docx_text(docs[0].content)
        assert [d.number for d in docs] == ["1/2026/TB-BTCD", "2/2026/TB-BTCD"]
