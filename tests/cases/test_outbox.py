"""The e-mail outbox against a real SMTP server on loopback (tests/support/smtp_server.py), on
both backends: queued once per key, sent once, retried with backoff after a failure, given up
after MAX_ATTEMPTS, an abandoned claim taken again, and two senders racing on PostgreSQL."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from tiepdan.cases import outbox
from tiepdan.cases.models import OutboxMessage
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.db import transaction

from ..support.smtp_server import SmtpServer

T0 = datetime(2026, 3, 2, 1, 0)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def _config(server: SmtpServer) -> outbox.SmtpConfig:
    return outbox.SmtpConfig(server.host, server.port, sender="tiepdan@ubnd.example.vn", timeout=5)


def _queue(db, clock, n: int = 1, prefix: str = "k") -> None:
    with transaction(db.sessions) as s:
        for i in range(n):
            outbox.enqueue(s, key=f"{prefix}:{i}", recipient=f"nguoi{i}@example.vn", subject=f"Tổng hợp số {i}",
                           body=f"Nội dung thư {i}: việc quá hạn", clock=clock)


def _rows(db) -> list[OutboxMessage]:
    with db.sessions() as s:
        return list(s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_queued_once_sent_once(db, smtp):
    clock = FixedClock(T0)
    _queue(db, clock)
    _queue(db, clock)  # the same key again: no second row
    assert len(_rows(db)) == 1
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock) == {"sent": 1, "pending": 0, "failed": 0}
    [(sender, recipients, msg)] = smtp.messages
    assert (sender, recipients) == ("tiepdan@ubnd.example.vn", ["nguoi0@example.vn"])
    assert msg["Subject"] == "Tổng hợp số 0" and "việc quá hạn" in msg.get_content()
    assert "k.0" in msg["Message-ID"]
    [row] = _rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, T0)
    # A sent row is never taken again, however much later.
    clock.advance(days=1)
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock) == {"sent": 0, "pending": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_failure_then_retry_with_backoff(db, smtp):
    clock = FixedClock(T0)
    _queue(db, clock)
    smtp.failing = True
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock)["pending"] == 1
    [row] = _rows(db)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, T0 + outbox.BACKOFF)
    assert "451" in row.last_error
    smtp.failing = False
    # Not due yet: nothing is attempted.
    clock.advance(seconds=30)
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock)["sent"] == 0
    assert smtp.messages == []
    clock.advance(seconds=30)
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock)["sent"] == 1
    assert len(smtp.messages) == 1
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_unreachable_server_gives_up_after_max_attempts(db):
    clock = FixedClock(T0)
    _queue(db, clock)
    with SmtpServer() as dead:
        config = _config(dead)
    statuses = []
    for _ in range(outbox.MAX_ATTEMPTS):
        statuses.append(next(k for k, v in outbox.send_pending(db.sessions, config, clock=clock).items() if v))
        clock.advance(hours=1)
    assert statuses == ["pending"] * (outbox.MAX_ATTEMPTS - 1) + ["failed"]
    [row] = _rows(db)
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert outbox.send_pending(db.sessions, config, clock=clock) == {"sent": 0, "pending": 0, "failed": 0}


def test_an_abandoned_claim_is_taken_again_after_the_lease(db, smtp):
    """A sender that crashed after claiming leaves the row `sending`: the documented window."""
    clock = FixedClock(T0)
    _queue(db, clock)
    with transaction(db.sessions) as s:
        row = s.execute(select(OutboxMessage)).scalar_one()
        row.status, row.claimed_at, row.attempts = "sending", T0, 1
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock)["sent"] == 0
    clock.advance(seconds=outbox.LEASE.total_seconds() + 1)
    assert outbox.send_pending(db.sessions, _config(smtp), clock=clock)["sent"] == 1
    assert len(smtp.messages) == 1 and _rows(db)[0].attempts == 2


def test_two_senders_racing_send_each_message_once(pg_db, smtp):
    clock = FixedClock(T0)
    _queue(pg_db, clock, n=40)
    barrier = threading.Barrier(2)
    results = []

    def sender():
        barrier.wait()
        results.append(outbox.send_pending(pg_db.sessions, _config(smtp), clock=clock, limit=40))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r["sent"] for r in results) == 40
    subjects = sorted(msg["Subject"] for _, _, msg in smtp.messages)
    assert subjects == sorted(f"Tổng hợp số {i}" for i in range(40))
    assert {r.status for r in _rows(pg_db)} == {"sent"} and {r.attempts for r in _rows(pg_db)} == {1}
