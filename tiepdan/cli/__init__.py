"""The `tiepdan` command. Each command family lives in its own module and lists its commands."""
from __future__ import annotations

import click

from . import audit_cmd, calendar_cmd, db_cmd, process_cmd, serve_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """tiepdan: citizen reception and petition handling (tiếp công dân, xử lý đơn)."""


for _module in (db_cmd, serve_cmd, process_cmd, audit_cmd, calendar_cmd):
    for _command in _module.commands:
        main.add_command(_command)
