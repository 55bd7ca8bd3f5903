"""`tiepdan process validate|list|publish`: the process library from the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import build_services, fail


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
    """Validate and publish the given BPMN files (default: every processes/*.bpmn); refused
    (exit 1) when a scenario of a process in them fails."""
    from ..engine.bpmn_xml import NSMAP, XmlRefused, parse_bpmn_bytes

    services = build_services()
    paths = list(paths) or sorted(services.settings.processes_dir.glob("*.bpmn"))
    failures = 0
    for path in paths:
        data = path.read_bytes()
        try:
            process_ids = parse_bpmn_bytes(data).xpath("/bpmn:definitions/bpmn:process/@id", namespaces=NSMAP)
        except XmlRefused:
            continue  # publish_all reports it as a validation problem
        for process_id in process_ids:
            failures += _run_and_report(services.settings.processes_dir, process_id, xml_override=data)
    if failures:
        click.echo(f"không ban hành: {failures} lỗi kịch bản (scenario failures)", err=True)
        raise click.exceptions.Exit(1)
    publish_all(services, actor=actor, quiet=False, paths=paths, note=note)


def _run_and_report(processes_dir: Path, process_id: str | None, **kwargs) -> int:
    """Run scenarios, print one line per failure, return the number of failures."""
    from ..engine.scenarios import run_scenarios

    count = {"n": 0}

    def progress(pid: str, name: str) -> None:
        count["n"] += 1
        click.echo(f"[{count['n']}] {pid}: {name}", err=True)

    from ..engine.deadlines import RuleError
    from ..engine.forms import FormError

    try:
        results = run_scenarios(processes_dir, process_id, progress=progress, **kwargs)
    except (RuleError, FormError, OSError) as err:
        fail(f"cannot load processes/: {err}", code=1)
    failures = 0
    for result in results:
        for failure in result.failures:
            click.echo(f"{result.process_id}: {result.name}: {failure}")
            failures += 1
    return failures


@process.command("test")
@click.argument("process_id", required=False)
def test(process_id: str | None) -> None:
    """Run the scenario tests of processes/scenarios/ (of PROCESS only, if given): one line per
    failure, exit 1 if any."""
    from ..config import Settings
    from ..engine.scenarios import scenario_path

    processes_dir = Settings.from_env().processes_dir
    if process_id is not None and not scenario_path(processes_dir, process_id).is_file():
        fail(f"no scenario file {scenario_path(processes_dir, process_id)}", code=1)
    failures = _run_and_report(processes_dir, process_id)
    if failures:
        raise click.exceptions.Exit(1)
    click.echo("every scenario passed", err=True)


@process.command("versions")
@click.argument("process_id")
def versions(process_id: str) -> None:
    """The versions of one process: status, author, dates, note, running instances."""
    from ..engine.version_diff import list_versions as rows_of

    services = build_services()
    with services.sessions() as session:
        rows = rows_of(session, process_id)
    for r in rows:
        when = r.published_at.strftime("%Y-%m-%d %H:%M") if r.published_at else r.created_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"v{r.version_id:<4} {r.status:10} {when}  {r.published_by or r.author:12} running={r.running}  {r.note}")


@process.command("diff")
@click.argument("version_a", type=int)
@click.argument("version_b", type=int)
def diff(version_a: int, version_b: int) -> None:
    """Elements added, removed and changed from VERSION_A to VERSION_B."""
    from ..engine.models import ProcessVersion
    from ..engine.version_diff import diff_versions

    services = build_services()
    with services.sessions() as session:
        a, b = session.get(ProcessVersion, version_a), session.get(ProcessVersion, version_b)
        if a is None or b is None:
            fail(f"no version {version_a if a is None else version_b}", code=1)
        result = diff_versions(a.bpmn_xml.encode("utf-8"), b.bpmn_xml.encode("utf-8"))
    for sign, items in (("+", result.added), ("-", result.removed)):
        for c in items:
            click.echo(f"{sign} {c.type} {c.element_id} {c.name}")
    for c in result.changed:
        click.echo(f"~ {c.type} {c.element_id} {c.name}: " + "; ".join(c.changes))


@process.command("migrate")
@click.argument("instance_ids", nargs=-1, type=int)
@click.option("--to", "target", type=int, required=True, help="The published version to move to.")
@click.option("--all-from", "source", type=int, default=None, help="Every running instance of this version.")
@click.option("--dry-run", is_flag=True, help="Only say which instances can move and why others cannot.")
@click.option("--actor", default="cli", help="Who moves them (recorded in the audit log).")
def migrate(instance_ids: tuple[int, ...], target: int, source: int | None, dry_run: bool, actor: str) -> None:
    """Move running instances to version TO; one line per instance; exit 1 if any stays."""
    from sqlalchemy import select

    from ..engine import migration
    from ..engine.models import ProcessInstance

    if bool(instance_ids) == (source is not None):
        fail("give either INSTANCE_IDS or --all-from VERSION")
    services = build_services()
    with services.sessions() as session:
        ids = list(instance_ids) or list(session.execute(
            select(ProcessInstance.id).where(ProcessInstance.version_id == source,
                                             ProcessInstance.status.in_(["running", "waiting"]))
            .order_by(ProcessInstance.id)).scalars())
        if dry_run:
            checks = migration.plan_migration(session, services.library, ids, target)
    if not dry_run:
        checks = migration.migrate(services, ids, target, actor)
    for check in checks:
        click.echo(f"{check.instance_id} {check.business_key or '-'}: {'OK' if check.ok else 'GIỮ NGUYÊN'}: {check.reason}")
    if any(not c.ok for c in checks):
        raise click.exceptions.Exit(1)


commands = [process]
