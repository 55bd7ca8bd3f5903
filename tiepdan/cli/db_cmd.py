"""`tiepdan init-db`: create or upgrade the schema and publish the processes."""
from __future__ import annotations

import click

from .common import build_services

from ..config import Settings


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic) and publish the processes in processes/."""
    from ..engine.schema import upgrade
    from .process_cmd import publish_all

    settings = Settings.from_env()
    upgrade(settings.database_url)
    services = build_services(settings)
    publish_all(services, actor="init-db", quiet=False)


commands = [init_db]
