"""`tiepdan serve` (web + timer tick in one process) and `tiepdan worker` (timer tick only)."""
from __future__ import annotations

import logging

import click

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    # APScheduler reports every tick at INFO; our tick logs when it fires something.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

from . import notify_cmd
from .common import build_services


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--tick", default=15.0, show_default=True, help="Seconds between timer ticks.")
def serve(host: str, port: int, tick: float) -> None:
    """Serve the web UI with the timer scheduler in the same process (the demo set-up)."""
    from werkzeug.serving import run_simple

    from ..engine.scheduler import make_scheduler
    from ..webui import create_app

    _configure_logging()
    services = build_services()
    scheduler = make_scheduler(services.runtime, tick)
    notify_cmd.schedule(scheduler, services)
    scheduler.start()
    click.echo(f"tiepdan on http://{host}:{port}/", err=True)
    try:
        run_simple(host, port, create_app(services), threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)


@click.command("worker")
@click.option("--tick", default=15.0, show_default=True, help="Seconds between timer ticks.")
def worker(tick: float) -> None:
    """Fire due timers forever; run as many as you like against one PostgreSQL."""
    from ..engine.scheduler import make_scheduler

    _configure_logging()
    services = build_services()
    click.echo("tiepdan worker: firing due timers, writing the daily digest, sending e-mail", err=True)
    scheduler = make_scheduler(services.runtime, tick, blocking=True)
    notify_cmd.schedule(scheduler, services)
    scheduler.start()


commands = [serve, worker]
