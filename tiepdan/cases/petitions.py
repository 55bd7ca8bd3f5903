"""Petitions (đơn): registration with a receipt number, classification, links, search, tracking.

Receipt numbers
    Each receiving unit numbers its petitions from 1 every calendar year (the Vietnam-time year
    of receipt). The counter row (unit, series, year) is created on first use and locked
    FOR UPDATE by the registering transaction, so numbers are unique and without gaps even with
    concurrent registrations, and a rolled-back registration gives its number back.
    The receipt number reads ``<seq>/<year>/TCD-<unit abbreviation>``, e.g. ``12/2026/TCD-UBND``
    (the unit's abbreviation is data, `Unit.abbreviation`; the unit code when it has none). It is
    unique per unit and year; across units the engine's business key is
    ``<unit code>/<year>/<seq>``, e.g. ``79.UBND/2026/12``.

Tracking code
    A random code for the citizen (12 characters from an alphabet without 0/O/1/I, about
    60 bits, shown as XXXX-XXXX-XXXX). It is returned once by `register_petition`; only its
    sha256 is stored. A brute-force guess over 2^60 codes is out of reach, so a plain (unsalted)
    hash is enough and lets the public page look a code up by index.

Sealing
    Petitioners of a petition whose type is in identity_access.yaml `sealed_types` (denunciation,
    mixed) are sealed. Sealing is one-way: reclassifying a petition never unseals an identity
    that has been under the secrecy regime. It also reaches the petitions that share those
    petitioners (the same reception session, the same split letter): whichever is registered or
    classified first, a sibling complaint must not name the denouncer next to the session's
    record of what was denounced.

search_text
    fold(receipt number + title + content + respondents + non-sealed petitioners' names).
    For a sealed petition, sealed identities are masked out of the title and content before
    folding, and sealed names are never added.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, object_session

from tiepdan.engine.clock import Clock, utc_to_local

from . import datafiles
from .errors import CaseError, UnknownRecord
from .models import Party, PartyIdentity, Petition, ReceiptCounter, Reception, Unit
from .textutil import fold, like_pattern, mask_text, reveals
from .units import get_unit, subtree_id_filter
from .vocab import CHANNELS, PETITION_STATUSES, PETITION_TYPES, check_code

RECEIPT_FORMAT = "{seq}/{year}/TCD-{abbreviation}"
BUSINESS_KEY_FORMAT = "{unit_code}/{year}/{seq}"
DOCUMENTS_RECEIPT_FORMAT = "{seq}/{year}/BN-{abbreviation}"
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 12
PETITIONER_ROLES = ("petitioner", "authorised_representative")


# --- numbers ---------------------------------------------------------------------------------


def allocate_number(session: Session, unit: Unit, year: int, series: str = "petition") -> int:
    """The next number of `series` for `unit` in `year`, inside the caller's transaction."""
    dialect = session.get_bind().dialect.name
    key = dict(unit_id=unit.id, series=series, year=year)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - the two supported backends are above
        dialect_insert = None
    where = (ReceiptCounter.unit_id == unit.id, ReceiptCounter.series == series, ReceiptCounter.year == year)
    if dialect_insert is not None:
        # Creates the row on first use; a concurrent creator waits for ours, then does nothing.
        session.execute(dialect_insert(ReceiptCounter).values(**key, last_seq=0).on_conflict_do_nothing())
    last = session.execute(select(ReceiptCounter.last_seq).where(*where).with_for_update()).scalar_one_or_none()
    if last is None:  # pragma: no cover - only without ON CONFLICT support
        session.add(ReceiptCounter(**key, last_seq=0))
        session.flush()
        last = 0
    session.execute(update(ReceiptCounter).where(*where).values(last_seq=last + 1))
    return last + 1


def format_receipt_no(unit: Unit, year: int, seq: int, fmt: str = RECEIPT_FORMAT) -> str:
    return fmt.format(seq=seq, year=year, abbreviation=unit.abbreviation or unit.code)


