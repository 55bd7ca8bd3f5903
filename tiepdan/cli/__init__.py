"""The `tiepdan` command. Each command family lives in its own module and lists its commands."""
from __future__ import annotations

import click

from . import audit_cmd, calendar_cmd, db_cmd, notify_cmd, process_cmd, report_cmd, serve_cmd
from .common import fail


class _Main(click.Group):
    """Database errors (a missing schema, an unreachable server) end in one line, not a traceback."""

    def invoke(self, ctx):
        from sqlalchemy.exc import DBAPIError

        try:
            return super().invoke(ctx)
        except DBAPIError as err:
            reason = str(err.orig).strip().splitlines()[0] if err.orig is not None else type(err).__name__
            fail(f"database error: {reason} (has `tiepdan init-db` been run on this database?)", code=1)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """tiepdan: citizen reception and petition handling (tiếp công dân, xử lý đơn)."""


for _module in (db_cmd, serve_cmd, process_cmd, audit_cmd, calendar_cmd, report_cmd, notify_cmd):
    for _command in _module.commands:
        main.add_command(_command)
