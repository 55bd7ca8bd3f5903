"""The documents of a case: issued with a number, stored with the case, listed for download.

Numbers run per issuing unit, number symbol and calendar year (the Vietnam-time year of issue),
from the same gap-free counter as receipt numbers: ``<seq>/<year>/<symbol>-<unit abbreviation>``,
e.g. ``3/2026/PC-UBND`` for the third transfer slip of 2026. Kinds that share a symbol share its
series (every decision of a unit is a "QĐ", every notice a "TB"), so no two documents of a unit
carry the same printed number.

A document is plain text (the .txt templates) or a Word file (the .docx templates): `issue_document`
takes `body` (text) or `content` (bytes, with its `extension` and `media_type`).

A document that leaves the unit (`leaves_unit`: a slip to another body, a notice to a citizen)
is checked before it is stored: if any sealed identity of its petition appears in its text (for a
Word file, the text of its paragraphs, tables, headers and footers), nothing is stored and
CaseError is raised. Generators build such documents from `identity.redacted_view`; the check is
the second lock.
"""
from __future__ import annotations

import hashlib
import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock, utc_to_local

from .errors import CaseError
from .models import CaseDocument, Petition, Reception, Unit
from .petitions import allocate_number, petition_reveals

# kind -> (Vietnamese title, English title, number symbol)
DOCUMENT_KINDS: dict[str, tuple[str, str, str]] = {
    "proposal_accept": ("Phiếu đề xuất thụ lý đơn (Mẫu 01)", "Proposal to accept (form 01)", "PĐX"),
    "guidance": ("Phiếu hướng dẫn (Mẫu 02)", "Guidance notice (form 02)", "HD"),
    "transfer_slip": ("Phiếu chuyển đơn (Mẫu 03)", "Transfer slip (form 03)", "PC"),
    "archive_note": ("Phiếu lưu đơn", "Archive note", "LĐ"),
    "refusal_notice": ("Thông báo từ chối tiếp công dân (Mẫu 01/TCD)", "Refusal notice (form 01/TCD)", "TB"),
    "documents_receipt": ("Giấy biên nhận thông tin, tài liệu (Mẫu 02/TCD)", "Receipt for documents (form 02/TCD)", "BN"),
    # Complaints (Luật Khiếu nại 2011, Nghị định 124/2020/NĐ-CP)
    "complaint_accept": ("Thông báo thụ lý giải quyết khiếu nại", "Notice of acceptance of a complaint", "TB"),
    "complaint_refuse": ("Thông báo không thụ lý giải quyết khiếu nại", "Notice of non-acceptance of a complaint", "TB"),
    "dialogue_minutes": ("Biên bản đối thoại", "Dialogue minutes", "BB"),
    "complaint_dec1": ("Quyết định giải quyết khiếu nại lần đầu", "First-instance complaint decision", "QĐ"),
    "complaint_dec2": ("Quyết định giải quyết khiếu nại lần hai", "Second-instance complaint decision", "QĐ"),
    # Denunciations (Luật Tố cáo 2018, Nghị định 31/2019/NĐ-CP)
    "denounce_accept": ("Quyết định thụ lý tố cáo", "Decision to accept a denunciation", "QĐ"),
    "denounce_notice": ("Thông báo việc thụ lý tố cáo", "Notice of acceptance of a denunciation", "TB"),
    "extension": ("Quyết định gia hạn giải quyết tố cáo", "Decision to extend the resolution time", "QĐ"),
    "denounce_concl": ("Kết luận nội dung tố cáo", "Conclusion on a denunciation", "KL"),
    # Either
    "verify_file": ("Hồ sơ giao xác minh (đã loại bỏ thông tin người tố cáo)", "Verifier's file (denouncer removed)", "HS"),
    "verify_assign": ("Quyết định giao nhiệm vụ xác minh", "Decision assigning verification", "QĐ"),
    "suspension": ("Quyết định tạm đình chỉ việc giải quyết", "Decision to suspend the resolution", "QĐ"),
    "continuation": ("Quyết định tiếp tục giải quyết", "Decision to continue the resolution", "QĐ"),
    "termination": ("Quyết định đình chỉ việc giải quyết", "Decision to terminate the resolution", "QĐ"),
    "publication": ("Thông báo công khai", "Publication notice", "TB"),
}
TEXT = "text/plain; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _number(session: Session, unit: Unit, kind: str, year: int) -> tuple[int, str]:
    symbol = DOCUMENT_KINDS[kind][2]
    seq = allocate_number(session, unit, year, series=f"d.{symbol}")
    return seq, f"{seq}/{year}/{symbol}-{unit.abbreviation or unit.code}"


