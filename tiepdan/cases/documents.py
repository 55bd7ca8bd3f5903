"""The documents of a case: issued with a number, stored with the case, listed for download.

Numbers run per issuing unit, kind and calendar year (the Vietnam-time year of issue), from the
same gap-free counter as receipt numbers: ``<seq>/<year>/<symbol>-<unit abbreviation>``, e.g.
``3/2026/PC-UBND`` for the third transfer slip of 2026.

A document that leaves the unit (`leaves_unit`: a slip to another body, a notice to a citizen)
is checked before it is stored: if any sealed identity of its petition appears in it, nothing is
stored and CaseError is raised. Generators build such documents from `identity.redacted_view`;
the check is the second lock.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock, utc_to_local

from .errors import CaseError
from .models import CaseDocument, Petition, Reception, Unit
from .petitions import allocate_number, sealed_strings
from .textutil import mask_text

# kind -> (Vietnamese title, English title, number symbol)
DOCUMENT_KINDS: dict[str, tuple[str, str, str]] = {
    "proposal_accept": ("Phiếu đề xuất thụ lý đơn (Mẫu 01)", "Proposal to accept (form 01)", "PĐX"),
    "guidance": ("Phiếu hướng dẫn (Mẫu 02)", "Guidance notice (form 02)", "HD"),
    "transfer_slip": ("Phiếu chuyển đơn (Mẫu 03)", "Transfer slip (form 03)", "PC"),
    "archive_note": ("Phiếu lưu đơn", "Archive note", "LĐ"),
    "refusal_notice": ("Thông báo từ chối tiếp công dân (Mẫu 01/TCD)", "Refusal notice (form 01/TCD)", "TB"),
    "documents_receipt": ("Giấy biên nhận thông tin, tài liệu (Mẫu 02/TCD)", "Receipt for documents (form 02/TCD)", "BN"),
}
TEXT = "text/plain; charset=utf-8"


def _number(session: Session, unit: Unit, kind: str, year: int) -> tuple[int, str]:
    seq = allocate_number(session, unit, year, series=f"d.{kind}")
    return seq, f"{seq}/{year}/{DOCUMENT_KINDS[kind][2]}-{unit.abbreviation or unit.code}"


def next_number(session: Session, unit: Unit, kind: str, *, clock: Clock | None = None) -> tuple[int, int, str]:
    """(year, seq, number) of the next document of `kind` issued by `unit`, taken now."""
    if kind not in DOCUMENT_KINDS:
        raise CaseError(f"Loại văn bản không hợp lệ: {kind!r}")
    year = utc_to_local((clock or Clock()).now()).year
    seq, number = _number(session, unit, kind, year)
    return year, seq, number


def issue_document(
    session: Session,
    *,
    kind: str,
    unit: Unit,
    body: str,
    created_by: str,
    petition: Petition | None = None,
    reception: Reception | None = None,
    leaves_unit: bool = False,
    number: tuple[int, int, str] | None = None,
    clock: Clock | None = None,
) -> CaseDocument:
    """Store a generated document (its number taken now unless `number`, from `next_number`, was
    reserved to print it in the body)."""
    clock = clock or Clock()
    if kind not in DOCUMENT_KINDS:
        raise CaseError(f"Loại văn bản không hợp lệ: {kind!r}")
    if petition is None and reception is None:
        raise CaseError("Văn bản phải thuộc một đơn hoặc một lượt tiếp công dân")
    if leaves_unit and petition is not None:
        hidden = sealed_strings(petition)
        if hidden and mask_text(body, hidden) != body:
            raise CaseError(
                f"Văn bản {DOCUMENT_KINDS[kind][0]} của đơn {petition.receipt_no} chứa thông tin người tố cáo: không được gửi ra ngoài"
            )
    year, seq, numbered = number or next_number(session, unit, kind, clock=clock)
    content = body.encode("utf-8")
    doc = CaseDocument(
        petition_id=petition.id if petition is not None else None,
        reception_id=reception.id if reception is not None else None,
        unit=unit,
        kind=kind,
        number=numbered,
        doc_year=year,
        doc_seq=seq,
        title=DOCUMENT_KINDS[kind][0],
        filename=f"{kind}-{year}-{seq}.txt",
        media_type=TEXT,
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