def business_key_for(unit: Unit, year: int, seq: int) -> str:
    return BUSINESS_KEY_FORMAT.format(unit_code=unit.code, year=year, seq=seq)


# --- tracking code ---------------------------------------------------------------------------


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, TRACKING_LENGTH, 4))


def tracking_code_hash(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


def find_by_tracking_code(session: Session, code: str) -> Petition | None:
    """The petition a citizen's tracking code belongs to (dashes and case do not matter)."""
    if not code or not code.strip():
        return None
    return session.execute(
        select(Petition).where(Petition.tracking_code_hash == tracking_code_hash(code))
    ).scalar_one_or_none()


# --- registration ----------------------------------------------------------------------------


@dataclass
class Registered:
    """A new petition and its tracking code, in clear text this once (only its hash is kept)."""

    petition: Petition
    tracking_code: str


def register_petition(
    session: Session,
    *,
    unit: Unit | str,
    content: str,
    channel: str,
    created_by: str,
    received_at: datetime | None = None,
    title: str = "",
    petition_type: str | None = None,
    field: str | None = None,
    letter_date: date | None = None,
    petitioner_count: int = 1,
    anonymous: bool = False,
    reception: Reception | None = None,
    forwarded_by: Unit | str | None = None,
    forwarded_by_name: str | None = None,
    forward_doc_no: str | None = None,
    forward_doc_date: date | None = None,
    previous_resolution: str = "",
    clock: Clock | None = None,
) -> Registered:
    """Enter a petition in the unit's book with the next receipt number (status registered)."""
    unit = get_unit(session, unit)
    check_code(CHANNELS, channel, "Nguồn đơn")
    if petition_type is not None:
        check_code(PETITION_TYPES, petition_type, "Loại đơn")
    if not content or not content.strip():
        raise CaseError("Nội dung đơn không được để trống")
    if petitioner_count < 1:
        raise CaseError("Số người đứng đơn phải từ 1 trở lên")
    if not unit.on_system:
        raise CaseError(f"{unit.name} không làm việc trên hệ thống: không thể vào sổ đơn tại đơn vị này")
    forwarding_unit = get_unit(session, forwarded_by) if forwarded_by is not None else None
    if channel == "forwarded" and forwarding_unit is None and not (forwarded_by_name or "").strip():
        raise CaseError("Đơn do cơ quan chuyển đến phải ghi rõ cơ quan chuyển đơn")
    clock = clock or Clock()
    now = clock.now()
    received_at = received_at or now
    received_on = utc_to_local(received_at).date()
    year = received_on.year
    seq = allocate_number(session, unit, year)
    code = new_tracking_code()
    petition = Petition(
        business_key=business_key_for(unit, year, seq),
        receipt_no=format_receipt_no(unit, year, seq),
        receipt_year=year,
        receipt_seq=seq,
        receiving_unit=unit,
        holding_unit=unit,
        reception=reception,
        channel=channel,
        forwarded_by_unit=forwarding_unit,
        forwarded_by_name=forwarded_by_name or (forwarding_unit.name if forwarding_unit else None),
        forward_doc_no=forward_doc_no,
        forward_doc_date=forward_doc_date,
        received_at=received_at,
        received_on=received_on,
        letter_date=letter_date,
        title=title,
        content=content,
        field=field,
        petition_type=petition_type,
        anonymous=anonymous,
        eligibility_reasons=[],
        petitioner_count=petitioner_count,
        previous_resolution=previous_resolution,
        status="registered",
        tracking_code_hash=tracking_code_hash(code),
        search_text="",
        created_at=now,
        created_by=created_by,
        updated_at=now,
    )
    session.add(petition)
    session.flush()
    refresh_search_text(petition)
    return Registered(petition, code)


def get_petition(session: Session, business_key: str) -> Petition:
    petition = session.execute(select(Petition).where(Petition.business_key == business_key)).scalar_one_or_none()
    if petition is None:
        raise UnknownRecord(f"Không có đơn {business_key!r}")
    return petition


# --- sealing and search text -----------------------------------------------------------------


def seals(petition_type: str | None) -> bool:
    """Whether petitioners of this petition type are sealed (identity_access.yaml)."""
    return petition_type is not None and petition_type in datafiles.identity_access().sealed_types


def should_seal(petition: Petition, role: str) -> bool:
    return role in PETITIONER_ROLES and seals(petition.petition_type)


def related_petitions(session: Session, petition: Petition) -> list[Petition]:
    """`petition` and the petitions whose petitioners are copies of its own: those registered
    from the same reception session, and the letter it was split from with the other parts."""
    root = petition.split_from_id or petition.id
    conditions = [Petition.id == root, Petition.split_from_id == root]
    if petition.reception_id is not None:
        conditions.append(Petition.reception_id == petition.reception_id)
    found = list(session.execute(select(Petition).where(or_(*conditions)).order_by(Petition.id)).scalars())
    return [petition] + [p for p in found if p is not petition]


def reseal(petition: Petition) -> None:
    """Seal the petitioners if the petition's type now requires it (never unseals), here and in
    the related petitions (see the module docstring), whose search text is then recomputed."""
    if not seals(petition.petition_type):
        return
    session = object_session(petition)
    for member in related_petitions(session, petition) if session is not None else [petition]:
        changed = False
        for party in member.parties:
            if party.role in PETITIONER_ROLES and not party.sealed:
                party.sealed = changed = True
        if changed and member is not petition:
            refresh_search_text(member)


def seal_petitioners(petition: Petition) -> None:
    """Seal the petitioners whatever the type says (a letter that reads as a denunciation before
    an officer has classified it); the search text is recomputed without them."""
    for party in petition.parties:
        if party.role in PETITIONER_ROLES:
            party.sealed = True
    refresh_search_text(petition)


def sealed_strings(petition: Petition) -> list[str]:
    """Every piece of sealed personal data of the petition, for masking free text."""
    found: list[str] = []
    for party in petition.parties:
        ident = party.identity
        if party.sealed and ident is not None:
            found += identity_strings(ident)
    return found


def identity_strings(ident: PartyIdentity) -> list[str]:
    """The strings that would reveal this identity if they appeared in a text."""
    values = [ident.full_name, ident.address, ident.id_number, ident.phone, ident.email]
    if ident.address and "," in ident.address:
        values.append(ident.address.split(",")[0])  # house number and street on their own
    return [v for v in values if v and v.strip()]


def petition_reveals(petition: Petition, text: str) -> bool:
    """True when `text` holds any sealed identity of the petition (a denouncer's)."""
    hidden = sealed_strings(petition)
    return bool(hidden) and reveals(text, hidden)


def refresh_search_text(petition: Petition) -> str:
    """Recompute `search_text` from the petition and its parties (see the module docstring)."""
    hidden = sealed_strings(petition)
    parts = [petition.receipt_no, mask_text(petition.title or "", hidden), mask_text(petition.content or "", hidden)]
    for party in petition.parties:
        ident = party.identity
        if party.role == "respondent":
            parts += [ident.full_name if ident else "", party.position, party.organisation]
        elif not party.sealed and ident is not None:
            parts.append(ident.full_name)
    petition.search_text = fold(" ".join(p for p in parts if p))
    return petition.search_text


def search_petitions(
    session: Session,
    query: str,
    *,
    unit: Unit | str | None = None,
    include_subunits: bool = True,
    limit: int = 50,
) -> list[Petition]:
    """Petitions whose folded text contains the folded `query`, newest first, optionally only
    those held or received by `unit` (and its subtree)."""
    needle = fold(query or "")
    if not needle:
        return []
    stmt = select(Petition).where(Petition.search_text.like(like_pattern(needle), escape="\\"))
    if unit is not None:
        unit = get_unit(session, unit)
        if include_subunits:
            stmt = stmt.where(subtree_id_filter(session, unit, Petition.holding_unit_id))
        else:
            stmt = stmt.where(Petition.holding_unit_id == unit.id)
    return list(session.execute(stmt.order_by(Petition.received_at.desc(), Petition.id.desc()).limit(limit)).scalars())


# --- classification, status, links -----------------------------------------------------------


def classify(
    session: Session,
    petition: Petition,
    *,
    petition_type: str,
    field: str | None = None,
    eligible: bool | None = None,
    reasons: list[str] | tuple[str, ...] = (),
    within_competence: bool | None = None,
    competent_unit: Unit | str | None = None,
    petitioner_count: int | None = None,
    clock: Clock | None = None,
) -> Petition:
    """Record the classification (TT 05/2021 Art 6): by content, conditions, competence and
    number of petitioners. Reasons are codes of ineligibility_reasons.yaml."""
    check_code(PETITION_TYPES, petition_type, "Loại đơn")
    known = datafiles.ineligibility_reasons()
    bad = [r for r in reasons if r not in known]
    if bad:
        raise CaseError(f"Lý do không đủ điều kiện không hợp lệ: {', '.join(bad)}")
    if eligible is True and reasons:
        raise CaseError("Đơn đủ điều kiện xử lý không được kèm lý do không đủ điều kiện")
    if petitioner_count is not None and petitioner_count < 1:
        raise CaseError("Số người đứng đơn phải từ 1 trở lên")
    # Checked before anything changes: a refused classification leaves the petition as it was.
    competent = get_unit(session, competent_unit) if competent_unit is not None else None
    petition.petition_type = petition_type
    if field is not None:
        petition.field = field
    petition.eligible = eligible
    petition.eligibility_reasons = list(reasons)
    petition.within_competence = within_competence
    petition.competent_unit = competent
    if petitioner_count is not None:
        petition.petitioner_count = petitioner_count
    if petition.status == "registered":
        petition.status = "classified"
    petition.updated_at = (clock or Clock()).now()
    reseal(petition)
    refresh_search_text(petition)
    session.flush()
    return petition


def set_status(petition: Petition, status: str, *, clock: Clock | None = None) -> Petition:
    check_code(PETITION_STATUSES, status, "Trạng thái đơn")
    petition.status = status
    petition.updated_at = (clock or Clock()).now()
    return petition


# What a complaint decision or a denunciation conclusion found (reports 03/GQKN, 04/GQTC).
DECISION_OUTCOMES = ("upheld", "partly_upheld", "rejected")


def record_decision(petition: Petition, *, on: date, outcome: str | None, clock: Clock | None = None) -> Petition:
    """The case's decision or conclusion was signed on `on`, finding `outcome` (None: not stated)."""
    if outcome is not None and outcome not in DECISION_OUTCOMES:
        raise CaseError(f"Kết quả giải quyết không hợp lệ: {outcome!r}")
    petition.decided_on, petition.decision_outcome = on, outcome
    petition.updated_at = (clock or Clock()).now()
    return petition


def set_holding_unit(session: Session, petition: Petition, unit: Unit | str, *, clock: Clock | None = None) -> Petition:
    """The unit that has the case from now on (e.g. the resolving unit after acceptance)."""
    unit = get_unit(session, unit)
    if not unit.on_system:
        raise CaseError(f"{unit.name} không làm việc trên hệ thống; hãy chuyển đơn thay vì giao")
    petition.holding_unit = unit
    petition.updated_at = (clock or Clock()).now()
    return petition


def mark_duplicate(petition: Petition, of: Petition, *, clock: Clock | None = None) -> Petition:
    if of.id == petition.id:
        raise CaseError("Một đơn không thể trùng với chính nó")
    petition.duplicate_of_id = of.id
    petition.updated_at = (clock or Clock()).now()
    return petition


def record_guidance(petition: Petition, *, to_name: str, doc_no: str | None = None, clock: Clock | None = None) -> Petition:
    """The citizen was guided to the competent body (once only): register column 10."""
    if petition.guided_to_name:
        raise CaseError(f"Đơn {petition.receipt_no} đã được hướng dẫn một lần ({petition.guided_to_name})")
    if not to_name or not to_name.strip():
        raise CaseError("Phải ghi rõ cơ quan có thẩm quyền mà công dân được hướng dẫn đến")
    petition.guided_to_name = to_name.strip()
    petition.guidance_doc_no = doc_no
    return set_status(petition, "guided", clock=clock)


def record_transfer(
    session: Session,
    petition: Petition,
    *,
    to_unit: Unit | str,
    doc_no: str | None = None,
    to_petition: Petition | None = None,
    clock: Clock | None = None,
) -> Petition:
    """The petition was transferred to `to_unit` (once only); `to_petition` is the record the
    receiving unit opened, when it works on the system. Register column 11."""
    # The relationship, not the column: the column is only set when the session flushes.
    if petition.transferred_to_unit is not None:
        raise CaseError(f"Đơn {petition.receipt_no} đã được chuyển một lần")
    unit = get_unit(session, to_unit)
    if unit.id == petition.holding_unit_id:
        raise CaseError(f"Không thể chuyển đơn {petition.receipt_no} cho chính đơn vị đang giữ đơn ({unit.name})")
    clock = clock or Clock()
    petition.transferred_to_unit = unit
    petition.transfer_doc_no = doc_no
    petition.transferred_on = clock.today()
    if to_petition is not None:
        petition.transferred_to_id = to_petition.id
        to_petition.transferred_from_id = petition.id
    return set_status(petition, "transferred", clock=clock)


def split_petition(
    session: Session,
    petition: Petition,
    *,
    content: str,
    petition_type: str,
    created_by: str,
    title: str = "",
    clock: Clock | None = None,
) -> Registered:
    """Split one content of a mixed petition into a new petition of its own (LTCD Art 25(3)):
    same unit, channel and receipt time, a new receipt number, the petitioners copied."""
    new = register_petition(
        session, unit=petition.receiving_unit, content=content, channel=petition.channel, created_by=created_by,
        received_at=petition.received_at, title=title, petition_type=petition_type, field=None,
        letter_date=petition.letter_date, petitioner_count=petition.petitioner_count, anonymous=petition.anonymous,
        reception=petition.reception, forwarded_by=petition.forwarded_by_unit,
        forwarded_by_name=petition.forwarded_by_name, forward_doc_no=petition.forward_doc_no,
        forward_doc_date=petition.forward_doc_date, previous_resolution=petition.previous_resolution, clock=clock,
    )
    new.petition.split_from_id = petition.id
    now = (clock or Clock()).now()
    for party in petition.parties:
        if party.role not in PETITIONER_ROLES:
            continue
        copy = copy_party(party, now)
        copy.petition = new.petition
        # A copy from a sealed petition stays sealed whatever the new type (sealing is one-way).
        copy.sealed = party.sealed or should_seal(new.petition, party.role)
        session.add(copy)
    session.flush()
    reseal(new.petition)  # a denunciation split out of a letter seals the letter's petitioners too
    refresh_search_text(new.petition)
    return new


def copy_party(party: Party, now: datetime) -> Party:
    ident = party.identity
    return Party(
        role=party.role, kind=party.kind, is_representative=party.is_representative, sealed=party.sealed,
        position=party.position, organisation=party.organisation, organisation_unit_id=party.organisation_unit_id,
        # The copy belongs to the petition only: the session's own list of citizens keeps the original.
        ordinal=party.ordinal, reception_id=None, created_at=now,
        identity=None if ident is None else PartyIdentity(
            full_name=ident.full_name, address=ident.address, id_type=ident.id_type, id_number=ident.id_number,
            id_issued_on=ident.id_issued_on, phone=ident.phone, email=ident.email, files=list(ident.files or []),
            name_key=ident.name_key, address_key=ident.address_key, id_number_hash=ident.id_number_hash,
        ),
    )
