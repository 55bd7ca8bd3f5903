"""`tiepdan audit verify`: walk the hash chain of the audit log."""
from __future__ import annotations

import click


@click.group("audit")
def audit_group() -> None:
    """Audit log commands."""


@audit_group.command("verify")
def verify() -> None:
    """Exit 0 when the audit chain is intact; 1 naming the first bad entry otherwise."""
    from ..config import Settings
    from ..engine import audit
    from ..engine.db import make_engine, make_sessionmaker

    engine = make_engine(Settings.from_env().database_url)
    with make_sessionmaker(engine)() as session:
        result = audit.verify(session)
    engine.dispose()
    if result.ok:
        click.echo(f"audit log intact: {result.checked} entries")
        return
    click.echo(f"audit log broken at entry {result.bad_seq}: {result.reason}", err=True)
    raise click.exceptions.Exit(1)


commands = [audit_group]
