"""Append-only audit log with a hash chain.

Every row stores the hash of the previous row and its own hash over (seq, time, actor, action,
case, instance, task, detail, previous hash). Writers lock the single head row, so entries are
numbered without gaps in commit order and the chain never forks; `verify` names the first row
whose content, link or number is wrong, and a missing tail is caught by comparing with the head.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .clock import Clock
from .driver_sql import DriverStatement
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
_HEAD_ID = 1
# Core tables: audit rows are written on every step and never read back in it.
_LOG = AuditEntry.__table__
_HEAD = AuditHead.__table__
# Built once: constructing statements per call costs more than executing them on SQLite.
_READ_HEAD = select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == _HEAD_ID).with_for_update()
_INSERT_ENTRY = DriverStatement(
    "INSERT INTO audit_log (seq, at, actor, action, business_key, instance_id, task_id, detail, prev_hash, hash) "
    "VALUES (:seq, :at, :actor, :action, :business_key, :instance_id, :task_id, :detail_json, :prev_hash, :hash)"
)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == _HEAD_ID)
    .values(last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
)
_MOVE_CACHED_HEAD = DriverStatement(
    f"UPDATE audit_head SET last_seq = :new_seq, last_hash = :new_hash "
    f"WHERE id = {_HEAD_ID} AND last_seq = :old_seq AND last_hash = :old_hash"
)


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


_FIELDS = ("seq", "at", "actor", "action", "business_key", "instance_id", "task_id", "detail_json", "prev_hash")


def _digest(entry) -> str:
    """The hash of an entry, given as a stored row or as the mapping `record` builds."""
    get = entry.get if isinstance(entry, dict) else entry.__getattribute__
    fields = [get(name) for name in _FIELDS]
    fields[1] = fields[1].isoformat(timespec="microseconds")
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


class _HeadCache:
    """The chain's head as this process last wrote or read it, per database.

    Appending with it needs no read: the head moves by an UPDATE whose WHERE clause demands the
    cached (seq, hash), so a head moved by anyone else (or a rolled-back write of ours) makes the
    UPDATE match nothing, and the writer falls back to reading the head under lock.
    """

    def __init__(self):
        self._heads: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, str] | None:
        with self._lock:
            return self._heads.get(key)

    def set(self, key: str, head: tuple[int, str]) -> None:
        with self._lock:
            self._heads[key] = head


_heads = _HeadCache()


def _read_head(session: Session) -> tuple[int, str]:
    head = session.execute(_READ_HEAD).first()
    if head is None:
        session.execute(insert(_HEAD).values(id=_HEAD_ID, last_seq=0, last_hash=GENESIS))
        return 0, GENESIS
    return head.last_seq, head.last_hash


def _advance_head(session: Session, key: str, make_entry) -> dict:
    """Move the head to a new entry built on the previous one; return that entry."""
    cached = _heads.get(key)
    if cached is not None:
        entry = make_entry(*cached)
        moved = _MOVE_CACHED_HEAD.execute(
            session,
            {"new_seq": entry["seq"], "new_hash": entry["hash"], "old_seq": cached[0], "old_hash": cached[1]},
        ).rowcount
        if moved == 1:
            _heads.set(key, (entry["seq"], entry["hash"]))
            return entry
    entry = make_entry(*_read_head(session))
    session.execute(_MOVE_HEAD, {"new_seq": entry["seq"], "new_hash": entry["hash"]})
    _heads.set(key, (entry["seq"], entry["hash"]))
    return entry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    business_key: str | None = None,
    instance_id: int | None = None,
    task_id: str | None = None,
    detail: dict | None = None,
    clock: Clock | None = None,
) -> dict:
    """Append one entry inside the caller's transaction (it commits or rolls back with it);
    `session` is an ORM session or a Core connection. Returns the entry's values."""
    at = (clock or Clock()).now()
    detail_json = canonical_json(detail or {})

    def make_entry(last_seq: int, last_hash: str) -> dict:
        entry = {
            "seq": last_seq + 1,
            "at": at,
            "actor": actor,
            "action": action,
            "business_key": business_key,
            "instance_id": instance_id,
            "task_id": task_id,
            "detail_json": detail_json,
            "prev_hash": last_hash,
        }
        entry["hash"] = _digest(entry)
        return entry

    bind = session.engine if hasattr(session, "engine") else session.get_bind()
    # A session bound to a connection (a handler's, inside a step) gives the connection.
    entry = _advance_head(session, str(getattr(bind, "engine", bind).url), make_entry)
    _INSERT_ENTRY.execute(session, entry)
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 5000) -> Verification:
    """Walk the chain in order; stop at the first altered, missing or reordered row."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return Verification(False, checked, expected_seq, f"entry {expected_seq} is missing")
            if row.prev_hash != expected_prev:
                return Verification(False, checked, row.seq, "link to the previous entry is broken")
            if _digest(row) != row.hash:
                return Verification(False, checked, row.seq, "content does not match its hash")
            expected_prev, expected_seq, checked = row.hash, row.seq + 1, checked + 1
        last_seq = rows[-1].seq
        session.expunge_all()
    head = session.get(AuditHead, _HEAD_ID)
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return Verification(
            False, checked, checked + 1, f"entries after {checked} are missing (head says {head.last_seq})"
        )
    return Verification(True, checked)


def entries_for_case(session: Session, business_key: str) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry).where(AuditEntry.business_key == business_key).order_by(AuditEntry.seq)
        ).scalars()
    )


def last_event_for_task(session: Session, task_id: str, action: str) -> AuditEntry | None:
    return session.execute(
        select(AuditEntry)
        .where(AuditEntry.task_id == task_id, AuditEntry.action == action)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
