"""In-app notifications (the bell) and the daily escalation digest.

A notification belongs to one user and is written at most once per key. The digest
(`daily_digest`, run by the worker at the configured hour or by `tiepdan notify digest`) tells
each supervisor what needs them in the units they oversee (their unit and its subtree): the
escalations the diagrams' boundary timers recorded (audit action `task.escalation`, see
handlers/escalation.py) on the day before, and the tasks open past their due date. Its key is
"digest:<username>:<date>", so running it twice for a day writes one notification and queues
one e-mail. The text names cases by receipt number and tasks by name only: no party, and so no
denouncer, ever appears in it.
"""
from __future__ import annotations

from dataclasses import dataclass
import json
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tiepdan.engine.clock import LOCAL_TZ, Clock
from tiepdan.engine.models import AuditEntry, ProcessInstance, TaskIndex

from . import outbox
from .models import Notification, Petition, User, UserRole
from .units import subtree_filter

DIGEST_ROLE = "supervisor"
ESCALATION = "task.escalation"
LIST_LIMIT = 50
DIGEST_LINES = 100  # a digest lists this many tasks of each kind, then says how many more


def notify(session: Session, user: User, *, key: str, subject: str, body: str = "", link: str = "",
           clock: Clock | None = None) -> Notification | None:
    """Write a notification for `user` in `session`'s transaction; None when `key` exists."""
    if session.execute(select(Notification.id).where(Notification.key == key)).first():
        return None
    row = Notification(key=key, user_id=user.id, subject=subject[:300], body=body, link=link[:300],
                       created_at=(clock or Clock()).now())
    try:
        with session.begin_nested():  # a concurrent run wrote it first
            session.add(row)
    except IntegrityError:
        return None
    return row


def for_user(session: Session, user: User, *, limit: int = LIST_LIMIT) -> list[Notification]:
    """The user's notifications, unread first, newest first."""
    return list(session.execute(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).scalars())


def unread_count(session: Session, user: User) -> int:
    return session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def mark_read(session: Session, user: User, ids: list[int] | None = None, *, clock: Clock | None = None) -> int:
    """Mark `ids` (all when None) of `user`'s notifications read; another user's are untouched."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return session.execute(query.values(read_at=(clock or Clock()).now())).rowcount


# --- the daily digest --------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    receipt_no: str
    task: str
    on: date  # the escalation's day, or the task's due date


def _utc(day: date) -> datetime:
    """Local midnight at the start of `day`, as naive UTC."""
    return datetime.combine(day, time.min, LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _receipt(key_column):
    return select(Petition.receipt_no).where(Petition.business_key == key_column).scalar_subquery()


def escalations(session: Session, user: User, day: date) -> list[DigestLine]:
    """The escalations recorded on the local day `day` in cases of `user`'s unit subtree."""
    rows = session.execute(
        select(_receipt(AuditEntry.business_key), AuditEntry.detail_json, AuditEntry.at, AuditEntry.business_key)
        .join(ProcessInstance, ProcessInstance.id == AuditEntry.instance_id)
        .where(AuditEntry.action == ESCALATION, AuditEntry.at >= _utc(day), AuditEntry.at < _utc(day + timedelta(1)),
               subtree_filter(session, user.unit, ProcessInstance.unit_id))
        .order_by(AuditEntry.seq)
    ).all()
    names = _task_names(session, [key for *_, key in rows])
    lines = []
    for receipt, detail, _at, key in rows:
        task = json.loads(detail or "{}").get("task", "")
        lines.append(DigestLine(receipt or key, names.get((key, task), task), day))
    return lines


def _task_names(session: Session, keys: list[str]) -> dict[tuple[str, str], str]:
    """(business key, task spec) -> the task's name, for the escalated tasks."""
    if not keys:
        return {}
    return {(k, spec): name for k, spec, name in session.execute(
        select(TaskIndex.business_key, TaskIndex.task_spec, TaskIndex.task_name)
        .where(TaskIndex.business_key.in_(set(keys))))}


def overdue_tasks(session: Session, user: User, day: date) -> list[DigestLine]:
    """Open tasks of `user`'s unit subtree whose due date is before `day`, most overdue first."""
    return [DigestLine(receipt or key, name, due) for receipt, key, name, due in session.execute(
        select(_receipt(TaskIndex.business_key), TaskIndex.business_key, TaskIndex.task_name, TaskIndex.due_date)
        .where(TaskIndex.state == "open", TaskIndex.due_date.is_not(None), TaskIndex.due_date < day,
               subtree_filter(session, user.unit, TaskIndex.unit_id))
        .order_by(TaskIndex.due_date, TaskIndex.business_key)
    )]


def _section(title: str, lines: list[DigestLine], what: str) -> list[str]:
    out = [f"{title} ({len(lines)}):"]
    out += [f"- Đơn {line.receipt_no}: {line.task} ({what} {line.on:%d/%m/%Y})" for line in lines[:DIGEST_LINES]]
    if len(lines) > DIGEST_LINES:
        out.append(f"- ... và {len(lines) - DIGEST_LINES} việc khác")
    return out


def supervisors(session: Session) -> list[User]:
    return list(session.execute(
        select(User).join(UserRole).where(UserRole.role == DIGEST_ROLE, User.active.is_(True)).order_by(User.username)
    ).scalars().unique())


def daily_digest(session: Session, day: date, *, smtp: "outbox.SmtpConfig | None" = None,
                 clock: Clock | None = None) -> dict[str, int]:
    """Write the digest of `day` for every supervisor who has something in it: a notification,
    and an outbox e-mail when `smtp` is configured and the user has an address. Escalations are
    those of the day before `day`; overdue tasks are those due before `day`. Idempotent."""
    counts = {"notifications": 0, "emails": 0}
    for user in supervisors(session):
        escalated = escalations(session, user, day - timedelta(days=1))
        overdue = overdue_tasks(session, user, day)
        if not escalated and not overdue:
            continue
        key = f"digest:{user.username}:{day.isoformat()}"
        subject = (f"Tổng hợp ngày {day:%d/%m/%Y}: {len(escalated)} việc chuyển cấp, "
                   f"{len(overdue)} việc quá hạn")
        body = "\n".join([f"{user.unit.name}, bao gồm đơn vị trực thuộc.", "",
                          *_section("Việc quá hạn đã chuyển cấp xem xét hôm trước", escalated, "ngày"), "",
                          *_section("Việc đang quá hạn", overdue, "hạn")])
        if notify(session, user, key=key, subject=subject, body=body, clock=clock):
            counts["notifications"] += 1
        if smtp is not None and user.email and outbox.enqueue(
                session, key=key, recipient=user.email, subject=subject, body=body, clock=clock):
            counts["emails"] += 1
    return counts
