"""Who sees whose personal data: sealed denouncers, audited reveals, redacted projections.

The rule (data: cases/data/identity_access.yaml; LTC Arts 9, 47, 56 name no roles [NV]):

* A **sealed** identity (a petitioner or authorised representative of a denunciation, or of a
  mixed petition until it is split) is never returned by `visible_identity`: it shows
  SEALED_MASK. `reveal_identity` returns it only to an active user holding one of the
  `sealed.roles` (reception_officer, handling_officer, leader) **in the unit that received the
  petition or the unit that holds it now** (the one resolving it), and writes one audit entry
  ``identity.reveal`` (who, which party, which case, the stated reason, never the identity).
  A verifier, another unit, or a supervisor or leader of a superior unit gets
  IdentityAccessDenied, unless that unit is itself the one holding (resolving) the case.
* An **open** identity (complainants, petitioners of recommendations, respondents) is visible to
  the `open.roles` of the receiving and holding units and of the units above them, without an
  audit entry; anyone else sees RESTRICTED_MASK.

`redacted_view` is what may leave the circle above (a transfer, a verifier's file, a report):
no sealed identity anywhere, including inside the content and the reception record.
`public_projection` is what the public page shows: no personal data at all.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from tiepdan.engine import audit
from tiepdan.engine.clock import Clock, utc_to_local

from . import datafiles
from .errors import CaseError, IdentityAccessDenied, UnknownRecord
from .models import Party, Petition, Unit, User
from .petitions import identity_strings, sealed_strings
from .textutil import mask_text
from .units import is_within
from .vocab import CHANNELS, PARTY_ROLES, PETITION_STATUSES, PETITION_TYPES, label

SEALED_MASK = "(Thông tin người tố cáo được giữ bí mật)"
RESTRICTED_MASK = "(Không có quyền xem thông tin cá nhân)"
REVEAL_ACTION = "identity.reveal"


@dataclass(frozen=True)
class IdentityView:
    """A party's identity as one viewer may see it. When `masked`, every personal field is None
    and `display_name` is the placeholder."""

    party_id: int
    role: str
    sealed: bool
    masked: bool
    can_reveal: bool
    display_name: str
    full_name: str | None = None
    address: str | None = None
    id_type: str | None = None
    id_number: str | None = None
    id_issued_on: date | None = None
    phone: str | None = None
    email: str | None = None
    files: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def case_units(party: Party) -> tuple[Unit, Unit]:
    """(receiving unit, holding unit) of the case the party belongs to."""
    if party.petition is not None:
        return party.petition.receiving_unit, party.petition.holding_unit
    if party.reception is not None:
        return party.reception.unit, party.reception.unit
    raise CaseError(f"Người tham gia {party.id} không thuộc đơn hay lượt tiếp nào")


def _allowed(rule: datafiles.AccessRule, viewer: User | None, receiving: Unit, holding: Unit) -> bool:
    if viewer is None or not viewer.active or not (viewer.roles & rule.roles):
        return False
    unit = viewer.unit
    if "receiving" in rule.units and unit.id == receiving.id:
        return True
    if "holding" in rule.units and unit.id == holding.id:
        return True
    if "ancestors" in rule.units and (is_within(receiving, unit) or is_within(holding, unit)):
        return True
    return False


def may_see(party: Party, viewer: User | None) -> bool:
    """Whether `viewer` may see this party's identity (through a reveal, for a sealed one)."""
    access = datafiles.identity_access()
    receiving, holding = case_units(party)
    return _allowed(access.sealed if party.sealed else access.open, viewer, receiving, holding)


def _unmasked(party: Party) -> IdentityView:
    ident = party.identity
    return IdentityView(
        party_id=party.id, role=party.role, sealed=party.sealed, masked=False, can_reveal=True,
        display_name=ident.full_name, full_name=ident.full_name, address=ident.address, id_type=ident.id_type,
        id_number=ident.id_number, id_issued_on=ident.id_issued_on, phone=ident.phone, email=ident.email,
        files=list(ident.files or []),
    )


def _masked(party: Party, can_reveal: bool) -> IdentityView:
    return IdentityView(
        party_id=party.id, role=party.role, sealed=party.sealed, masked=True, can_reveal=can_reveal,
        display_name=SEALED_MASK if party.sealed else RESTRICTED_MASK,
    )


def visible_identity(session: Session, party: Party, viewer: User | None) -> IdentityView:
    """The identity `viewer` sees without asking: an open identity if allowed, else a mask.
    A sealed identity is always masked here; `can_reveal` says whether `reveal_identity` would
    succeed (so the UI can offer the audited reveal)."""
    if party.identity is None:
        return IdentityView(party.id, party.role, party.sealed, True, False, "")
    allowed = may_see(party, viewer)
    if party.sealed or not allowed:
        return _masked(party, allowed)
    return _unmasked(party)


