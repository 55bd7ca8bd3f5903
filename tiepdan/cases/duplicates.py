"""Likely duplicates of a petition: the same petitioner, similar content, in the last 12 months.

The same petitioner is the same ID number (compared through its hash) or the same name and
address once folded (no case, no diacritics). Similarity compares the folded contents as sets
of words (Jaccard) and as sequences (difflib), and takes the higher: a re-sent letter is usually
the same text, a re-told matter the same words in another order. The officer decides; nothing
here marks a petition as a duplicate.

Only petitions received or held by the same unit are compared, so the list never shows an
officer another unit's case.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from .models import Party, PartyIdentity, Petition
from .petitions import PETITIONER_ROLES
from .textutil import fold

LOOKBACK = timedelta(days=365)
THRESHOLD = 0.5
_COMPARED_CHARS = 4000  # difflib is quadratic; the opening of a letter says what it is about


@dataclass(frozen=True)
class Candidate:
    petition: Petition
    score: float
    same_by: str  # "id_number" | "name_address"


def similarity(a: str, b: str) -> float:
    """0..1: how alike two contents are, ignoring case, diacritics and punctuation."""
    fa, fb = fold(a or "")[:_COMPARED_CHARS], fold(b or "")[:_COMPARED_CHARS]
    words_a, words_b = {w for w in fa.split() if len(w) > 1}, {w for w in fb.split() if len(w) > 1}
    if not words_a or not words_b:
        return 0.0
    jaccard = len(words_a & words_b) / len(words_a | words_b)
    return max(jaccard, difflib.SequenceMatcher(None, fa, fb, autojunk=False).ratio())


def _petitioner_identities(petition: Petition) -> list[PartyIdentity]:
    return [p.identity for p in petition.parties if p.role in PETITIONER_ROLES and p.identity is not None]


def likely_duplicates(
    session: Session, petition: Petition, *, threshold: float = THRESHOLD, limit: int = 10
) -> list[Candidate]:
    """Earlier petitions of the same petitioner with similar content, most similar first."""
    identities = _petitioner_identities(petition)
    by_id = {i.id_number_hash for i in identities if i.id_number_hash}
    by_name = {(i.name_key, i.address_key) for i in identities if i.name_key and i.address_key}
    if not by_id and not by_name:
        return []
    same_person = []
    if by_id:
        same_person.append(PartyIdentity.id_number_hash.in_(by_id))
    same_person += [and_(PartyIdentity.name_key == n, PartyIdentity.address_key == a) for n, a in by_name]
    unit_ids = {petition.receiving_unit_id, petition.holding_unit_id}
    rows = session.execute(
        select(Petition, PartyIdentity.id_number_hash)
        .join(Party, Party.petition_id == Petition.id)
        .join(PartyIdentity, PartyIdentity.party_id == Party.id)
        .where(
            Petition.id != petition.id,
            Party.role.in_(PETITIONER_ROLES),
            or_(*same_person),
            Petition.received_on >= petition.received_on - LOOKBACK,
            Petition.received_on <= petition.received_on,
            or_(Petition.receiving_unit_id.in_(unit_ids), Petition.holding_unit_id.in_(unit_ids)),
        )
    ).all()
    found: dict[int, Candidate] = {}
    for other, id_hash in rows:
        if other.id in found or other.split_from_id == petition.id or petition.split_from_id == other.id:
            continue
        score = similarity(petition.content, other.content)
        if score >= threshold:
            found[other.id] = Candidate(other, round(score, 2), "id_number" if id_hash in by_id else "name_address")
    return sorted(found.values(), key=lambda c: (-c.score, -c.petition.id))[:limit]
