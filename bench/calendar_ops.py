"""How long the calendar's hot operations take (deadline arithmetic runs on every step that
indexes a task): prints microseconds per call. Never part of `make test`.

    .venv/bin/python bench/calendar_ops.py [CALLS]
"""
from __future__ import annotations

import sys
import time
from datetime import date

from tiepdan.engine.calendar import WorkingCalendar


def main(calls: int = 20000) -> None:
    calendar = WorkingCalendar()
    start, end = date(2026, 3, 2), date(2026, 4, 15)
    calendar.add_working_days(start, 30)  # warm the holiday tables
    t0 = time.perf_counter()
    for _ in range(calls):
        calendar.add_working_days(start, 30)
    add = (time.perf_counter() - t0) / calls
    t0 = time.perf_counter()
    for _ in range(calls):
        calendar.working_days_between(start, end)
    between = (time.perf_counter() - t0) / calls
    print(f"add_working_days(30): {add * 1e6:.2f} µs/call")
    print(f"working_days_between (6 weeks): {between * 1e6:.2f} µs/call")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
