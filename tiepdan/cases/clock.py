"""A case's statutory clock: suspension (tạm đình chỉ), continuation (tiếp tục giải quyết) and
extension (gia hạn) decisions, and what they mean for the due date.

Each decision is a `CaseClockEvent` row. `adjustments` turns the rows of a case into what
`tiepdan.engine.deadlines.Deadlines.due` takes: the closed pauses ``(suspension date,
continuation date)`` and the extension grants. A pause still open (suspended, no continuation
yet) is not among them: the case has no due date while it is suspended.

Extensions follow LTC Art 30: only a denunciation is extended (a complaint's longer limit for a
complex case is another rule, chosen at acceptance), each with a written reason, a complex case
at most once and an especially complex one at most twice. Those numbers are data: they are read
from the rule catalogue (``denunciation.resolve``'s ``extension.limits``) unless the caller
passes `limits`.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from tiepdan.engine.clock import Clock
from tiepdan.engine.deadlines import ExtensionGrant, RuleCatalogue

from .errors import CaseError
from .models import CaseClockEvent, Petition
from .petitions import set_status
from .vocab import COMPLEXITIES

EXTENDED_RULE = "denunciation.resolve"
DEFAULT_EXTENSION_LIMITS: dict[str, int] = {"complex": 1, "especially_complex": 2}
# A case is suspended from these states only; `resume` puts it back to "resolving".
SUSPENDABLE_STATUSES = ("accepted", "resolving")


def extension_limits(processes_dir: Path | None = None) -> dict[str, int]:
    """How many extensions a case of each complexity may have: the catalogue's latest version of
    ``denunciation.resolve`` (``extension.limits``), or the LTC Art 30 defaults if it has none."""
    if processes_dir is None:
        from tiepdan.config import Settings

        processes_dir = Settings.from_env().processes_dir
    rule = RuleCatalogue.load(Path(processes_dir) / "rules").versions(EXTENDED_RULE)[-1]
    if rule.extension is None or not rule.extension.limits:
        return dict(DEFAULT_EXTENSION_LIMITS)
    return dict(rule.extension.limits)


def events_of(session: Session, petition: Petition) -> list[CaseClockEvent]:
    """The clock decisions of a case in the order they were taken."""
    return list(
        session.execute(
            select(CaseClockEvent)
            .where(CaseClockEvent.petition_id == petition.id)
            .order_by(CaseClockEvent.on_date, CaseClockEvent.id)
        ).scalars()
    )


def _last_pause_event(events: list[CaseClockEvent]) -> CaseClockEvent | None:
    pauses = [e for e in events if e.kind in ("suspension", "continuation")]
    return pauses[-1] if pauses else None


def is_suspended(petition: Petition) -> bool:
    """Whether the case's latest suspension has no continuation yet."""
    session = object_session(petition)
    if session is None or petition.id is None:
        return petition.status == "suspended"
    last = _last_pause_event(events_of(session, petition))
    return last is not None and last.kind == "suspension"


def _record(session: Session, petition: Petition, clock: Clock, **fields) -> CaseClockEvent:
    event = CaseClockEvent(petition_id=petition.id, created_at=clock.now(), **fields)
    session.add(event)
    session.flush()
    return event


def suspend(
    session: Session,
    petition: Petition,
    *,
    on: date,
    reason: str,
    decision_no: str | None = None,
    actor: str,
    clock: Clock | None = None,
) -> CaseClockEvent:
    """Record a suspension decision of `on`: the clock stops after that day (status suspended)."""
    clock = clock or Clock()
    if not reason or not reason.strip():
        raise CaseError("Quyết định tạm đình chỉ phải ghi rõ lý do")
    events = events_of(session, petition)
    last = _last_pause_event(events)
    if (last is not None and last.kind == "suspension") or petition.status == "suspended":
        raise CaseError(f"Đơn {petition.receipt_no} đang bị tạm đình chỉ giải quyết")
    if petition.status not in SUSPENDABLE_STATUSES:
        raise CaseError(f"Đơn {petition.receipt_no} không ở trạng thái đang giải quyết: không thể tạm đình chỉ")
    if on < petition.received_on:
        raise CaseError(f"Ngày tạm đình chỉ {on:%d/%m/%Y} trước ngày nhận đơn {petition.received_on:%d/%m/%Y}")
    if last is not None and on < last.on_date:
        raise CaseError(f"Ngày tạm đình chỉ {on:%d/%m/%Y} trước quyết định tiếp tục giải quyết ngày {last.on_date:%d/%m/%Y}")
    event = _record(
        session, petition, clock, kind="suspension", on_date=on, reason=reason.strip(), decision_no=decision_no,
        created_by=actor,
    )
    set_status(petition, "suspended", clock=clock)
    return event


