"""kill -9 of a worker in the middle of a step: after restart nothing is lost or applied twice."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime

from sqlalchemy import func, select

from tiepdan.config import REPO_ROOT
from tiepdan.engine.models import AuditEntry, TaskIndex, Timer

from . import ops
from .test_runtime import COMPLAINT, count, open_tasks, start_and_register


def kill_mid_step(db, processes_dir, tmp_path, *args) -> None:
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.crash_child", db.url, str(processes_dir), *args],
        cwd=REPO_ROOT,
        env={**os.environ, "TIEPDAN_TEST_MARKER": str(marker)},
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, "the child never reached the handler"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


def test_killed_completion_leaves_the_task_open_and_runs_once_after_restart(db, services, processes_dir, tmp_path):
    services.runtime.start("review", "HS-1", unit_id="u1", actor="officer")
    [register] = open_tasks(services, "HS-1")
    kill_mid_step(db, processes_dir, tmp_path, "complete", register.id, "khiếu nại hang")

    # Restarted: the killed step left no trace, not even the handler's flushed row.
    assert [t.id for t in open_tasks(services, "HS-1")] == [register.id]
    assert count(services, ops.Note) == 0
    assert count(services, AuditEntry, AuditEntry.action == "task.complete") == 0
    services.runtime.complete_task(register.id, COMPLAINT, actor="officer")
    assert [t.task_spec for t in open_tasks(services, "HS-1")] == ["decide"]
    assert count(services, ops.Note) == 1


def test_killed_timer_step_fires_once_after_restart(db, services, processes_dir, tmp_path):
    start_and_register(services, data={**COMPLAINT, "content": "khiếu nại hang"})
    assert count(services, ops.Note) == 1
    kill_mid_step(db, processes_dir, tmp_path, "timers", "2026-03-17T00:00:00")

    assert count(services, Timer, Timer.fired_at.is_(None)) == 1
    assert [t.task_spec for t in open_tasks(services, "HS-1")] == ["decide"]
    assert count(services, ops.Note) == 1
    services.runtime.clock.at = datetime(2026, 3, 17)
    os.environ.pop("TIEPDAN_TEST_MARKER", None)
    assert services.runtime.fire_due_timers() == 1
    assert services.runtime.fire_due_timers() == 0
    assert [t.task_spec for t in open_tasks(services, "HS-1")] == ["escalated"]
    assert count(services, ops.Note) == 2
    assert count(services, AuditEntry, AuditEntry.action == "timer.fire") == 1
