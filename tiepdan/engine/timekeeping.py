"""Statutory deadlines for the runtime and for expressions, on the calendar in force right now.

Administrators change the holiday table while workers run; each step checks a fingerprint of the
override table (one indexed query) and rebuilds the calendar only when it changed, so a change
applies at once in every process without reloading per step.
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Callable, Mapping


from .calendar import load_calendar
from .clock import LOCAL_TZ, Clock
from .deadlines import Deadlines, RuleCatalogue
from .driver_sql import DriverStatement


# Raw values suffice: the fingerprint is only compared with the previous one.
_FINGERPRINT = DriverStatement("SELECT count(*), max(created_at) FROM calendar_override")
_TX_KEY = "tiepdan.deadlines"


class DeadlineSource:
    def __init__(self, catalogue: RuleCatalogue):
        self.catalogue = catalogue
        self._lock = threading.Lock()
        self._fingerprint: tuple | None = None
        self._deadlines: Deadlines | None = None

    def for_step(self, tx) -> Deadlines:
        """The deadlines in force for a step's transaction (`tx`: the engine's StepTx)."""
        # Once per transaction: a step may compute several due dates and timer instants.
        cached = tx.info.get(_TX_KEY)
        if cached is not None:
            return cached
        fingerprint = tuple(_FINGERPRINT.execute(tx).one())
        with self._lock:
            if fingerprint != self._fingerprint or self._deadlines is None:
                self._deadlines = Deadlines(load_calendar(tx.session), self.catalogue)
                self._fingerprint = fingerprint
            tx.info[_TX_KEY] = self._deadlines
            return self._deadlines

    def due_date(self, tx, rule_id: str, start: date, *, pauses=(), extensions=0) -> date:
        return self.for_step(tx).due(rule_id, start, pauses=pauses, extensions=extensions)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def expression_functions(source: DeadlineSource, clock: Clock) -> Callable[[object], Mapping[str, Callable]]:
    """The date and deadline functions a diagram's expressions may call (values are ISO strings,
    so that they store as JSON in task data and read back the same)."""

    def for_step(tx) -> Mapping[str, Callable]:
        def calendar():
            return source.for_step(tx).calendar

        def deadline(rule_id, start):
            return source.for_step(tx).due(str(rule_id), _as_date(start)).isoformat()

        def end_of_day(day):
            """A timer instant: 24:00 local time on `day`, when a period ending that day runs out."""
            return datetime.combine(_as_date(day) + timedelta(days=1), datetime.min.time(), LOCAL_TZ).isoformat()

        def deadline_end(rule_id, start):
            return end_of_day(deadline(rule_id, start))

        def working_days_before(day, n):
            """08:00 local on the nth working day before `day`: when to remind an assignee."""
            cal, d, left = calendar(), _as_date(day), int(n)
            while left > 0:
                d -= timedelta(days=1)
                if cal.is_working_day(d):
                    left -= 1
            return datetime.combine(d, datetime.min.time().replace(hour=8), LOCAL_TZ).isoformat()

        return {
            "today": lambda: clock.today().isoformat(),
            "deadline": deadline,
            "deadline_end": deadline_end,
            "end_of_day": end_of_day,
            "working_days_before": working_days_before,
            "add_working_days": lambda day, n: calendar().add_working_days(_as_date(day), int(n)).isoformat(),
            "working_days_between": lambda a, b: calendar().working_days_between(_as_date(a), _as_date(b)),
            "is_working_day": lambda day: calendar().is_working_day(_as_date(day)),
            "add_days": lambda day, n: (_as_date(day) + timedelta(days=int(n))).isoformat(),
        }

    return for_step


FUNCTION_NAMES = frozenset(
    {"today", "deadline", "deadline_end", "end_of_day", "working_days_before", "add_working_days",
     "working_days_between", "is_working_day", "add_days"}
)
