"""Alembic builds the same schema as the models, on both backends, and keeps the audit triggers."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tiepdan.engine.db import Base, make_engine
from tiepdan.engine.schema import upgrade

from .conftest import ops  # noqa: F401


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    from tests.conftest import _pg_database, _sqlite_database

    url, drop = _sqlite_database(tmp_path) if request.param == "sqlite" else _pg_database()
    yield url
    drop()


def test_migrations_match_the_models(empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The engine tests' own table is not part of the product's schema.
    diff = [d for d in diff if not (d[0] == "add_table" and d[1].name.startswith("test_"))]
    assert diff == []
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, 'x')"))
            conn.execute(text(
                "INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) "
                "VALUES (1, '2026-01-01', 'a', 'b', '{}', 'x', 'y')"
            ))
            conn.execute(text("DELETE FROM audit_log"))
    upgrade(empty_url)  # idempotent
    engine.dispose()


def test_the_overdue_view_across_units_reads_an_index(sqlite_db):
    """"Overdue, by due date" for all units must not scan the task index and sort it."""
    with sqlite_db.engine.connect() as conn:
        plan = " ".join(
            row[-1] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM task_index WHERE state = 'open' AND due_date < '2026-03-02' "
                "ORDER BY due_date LIMIT 50"
            )
        )
    assert "USING INDEX ix_task_due" in plan and "TEMP B-TREE" not in plan, plan
