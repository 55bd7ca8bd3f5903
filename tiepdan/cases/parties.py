"""Parties of a petition: petitioners (alone or a group with representatives), authorised
representatives, and the person or body complained about or denounced (respondent).

Personal data goes to `party_identity`; the `party` row carries only the role, the flags and,
for a respondent, the position and body. Petitioners of a denunciation are sealed on creation
(see petitions.should_seal).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock

from . import datafiles
from .errors import CaseError
from .models import Party, PartyIdentity, Petition, Reception, Unit
from .petitions import PETITIONER_ROLES, refresh_search_text, should_seal
from .textutil import fold_key, id_number_hash, normalise_id_number
from .units import get_unit
from .vocab import ID_TYPES, PARTY_KINDS, PARTY_ROLES, check_code


@dataclass
class IdentityData:
    """What a citizen gives about himself or herself (NĐ 154/2026 Art 12)."""

    full_name: str
    address: str = ""
    id_type: str | None = None  # vocab.ID_TYPES
    id_number: str | None = None
    id_issued_on: date | None = None
    phone: str | None = None
    email: str | None = None
    files: list = field(default_factory=list)  # references to stored signature samples, scans


def make_identity(data: IdentityData) -> PartyIdentity:
    if not data.full_name or not data.full_name.strip():
        raise CaseError("Họ và tên không được để trống")
    if data.id_type is not None:
        check_code(ID_TYPES, data.id_type, "Loại giấy tờ tùy thân")
    if data.id_number and data.id_type is None:
        raise CaseError("Phải ghi loại giấy tờ tùy thân (căn cước, định danh cá nhân, hộ chiếu) kèm số")
    number = normalise_id_number(data.id_number) or None
    return PartyIdentity(
        full_name=data.full_name.strip(),
        address=(data.address or "").strip(),
        id_type=data.id_type,
        id_number=number,
        id_issued_on=data.id_issued_on,
        phone=data.phone,
        email=data.email,
        files=list(data.files),
        name_key=fold_key(data.full_name),
        address_key=fold_key(data.address),
        id_number_hash=id_number_hash(number),
    )


def _next_ordinal(session: Session, petition: Petition | None, reception: Reception | None) -> int:
    if petition is not None:
        return max((p.ordinal for p in petition.parties), default=0) + 1
    # Every citizen of the session counts, also those a petition has taken since.
    last = session.execute(select(func.max(Party.ordinal)).where(Party.reception_id == reception.id)).scalar()
    return (last or 0) + 1


def add_party(
    session: Session,
    *,
    role: str,
    identity: IdentityData | None,
    petition: Petition | None = None,
    reception: Reception | None = None,
    kind: str = "person",
    is_representative: bool = False,
    position: str = "",
    organisation: str = "",
    organisation_unit: Unit | str | None = None,
    clock: Clock | None = None,
) -> Party:
    """Attach a party to a petition and/or a reception session."""
    check_code(PARTY_ROLES, role, "Vai trò của người tham gia")
    check_code(PARTY_KINDS, kind, "Loại người tham gia")
    if petition is None and reception is None:
        raise CaseError("Người tham gia phải thuộc một đơn hoặc một lượt tiếp công dân")
    if is_representative and role != "petitioner":
        raise CaseError("Người đại diện của nhóm phải là một trong những người đứng đơn")
    party = Party(
        role=role,
        kind=kind,
        is_representative=is_representative,
        sealed=petition is not None and should_seal(petition, role),
        position=position,
        organisation=organisation,
        organisation_unit=get_unit(session, organisation_unit) if organisation_unit is not None else None,
        ordinal=_next_ordinal(session, petition, reception),
        reception=reception,
        created_at=(clock or Clock()).now(),
        identity=make_identity(identity) if identity is not None else None,
    )
    if petition is not None:
        party.petition = petition
    session.add(party)
    session.flush()
    if petition is not None:
        if role == "petitioner":
            listed = sum(1 for p in petition.parties if p.role == "petitioner")
            petition.petitioner_count = max(petition.petitioner_count, listed)
        refresh_search_text(petition)
    return party


def add_petitioner(
    session: Session,
    petition: Petition,
    identity: IdentityData,
    *,
    is_representative: bool = False,
    kind: str = "person",
    clock: Clock | None = None,
) -> Party:
    return add_party(
        session, role="petitioner", identity=identity, petition=petition, kind=kind,
        is_representative=is_representative, clock=clock,
    )


def add_authorised_representative(
    session: Session, petition: Petition, identity: IdentityData, *, clock: Clock | None = None
) -> Party:
    """A person acting for the petitioner under a written authorisation (NĐ 154 Art 13)."""
    return add_party(session, role="authorised_representative", identity=identity, petition=petition, clock=clock)


def add_respondent(
    session: Session,
    petition: Petition,
    *,
    name: str,
    position: str = "",
    organisation: str = "",
    organisation_unit: Unit | str | None = None,
    kind: str = "person",
    clock: Clock | None = None,
) -> Party:
    """The person or body complained about / denounced. Not sealed."""
    unit = get_unit(session, organisation_unit) if organisation_unit is not None else None
    return add_party(
        session, role="respondent", identity=IdentityData(full_name=name), petition=petition, kind=kind,
        position=position, organisation=organisation or (unit.name if unit else ""), organisation_unit=unit,
        clock=clock,
    )


def petitioners(petition: Petition) -> list[Party]:
    return [p for p in petition.parties if p.role == "petitioner"]


def representatives(petition: Petition) -> list[Party]:
    return [p for p in petition.parties if p.role == "petitioner" and p.is_representative]


def respondents(petition: Petition) -> list[Party]:
    return [p for p in petition.parties if p.role == "respondent"]


def validate_representatives(people: int, representatives_count: int, *, bands=None) -> list[str]:
    """Problems with a group's representatives, as Vietnamese sentences (empty when fine).

    The limits are data (representation.yaml, LTCD Art 30): 5-10 people appoint 1-2
    representatives, more than 10 up to 5; fewer than 5 need none."""
    errors: list[str] = []
    if people < 1:
        return ["Số người đứng đơn phải từ 01 người trở lên."]
    if representatives_count < 0:
        return ["Số người đại diện không hợp lệ."]
    if representatives_count > people:
        errors.append(
            f"Số người đại diện ({representatives_count:02d}) không thể nhiều hơn số người đứng đơn ({people:02d}); "
            "người đại diện phải là người khiếu nại, tố cáo, kiến nghị, phản ánh."
        )
    for band in bands if bands is not None else datafiles.representation_bands():
        if not band.covers(people):
            continue
        size = (
            f"từ {band.min_people:02d} đến {band.max_people:02d} người" if band.max_people is not None
            else f"từ {band.min_people:02d} người trở lên"
        )
        if representatives_count < band.min_representatives:
            errors.append(
                f"Nhóm {people:02d} người ({size}) phải cử ít nhất {band.min_representatives:02d} người đại diện "
                f"bằng văn bản có chữ ký của tất cả mọi người; hiện chưa đủ ({representatives_count:02d})."
            )
        elif representatives_count > band.max_representatives:
            errors.append(
                f"Nhóm {people:02d} người ({size}) chỉ được cử không quá {band.max_representatives:02d} người đại diện; "
                f"hiện có {representatives_count:02d} người."
            )
        break
    return errors


def validate_group(petition: Petition) -> list[str]:
    """`validate_representatives` for a petition: its petitioner count and flagged representatives."""
    return validate_representatives(petition.petitioner_count, len(representatives(petition)))


__all__ = [
    "IdentityData", "add_party", "add_petitioner", "add_authorised_representative", "add_respondent",
    "petitioners", "representatives", "respondents", "validate_representatives", "validate_group",
    "make_identity", "PETITIONER_ROLES",
]
