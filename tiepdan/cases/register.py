"""The reception register (Sổ tiếp công dân, NĐ 154/2026 Mẫu 03/TCD; TT 04/2021 Mẫu 03).

`register_rows` returns the 13 columns of shared/domain/law-notes.md §5 for a unit and a date
range: one row per petition a session produced, or one row for a session that produced none (a
refusal, or a matter answered on the spot). Sealed identities (denouncers) are masked in every
column, including where the content or the record repeats them. Rows are plain data: the xlsx
export formats them later.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import datafiles
from .identity import SEALED_MASK
from .models import Party, Petition, Reception, Unit
from .petitions import identity_strings, sealed_strings
from .textutil import mask_text
from .units import get_unit, subtree_id_filter
from .vocab import ID_TYPES, PETITION_TYPE_SHORT

# (key, Vietnamese header, English header), in the order of the printed form.
REGISTER_COLUMNS: list[tuple[str, str, str]] = [
    ("stt", "STT", "No."),
    ("ngay_tiep", "Ngày tiếp", "Date of reception"),
    ("ho_ten_dia_chi", "Họ tên, địa chỉ", "Name, address"),
    ("so_giay_to", "Số CCCD/Hộ chiếu", "ID card / passport no."),
    ("noi_dung", "Nội dung vụ việc", "Content"),
    ("loai_don", "Phân loại (KN/TC/KN-PA)", "Type (complaint / denunciation / recommendation)"),
    ("so_nguoi", "Số người cùng nội dung", "Persons with the same content"),
    ("co_quan_da_giai_quyet", "Cơ quan đã giải quyết", "Bodies that have dealt with it"),
    ("thuoc_tham_quyen", "Thuộc thẩm quyền", "Within competence (x)"),
    ("huong_dan", "Hướng dẫn đến cơ quan có thẩm quyền, số văn bản", "Guided to (body, document no.)"),
    ("co_quan_thu_ly", "Cơ quan thụ lý, số văn bản chuyển đơn", "Accepted by / transferred to (document no.)"),
    ("theo_doi_ket_qua", "Theo dõi kết quả giải quyết", "Result follow-up"),
    ("ghi_chu", "Ghi chú", "Notes"),
]

ID_SHORT = {"cccd": "CCCD", "cmnd": "CMND", "dinh_danh": "Số ĐDCN", "passport": "Hộ chiếu"}
ACCEPTED_STATUSES = {"accepted", "resolving", "suspended", "resolved", "withdrawn", "closed"}


@dataclass(frozen=True)
class RegisterRow:
    stt: int
    ngay_tiep: date
    ho_ten_dia_chi: str
    so_giay_to: str
    noi_dung: str
    loai_don: str
    so_nguoi: int
    co_quan_da_giai_quyet: str
    thuoc_tham_quyen: str
    huong_dan: str
    co_quan_thu_ly: str
    theo_doi_ket_qua: str
    ghi_chu: str
    # Not printed: which records the row comes from.
    reception_id: int
    petition_id: int | None

    def cells(self) -> list:
        """The 13 printed cells, in REGISTER_COLUMNS order."""
        return [getattr(self, key) for key, _, _ in REGISTER_COLUMNS]

    def as_dict(self) -> dict:
        return asdict(self)


def _who(parties: list[Party]) -> tuple[str, str]:
    """(name and address, ID numbers) of the people shown for a row: the group's
    representatives if it has any, else every petitioner (or citizen)."""
    people = [p for p in parties if p.role == "petitioner"]
    shown = [p for p in people if p.is_representative] or people or [p for p in parties if p.role != "respondent"]
    names, ids = [], []
    for party in shown:
        ident = party.identity
        if party.sealed:
            names.append(SEALED_MASK)
            ids.append(SEALED_MASK)
            continue
        if ident is None:
            continue
        prefix = "Đại diện: " if party.is_representative else ""
        names.append(prefix + ", ".join(x for x in (ident.full_name, ident.address) if x))
        if ident.id_number:
            ids.append(f"{ID_SHORT.get(ident.id_type or '', ID_TYPES.get(ident.id_type or '', ('',))[0])} {ident.id_number}".strip())
    # One mask is enough when every shown person is sealed.
    return "; ".join(dict.fromkeys(names)), "; ".join(dict.fromkeys(ids))


def _with_doc(name: str | None, doc_no: str | None) -> str:
    if not name:
        return ""
    return f"{name}, văn bản số {doc_no}" if doc_no else name


def _notes(reception: Reception, petition: Petition | None, hidden: list[str]) -> str:
    notes = []
    if reception.is_leader_session:
        notes.append(f"Lãnh đạo tiếp: {reception.received_by.full_name}")
    if reception.refused:
        ground = datafiles.refusal_grounds().get(reception.refusal_ground or "")
        text = f"{ground.label} ({ground.basis})" if ground else (reception.refusal_ground or "")
        notes.append(f"Từ chối tiếp: {text}")
    if reception.documents_receipt_no:
        notes.append(f"Giấy biên nhận tài liệu số {reception.documents_receipt_no}")
    if petition is not None:
        notes.append(f"Đơn số {petition.receipt_no}")
        if petition.duplicate_of_id:
            notes.append("Đơn trùng")
        if petition.note:
            notes.append(mask_text(petition.note, hidden))
    if reception.note:
        notes.append(mask_text(reception.note, hidden))
    return "; ".join(notes)


def register_rows(
    session: Session,
    unit: Unit | str,
    date_from: date,
    date_to: date,
    *,
    include_subunits: bool = False,
) -> list[RegisterRow]:
    """The register of `unit` (and its subtree, if asked) for sessions held from `date_from` to
    `date_to` inclusive, in the order they were held, numbered from 1."""
    unit = get_unit(session, unit)
    where = subtree_id_filter(session, unit, Reception.unit_id) if include_subunits else Reception.unit_id == unit.id
    receptions = session.execute(
        select(Reception)
        .where(where, Reception.received_on >= date_from, Reception.received_on <= date_to)
        .options(
            selectinload(Reception.petitions).selectinload(Petition.parties).selectinload(Party.identity),
        )
        .order_by(Reception.received_on, Reception.received_at, Reception.id)
    ).scalars().all()
    session_citizens: dict[int, list[Party]] = {}
    ids = [r.id for r in receptions]
    if ids:
        for party in session.execute(
            select(Party).where(Party.reception_id.in_(ids)).options(selectinload(Party.identity))
            .order_by(Party.ordinal, Party.id)
        ).scalars():
            session_citizens.setdefault(party.reception_id, []).append(party)

    rows: list[RegisterRow] = []
    for reception in receptions:
        people = session_citizens.get(reception.id, [])
        if not reception.petitions:
            # A session citizen is sealed only through a petition; mask anyone who is anyway.
            hidden = [s for p in people if p.sealed and p.identity for s in identity_strings(p.identity)]
            who, ids_text = _who(people)
            rows.append(RegisterRow(
                stt=len(rows) + 1, ngay_tiep=reception.received_on, ho_ten_dia_chi=who, so_giay_to=ids_text,
                noi_dung=mask_text(reception.record_text or "", hidden), loai_don="",
                so_nguoi=reception.citizen_count, co_quan_da_giai_quyet="", thuoc_tham_quyen="", huong_dan="",
                co_quan_thu_ly="", theo_doi_ket_qua="", ghi_chu=_notes(reception, None, hidden),
                reception_id=reception.id, petition_id=None,
            ))
            continue
        for petition in reception.petitions:
            hidden = sealed_strings(petition)
            who, ids_text = _who(list(petition.parties))
            if petition.transferred_to_unit is not None:
                accepted_by = _with_doc(petition.transferred_to_unit.name, petition.transfer_doc_no)
            elif petition.status in ACCEPTED_STATUSES:
                accepted_by = (petition.competent_unit or petition.holding_unit).name
            else:
                accepted_by = ""
            rows.append(RegisterRow(
                stt=len(rows) + 1,
                ngay_tiep=reception.received_on,
                ho_ten_dia_chi=who,
                so_giay_to=ids_text,
                noi_dung=mask_text(petition.content or reception.record_text or "", hidden),
                loai_don=PETITION_TYPE_SHORT.get(petition.petition_type or "", ""),
                so_nguoi=petition.petitioner_count,
                co_quan_da_giai_quyet=mask_text(petition.previous_resolution or "", hidden),
                thuoc_tham_quyen="x" if petition.within_competence else "",
                huong_dan=_with_doc(petition.guided_to_name, petition.guidance_doc_no),
                co_quan_thu_ly=accepted_by,
                theo_doi_ket_qua=mask_text(petition.result_note or "", hidden),
                ghi_chu=_notes(reception, petition, hidden),
                reception_id=reception.id,
                petition_id=petition.id,
            ))
    return rows