def resume(
    session: Session,
    petition: Petition,
    *,
    on: date,
    decision_no: str | None = None,
    actor: str,
    clock: Clock | None = None,
) -> CaseClockEvent:
    """Record a continuation decision of `on`: the clock runs again from the next day (status
    resolving)."""
    clock = clock or Clock()
    last = _last_pause_event(events_of(session, petition))
    if last is None or last.kind != "suspension":
        raise CaseError(f"Đơn {petition.receipt_no} không bị tạm đình chỉ: không có gì để tiếp tục giải quyết")
    if on < last.on_date:
        raise CaseError(
            f"Ngày tiếp tục giải quyết {on:%d/%m/%Y} trước ngày tạm đình chỉ {last.on_date:%d/%m/%Y}"
        )
    event = _record(
        session, petition, clock, kind="continuation", on_date=on, reason="", decision_no=decision_no,
        created_by=actor,
    )
    set_status(petition, "resolving", clock=clock)
    return event


def extend(
    session: Session,
    petition: Petition,
    *,
    on: date,
    complexity: str,
    reason: str,
    decision_no: str | None = None,
    actor: str,
    limits: Mapping[str, int] | None = None,
    processes_dir: Path | None = None,
    clock: Clock | None = None,
) -> CaseClockEvent:
    """Record an extension decision (gia hạn) of a denunciation; see the module docstring.
    `limits` defaults to the catalogue of `processes_dir` (default: the configured one)."""
    clock = clock or Clock()
    if complexity not in COMPLEXITIES:
        raise CaseError(f"Mức độ phức tạp không hợp lệ: {complexity!r} (cho phép: {', '.join(COMPLEXITIES)})")
    if not reason or not reason.strip():
        raise CaseError("Quyết định gia hạn phải ghi rõ lý do")
    if petition.petition_type != "denunciation":
        raise CaseError(f"Chỉ gia hạn giải quyết tố cáo; đơn {petition.receipt_no} không phải đơn tố cáo")
    if petition.status not in ("accepted", "resolving", "suspended"):
        raise CaseError(f"Đơn {petition.receipt_no} không ở trạng thái đang giải quyết: không thể gia hạn")
    limits = dict(limits) if limits is not None else extension_limits(processes_dir)
    allowed = limits.get(complexity, 0)
    done = [e for e in events_of(session, petition) if e.kind == "extension"]
    if len(done) + 1 > allowed:
        raise CaseError(
            f"{COMPLEXITIES[complexity][0]} chỉ được gia hạn tối đa {allowed} lần; "
            f"đơn {petition.receipt_no} đã được gia hạn {len(done)} lần"
        )
    return _record(
        session, petition, clock, kind="extension", on_date=on, complexity=complexity, reason=reason.strip(),
        decision_no=decision_no, created_by=actor,
    )


def adjustments(session: Session, business_key: str) -> tuple[list[tuple[date, date]], list[ExtensionGrant]]:
    """The closed pauses (suspension date, continuation date), in order, and the extension
    grants of the case with `business_key`, for `Deadlines.due`; ([], []) for an unknown key."""
    petition = session.execute(select(Petition).where(Petition.business_key == business_key)).scalar_one_or_none()
    if petition is None:
        return [], []
    pauses: list[tuple[date, date]] = []
    grants: list[ExtensionGrant] = []
    opened: date | None = None
    for event in events_of(session, petition):
        if event.kind == "suspension":
            opened = event.on_date
        elif event.kind == "continuation" and opened is not None:
            pauses.append((opened, event.on_date))
            opened = None
        elif event.kind == "extension":
            grants.append(ExtensionGrant(event.complexity or "", event.reason))
    return pauses, grants
