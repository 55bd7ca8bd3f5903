"""Calendar and deadline commands.

    tiepdan calendar show YEAR
    tiepdan calendar add-holiday DATE NAME [--actor USER]
    tiepdan calendar remove-holiday DATE [--actor USER]
    tiepdan calendar add-workday DATE NAME [--actor USER]
    tiepdan deadline RULE --start DATE [--extensions N] [--pause FROM:TO ...]
    tiepdan deadline --list | --check

The calendar is the official one (package + processes/rules/calendar/official_adjustments.yaml)
plus the administrator overrides in the database (TIEPDAN_DATABASE_URL). Reading commands never
create the database: without its tables they say so on stderr and use the official calendar.
Errors are one line on stderr: exit 2 for bad input, 1 for a broken environment (database,
rule files).
"""
from __future__ import annotations

import getpass
import os
import re
import sys
from datetime import date
from pathlib import Path

import click

from ..config import Settings
from ..engine.calendar import (
    SUPPORTED_YEARS,
    WEEKDAY_NAMES,
    CalendarError,
    WorkingCalendar,
    add_holiday,
    add_workday,
    check_supported,
    load_adjustments,
    load_calendar,
    remove_holiday,
)
from ..engine.deadlines import Deadlines, RuleCatalogue, RuleError

BAD_INPUT = 2
BROKEN = 1


# --- one-line errors --------------------------------------------------------------------------


class _OneLineUsageError(click.UsageError):
    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _one_line(call, *args):
    try:
        return call(*args)
    except (_OneLineUsageError, click.exceptions.NoArgsIsHelpError):
        raise
    except click.UsageError as exc:
        raise _OneLineUsageError(exc.format_message(), exc.ctx) from None


class _Command(click.Command):
    def parse_args(self, ctx, args):
        return _one_line(super().parse_args, ctx, args)


class _Group(click.Group):
    command_class = _Command

    def parse_args(self, ctx, args):
        return _one_line(super().parse_args, ctx, args)

    def resolve_command(self, ctx, args):
        return _one_line(super().resolve_command, ctx, args)


def _fail(message: str, code: int = BAD_INPUT):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


class _DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"{value!r} is not a date YYYY-MM-DD", param, ctx)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a valid date", param, ctx)
        try:
            return check_supported(day)
        except CalendarError as exc:
            self.fail(str(exc), param, ctx)


DATE = _DateType()


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return os.environ.get("USER") or "unknown"


# --- database access --------------------------------------------------------------------------