def next_number(session: Session, unit: Unit, kind: str, *, clock: Clock | None = None) -> tuple[int, int, str]:
    """(year, seq, number) of the next document of `kind` issued by `unit`, taken now."""
    if kind not in DOCUMENT_KINDS:
        raise CaseError(f"Loại văn bản không hợp lệ: {kind!r}")
    year = utc_to_local((clock or Clock()).now()).year
    seq, number = _number(session, unit, kind, year)
    return year, seq, number


def docx_text(content: bytes) -> str:
    """All the text of a Word file: its paragraphs and tables (nested ones too), the headers and
    footers of its sections, and its core properties, one paragraph a line."""
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(content))
    except (ValueError, KeyError, zipfile.BadZipFile) as err:
        raise CaseError(f"Tệp Word không đọc được: {err}") from err
    lines: list[str] = []

    def walk(container) -> None:
        for paragraph in container.paragraphs:
            lines.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if not part.is_linked_to_previous:
                walk(part)
    props = document.core_properties
    lines += [v for v in (props.title, props.subject, props.author, props.keywords, props.comments) if v]
    return "\n".join(lines)


def issue_document(
    session: Session,
    *,
    kind: str,
    unit: Unit,
    created_by: str,
    body: str | None = None,
    content: bytes | None = None,
    extension: str = "txt",
    media_type: str | None = None,
    petition: Petition | None = None,
    reception: Reception | None = None,
    leaves_unit: bool = False,
    number: tuple[int, int, str] | None = None,
    clock: Clock | None = None,
) -> CaseDocument:
    """Store a generated document (its number taken now unless `number`, from `next_number`, was
    reserved to print it in the body): either `body`, text stored as UTF-8 .txt, or `content`,
    the bytes of a file with its `extension` ("docx") and `media_type` (DOCX by default for
    "docx")."""
    clock = clock or Clock()
    if kind not in DOCUMENT_KINDS:
        raise CaseError(f"Loại văn bản không hợp lệ: {kind!r}")
    if petition is None and reception is None:
        raise CaseError("Văn bản phải thuộc một đơn hoặc một lượt tiếp công dân")
    if (body is None) == (content is None):
        raise CaseError("Văn bản phải có đúng một trong hai: nội dung chữ (body) hoặc tệp (content)")
    extension = extension.lower().lstrip(".")
    if body is not None:
        if extension != "txt":
            raise CaseError(f"Văn bản dạng chữ phải là tệp .txt, không phải .{extension}")
        content, media_type, text = body.encode("utf-8"), TEXT, body
    else:
        if not isinstance(content, (bytes, bytearray)):
            raise CaseError("Nội dung tệp văn bản phải là bytes")
        content = bytes(content)
        if extension == "docx":
            media_type = media_type or DOCX
            text = docx_text(content) if leaves_unit and petition is not None else ""
        elif extension == "txt":
            media_type = media_type or TEXT
            text = content.decode("utf-8")
        else:
            raise CaseError(f"Không hỗ trợ văn bản dạng .{extension}")
    if leaves_unit and petition is not None and petition_reveals(petition, text):
        raise CaseError(
            f"Văn bản {DOCUMENT_KINDS[kind][0]} của đơn {petition.receipt_no} chứa thông tin người tố cáo: không được gửi ra ngoài"
        )
    year, seq, numbered = number or next_number(session, unit, kind, clock=clock)
    doc = CaseDocument(
        petition_id=petition.id if petition is not None else None,
        reception_id=reception.id if reception is not None else None,
        unit=unit,
        kind=kind,
        number=numbered,
        doc_year=year,
        doc_seq=seq,
        title=DOCUMENT_KINDS[kind][0],
        filename=f"{kind}-{year}-{seq}.{extension}",
        media_type=media_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        leaves_unit=leaves_unit,
        created_at=clock.now(),
        created_by=created_by,
    )
    session.add(doc)
    session.flush()
    return doc


def documents_of(session: Session, petition: Petition) -> list[CaseDocument]:
    """The documents of a petition, oldest first."""
    return list(
        session.execute(
            select(CaseDocument).where(CaseDocument.petition_id == petition.id).order_by(CaseDocument.id)
        ).scalars()
    )


def document_text(doc: CaseDocument) -> str:
    """The words of a stored document (a Word file's paragraphs, tables, headers...)."""
    return docx_text(doc.content) if doc.media_type == DOCX else doc.content.decode("utf-8", "replace")
