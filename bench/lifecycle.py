"""Throughput of one realistic diagram, bare in memory versus through the persisted runtime.

The diagram (bench/processes/lifecycle.bpmn): a registration user task, the real classification
handler as a service task, a gateway, a decision user task with a statutory deadline and a
boundary timer on it. Both runs use the same sandboxed expressions and handler; the persisted
run adds what the product needs: a SQLite file in WAL mode, one transaction per step with the
state, task index, timers and audit chain.

usage: python bench/lifecycle.py [N] [--no-cache]      (last line: ratio=0.NN, persisted / bare)

--no-cache turns off the runtime's cache of committed workflows, so every step deserialises the
state as a process that did not run the previous step would.
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from SpiffWorkflow.util.task import TaskState
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tiepdan import wiring  # noqa: E402
from tiepdan.config import Settings  # noqa: E402
from tiepdan.engine.calendar import WorkingCalendar  # noqa: E402
from tiepdan.engine.clock import FixedClock  # noqa: E402
from tiepdan.engine.db import Base, transaction  # noqa: E402
from tiepdan.engine.deadlines import Deadlines  # noqa: E402
from tiepdan.engine.spiff_bridge import EngineWorkflow, StepContext, StepScope, TiepdanScriptEngine  # noqa: E402
from tiepdan.engine.timekeeping import expression_functions  # noqa: E402
from tiepdan.handlers import OPERATIONS  # noqa: E402

REGISTER = {"content": "Đơn khiếu nại quyết định thu hồi đất số 12", "received_on": "2026-03-02"}
DECIDE = {"decision": "accept", "note": ""}


class _FixedSource:
    """The bare run has no database: the calendar is built once from the holidays package."""

    def __init__(self, catalogue):
        self.deadlines = Deadlines(WorkingCalendar(), catalogue)

    def for_step(self, _tx):
        return self.deadlines


def processes_dir(tmp: Path) -> Path:
    target = tmp / "processes"
    shutil.copytree(ROOT / "bench" / "processes", target)
    shutil.copy(ROOT / "processes" / "roles.yaml", target / "roles.yaml")
    shutil.copytree(ROOT / "processes" / "rules", target / "rules")
    (target / "documents").mkdir(exist_ok=True)
    return target


def complete(wf: EngineWorkflow, spec_name: str, data: dict) -> None:
    [task] = [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == spec_name]
    task.set_data(**data)
    task.run()
    wf.do_engine_steps()


def run_bare(services, version_id: int, n: int) -> float:
    with services.sessions() as s:
        loaded = services.library.load(s, version_id)
    clock = services.runtime.clock
    functions = expression_functions(_FixedSource(services.catalogue), clock)(None)
    engine = TiepdanScriptEngine(functions, OPERATIONS)
    ctx = StepContext(None, 0, "bench", None, "lifecycle", "bench", clock)  # no transaction: nothing is stored
    started = time.perf_counter()
    with StepScope(ctx):
        for _ in tqdm(range(n), desc="bare SpiffWorkflow", unit="case", file=sys.stderr):
            wf = EngineWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=engine)
            wf.do_engine_steps()
            complete(wf, "register", REGISTER)
            complete(wf, "decide", DECIDE)
            assert wf.is_completed()
    return n / (time.perf_counter() - started)


def run_persisted(services, n: int, run: int = 0) -> float:
    runtime = services.runtime
    started = time.perf_counter()
    for i in tqdm(range(n), desc="persisted runtime", unit="case", file=sys.stderr):
        result = runtime.start("lifecycle", f"BENCH-{run}-{i}", unit_id="u1", actor="bench")
        registered = runtime.complete_task(result.open_tasks[0], REGISTER, actor="bench")
        done = runtime.complete_task(registered.open_tasks[0], DECIDE, actor="bench")
        assert done.status == "completed"
    return n / (time.perf_counter() - started)


def main(n: int = 300, cache: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        procs = processes_dir(tmp)
        settings = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", var_dir=tmp, processes_dir=procs)
        services = wiring.build(settings, clock=FixedClock(datetime(2026, 3, 2, 3)))
        if not cache:
            services.runtime.cache.size = 0
        Base.metadata.create_all(services.db)
        with transaction(services.sessions) as s:
            [version] = services.library.publish(s, (procs / "lifecycle.bpmn").read_bytes(), "lifecycle.bpmn", "bench")
        # Warm-up (imports, caches), then the median of three runs of each, interleaved so
        # that a burst of load on the machine hits both sides alike.
        run_bare(services, version.id, max(10, n // 10))
        run_persisted(services, max(10, n // 10), run=-1)
        bare, persisted = [], []
        for run in range(3):
            bare.append(run_bare(services, version.id, n))
            persisted.append(run_persisted(services, n, run))
        bare, persisted = statistics.median(bare), statistics.median(persisted)
        services.db.dispose()
    print(f"cases={n} (each: start, 2 user tasks, 1 service task, 1 gateway, 1 boundary timer); "
          f"workflow cache {'on' if cache else 'off'}")
    print(f"bare SpiffWorkflow in memory: {bare:8.1f} cases/s  (median of 3 runs)")
    print(f"persisted runtime on SQLite : {persisted:8.1f} cases/s  (median of 3 runs; 3 transactions per case)")
    print(f"ratio={persisted / bare:.2f}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 300, cache="--no-cache" not in sys.argv)
