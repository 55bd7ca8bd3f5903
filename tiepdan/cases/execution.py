"""Execution follow-up (thi hành quyết định, kết luận): once a decision or conclusion takes
effect, who must do what by when, and what was done. An obligation not done by its due day is
overdue from the next day on; the overdue list is what the follow-up escalates.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tiepdan.engine.clock import Clock

from .errors import CaseError
from .models import ExecutionItem, Petition, Unit
from .units import get_unit


def add_obligation(
    session: Session,
    petition: Petition,
    *,
    obligor: str,
    action: str,
    due_on: date,
    obligor_unit: Unit | str | None = None,
    actor: str,
    clock: Clock | None = None,
) -> ExecutionItem:
    """Record that `obligor` (a person or body, by name; `obligor_unit` when it is a unit) must
    do `action` by `due_on`."""
    clock = clock or Clock()
    obligor, action = (obligor or "").strip(), (action or "").strip()
    if not obligor:
        raise CaseError("Phải ghi rõ cơ quan, tổ chức, cá nhân có trách nhiệm thi hành")
    if not action:
        raise CaseError("Phải ghi rõ nội dung phải thi hành")
    unit = get_unit(session, obligor_unit) if obligor_unit is not None else None
    item = ExecutionItem(
        petition_id=petition.id, obligor=obligor, obligor_unit=unit, action=action, due_on=due_on, done_on=None,
        result="", created_at=clock.now(), created_by=actor,
    )
    session.add(item)
    session.flush()
    return item


def record_done(item: ExecutionItem, *, done_on: date, result: str) -> ExecutionItem:
    """Record the result reported for an obligation (once)."""
    result = (result or "").strip()
    if item.done_on is not None:
        raise CaseError(f"Nội dung thi hành đã được ghi nhận hoàn thành ngày {item.done_on:%d/%m/%Y}")
    if not result:
        raise CaseError("Phải ghi rõ kết quả thi hành")
    item.done_on = done_on
    item.result = result
    return item


def obligations_of(session: Session, petition: Petition) -> list[ExecutionItem]:
    return list(
        session.execute(
            select(ExecutionItem).where(ExecutionItem.petition_id == petition.id)
            .order_by(ExecutionItem.due_on, ExecutionItem.id)
        ).scalars()
    )


def overdue_obligations(session: Session, on: date, unit: Unit | str | None = None) -> list[ExecutionItem]:
    """Obligations not done whose due day is before `on`, oldest due first; with `unit`, those
    it must carry out (obligor unit) or follow up (it holds the case)."""
    stmt = select(ExecutionItem).where(ExecutionItem.done_on.is_(None), ExecutionItem.due_on < on)
    if unit is not None:
        unit = get_unit(session, unit)
        stmt = stmt.join(Petition, Petition.id == ExecutionItem.petition_id).where(
            or_(ExecutionItem.obligor_unit_id == unit.id, Petition.holding_unit_id == unit.id)
        )
    return list(session.execute(stmt.order_by(ExecutionItem.due_on, ExecutionItem.id)).scalars())
