"""A worker the crash tests kill with SIGKILL in the middle of a step.

usage: python -m tests.engine.crash_child DB_URL PROCESSES_DIR complete TASK_ID CONTENT
       python -m tests.engine.crash_child DB_URL PROCESSES_DIR timers ISO_NOW
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from tiepdan import wiring
from tiepdan.config import Settings
from tiepdan.engine.clock import FixedClock

from . import ops


def main(url: str, processes_dir: str, action: str, *args: str) -> None:
    settings = Settings(database_url=url, var_dir=Path(processes_dir).parent, processes_dir=Path(processes_dir))
    if action == "complete":
        services = wiring.build(settings, clock=FixedClock(datetime(2026, 3, 2, 3)), operations=ops.OPERATIONS)
        services.runtime.complete_task(args[0], {"content": args[1], "received_on": "2026-03-02"}, actor="victim")
    else:
        services = wiring.build(settings, clock=FixedClock(datetime.fromisoformat(args[0])), operations=ops.OPERATIONS)
        services.runtime.fire_due_timers()


if __name__ == "__main__":
    main(*sys.argv[1:])
