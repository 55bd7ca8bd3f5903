"""`tiepdan process validate|list|publish`: the process library from the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import build_services


def publish_all(services, actor: str, quiet: bool = True, paths: list[Path] | None = None, note: str = "") -> None:
    """Publish every diagram in processes/ (or the given files); exit 1 listing the problems of the
    first file that fails (files before it stay published: each file is its own transaction)."""
    from ..engine.db import transaction
    from ..engine.library import PublishRefused

    paths = paths or sorted(services.settings.processes_dir.glob("*.bpmn"))
    for path in paths:
        with transaction(services.sessions) as session:
            try:
                versions = services.library.publish(session, path.read_bytes(), path.name, actor, note)
            except PublishRefused as refused:
                for problem in refused.problems:
                    click.echo(str(problem), err=True)
                raise click.exceptions.Exit(1)
            for v in versions:
                if not quiet:
                    click.echo(f"{v.process_id}: version {v.id} ({v.content_hash[:12]})")


@click.group("process")
def process() -> None:
    """Validate, list and publish BPMN processes."""


@process.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check BPMN files; print one line per problem (file:element: message), exit 1 if any."""

    services = build_services()
    count = 0
    for path in paths:
        if not path.is_file():
            click.echo(f"{path}:file: no such file", err=False)
            count += 1
            continue
        for problem in services.library.validate(path.read_bytes(), path.name):
            click.echo(str(problem))
            count += 1
    if count:
        sys.exit(1)
    click.echo(f"{len(paths)} file(s) valid", err=True)


@process.command("list")
def list_versions() -> None:
    """List process versions with status, publisher and running instances."""

    services = build_services()
    with services.sessions() as session:
        rows = services.library.list_versions(session)
    if not rows:
        click.echo("no process versions yet (run `tiepdan process publish`)")
    for v, running in rows:
        when = v.published_at.strftime("%Y-%m-%d %H:%M") if v.published_at else "-"
        click.echo(f"{v.process_id:28} v{v.id:<4} {v.status:10} {v.content_hash[:12]}  {when}  {v.published_by or '-':12} running={running}")


@process.command("publish")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default="cli", help="Who publishes (recorded in the audit log).")
@click.option("--note", default="", help="Why (recorded with the version).")
def publish(paths: tuple[Path, ...], actor: str, note: str) -> None:
    """Validate and publish the given BPMN files (default: every processes/*.bpmn)."""

    services = build_services()
    publish_all(services, actor=actor, quiet=False, paths=list(paths) or None, note=note)


commands = [process]
