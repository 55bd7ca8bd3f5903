"""`tiepdan init-db`: create or upgrade the schema and publish the processes (`--demo`: and seed
the demo data when the database is empty)."""
from __future__ import annotations

import click

from .common import build_services

from ..config import Settings


@click.command("init-db")
@click.option("--demo", is_flag=True,
              help="Also seed the demo (Thành phố Cần Thơ, users for every role, petitions at every stage) "
                   "when the database is empty, and print the demo logins.")
@click.option("--demo-petitions", default=300, show_default=True, type=click.IntRange(0, 100_000),
              help="How many demo cases (letters and reception sessions) to seed with --demo.")
def init_db(demo: bool, demo_petitions: int) -> None:
    """Create or upgrade the database schema (Alembic) and publish the processes in processes/."""
    from ..engine.schema import upgrade
    from .process_cmd import publish_all

    settings = Settings.from_env()
    upgrade(settings.database_url)
    services = build_services(settings)
    publish_all(services, actor="init-db", quiet=False)
    services.db.dispose()
    if demo:
        seed(settings, demo_petitions)


def seed(settings: Settings, petitions: int) -> None:
    """Seed the demo when the database is empty and print what it holds and the logins (stderr)."""
    from ..demo import PROVINCE, logins_table, seed_demo

    summary = seed_demo(settings, petitions=petitions, progress=True)
    if not summary.seeded:
        click.echo("demo: the database is not empty, no demo data added (the demo logins are in README.md)", err=True)
        return
    statuses = ", ".join(f"{status} {n}" for status, n in summary.by_status.items())
    click.echo(
        f"demo: province {PROVINCE} seeded with {len(summary.logins)} logins, {summary.cases} cases: "
        f"{summary.petitions} petitions ({statuses}), {summary.receptions} reception sessions, "
        f"{summary.open_tasks} open tasks ({summary.overdue_tasks} overdue on {summary.today:%d/%m/%Y}) "
        f"in {summary.seconds:.1f} s",
        err=True,
    )
    for failure in summary.failures[:5]:
        click.echo(f"demo: warning: a step failed and its case stopped there: {failure}", err=True)
    if len(summary.failures) > 5:
        click.echo(f"demo: warning: {len(summary.failures) - 5} more steps failed", err=True)
    click.echo("\nDemo logins (the same password for all):\n" + logins_table(summary.logins) + "\n", err=True)


commands = [init_db]
