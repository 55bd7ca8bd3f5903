"""The engine's tables: process versions, instances, the open-task index, timers, audit, calendar.

Datetimes are naive UTC throughout; statutory due dates are local calendar dates (a legal period
ends at 24:00 of its last day, so a date is the whole truth).
"""
from __future__ import annotations

import json

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base


class ProcessVersion(Base):
    """An immutable version of one BPMN process with the assets it uses, named by content hash."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    # draft | published | retired
    status: Mapped[str] = mapped_column(String(20), default="draft")
    bpmn_xml: Mapped[str] = mapped_column(Text)
    # {"forms": {name: definition}, "rules": {id: [...]}, "documents": {name: sha256}}
    assets: Mapped[dict] = mapped_column(JSON, default=dict)
    source_path: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ProcessInstance(Base):
    """One running procedure; `state` is the SpiffWorkflow task tree without its spec."""

    __tablename__ = "process_instance"
    # By status and age, with the unit: errors, suspensions, and a subtree's instances waiting
    # too long counted from the index (cases.monitoring).
    __table_args__ = (Index("ix_instance_status_updated_unit", "status", "updated_at", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str] = mapped_column(String(100), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    # running | waiting | completed | error | suspended | terminated
    status: Mapped[str] = mapped_column(String(20), default="running")
    state: Mapped[str] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    error_task: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error_operation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __mapper_args__ = {"version_id_col": lock_version}


class TaskIndex(Base):
    """One row per open human task: everything the inbox and the monitor filter or sort on."""

    __tablename__ = "task_index"
    __table_args__ = (
        # An officer's own tasks (assignee and unit: "my tasks" and its count), in due order.
        Index("ix_task_assignee_unit_due", "assignee", "unit_id", "due_date"),
        Index("ix_task_queue", "unit_id", "role", "assignee", "due_date"),
        Index("ix_task_unit_due", "unit_id", "due_date"),
        # The inbox's whole order (due date, nulls last; created; id) and the unit: the first
        # page of a large subtree (a province) and overdue across every unit are a walk in
        # this order that stops at the page's end (webui.inbox._subtree_in_due_order).
        Index("ix_task_due_order", "due_date", "created_at", "id", "unit_id"),
        # The distinct kinds of task, and "has this unit (queue, subtree) a task of this kind?",
        # by seeks: the inbox's task filter (webui.inbox.task_choices).
        Index("ix_task_spec_scope", "task_spec", "unit_id", "role", "assignee"),
        # Open tasks by procedure and stage with the unit, due date and age: the monitor's
        # figures and heatmap from the index alone (cases.monitoring).
        Index("ix_task_stage", "process_id", "task_spec", "unit_id", "due_date", "created_at", "instance_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    business_key: Mapped[str] = mapped_column(String(100), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    task_spec: Mapped[str] = mapped_column(String(200))
    task_name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    form: Mapped[str | None] = mapped_column(String(200), nullable=True)
    deadline_rule: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # open | suspended (the instance is suspended or in error)
    state: Mapped[str] = mapped_column(String(20), default="open")


class Timer(Base):
    """A durable timer: the tick claims rows with fire_at <= now and fired_at IS NULL."""

    __tablename__ = "timer"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        Index(
            "ix_timer_due",
            "fire_at",
            sqlite_where=text("fired_at IS NULL"),
            postgresql_where=text("fired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Served by the unique (instance_id, task_id) index; no index of its own.
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(200))
    fire_at: Mapped[datetime] = mapped_column(DateTime)
    fired_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """Append-only; each row carries the hash of the previous one (see engine.audit).

    `seq` is assigned by the writer holding the head lock, so the sequence has no gaps and a
    deleted row is seen as one.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    business_key: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    # Canonical JSON text, exactly the bytes the hash covers: verification never depends on how
    # a database or a JSON library re-encodes a document.
    detail_json: Mapped[str] = mapped_column("detail", Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def detail(self) -> dict:
        return json.loads(self.detail_json)


class AuditHead(Base):
    """The single row naming the chain's last entry; locking it serialises audit writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


# The database itself refuses to change or remove audit rows; `tiepdan audit verify` catches
# whoever gets around that (by dropping the trigger, or editing the file).
_APPEND_ONLY_SQLITE = [
    DDL(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    ),
    DDL(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    ),
]
_APPEND_ONLY_PG = [
    DDL(
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql"
    ),
    DDL(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    ),
]
for _ddl in _APPEND_ONLY_SQLITE:
    event.listen(AuditEntry.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in _APPEND_ONLY_PG:
    event.listen(AuditEntry.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))


class CalendarOverride(Base):
    """An administrator's correction of the holiday table: `holiday` or `workday` on a date."""

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
