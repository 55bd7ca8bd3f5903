"""E-mail through an outbox table: a message is queued in the transaction that decides to send
it (`enqueue`, idempotent by key), and a sender (`send_pending`, run every minute by the worker
or `tiepdan notify send`) delivers it with smtplib.

Delivery, in three steps, each its own transaction:

1. claim: pending rows whose time has come become `sending` (attempts + 1, claimed_at = now).
   On PostgreSQL the rows are picked with SELECT ... FOR UPDATE SKIP LOCKED, so racing senders
   take disjoint rows without waiting; on SQLite (one writer at a time) each row is taken by a
   conditional UPDATE ... WHERE status = 'pending', which only one sender can win.
2. send over SMTP, outside any transaction.
3. mark: `sent` (with sent_at) on success; on failure back to `pending` with the error and the
   next attempt after an exponential backoff, or `failed` after MAX_ATTEMPTS.

A row marked `sent` is never claimed again. The one window for a duplicate is a crash (or a lost
database connection) after the SMTP server accepted a message and before step 3 committed: the
row stays `sending`, and once its claim is older than LEASE it is claimed again and re-sent.
Every message carries a Message-ID made from its idempotency key, so a receiving system can
drop that duplicate. The window is the time of one commit; the alternative (never retrying a
stale `sending` row) would lose mail instead.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tiepdan.engine.clock import Clock
from tiepdan.engine.db import transaction

from .models import OutboxMessage

MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  # 1, 2, 4, 8 minutes between the attempts
LEASE = timedelta(minutes=10)  # a `sending` row older than this was abandoned by a crashed sender
BATCH = 50


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "tiepdan@localhost"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings) -> "SmtpConfig | None":
        """None when no SMTP host is configured (then no e-mail is queued)."""
        if not settings.smtp_host:
            return None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
                   settings.smtp_from)


def enqueue(session: Session, *, key: str, recipient: str, subject: str, body: str,
            clock: Clock | None = None) -> OutboxMessage | None:
    """Queue an e-mail in `session`'s transaction; None when `key` is already queued."""
    if session.execute(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
        return None
    now = (clock or Clock()).now()
    row = OutboxMessage(idempotency_key=key, recipient=recipient, subject=subject, body=body, status="pending",
                        attempts=0, next_attempt_at=now, last_error="", created_at=now)
    try:
        with session.begin_nested():  # a concurrent writer of the same key wins; this one is a no-op
            session.add(row)
    except IntegrityError:
        return None
    return row


def _claim(sessions: sessionmaker, now: datetime, limit: int) -> list[int]:
    due = or_(
        (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - LEASE),
    )
    with transaction(sessions) as session:
        query = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.execute(query.with_for_update(skip_locked=True)).scalars())
            if ids:
                session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(
                    status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1))
            return ids
        ids = []
        for candidate in session.execute(query).scalars().all():
            won = session.execute(update(OutboxMessage).where(OutboxMessage.id == candidate, due).values(
                status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1))
            if won.rowcount == 1:
                ids.append(candidate)
        return ids


def _message(row: OutboxMessage, smtp: SmtpConfig) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = smtp.sender, row.recipient, row.subject
    domain = smtp.sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(idstring=row.idempotency_key.replace(":", "."), domain=domain)
    msg.set_content(row.body)
    return msg


def _deliver(msg: EmailMessage, smtp: SmtpConfig) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
        client.ehlo()
        if smtp.user:
            if client.has_extn("starttls"):
                client.starttls()
                client.ehlo()
            client.login(smtp.user, smtp.password)
        client.send_message(msg)


def _mark(sessions: sessionmaker, row_id: int, now: datetime, error: str | None) -> str:
    with transaction(sessions) as session:
        row = session.get(OutboxMessage, row_id)
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", now, ""
        elif row.attempts >= MAX_ATTEMPTS:
            row.status, row.last_error = "failed", error
        else:
            row.status, row.last_error = "pending", error
            row.next_attempt_at = now + BACKOFF * (2 ** (row.attempts - 1))
        return row.status


def send_pending(sessions: sessionmaker, smtp: SmtpConfig, *, clock: Clock | None = None,
                 limit: int = BATCH) -> dict[str, int]:
    """Claim, send and mark up to `limit` due messages; the counts by resulting status."""
    clock = clock or Clock()
    counts = {"sent": 0, "pending": 0, "failed": 0}
    for row_id in _claim(sessions, clock.now(), limit):
        with sessions() as session:
            row = session.get(OutboxMessage, row_id)
            msg = _message(row, smtp)
        try:
            _deliver(msg, smtp)
            error = None
        except (OSError, smtplib.SMTPException) as err:
            error = f"{type(err).__name__}: {err}"[:2000]
        counts[_mark(sessions, row_id, clock.now(), error)] += 1
    return counts
