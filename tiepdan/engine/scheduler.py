"""The periodic tick that fires due timers, driven by APScheduler.

Any number of workers may run it: each timer is claimed in its own transaction (SKIP LOCKED on
PostgreSQL), so every timer fires once.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .runtime import Runtime

log = logging.getLogger(__name__)


def tick(runtime: Runtime) -> int:
    fired = runtime.fire_due_timers()
    if fired:
        log.info("fired %d timer(s)", fired)
    return fired


def make_scheduler(runtime: Runtime, interval_seconds: float = 15, *, blocking: bool = False):
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    # One tick at a time per process; a slow tick delays the next instead of piling up.
    scheduler.add_job(tick, "interval", args=[runtime], seconds=interval_seconds, max_instances=1, coalesce=True, id="timers")
    return scheduler
