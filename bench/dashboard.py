"""The supervisors' dashboard at scale: each figure of tiepdan.cases.monitoring for the province's
People's Committee and its whole subtree, on the database of bench/inbox.py (1,000,000 cases and
their open tasks by default, seeded by it when absent, reused otherwise).

Prints the median and p95 of each figure over R runs: by unit, by officer, by stage, the counts
of instances in error, suspended and waiting too long, the heatmap of the intake procedure, and
the first page of the overdue list.

usage: python bench/dashboard.py [--cases N] [--url URL] [--repeat R]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inbox import NOW, PROVINCE, TODAY, open_seeded, percentile  # noqa: E402

from tiepdan.cases import monitoring  # noqa: E402
from tiepdan.cases.units import get_unit  # noqa: E402
from tiepdan.engine.calendar import load_calendar  # noqa: E402
from tiepdan.engine.models import ProcessVersion  # noqa: E402


def figures(session, root, window, version):
    """What the dashboard page and its heatmap compute, each as (label, call)."""
    return (
        ("by unit", lambda: monitoring.by_unit(session, root, window)),
        ("by officer", lambda: monitoring.by_officer(session, root, window)),
        ("by stage", lambda: monitoring.by_stage(session, root, window)),
        ("instances: error, suspended, waiting too long", lambda: monitoring.instance_counts(session, root, window)),
        ("heatmap of " + (version.process_id if version else "-"),
         lambda: monitoring.heatmap(session, root, version, NOW) if version else None),
        ("overdue list, first page",
         lambda: monitoring.task_page(session, monitoring.TaskQuery(root=root, kind="overdue"), window)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="database URL (default: sqlite:///var/bench-inbox.db)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        services, url, _seconds = open_seeded(args.url, args.cases, False, var)
        settings = monitoring.load_settings(services.settings.processes_dir)
        with services.sessions() as session:
            root = get_unit(session, f"{PROVINCE}.UBND")
            window = monitoring.Window.at(NOW, TODAY, load_calendar(session), settings)
            version = session.execute(
                select(ProcessVersion).where(ProcessVersion.process_id == "petition_intake").limit(1)
            ).scalar_one_or_none()
            print(f"{services.db.dialect.name}, {args.cases:,} cases, root {root.code} and its subtree, "
                  f"{args.repeat} runs each ({url})")
            for label, call in figures(session, root, window, version):
                call()  # warm-up: the first read pages the file in
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    call()
                    times.append(time.perf_counter() - started)
                print(f"{label:48} median {statistics.median(times):6.2f} s  p95 {percentile(times, 95):6.2f} s")
        services.db.dispose()


if __name__ == "__main__":
    main()
