"""Reception sessions (lượt tiếp công dân): LTCD Arts 7, 9, 25-30; NĐ 154/2026 Arts 4, 12-15.

A session records who received whom (an officer, or the head in person: `is_leader_session`),
the identity check, a refusal with its legal ground (data: refusal_grounds.yaml), the written
record of what the citizen said when there is no letter (read back, signed or fingerprinted),
the documents received against a receipt (Mẫu 02/TCD) and the petitions it produced (one per
content: a mixed content is split).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock, utc_to_local

from . import datafiles
from .errors import CaseError
from .models import Party, Reception, Unit, User
from .parties import IdentityData, add_party
from .petitions import (
    DOCUMENTS_RECEIPT_FORMAT,
    Registered,
    allocate_number,
    copy_party,
    format_receipt_no,
    refresh_search_text,
    register_petition,
    reseal,
    should_seal,
)
from .units import get_unit
from .users import get_user
from .vocab import IDENTITY_CHECKS, RECORD_CONFIRMATIONS, check_code


def open_reception(
    session: Session,
    *,
    unit: Unit | str,
    received_by: User | str,
    received_at: datetime | None = None,
    is_leader_session: bool = False,
    location: str = "",
    citizen_count: int = 1,
    created_by: str | None = None,
    clock: Clock | None = None,
) -> Reception:
    """Start a session at `unit`. A leader's session must be held by a user with the leader role
    of that unit (the head receives in person; no delegation to deputies, LTCD as amended)."""
    unit = get_unit(session, unit)
    officer = get_user(session, received_by)
    if not unit.on_system:
        raise CaseError(f"{unit.name} không làm việc trên hệ thống")
    if officer.unit_id != unit.id:
        raise CaseError(f"{officer.full_name} không thuộc {unit.name}")
    if is_leader_session and "leader" not in officer.roles:
        raise CaseError(f"{officer.full_name} không có vai trò lãnh đạo: không thể ghi là buổi lãnh đạo tiếp")
    if not is_leader_session and not ({"reception_officer", "leader"} & officer.roles):
        raise CaseError(f"{officer.full_name} không có vai trò tiếp công dân")
    if citizen_count < 1:
        raise CaseError("Số công dân đến phải từ 1 trở lên")
    now = (clock or Clock()).now()
    received_at = received_at or now
    reception = Reception(
        unit=unit,
        received_on=utc_to_local(received_at).date(),
        received_at=received_at,
        received_by=officer,
        is_leader_session=is_leader_session,
        location=location,
        citizen_count=citizen_count,
        documents=[],
        created_at=now,
        created_by=created_by or officer.username,
    )
    session.add(reception)
    session.flush()
    return reception


def add_citizen(
    session: Session,
    reception: Reception,
    identity: IdentityData,
    *,
    is_representative: bool = False,
    role: str = "petitioner",
    clock: Clock | None = None,
) -> Party:
    """A citizen who came to the session (or the authorised representative who came for one)."""
    party = add_party(
        session, role=role, identity=identity, reception=reception, is_representative=is_representative, clock=clock
    )
    listed = len(citizens(session, reception))
    reception.citizen_count = max(reception.citizen_count, listed)
    return party


def citizens(session: Session, reception: Reception) -> list[Party]:
    """The citizens received (whether or not a petition came of it), in order."""
    return list(
        session.execute(
            select(Party).where(Party.reception_id == reception.id, Party.role != "respondent")
            .order_by(Party.ordinal, Party.id)
        ).scalars()
    )


def record_identity_check(reception: Reception, result: str, note: str = "") -> Reception:
    check_code(IDENTITY_CHECKS, result, "Kết quả kiểm tra nhân thân")
    reception.identity_check = result
    reception.identity_note = note
    return reception


def refuse_reception(reception: Reception, ground: str, note: str = "") -> datafiles.RefusalGround:
    """Refuse to receive on a legal ground in force on the session's date. Returns the ground;
    `written_notice` says whether the head must issue a written notice (Mẫu 01/TCD, 3 working
    days)."""
    grounds = datafiles.refusal_grounds()
    found = grounds.get(ground)
    if found is None:
        raise CaseError(f"Lý do từ chối tiếp không hợp lệ: {ground!r}")
    if not found.in_force(reception.received_on):
        raise CaseError(f"Lý do từ chối {ground} ({found.basis}) không có hiệu lực vào ngày {reception.received_on:%d/%m/%Y}")
    if reception.petitions:
        raise CaseError("Lượt tiếp đã có đơn được vào sổ: không thể ghi từ chối tiếp")
    reception.refused = True
    reception.refusal_ground = ground
    reception.refusal_note = note
    return found


def record_content(reception: Reception, text: str, *, read_back: bool, confirmation: str | None) -> Reception:
    """The written record of what the citizen presented (LTCD Art 25(2)): it must be read back
    and signed or fingerprinted; a refusal to sign is recorded as such."""
    if not text or not text.strip():
        raise CaseError("Biên bản ghi nội dung không được để trống")
    if confirmation is not None:
        check_code(RECORD_CONFIRMATIONS, confirmation, "Xác nhận biên bản")
    if confirmation in ("signed", "fingerprinted") and not read_back:
        raise CaseError("Phải đọc lại biên bản cho công dân nghe trước khi ký hoặc điểm chỉ")
    reception.record_text = text
    reception.record_read_back = read_back
    reception.record_confirmation = confirmation
    return reception


def receive_documents(session: Session, reception: Reception, documents: list[dict]) -> str:
    """Record the documents handed over and give them a receipt number (Mẫu 02/TCD), from the
    unit's `documents` series: ``<seq>/<year>/BN-<abbreviation>``. Each document is a mapping
    with at least a "name" (e.g. {"name": "Quyết định 123/QĐ-UBND", "pages": 2, "original": False})."""
    if not documents:
        raise CaseError("Chưa có tài liệu nào để lập giấy biên nhận")
    for i, doc in enumerate(documents, 1):
        if not isinstance(doc, dict) or not str(doc.get("name", "")).strip():
            raise CaseError(f"Tài liệu thứ {i}: phải ghi tên tài liệu")
    reception.documents = list(reception.documents or []) + [dict(d) for d in documents]
    if reception.documents_receipt_no is None:
        year = reception.received_on.year
        seq = allocate_number(session, reception.unit, year, series="documents")
        reception.documents_receipt_no = format_receipt_no(reception.unit, year, seq, DOCUMENTS_RECEIPT_FORMAT)
    return reception.documents_receipt_no


def petition_from_reception(
    session: Session,
    reception: Reception,
    *,
    content: str,
    created_by: str,
    petition_type: str | None = None,
    title: str = "",
    field: str | None = None,
    previous_resolution: str = "",
    clock: Clock | None = None,
) -> Registered:
    """Register a petition presented at the session (channel in_person). The session's citizens
    become its petitioners: the first petition takes them, later ones (a split content) copies."""
    if reception.refused:
        raise CaseError("Lượt tiếp đã bị từ chối: không thể vào sổ đơn")
    people = citizens(session, reception)
    registered = register_petition(
        session, unit=reception.unit, content=content, channel="in_person", created_by=created_by,
        received_at=reception.received_at, title=title, petition_type=petition_type, field=field,
        petitioner_count=max(reception.citizen_count, sum(1 for p in people if p.role == "petitioner"), 1),
        reception=reception, previous_resolution=previous_resolution, clock=clock,
    )
    petition = registered.petition
    now = (clock or Clock()).now()
    for party in people:
        target = party if party.petition_id is None else copy_party(party, now)
        target.petition = petition
        target.sealed = target.sealed or should_seal(petition, target.role)
        session.add(target)
    session.flush()
    reseal(petition)  # a denunciation seals the same citizens in the session's earlier petitions
    refresh_search_text(petition)
    return registered
