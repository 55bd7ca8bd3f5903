#!/usr/bin/env python3
"""Write the Word templates of official documents into processes/documents/ (python-docx).

The .docx files are committed; this script records how they were made and makes them again:

    .venv/bin/python scripts/make_document_templates.py [--out processes/documents] [--only NAME ...]

Legal staff may edit the files in Word afterwards: docxtpl fills them (tiepdan/handlers/documents.py)
with Jinja placeholders, so keep each `{{ ... }}` / `{% ... %}` in one run (type it in one go, or
paste it as plain text), and a `{%p ... %}` tag alone in its own paragraph.

Layout follows Nghị định 30/2020/NĐ-CP (A4, Times New Roman, national heading on the right, the
issuing unit and number on the left, "Nơi nhận" and the signature block at the foot); content
follows the forms of Nghị định 124/2020/NĐ-CP (complaints), Nghị định 31/2019/NĐ-CP
(denunciations) and Thông tư 05/2021/TT-TTCP (handling of petitions), simplified where a form has
more blanks than the case records.

Values a template can use (see tiepdan/handlers/documents.py): `number`, `issued_on` (dd/mm/yyyy),
`unit` {code, name, head_title, abbreviation}, `case` (identity.redacted_view: receipt_no,
received_on, content, petition_type, petition_type_label, parties[{name, role, role_label}],
holding_unit{name}, ...), `doc` (per-document values, listed in TEMPLATES below) and the filters
`vn_date` / `vn_long_date`. A denouncer's identity is never printed: notices to the denouncer are
addressed to "Người tố cáo" with the receipt number.
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent.parent / "processes" / "documents"
FONT = "Times New Roman"

# Jinja snippets shared by the templates.
PETITIONERS = '{{ case.parties | rejectattr("role", "eq", "respondent") | map(attribute="name") | join("; ") }}'
RESPONDENTS = '{{ case.parties | selectattr("role", "eq", "respondent") | map(attribute="name") | join("; ") }}'
KIND = '{% if case.petition_type == "denunciation" %}tố cáo{% else %}khiếu nại{% endif %}'
# "kể từ ngày ...": the decision date when given, else the day of signing.
DECIDED = ('{% if doc.decided_on is defined %}ngày {{ doc.decided_on | vn_date }}{% else %}ngày ký Quyết định này{% endif %}')
DATE_LINE = ('{% if doc.place is defined %}{{ doc.place }}, {{ issued_on | vn_long_date }}'
             '{% else %}{{ issued_on | vn_long_date | capitalize }}{% endif %}')
LAW_COMPLAINT = "Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;"
DECREE_COMPLAINT = ("Căn cứ Nghị định số 124/2020/NĐ-CP ngày 19 tháng 10 năm 2020 của Chính phủ quy định chi tiết "
                    "một số điều và biện pháp thi hành Luật Khiếu nại;")
LAW_DENUNCIATION = "Căn cứ Luật Tố cáo ngày 12 tháng 6 năm 2018;"
DECREE_DENUNCIATION = ("Căn cứ Nghị định số 31/2019/NĐ-CP ngày 10 tháng 4 năm 2019 của Chính phủ quy định chi tiết "
                       "một số điều và biện pháp tổ chức thi hành Luật Tố cáo;")
BASIS_EITHER = [
    '{%p if case.petition_type == "denunciation" %}',
    LAW_DENUNCIATION,
    DECREE_DENUNCIATION,
    "{%p else %}",
    LAW_COMPLAINT,
    DECREE_COMPLAINT,
    "{%p endif %}",
]
CONFIDENTIAL = ("Thông tin về họ tên, địa chỉ, bút tích và các thông tin cá nhân khác của người tố cáo được giữ bí mật "
                "theo quy định của Luật Tố cáo.")


# --- building blocks ------------------------------------------------------------------------------

def new_document():
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    props = doc.core_properties
    props.author, props.title, props.comments = "tiepdan", "", "Mẫu do scripts/make_document_templates.py tạo"
    props.last_modified_by, props.revision = "tiepdan", 1
    props.created = props.modified = datetime(2026, 1, 1)
    return doc


def _runs(paragraph, text: str, *, bold=False, italic=False, size=None) -> None:
    """Add `text` to `paragraph`; **...** marks bold stretches (never inside a Jinja tag)."""
    for i, piece in enumerate(text.split("**")):
        if not piece:
            continue
        run = paragraph.add_run(piece)
        run.bold = bold or i % 2 == 1
        run.italic = italic
        if size:
            run.font.size = Pt(size)


def para(container, text: str = "", *, align="justify", bold=False, italic=False, size=None, indent=True,
         after=6):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    if indent and align == "justify":
        fmt.first_line_indent = Cm(1)
    fmt.space_after = Pt(after)
    if text:
        _runs(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def tag(container, text: str):
    """A docxtpl paragraph tag ({%p ... %}): the paragraph is removed when rendered."""
    return para(container, text, align="left", indent=False, after=0)


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def two_columns(doc, left_width=Cm(7), right_width=Cm(9.5)):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borderless(table)
    left, right = table.rows[0].cells
    left.width, right.width = left_width, right_width
    for cell in (left, right):
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return left, right


def national_heading(doc, *, with_number=True) -> None:
    left, right = two_columns(doc)
    para(left, "{{ unit.name | upper }}", align="center", bold=True, size=13, after=0)
    para(left, "―――――", align="center", size=11, after=3)
    if with_number:
        para(left, "Số: {{ number }}", align="center", size=13, after=0)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="center", bold=True, size=13, after=0)
    para(right, "Độc lập - Tự do - Hạnh phúc", align="center", bold=True, size=14, after=0)
    para(right, "―――――――――――――", align="center", size=11, after=3)
    para(right, DATE_LINE, align="center", italic=True, size=14, after=0)
    para(doc, "", after=6)


def title(doc, name: str, subject: str | None = None) -> None:
    para(doc, name, align="center", bold=True, size=14, after=0)
    if subject:
        para(doc, subject, align="center", bold=True, size=14, after=0)
    para(doc, "―――――――", align="center", size=11, after=6)


def decision_preamble(doc, basis: list[str]) -> None:
    """The authority line and the "Căn cứ ..." lines of a decision, then "QUYẾT ĐỊNH:"."""
    para(doc, "{{ unit.head_title | upper }}", align="center", bold=True, after=6)
    for line in basis:
        if line.startswith("{%p"):
            tag(doc, line)
        else:
            para(doc, line, italic=True)
    para(doc, "QUYẾT ĐỊNH:", align="center", bold=True, after=6)


def body(doc, lines: list[str]) -> None:
    for line in lines:
        if line.startswith("{%p"):
            tag(doc, line)
        else:
            para(doc, line)


def signature(doc, recipients: list[str], *, signer="{{ unit.head_title | upper }}",
              note="(Ký, ghi rõ họ tên và đóng dấu)") -> None:
    para(doc, "", after=6)
    left, right = two_columns(doc, Cm(8), Cm(8.5))
    para(left, "Nơi nhận:", align="left", bold=True, italic=True, size=12, indent=False, after=0)
    for line in recipients:
        if line.startswith("{%p"):
            tag(left, line)
        else:
            para(left, line, align="left", size=11, indent=False, after=0)
    para(right, signer, align="center", bold=True, after=0)
    para(right, note, align="center", italic=True, size=13, after=0)


def party_list(role_test: str) -> list[str]:
    """Paragraphs listing the parties whose role passes `role_test` (a Jinja expression on p.role)."""
    return [
        f"{{%p for p in case.parties if {role_test} %}}",
        "- {{ p.role_label }}: {{ p.name }}",
        "{%p endfor %}",
    ]


# --- the templates --------------------------------------------------------------------------------

def complaint_acceptance(doc):
    national_heading(doc)
    title(doc, "THÔNG BÁO", "Về việc thụ lý giải quyết khiếu nại")
    para(doc, "Kính gửi: " + PETITIONERS, align="center", indent=False)
    body(doc, [
        "Ngày {{ case.received_on | vn_date }}, {{ unit.name }} nhận được đơn khiếu nại số {{ case.receipt_no }} "
        "của Ông (Bà) " + PETITIONERS + ".",
        "Nội dung khiếu nại: {{ case.content }}",
        "Sau khi xem xét nội dung đơn khiếu nại, căn cứ Luật Khiếu nại năm 2011 và Nghị định số 124/2020/NĐ-CP, "
        "đơn khiếu nại đủ điều kiện thụ lý và thuộc thẩm quyền giải quyết của {{ unit.head_title }}. "
        "{{ unit.name }} đã thụ lý giải quyết khiếu nại kể từ ngày {{ doc.accepted_on | vn_date }}.",
        "Thời hạn giải quyết khiếu nại theo quy định của pháp luật, dự kiến đến ngày {{ doc.due_on | vn_date }}.",
        "Vậy thông báo để Ông (Bà) biết.",
    ])
    # LKN Art 27: the complainant, the forwarding body and the inspectorate of the same level.
    signature(doc, ["- Như trên;", "{%p for r in doc.recipients | default([]) %}", "- {{ r }};", "{%p endfor %}", "- Lưu: VT, hồ sơ."])


def complaint_refusal(doc):
    national_heading(doc)
    title(doc, "THÔNG BÁO", "Về việc không thụ lý giải quyết khiếu nại")
    para(doc, "Kính gửi: " + PETITIONERS, align="center", indent=False)
    body(doc, [
        "Ngày {{ case.received_on | vn_date }}, {{ unit.name }} nhận được đơn khiếu nại số {{ case.receipt_no }} "
        "của Ông (Bà) " + PETITIONERS + ".",
        "Nội dung khiếu nại: {{ case.content }}",
        "Sau khi xem xét nội dung đơn khiếu nại, căn cứ Điều 11 Luật Khiếu nại năm 2011 và Nghị định số "
        "124/2020/NĐ-CP, khiếu nại của Ông (Bà) không đủ điều kiện thụ lý giải quyết vì lý do sau:",
        "{{ doc.reason }}",
        "Vậy thông báo để Ông (Bà) biết.",
    ])
    signature(doc, ["- Như trên;", "{%p for r in doc.recipients | default([]) %}", "- {{ r }};", "{%p endfor %}", "- Lưu: VT, hồ sơ."])


def guidance(doc):
    national_heading(doc)
    title(doc, "PHIẾU HƯỚNG DẪN")
    para(doc, "Kính gửi: " + PETITIONERS, align="center", indent=False)
    body(doc, [
        "Ngày {{ case.received_on | vn_date }}, {{ unit.name }} nhận được đơn số {{ case.receipt_no }} "
        "({{ case.petition_type_label }}) của Ông (Bà).",
        "Nội dung đơn: {{ case.content }}",
        "Căn cứ quy định của pháp luật và Thông tư số 05/2021/TT-TTCP ngày 01 tháng 10 năm 2021 của Thanh tra "
        "Chính phủ quy định quy trình xử lý đơn khiếu nại, đơn tố cáo, đơn kiến nghị, phản ánh, nội dung đơn "
        "không thuộc thẩm quyền giải quyết của {{ unit.name }}. Đề nghị Ông (Bà) gửi đơn đến "
        "**{{ doc.guided_to }}** để được xem xét, giải quyết theo quy định của pháp luật.",
        "Việc hướng dẫn chỉ thực hiện một lần đối với cùng một nội dung đơn.",
    ])
    signature(doc, ["- Như trên;", "- Lưu: VT, hồ sơ."])


def transfer_slip(doc):
    national_heading(doc)
    title(doc, "PHIẾU CHUYỂN ĐƠN")
    para(doc, "Kính gửi: {{ doc.target.head_title }} - {{ doc.target.name }}", align="center", indent=False)
    body(doc, [
        "Ngày {{ case.received_on | vn_date }}, {{ unit.name }} nhận được đơn số {{ case.receipt_no }} "
        "({{ case.petition_type_label }}).",
        '{%p if case.petition_type != "denunciation" %}',
        "Người đứng đơn: " + PETITIONERS + ".",
        "{%p endif %}",
        "Nội dung đơn: {{ case.content }}",
        "Căn cứ quy định của pháp luật và Thông tư số 05/2021/TT-TTCP, {{ unit.name }} chuyển đơn đến "
        "{{ doc.target.name }} để xem xét, giải quyết theo thẩm quyền" + '{% if case.petition_type == "denunciation" %}'
        " và thông báo kết quả cho cơ quan chuyển đơn theo quy định của Luật Tố cáo{% endif %}.",
        '{%p if case.petition_type == "denunciation" %}',
        CONFIDENTIAL,
        "{%p endif %}",
    ])
    signature(doc, ["- Như trên;", "- Lưu: VT, hồ sơ."])


def denunciation_acceptance(doc):
    national_heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc thụ lý tố cáo")
    decision_preamble(doc, [LAW_DENUNCIATION, DECREE_DENUNCIATION,
                            "Xét đơn tố cáo số {{ case.receipt_no }} nhận ngày {{ case.received_on | vn_date }};"])
    body(doc, [
        "**Điều 1.** Thụ lý tố cáo đối với " + RESPONDENTS + " về các nội dung sau:",
        '{{ doc.allegations | default(case.content) }}',
        "**Điều 2.** Thời hạn giải quyết tố cáo là 30 ngày kể từ ngày ký Quyết định này, đến ngày "
        "{{ doc.due_on | vn_date }}; trường hợp phức tạp có thể được gia hạn theo Điều 30 Luật Tố cáo.",
        "**Điều 3.** Thông tin về người tố cáo được giữ bí mật theo quy định của pháp luật. "
        "{{ doc.executors | default(\"Các cơ quan, tổ chức, cá nhân có liên quan\") }} chịu trách nhiệm thi hành "
        "Quyết định này.",
    ])
    signature(doc, ["- Như Điều 3;", "- Lưu: VT, hồ sơ."])


def denunciation_notice(doc):
    national_heading(doc)
    para(doc, "THÔNG BÁO", align="center", bold=True, after=0)
    tag(doc, '{%p if doc.recipient == "denounced" %}')
    para(doc, "Về nội dung tố cáo", align="center", bold=True, after=0)
    tag(doc, "{%p else %}")
    para(doc, "Về việc thụ lý tố cáo", align="center", bold=True, after=0)
    tag(doc, "{%p endif %}")
    para(doc, "―――――――", align="center", size=11, after=6)
    body(doc, [
        '{%p if doc.recipient == "denounced" %}',
        # To the denounced: what is alleged and the right to explain; nothing about who denounced.
        "Kính gửi: " + RESPONDENTS,
        "Ngày {{ doc.decision_on | vn_date }}, {{ unit.head_title }} đã ban hành Quyết định số {{ doc.decision_no }} "
        "về việc thụ lý tố cáo. Căn cứ khoản 4 Điều 29 Luật Tố cáo năm 2018, {{ unit.name }} thông báo nội dung "
        "tố cáo đối với Ông (Bà, cơ quan, tổ chức) như sau:",
        "{{ doc.allegations | default(case.content) }}",
        "Ông (Bà, cơ quan, tổ chức) có quyền được thông báo về nội dung tố cáo, đưa ra chứng cứ để chứng minh nội "
        "dung tố cáo là không đúng sự thật, và có nghĩa vụ giải trình bằng văn bản về hành vi bị tố cáo, cung cấp "
        "thông tin, tài liệu liên quan khi cơ quan, tổ chức, cá nhân có thẩm quyền yêu cầu.",
        "{%p else %}",
        # To the denouncer: addressed by receipt number, never by name.
        "Kính gửi: Người tố cáo theo đơn số {{ case.receipt_no }}",
        "Ngày {{ case.received_on | vn_date }}, {{ unit.name }} nhận được đơn tố cáo số {{ case.receipt_no }}. "
        "Căn cứ Điều 29 Luật Tố cáo năm 2018 và Nghị định số 31/2019/NĐ-CP, ngày {{ doc.decision_on | vn_date }} "
        "{{ unit.head_title }} đã ban hành Quyết định số {{ doc.decision_no }} về việc thụ lý tố cáo.",
        "Nội dung tố cáo được thụ lý: {{ doc.allegations | default(case.content) }}",
        "Thời hạn giải quyết tố cáo đến ngày {{ doc.due_on | vn_date }}, có thể được gia hạn theo quy định của "
        "Luật Tố cáo.",
        CONFIDENTIAL,
        "{%p endif %}",
        "Vậy thông báo để biết.",
    ])
    signature(doc, ["- Như trên;", "- Lưu: VT, hồ sơ."])


def extension_decision(doc):
    national_heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc gia hạn giải quyết tố cáo")
    decision_preamble(doc, [LAW_DENUNCIATION, DECREE_DENUNCIATION,
                            "{%p if doc.acceptance_no is defined %}",
                            "Căn cứ Quyết định số {{ doc.acceptance_no }}{% if doc.acceptance_on is defined %} ngày "
                            "{{ doc.acceptance_on | vn_date }}{% endif %} về việc thụ lý tố cáo (đơn số "
                            "{{ case.receipt_no }});",
                            "{%p else %}",
                            "Xét đơn tố cáo số {{ case.receipt_no }} nhận ngày {{ case.received_on | vn_date }} đã được "
                            "thụ lý giải quyết;",
                            "{%p endif %}",
                            "Xét đề nghị của người được giao xác minh nội dung tố cáo;"])
    body(doc, [
        "**Điều 1.** Gia hạn thời hạn giải quyết tố cáo đối với " + RESPONDENTS + " thêm "
        "{{ doc.extension_days }} ngày{% if doc.due_on is defined %}, đến ngày {{ doc.due_on | vn_date }}{% endif %}.",
        "Lý do gia hạn: {{ doc.reason }}",
        "**Điều 2.** Quyết định này có hiệu lực kể từ ngày ký. Người được giao xác minh nội dung tố cáo và các "
        "cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.",
    ])
    signature(doc, ["- Như Điều 2;", "- Người tố cáo, người bị tố cáo (để biết);", "- Lưu: VT, hồ sơ."])


def verification_assignment(doc):
    national_heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc giao nhiệm vụ xác minh nội dung " + KIND)
    decision_preamble(doc, BASIS_EITHER + [
        "Xét đơn số {{ case.receipt_no }} nhận ngày {{ case.received_on | vn_date }} ({{ case.petition_type_label }});"])
    body(doc, [
        "**Điều 1.** Giao nhiệm vụ xác minh nội dung " + KIND + " cho: **{{ doc.verifier }}**.",
        "Nội dung cần xác minh: {{ doc.scope | default(case.content) }}",
        "**Điều 2.** Người được giao nhiệm vụ xác minh có các quyền, nghĩa vụ theo quy định của pháp luật; báo cáo "
        "kết quả xác minh bằng văn bản với {{ unit.head_title }} trước ngày {{ doc.report_by | vn_date }}.",
        "**Điều 3.** Quyết định này có hiệu lực kể từ ngày ký. {{ doc.verifier }} và các cơ quan, tổ chức, cá nhân có "
        "liên quan chịu trách nhiệm thi hành Quyết định này.",
    ])
    signature(doc, ["- Như Điều 3;", "- Lưu: VT, hồ sơ."])


def dialogue_minutes(doc):
    national_heading(doc)
    title(doc, "BIÊN BẢN ĐỐI THOẠI", "Về việc giải quyết khiếu nại")
    body(doc, [
        "Vào hồi {{ doc.dialogue_time | default(\"… giờ …\") }}, {{ doc.dialogue_on | vn_long_date }}, tại "
        "{{ doc.venue | default(\"trụ sở cơ quan\") }}, {{ unit.name }} tổ chức đối thoại về việc giải quyết khiếu nại "
        "(đơn số {{ case.receipt_no }}).",
        "**I. Thành phần tham dự đối thoại**",
        "{%p for a in doc.attendees %}",
        "- {{ a.name }}{% if a.position is defined %}, {{ a.position }}{% endif %}",
        "{%p endfor %}",
        "Các bên liên quan đến khiếu nại:",
        *party_list('p.role != ""'),
        "**II. Nội dung đối thoại**",
        "Nội dung khiếu nại: {{ case.content }}",
        "{{ doc.discussion }}",
        "**III. Kết quả đối thoại**",
        "{{ doc.result }}",
        "Buổi đối thoại kết thúc vào hồi {{ doc.end_time | default(\"… giờ …\") }} cùng ngày. Biên bản đã được đọc "
        "lại cho những người tham gia đối thoại nghe, công nhận đúng và cùng ký tên. Biên bản được lập thành "
        "{{ doc.copies | default(3) }} bản, mỗi bên giữ một bản.",
    ])
    para(doc, "", after=6)
    left, right = two_columns(doc, Cm(8), Cm(8.5))
    para(left, "NGƯỜI KHIẾU NẠI", align="center", bold=True, after=0)
    para(left, "(Ký, ghi rõ họ tên)", align="center", italic=True, size=13, after=24)
    para(left, "NGƯỜI BỊ KHIẾU NẠI", align="center", bold=True, after=0)
    para(left, "(Ký, ghi rõ họ tên)", align="center", italic=True, size=13, after=0)
    para(right, "NGƯỜI CHỦ TRÌ ĐỐI THOẠI", align="center", bold=True, after=0)
    para(right, "(Ký, ghi rõ họ tên)", align="center", italic=True, size=13, after=24)
    para(right, "NGƯỜI GHI BIÊN BẢN", align="center", bold=True, after=0)
    para(right, "(Ký, ghi rõ họ tên)", align="center", italic=True, size=13, after=0)


def _stage_decision(doc, subject: str, article_one: list[str], article_two: str):
    national_heading(doc)
    title(doc, "QUYẾT ĐỊNH", subject)
    decision_preamble(doc, BASIS_EITHER + [
        "Xét đơn số {{ case.receipt_no }} nhận ngày {{ case.received_on | vn_date }} ({{ case.petition_type_label }});"])
    body(doc, article_one + [article_two,
        "**Điều 3.** Quyết định này có hiệu lực kể từ ngày ký. Các cơ quan, tổ chức, cá nhân có liên quan chịu "
        "trách nhiệm thi hành Quyết định này."])
    signature(doc, ["- Như Điều 3;", "- Các bên có liên quan;", "- Lưu: VT, hồ sơ."])


def suspension_decision(doc):
    _stage_decision(doc, "Về việc tạm đình chỉ việc giải quyết " + KIND, [
        "**Điều 1.** Tạm đình chỉ việc giải quyết " + KIND + " theo đơn số {{ case.receipt_no }} kể từ "
        + DECIDED + ".",
        "Lý do tạm đình chỉ: {{ doc.reason }}",
    ], "**Điều 2.** Việc giải quyết được tiếp tục khi lý do tạm đình chỉ không còn; thời gian tạm đình chỉ không "
       "tính vào thời hạn giải quyết.")


def continuation_decision(doc):
    _stage_decision(doc, "Về việc tiếp tục giải quyết " + KIND, [
        "**Điều 1.** Tiếp tục giải quyết " + KIND + " theo đơn số {{ case.receipt_no }}"
        "{% if doc.suspension_no is defined %}, đã bị tạm đình chỉ theo Quyết định số {{ doc.suspension_no }}"
        "{% if doc.suspension_on is defined %} ngày {{ doc.suspension_on | vn_date }}{% endif %}{% endif %}, kể từ "
        + DECIDED + ".",
        "Lý do tiếp tục giải quyết: {{ doc.reason }}",
    ], "**Điều 2.** Thời hạn giải quyết được tính tiếp theo quy định của pháp luật"
       "{% if doc.due_on is defined %}, đến ngày {{ doc.due_on | vn_date }}{% endif %}.")


def termination_decision(doc):
    _stage_decision(doc, "Về việc đình chỉ việc giải quyết " + KIND, [
        "**Điều 1.** Đình chỉ việc giải quyết " + KIND + " theo đơn số {{ case.receipt_no }} kể từ " + DECIDED + ".",
        "Lý do đình chỉ: {{ doc.reason }}",
    ], "**Điều 2.** Hồ sơ giải quyết được lưu trữ theo quy định.")


def _complaint_decision(doc, instance: str):
    national_heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc giải quyết khiếu nại của " + PETITIONERS + f" ({instance})")
    basis = [LAW_COMPLAINT, DECREE_COMPLAINT]
    if instance == "lần hai":
        basis.append("Căn cứ Quyết định giải quyết khiếu nại lần đầu số {{ doc.first_decision_no }} ngày "
                     "{{ doc.first_decision_on | vn_date }} của {{ doc.first_decision_by }};")
    basis.append("Xét đơn khiếu nại số {{ case.receipt_no }} nhận ngày {{ case.received_on | vn_date }};")
    para(doc, "{{ unit.head_title | upper }}", align="center", bold=True, after=6)
    for line in basis:
        para(doc, line, italic=True)
    body(doc, [
        "**I. Nội dung khiếu nại**",
        *party_list('p.role != ""'),
        "{{ case.content }}",
        "**II. Kết quả xác minh nội dung khiếu nại**",
        "{{ doc.findings }}",
        "**III. Kết quả đối thoại**",
        "{{ doc.dialogue_result }}",
        "**IV. Kết luận**",
        "{{ doc.conclusion }}",
    ])
    para(doc, "QUYẾT ĐỊNH:", align="center", bold=True, after=6)
    if instance == "lần đầu":
        rights = ("**Điều 2.** Trong thời hạn 30 ngày kể từ ngày nhận được Quyết định này, nếu không đồng ý với "
                  "Quyết định giải quyết khiếu nại lần đầu thì người khiếu nại có quyền khiếu nại đến "
                  "{{ doc.appeal_to }} hoặc khởi kiện vụ án hành chính tại Tòa án theo quy định của Luật Tố tụng "
                  "hành chính.")
    else:
        rights = ("**Điều 2.** Quyết định giải quyết khiếu nại lần hai có hiệu lực pháp luật sau 30 ngày kể từ "
                  "ngày ban hành. Nếu không đồng ý, người khiếu nại có quyền khởi kiện vụ án hành chính tại Tòa án "
                  "theo quy định của Luật Tố tụng hành chính.")
    body(doc, [
        "**Điều 1.** {{ doc.decision_text }}",
        rights,
        "**Điều 3.** Người khiếu nại, người bị khiếu nại và các cơ quan, tổ chức, cá nhân có liên quan chịu trách "
        "nhiệm thi hành Quyết định này.",
    ])
    signature(doc, ["- Như Điều 3;", "- Cơ quan thanh tra nhà nước cùng cấp;", "- Lưu: VT, hồ sơ."])


def complaint_decision_first(doc):
    _complaint_decision(doc, "lần đầu")


def complaint_decision_second(doc):
    _complaint_decision(doc, "lần hai")


def denunciation_conclusion(doc):
    national_heading(doc)
    title(doc, "KẾT LUẬN", "Nội dung tố cáo")
    body(doc, [
        "Ngày {{ doc.acceptance_on | vn_date }}, {{ unit.head_title }} ban hành Quyết định số {{ doc.acceptance_no }} "
        "thụ lý tố cáo (đơn số {{ case.receipt_no }}) đối với " + RESPONDENTS + ".",
        "Căn cứ Điều 35 Luật Tố cáo năm 2018, Nghị định số 31/2019/NĐ-CP, báo cáo kết quả xác minh nội dung tố "
        "cáo và các tài liệu, chứng cứ có liên quan, {{ unit.head_title }} kết luận như sau:",
        "**1. Nội dung tố cáo**",
        "{{ doc.allegations | default(case.content) }}",
        "**2. Kết quả xác minh**",
        "{{ doc.findings }}",
        "**3. Kết luận nội dung tố cáo**",
        "{{ doc.conclusion }}",
        "**4. Biện pháp xử lý theo thẩm quyền và kiến nghị**",
        "{{ doc.measures }}",
        CONFIDENTIAL,
    ])
    signature(doc, ["- Người bị tố cáo;", "- Người tố cáo (thông báo kết quả);", "- Cơ quan thanh tra nhà nước cùng cấp;",
                    "- Lưu: VT, hồ sơ."])


def publication_notice(doc):
    national_heading(doc)
    title(doc, "THÔNG BÁO", "Về việc công khai {{ doc.published_title }}")
    body(doc, [
        "Thực hiện quy định của pháp luật về công khai kết quả giải quyết khiếu nại, tố cáo, {{ unit.name }} "
        "thông báo công khai {{ doc.published_title }} số {{ doc.published_no }} ngày "
        "{{ doc.published_on | vn_date }} của {{ unit.head_title }} (đơn số {{ case.receipt_no }}, "
        "{{ case.petition_type_label }}).",
        "Hình thức công khai: {{ doc.method }}",
        "Tóm tắt nội dung: {{ doc.summary }}",
        '{%p if case.petition_type == "denunciation" %}',
        CONFIDENTIAL,
        "{%p endif %}",
    ])
    signature(doc, ["- Các bên có liên quan;", "- Lưu: VT, hồ sơ."])


# file name -> (builder, the keys it reads under `doc`; "?" marks the optional ones)
TEMPLATES = {
    "complaint_acceptance.docx": (complaint_acceptance, ["accepted_on", "due_on", "place?"]),
    "complaint_refusal.docx": (complaint_refusal, ["reason", "place?"]),
    "guidance.docx": (guidance, ["guided_to", "place?"]),
    "transfer_slip.docx": (transfer_slip, ["target {name, head_title}", "place?"]),
    "denunciation_acceptance.docx": (denunciation_acceptance, ["due_on", "allegations?", "executors?", "place?"]),
    "denunciation_notice.docx": (denunciation_notice, ["recipient (denouncer|denounced)", "decision_no", "decision_on",
                                                       "due_on", "allegations?", "place?"]),
    "extension_decision.docx": (extension_decision, ["extension_days", "reason", "acceptance_no?", "acceptance_on?",
                                                     "due_on?", "place?"]),
    "verification_assignment.docx": (verification_assignment, ["verifier", "report_by", "scope?", "place?"]),
    "dialogue_minutes.docx": (dialogue_minutes, ["dialogue_on", "attendees [{name, position?}]", "discussion",
                                                 "result", "venue?", "dialogue_time?", "end_time?", "copies?", "place?"]),
    "suspension_decision.docx": (suspension_decision, ["reason", "decided_on?", "place?"]),
    "continuation_decision.docx": (continuation_decision, ["reason", "decided_on?", "suspension_no?", "suspension_on?",
                                                           "due_on?", "place?"]),
    "termination_decision.docx": (termination_decision, ["reason", "decided_on?", "place?"]),
    "complaint_decision_first.docx": (complaint_decision_first, ["findings", "dialogue_result", "conclusion",
                                                                 "decision_text", "appeal_to", "place?"]),
    "complaint_decision_second.docx": (complaint_decision_second, ["first_decision_no", "first_decision_on",
                                                                   "first_decision_by", "findings", "dialogue_result",
                                                                   "conclusion", "decision_text", "place?"]),
    "denunciation_conclusion.docx": (denunciation_conclusion, ["acceptance_no", "acceptance_on", "findings",
                                                               "conclusion", "measures", "allegations?", "place?"]),
    "publication_notice.docx": (publication_notice, ["published_title", "published_no", "published_on", "method",
                                                     "summary", "place?"]),
}


def build(name: str) -> bytes:
    """The template `name` as DOCX bytes, the same on every run (zip entries get a fixed date)."""
    doc = new_document()
    TEMPLATES[name][0](doc)
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write to (default processes/documents)")
    parser.add_argument("--only", nargs="*", choices=sorted(TEMPLATES), help="write only these templates")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or TEMPLATES:
        (args.out / name).write_bytes(build(name))
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