def _safe_url(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


def _sessions(*, for_writing: bool):
    """(sessionmaker, None) or (None, reason the database cannot be used)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from ..engine.db import make_engine, make_sessionmaker
    from ..engine.models import AuditEntry, CalendarOverride

    url = Settings.from_env().database_url
    shown = _safe_url(url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None, f"the database {shown} does not exist"
    try:
        engine = make_engine(url)
        needed = [CalendarOverride.__tablename__] + ([AuditEntry.__tablename__] if for_writing else [])
        inspector = inspect(engine)
        missing = [t for t in needed if not inspector.has_table(t)]
    except SQLAlchemyError as exc:
        _fail(f"cannot open the database {shown}: {_first_line(exc)}", BROKEN)
    if missing:
        return None, f"the database {shown} has no {', '.join(missing)} table"
    return make_sessionmaker(engine), None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _calendar() -> WorkingCalendar:
    """The calendar in force; without a usable database, the official one (noted on stderr)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        factory, why_not = _sessions(for_writing=False)
        if factory is None:
            _note(f"{why_not}: using the official calendar without administrator overrides")
            return WorkingCalendar()
        with factory() as session:
            return load_calendar(session)
    except CalendarError as exc:  # the official adjustments file is broken
        _fail(str(exc).replace("\n", "; "), BROKEN)
    except SQLAlchemyError as exc:
        _fail(f"cannot read the calendar overrides: {_first_line(exc)}", BROKEN)


def _write(change, *args) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from ..engine.db import transaction

    factory, why_not = _sessions(for_writing=True)
    if factory is None:
        _fail(f"{why_not}: create the schema first (tiepdan init-db)", BROKEN)
    try:
        with transaction(factory) as session:
            change(session, *args)
    except CalendarError as exc:
        _fail(str(exc).replace("\n", "; "))
    except SQLAlchemyError as exc:
        _fail(f"the change was not saved: {_first_line(exc)}", BROKEN)


# --- tiepdan calendar ... ---------------------------------------------------------------------


@click.group("calendar", cls=_Group)
def calendar_group() -> None:
    """Working-day calendar: holidays, make-up working days, administrator changes."""


@calendar_group.command("show")
@click.argument("year", type=int)
def show(year: int) -> None:
    """List the weekday holidays and the working Saturdays/Sundays of YEAR.

    One line each, `YYYY-MM-DD  weekday  name`, in two blocks: days off from Monday to Friday,
    then weekend days that are working days.
    """
    if year not in SUPPORTED_YEARS:
        _fail(f"{year} is outside the supported years {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}")
    cal = _calendar()
    click.echo(f"# Ngày nghỉ từ thứ Hai đến thứ Sáu năm {year}")
    for day, name in cal.non_working_weekdays(year):
        click.echo(f"{day.isoformat()}  {WEEKDAY_NAMES[day.weekday()]}  {name}")
    click.echo(f"# Ngày làm việc vào thứ Bảy, Chủ nhật năm {year}")
    for day, name in cal.working_weekend_days(year):
        click.echo(f"{day.isoformat()}  {WEEKDAY_NAMES[day.weekday()]}  {name}")


_actor_option = click.option(
    "--actor", default=_default_actor, show_default="the OS user", help="Who makes the change (audited)."
)


@calendar_group.command("add-holiday")
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("name")
@_actor_option
def add_holiday_cmd(day: date, name: str, actor: str) -> None:
    """Make working day DATE a day off named NAME (audited, in force at once)."""
    _write(add_holiday, day, name, actor)
    click.echo(f"{day.isoformat()} is now a day off: {name}")


@calendar_group.command("remove-holiday")
@click.argument("day", metavar="DATE", type=DATE)
@_actor_option
def remove_holiday_cmd(day: date, actor: str) -> None:
    """Make holiday DATE a working day again (audited, in force at once)."""
    _write(remove_holiday, day, actor)
    click.echo(f"{day.isoformat()} is no longer a holiday")


@calendar_group.command("add-workday")
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("name")
@_actor_option
def add_workday_cmd(day: date, name: str, actor: str) -> None:
    """Make day off DATE (e.g. a make-up Saturday) a working day named NAME (audited)."""
    _write(add_workday, day, name, actor)
    click.echo(f"{day.isoformat()} is now a working day: {name}")


# --- tiepdan deadline -------------------------------------------------------------------------


def _rules_dir() -> Path:
    return Settings.from_env().processes_dir / "rules"


def _catalogue() -> RuleCatalogue:
    try:
        return RuleCatalogue.load(_rules_dir())
    except RuleError as exc:
        for line in exc.problems:
            click.echo(f"error: {line}", err=True)
        sys.exit(BROKEN)


def _parse_pause(text: str) -> tuple[date, date]:
    parts = text.split(":")
    if len(parts) != 2:
        _fail(f"--pause {text!r}: expected FROM:TO, two dates YYYY-MM-DD")
    try:
        frm, to = (DATE.convert(p, None, None) for p in parts)
    except click.BadParameter as exc:
        _fail(f"--pause {text!r}: {exc.format_message()}")
    return frm, to


@click.command("deadline", cls=_Command)
@click.argument("rule", required=False)
@click.option("--start", type=DATE, help="The triggering day (not counted), YYYY-MM-DD.")
@click.option("--extensions", type=click.IntRange(min=0), default=0, show_default=True,
              help="Number of extensions (gia hạn) decided.")
@click.option("--pause", "pauses", multiple=True, metavar="FROM:TO",
              help="A suspension from FROM (decision) to TO (continuation decision); repeatable.")
@click.option("--list", "list_", is_flag=True, help="List the rules with the version in force today.")
@click.option("--check", is_flag=True, help="Validate the rule files and the calendar adjustments.")
def deadline(rule, start, extensions, pauses, list_, check) -> None:
    """Print the due date of RULE for a period triggered on --start (YYYY-MM-DD)."""
    if list_ or check:
        if rule or start or pauses or extensions:
            _fail("--list and --check take no RULE or other option")
        return _check() if check else _list()
    if not rule:
        _fail("give a RULE and --start YYYY-MM-DD (or --list)")
    if start is None:
        _fail("--start YYYY-MM-DD is required")
    catalogue = _catalogue()
    try:
        version = catalogue.in_force(rule, start)
    except RuleError as exc:
        _fail(str(exc))
    deadlines = Deadlines(_calendar(), catalogue)
    try:
        due = deadlines.due(rule, start, pauses=[_parse_pause(p) for p in pauses], extensions=extensions)
    except (RuleError, CalendarError) as exc:
        _fail(str(exc))
    if version.to_verify:
        _note(f"rule {rule} ({version.basis}) is marked to verify")
    click.echo(due.isoformat())


def _list() -> None:
    from ..engine.clock import Clock

    today = Clock().today()
    catalogue = _catalogue()
    click.echo(f"# rules in force on {today.isoformat()}")
    for rid in catalogue.ids():
        try:
            r = catalogue.in_force(rid, today)
        except RuleError:
            click.echo(f"{rid:<42} (no version in force)")
            continue
        ext = f" (+{r.extension.count} {r.extension.unit}, at most {r.extension.max}x)" if r.extension else ""
        mark = "  [to verify]" if r.to_verify else ""
        click.echo(f"{rid:<42} {r.count:>3} {r.unit:<12}  {r.basis}{ext}{mark}")


def _check() -> None:
    problems = RuleCatalogue.validate(_rules_dir())
    try:
        load_adjustments()
    except CalendarError as exc:
        problems += str(exc).splitlines()
    for line in problems:
        click.echo(f"error: {line}", err=True)
    if problems:
        sys.exit(BROKEN)
    click.echo(f"ok: {len(RuleCatalogue.load(_rules_dir()).ids())} rules, calendar adjustments valid")


commands = [calendar_group, deadline]
