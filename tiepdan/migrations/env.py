"""Alembic environment: the URL comes from the caller (tiepdan init-db), the metadata from the models."""
from __future__ import annotations

from alembic import context

from tiepdan.engine.db import Base, make_engine
import tiepdan.engine.models  # noqa: F401  (registers the tables)

try:  # the case records arrive with their own models module
    import tiepdan.cases.models  # noqa: F401
except ModuleNotFoundError:
    pass

config = context.config


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
