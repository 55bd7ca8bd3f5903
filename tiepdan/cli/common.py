"""What every command shares: one-line errors on stderr, never a traceback."""
from __future__ import annotations

import click


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(code)
