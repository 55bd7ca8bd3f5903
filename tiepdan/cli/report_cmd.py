"""`tiepdan report`: a periodic report form (or the reception register) for a unit and its subtree.

    tiepdan report FORM --unit CODE --year Y [--quarter Q | --months 6|9 | --from D --to D] [--xlsx PATH]

FORM is 01/TCD .. 06/QLKNTC (or 01..06, TCD..QLKNTC), `all` (every form) or
`register` (the reception register, Sổ tiếp công dân). Without --quarter, --months or --from/--to
the period is the year. Dates are YYYY-MM-DD or DD/MM/YYYY. Prints the table; --xlsx also
writes a workbook. Bad input: one line on stderr, exit 2.
"""
from __future__ import annotations

from datetime import date, datetime

import click

from .common import fail

BAD_INPUT = 2


class _OneLine(click.Command):
    """Usage errors (a missing value, an unknown option) in one line, exit 2."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            fail(exc.format_message(), BAD_INPUT)


def _date(text: str, what: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    fail(f"{what}: not a date: {text!r} (YYYY-MM-DD or DD/MM/YYYY)", BAD_INPUT)


def _period(year, quarter, months, date_from, date_to):
    from ..cases import reports

    chosen = [name for name, v in (("--quarter", quarter), ("--months", months),
                                   ("--from/--to", date_from or date_to)) if v]
    if len(chosen) > 1:
        fail(f"choose one of --quarter, --months, --from/--to (got {', '.join(chosen)})", BAD_INPUT)
    if date_from or date_to:
        if not (date_from and date_to):
            fail("--from and --to go together", BAD_INPUT)
        return reports.custom_period(_date(date_from, "--from"), _date(date_to, "--to"))
    if year is None:
        fail("--year is required (unless --from/--to is given)", BAD_INPUT)
    if quarter:
        return reports.report_period("quarter", year, quarter)
    if months:
        return reports.report_period({6: "months6", 9: "months9"}[months], year)
    return reports.report_period("year", year)


def _print_report(report) -> None:
    from ..cases.reports import NO_DATA

    click.echo(f"Biểu {report.form}: {report.title}")
    click.echo(f"{report.unit_name} ({report.unit_code}); {report.period.label}")
    width = max(len(r.label) for r in report.rows)
    for row in report.rows:
        value = NO_DATA if row.value is None else f"{row.value:,}".replace(",", ".")
        click.echo(f"{row.code:<6} {row.label:<{width}}  {value:>15}")
    click.echo("")


@click.command("report", cls=_OneLine)
@click.argument("form")
@click.option("--unit", "unit_code", required=True, help="unit code, e.g. 04.UBND (its subtree is included)")
@click.option("--year", type=int, help="the report's year")
@click.option("--quarter", type=click.IntRange(1, 4), help="quarter 1-4")
@click.option("--months", type=click.Choice(["6", "9"]), help="6- or 9-month report")
@click.option("--from", "date_from", help="custom period start")
@click.option("--to", "date_to", help="custom period end (inclusive)")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False), help="also write an .xlsx workbook")
def report_command(form, unit_code, year, quarter, months, date_from, date_to, xlsx_path) -> None:
    """Print a periodic report form (01/TCD .. 06/QLKNTC, all) or the register."""
    from ..cases import register, report_export, reports
    from ..cases.errors import CaseError
    from ..config import Settings
    from ..engine.db import make_engine, make_sessionmaker

    try:
        p = _period(year, quarter, int(months) if months else None, date_from, date_to)
        kind = form.strip().lower()
        forms = list(reports.FORMS) if kind == "all" else None if kind == "register" else [reports.normalise_form(form)]
    except CaseError as err:
        fail(str(err), BAD_INPUT)
    engine = make_engine(Settings.from_env().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                if forms is None:
                    from ..cases.units import get_unit

                    unit = get_unit(session, unit_code)
                    rows = register.register_rows(session, unit, p.start, p.end, include_subunits=True)
                    click.echo(f"Sổ tiếp công dân: {unit.name}; {p.label}; {len(rows)} dòng")
                    for row in rows:
                        click.echo(" | ".join("" if v is None else f"{v:%d/%m/%Y}" if isinstance(v, date) else str(v)
                                              for v in row.cells()))
                    if xlsx_path:
                        report_export.write_register(rows, xlsx_path, unit_name=unit.name, date_from=p.start,
                                                     date_to=p.end)
                else:
                    built = [reports.build_report(session, f, unit_code, p) for f in forms]
                    for rep in built:
                        _print_report(rep)
                    if xlsx_path:
                        report_export.write_reports(built, xlsx_path)
            except CaseError as err:
                fail(str(err), BAD_INPUT)
            except OSError as err:
                fail(f"cannot write {xlsx_path}: {err.strerror or err}", BAD_INPUT)
    finally:
        engine.dispose()
    if xlsx_path:
        click.echo(f"written: {xlsx_path}", err=True)


commands = [report_command]
