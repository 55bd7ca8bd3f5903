"""What every command shares: one-line errors on stderr, never a traceback."""
from __future__ import annotations

import click


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(code)


def build_services(settings=None):
    """The assembled application, or a one-line error (exit 1) when processes/ is broken."""
    from .. import wiring
    from ..engine.deadlines import RuleError
    from ..engine.forms import FormError

    try:
        return wiring.build(settings)
    except (FormError, RuleError, OSError) as err:
        fail(f"cannot load processes/: {err}", code=1)
