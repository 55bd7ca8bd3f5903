"""The instance row, read and written with pre-built Core statements.

Every step reads one instance and writes it back, so this is the hottest path in the engine;
the ORM's identity map and unit of work cost more here than the SQL itself. The optimistic check
is the UPDATE's own WHERE clause: a row count of zero means someone else stepped first.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import bindparam, insert, select

from .driver_sql import DriverStatement
from sqlalchemy.orm import Session

from .models import ProcessInstance

_T = ProcessInstance.__table__
_MUTABLE = ("status", "state", "error_task", "error_operation", "error_message", "updated_at", "completed_at")

_SELECT = select(_T).where(_T.c.id == bindparam("iid"))
_INSERT = insert(_T).returning(_T.c.id)
_SAVE = DriverStatement(
    "UPDATE process_instance SET "
    + ", ".join(f"{name} = :{name}" for name in _MUTABLE)
    + ", lock_version = :next_version WHERE id = :iid AND lock_version = :expected"
)


class StaleInstance(Exception):
    """The instance changed since it was read; the step must be abandoned."""


@dataclass
class InstanceRecord:
    id: int
    version_id: int
    process_id: str
    business_key: str
    unit_id: str | None
    status: str
    state: str
    lock_version: int
    error_task: str | None
    error_operation: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


_COLUMNS = [f.name for f in fields(InstanceRecord)]


def load(session: Session, instance_id: int) -> InstanceRecord | None:
    row = session.execute(_SELECT, {"iid": instance_id}).mappings().first()
    return InstanceRecord(**{c: row[c] for c in _COLUMNS}) if row is not None else None


def create(
    session: Session, *, version_id: int, process_id: str, business_key: str, unit_id: str | None, now: datetime
) -> InstanceRecord:
    values = dict(
        version_id=version_id,
        process_id=process_id,
        business_key=business_key,
        unit_id=unit_id,
        status="running",
        state="",
        lock_version=1,
        error_task=None,
        error_operation=None,
        error_message=None,
        created_at=now,
        updated_at=now,
        completed_at=None,
    )
    new_id = session.execute(_INSERT, values).scalar_one()
    return InstanceRecord(id=new_id, **values)


def save(session, record: InstanceRecord) -> None:
    """Write the mutable columns back, if and only if nobody else did since we read them.
    `session` is a Core connection (or the engine's StepTx)."""
    params = {name: getattr(record, name) for name in _MUTABLE}
    params.update(iid=record.id, expected=record.lock_version, next_version=record.lock_version + 1)
    if _SAVE.execute(session, params).rowcount != 1:
        raise StaleInstance(f"instance {record.id} was changed by someone else")
    record.lock_version += 1
