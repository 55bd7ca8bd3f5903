"""`tiepdan notify digest [--date D]` (the supervisors' daily escalation digest) and
`tiepdan notify send` (drain the e-mail outbox), and the worker's schedule of both: the digest
daily at TIEPDAN_DIGEST_HOUR (Vietnam time), the sender every minute when SMTP is configured.
"""
from __future__ import annotations

import logging
from datetime import date, datetime

import click

from .common import build_services, fail

log = logging.getLogger(__name__)
SEND_EVERY_SECONDS = 60


def run_digest(services, day: date | None = None) -> dict[str, int]:
    from ..cases import notifications, outbox
    from ..engine.db import transaction

    day = day or services.runtime.clock.today()
    with transaction(services.sessions) as session:
        counts = notifications.daily_digest(session, day, smtp=outbox.SmtpConfig.from_settings(services.settings),
                                            clock=services.runtime.clock)
    if counts["notifications"] or counts["emails"]:
        log.info("digest %s: %d notification(s), %d e-mail(s) queued", day, counts["notifications"], counts["emails"])
    return counts


def run_sender(services) -> dict[str, int]:
    from ..cases import outbox

    smtp = outbox.SmtpConfig.from_settings(services.settings)
    if smtp is None:
        return {}
    counts = outbox.send_pending(services.sessions, smtp, clock=services.runtime.clock)
    if any(counts.values()):
        log.info("outbox: %s", counts)
    return counts


def schedule(scheduler, services) -> None:
    """Add the digest and the outbox sender to the worker's scheduler (`engine.scheduler`)."""
    from ..engine.clock import LOCAL_TZ

    scheduler.add_job(run_digest, "cron", args=[services], hour=services.settings.digest_hour, minute=0,
                      timezone=LOCAL_TZ, max_instances=1, coalesce=True, id="digest")
    if services.settings.smtp_host:
        scheduler.add_job(run_sender, "interval", args=[services], seconds=SEND_EVERY_SECONDS, max_instances=1,
                          coalesce=True, id="outbox")


@click.group("notify")
def notify() -> None:
    """Notifications: the daily digest and the e-mail outbox."""


@notify.command("digest")
@click.option("--date", "day", help="the digest's day (YYYY-MM-DD; default today, Vietnam time)")
def digest(day: str | None) -> None:
    """Write the supervisors' digest for a day (idempotent: run twice, written once)."""
    try:
        parsed = datetime.strptime(day, "%Y-%m-%d").date() if day else None
    except ValueError:
        fail(f"--date: not a date: {day!r} (YYYY-MM-DD)")
    counts = run_digest(build_services(), parsed)
    click.echo(f"notifications: {counts['notifications']}, e-mails queued: {counts['emails']}")


@notify.command("send")
def send() -> None:
    """Send the due e-mails of the outbox once (the worker does it every minute)."""
    services = build_services()
    if not services.settings.smtp_host:
        fail("TIEPDAN_SMTP_HOST is not set: no e-mail to send", code=1)
    counts = run_sender(services)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


commands = [notify]