def reveal_identity(
    session: Session, party_id: int, viewer: User, reason: str, *, clock: Clock | None = None
) -> IdentityView:
    """Show a party's identity to `viewer`, who must be allowed (see the module docstring).
    Revealing a sealed identity needs a reason and writes one `identity.reveal` audit entry in
    the caller's transaction; the entry never contains the identity."""
    party = session.get(Party, party_id)
    if party is None:
        raise UnknownRecord(f"Không có người tham gia {party_id}")
    ident = party.identity
    if ident is None:
        raise CaseError(f"Người tham gia {party_id} không có thông tin nhân thân")
    petition = party.petition
    case_label = petition.receipt_no if petition is not None else f"lượt tiếp {party.reception_id}"
    if not may_see(party, viewer):
        who = viewer.username if viewer is not None else "(không xác định)"
        if party.sealed:
            rule = datafiles.identity_access().sealed
            raise IdentityAccessDenied(
                f"{who} không được xem thông tin người tố cáo của đơn {case_label}: chỉ "
                f"{', '.join(sorted(rule.roles))} của đơn vị tiếp nhận hoặc đơn vị đang giải quyết đơn mới được xem"
            )
        raise IdentityAccessDenied(f"{who} không được xem thông tin cá nhân của đơn {case_label}")
    if party.sealed:
        if not reason or not reason.strip():
            raise CaseError("Phải nêu lý do khi xem thông tin người tố cáo")
        allowed_roles = datafiles.identity_access().sealed.roles
        audit.record(
            session,
            actor=viewer.username,
            action=REVEAL_ACTION,
            business_key=petition.business_key if petition is not None else f"reception/{party.reception_id}",
            detail={
                "party_id": party.id,
                "party_role": party.role,
                "case": case_label,
                "viewer_unit": viewer.unit.code,
                "viewer_roles": sorted(viewer.roles & allowed_roles),
                # The reason is free text: whatever of the identity it repeats is masked.
                "reason": mask_text(reason.strip(), identity_strings(ident)),
            },
            clock=clock,
        )
    return _unmasked(party)


# --- projections -----------------------------------------------------------------------------


def _unit_ref(unit: Unit | None) -> dict | None:
    return None if unit is None else {"code": unit.code, "name": unit.name}


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def redacted_view(session: Session, petition: Petition) -> dict:
    """The petition as plain JSON-able data with every sealed identity removed: sealed parties
    appear as SEALED_MASK, and their name, address, ID number, phone and e-mail are masked out
    of the title, content and reception record. Open identities are kept (a transferred
    complaint needs its complainant). For transfers, verifiers' files and reports."""
    hidden = sealed_strings(petition)
    parties = []
    for party in petition.parties:
        ident = party.identity
        entry = {
            "ordinal": party.ordinal,
            "role": party.role,
            "role_label": label(PARTY_ROLES, party.role),
            "kind": party.kind,
            "is_representative": party.is_representative,
            "sealed": party.sealed,
            "position": party.position,
            "organisation": party.organisation,
        }
        if party.sealed or ident is None:
            entry["name"] = SEALED_MASK if party.sealed else ""
            entry["identity"] = None
        else:
            entry["name"] = ident.full_name
            entry["identity"] = {
                "full_name": ident.full_name, "address": ident.address, "id_type": ident.id_type,
                "id_number": ident.id_number, "phone": ident.phone, "email": ident.email,
            }
        parties.append(entry)
    reception = petition.reception
    return {
        "business_key": petition.business_key,
        "receipt_no": petition.receipt_no,
        "receiving_unit": _unit_ref(petition.receiving_unit),
        "holding_unit": _unit_ref(petition.holding_unit),
        "channel": petition.channel,
        "channel_label": label(CHANNELS, petition.channel),
        "forwarded_by": petition.forwarded_by_name,
        "forward_doc_no": petition.forward_doc_no,
        "forward_doc_date": _iso(petition.forward_doc_date),
        "received_on": _iso(petition.received_on),
        "letter_date": _iso(petition.letter_date),
        "title": mask_text(petition.title or "", hidden),
        "content": mask_text(petition.content or "", hidden),
        "field": petition.field,
        "petition_type": petition.petition_type,
        "petition_type_label": label(PETITION_TYPES, petition.petition_type),
        "anonymous": petition.anonymous,
        "eligible": petition.eligible,
        "eligibility_reasons": list(petition.eligibility_reasons or []),
        "within_competence": petition.within_competence,
        "competent_unit": _unit_ref(petition.competent_unit),
        "petitioner_count": petition.petitioner_count,
        "status": petition.status,
        "status_label": label(PETITION_STATUSES, petition.status),
        "previous_resolution": mask_text(petition.previous_resolution or "", hidden),
        "links": {
            "duplicate_of": petition.duplicate_of_id,
            "split_from": petition.split_from_id,
            "transferred_from": petition.transferred_from_id,
            "transferred_to": petition.transferred_to_id,
        },
        "transferred_to_unit": _unit_ref(petition.transferred_to_unit),
        "transfer_doc_no": petition.transfer_doc_no,
        "guided_to": petition.guided_to_name,
        "guidance_doc_no": petition.guidance_doc_no,
        "parties": parties,
        "reception": None if reception is None else {
            "received_on": _iso(reception.received_on),
            "unit": _unit_ref(reception.unit),
            "is_leader_session": reception.is_leader_session,
            "record_text": mask_text(reception.record_text or "", hidden),
            "documents": [
                {k: (mask_text(v, hidden) if isinstance(v, str) else v) for k, v in doc.items()}
                for doc in (reception.documents or [])
            ],
            "documents_receipt_no": reception.documents_receipt_no,
        },
    }


def public_projection(session: Session, petition: Petition) -> dict:
    """What a citizen sees on the public page with a tracking code: where the petition is and
    what happened to it; no content and no personal data of anyone."""
    return {
        "receipt_no": petition.receipt_no,
        "received_on": _iso(petition.received_on),
        "receiving_unit": petition.receiving_unit.name,
        "holding_unit": petition.holding_unit.name,
        "petition_type_label": label(PETITION_TYPES, petition.petition_type),
        "status": petition.status,
        "status_label": label(PETITION_STATUSES, petition.status),
        "transferred_to": petition.transferred_to_unit.name if petition.transferred_to_unit else None,
        "guided_to": petition.guided_to_name,
        "updated_on": _iso(utc_to_local(petition.updated_at).date()) if petition.updated_at else None,
    }
