"""Withdrawal of a petition (rút đơn), in full or in part.

- A full withdrawal ends the case (status withdrawn), except for a denunciation when the
  withdrawal was coerced or the act denounced shows a violation: then the competent person goes
  on resolving it (LTC Art 33; NĐ 31 Art 4 as amended); the withdrawal is recorded all the same.
- A partial withdrawal leaves the status alone: the rest of the content goes on being resolved.
- Withdrawn content cannot come back in the same case (LKN Art 10 as amended by L136):
  `check_not_withdrawn` refuses a new claim that repeats it, compared folded (no case, no
  diacritics) and by `duplicates.similarity`. A coerced withdrawal bars nothing (same article).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from tiepdan.engine.clock import Clock

from .duplicates import similarity
from .errors import CaseError
from .models import Petition, Withdrawal
from .petitions import set_status
from .textutil import fold
from .vocab import WITHDRAWAL_SCOPES

SIMILAR = 0.8
# A case in one of these states has nothing left to withdraw.
ENDED_STATUSES = ("withdrawn", "resolved", "closed", "archived", "transferred", "guided")


def withdrawals_of(session: Session, petition: Petition) -> list[Withdrawal]:
    return list(
        session.execute(
            select(Withdrawal).where(Withdrawal.petition_id == petition.id).order_by(Withdrawal.on_date, Withdrawal.id)
        ).scalars()
    )


def withdrawn_contents(petition: Petition) -> list[str]:
    """The contents withdrawn in part from the case, oldest first (coerced ones excluded)."""
    session = object_session(petition)
    if session is None or petition.id is None:
        return []
    return [w.content for w in withdrawals_of(session, petition) if w.scope == "partial" and not w.coerced]


def _repeats(a: str, b: str) -> bool:
    return fold(a).split() == fold(b).split() or similarity(a, b) >= SIMILAR


def check_not_withdrawn(session: Session, petition: Petition, content: str) -> None:
    """Raise CaseError if `content` repeats a content the petitioner withdrew from this case."""
    for w in withdrawals_of(session, petition):
        if w.coerced or not (w.content or "").strip():
            continue
        if _repeats(content or "", w.content):
            raise CaseError(
                f"Nội dung này đã được rút ngày {w.on_date:%d/%m/%Y} khỏi đơn {petition.receipt_no}: không được đề nghị lại"
            )


def withdraw(
    session: Session,
    petition: Petition,
    *,
    on: date,
    scope: str,
    content: str,
    coerced: bool = False,
    violation_found: bool = False,
    actor: str,
    clock: Clock | None = None,
) -> bool:
    """Record a withdrawal of `on`; True if the case stops because of it (see the module
    docstring)."""
    clock = clock or Clock()
    if scope not in WITHDRAWAL_SCOPES:
        raise CaseError(f"Phạm vi rút đơn không hợp lệ: {scope!r} (cho phép: {', '.join(WITHDRAWAL_SCOPES)})")
    content = (content or "").strip()
    if scope == "partial" and not content:
        raise CaseError("Rút một phần nội dung phải ghi rõ nội dung được rút")
    if petition.status in ENDED_STATUSES:
        raise CaseError(f"Đơn {petition.receipt_no} đã kết thúc xử lý: không thể rút đơn")
    if on < petition.received_on:
        raise CaseError(f"Ngày rút đơn {on:%d/%m/%Y} trước ngày nhận đơn {petition.received_on:%d/%m/%Y}")
    if scope == "partial":
        for earlier in withdrawn_contents(petition):
            if _repeats(content, earlier):
                raise CaseError(f"Nội dung này đã được rút khỏi đơn {petition.receipt_no}")
    session.add(Withdrawal(
        petition_id=petition.id, on_date=on, scope=scope, content=content, coerced=coerced,
        created_at=clock.now(), created_by=actor,
    ))
    session.flush()
    if scope == "partial":
        return False
    if petition.petition_type == "denunciation" and (coerced or violation_found):
        return False
    set_status(petition, "withdrawn", clock=clock)
    return True
