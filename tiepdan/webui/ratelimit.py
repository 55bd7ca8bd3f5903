"""Login rate limiting, kept in the database (table `login_attempt`).

A counter in memory would hold only within one process; `tiepdan serve` is one process, but a
deployment runs several gunicorn workers behind one PostgreSQL, and an attacker's requests land
on all of them. So each failed sign-in is one row, and a sign-in is refused (429) while either
the username or the client address has too many failures in the window:

* per username: `LOGIN_MAX_FAILURES` (5) in `LOGIN_WINDOW_MINUTES` (15): guessing one account;
* per address: `LOGIN_MAX_FAILURES_PER_IP` (20): spraying many accounts from one machine. It is
  higher because a whole office may sign in from behind one NAT address.

A successful sign-in clears that username's failures (not the address's: an attacker who owns
one account must not reset the counter of the accounts he sprays). Rows older than a day are
deleted as new failures are written, so the table stays small. The address is
`request.remote_addr`: behind a reverse proxy, wrap the app in werkzeug's ProxyFix.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tiepdan.cases.models import LoginAttempt

KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    per_username: int = 5
    per_ip: int = 20
    window: timedelta = timedelta(minutes=15)


def normalise(username: str) -> str:
    return (username or "").strip().lower()[:100]


def blocked_for(session: Session, username: str, ip: str, now: datetime, limits: Limits) -> int:
    """Minutes until a sign-in is allowed again (0: allowed now)."""
    since = now - limits.window
    waits = []
    for column, value, limit in (
        (LoginAttempt.username, normalise(username), limits.per_username),
        (LoginAttempt.ip, ip[:64], limits.per_ip),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(column == value, LoginAttempt.at > since)
        ).one()
        if count >= limit:
            # The window reopens when enough of the failures age out; the oldest is a fair bound.
            waits.append(max(1, math.ceil((oldest + limits.window - now).total_seconds() / 60)))
    return max(waits, default=0)


def record_failure(session: Session, username: str, ip: str, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    session.add(LoginAttempt(at=now, username=normalise(username), ip=ip[:64]))
    session.flush()


def clear(session: Session, username: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == normalise(username)))
