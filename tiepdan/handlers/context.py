"""What every handler family needs from a step: the case it works on, dates, deadlines, and
starting a follow-up procedure inside the same transaction."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tiepdan.cases import datafiles
from tiepdan.cases.models import Petition, Reception
from tiepdan.cases.petitions import get_petition
from tiepdan.cases.errors import CaseError, UnknownRecord


DEFAULT_REMIND_DAYS = 3


def petition(ctx) -> Petition:
    """The petition the instance runs for (its business key is the petition's)."""
    return get_petition(ctx.session, ctx.business_key)


def reception(ctx) -> Reception:
    reception_id = ctx.data.get("reception_id")
    found = ctx.session.get(Reception, reception_id) if isinstance(reception_id, int) else None
    if found is None:
        raise UnknownRecord(f"Không có lượt tiếp công dân {reception_id!r}")
    return found


def processes_dir(ctx) -> Path:
    return ctx.runtime.library.processes_dir


def _parse_remind_days(path: Path) -> int:
    value = (datafiles.read_yaml(path) or {}).get("remind_before_working_days")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 30:
        raise CaseError(f"{path}: remind_before_working_days must be a whole number from 1 to 29, not {value!r}")
    return value


def remind_days(processes: Path) -> int:
    """Working days before a due date when the assignee is reminded (processes/reminders.yaml,
    read again only when it changes: every procedure start asks)."""
    path = processes / "reminders.yaml"
    if not path.is_file():
        return DEFAULT_REMIND_DAYS
    return datafiles.cached("reminders", path, _parse_remind_days)


def today(ctx) -> date:
    return ctx.clock.today()


def due(ctx, rule_id: str, start: date) -> date:
    """The statutory due date of `rule_id` counted from `start`, on the calendar in force."""
    return ctx.runtime.due_date(ctx.tx, rule_id, start)


def form_value(ctx, name: str, default: Any = None) -> Any:
    """A value the officer entered in an earlier form of this instance."""
    value = ctx.data.get(name)
    return default if value in (None, "") else value


def start_procedure(runtime, session, process_id: str, business_key: str, unit_code: str, data: dict, actor: str) -> None:
    """Start `process_id` for a case inside `session`'s transaction: both commit or neither
    (in a handler, pass the step's runtime and session).

    A procedure that has no published version yet is a clear error; inside a step it puts the
    instance in error, which an administrator retries once the procedure is published."""
    if runtime.library.latest_published(session, process_id) is None:
        raise CaseError(
            f"Quy trình '{process_id}' chưa được ban hành (process not published): "
            "hãy ban hành quy trình rồi chạy lại bước này"
        )
    data = {"remind_days": remind_days(runtime.library.processes_dir), **data}
    runtime.start(process_id, business_key, unit_id=unit_code, data=data, actor=actor, session=session)
