"""Migration 0002 creates the case tables (the trigram search index on PostgreSQL) and drops them
again; tests/engine/test_schema.py checks that the result matches the models."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from tiepdan.engine.db import make_engine
from tiepdan.engine.schema import alembic_config, upgrade

CASE_TABLES = {"admin_division", "unit", "app_user", "user_role", "receipt_counter", "reception", "petition",
               "party", "party_identity", "case_document"}


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    from tests.conftest import _pg_database, _sqlite_database

    url, drop = _sqlite_database(tmp_path) if request.param == "sqlite" else _pg_database()
    yield url
    drop()


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade(empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        assert CASE_TABLES <= _tables(engine)
        indexes = {ix["name"] for ix in inspect(engine).get_indexes("petition")}
        assert {"ix_petition_search_text", "ix_petition_unit_received", "ix_petition_holding_status"} <= indexes
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                ddl = conn.execute(text(
                    "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_petition_search_text' "
                    "AND schemaname = current_schema()"
                )).scalar_one()
                assert "USING gin (search_text public.gin_trgm_ops)" in ddl
                assert conn.execute(text(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'pg_trgm'"
                )).scalar_one() == "public"
        engine.dispose()
        command.downgrade(alembic_config(empty_url), "0001")
        remaining = _tables(engine)
        assert remaining.isdisjoint(CASE_TABLES)
        assert {"audit_log", "process_instance", "task_index"} <= remaining
        engine.dispose()
        upgrade(empty_url)
        assert CASE_TABLES <= _tables(engine)
    finally:
        engine.dispose()


def test_the_search_index_serves_substring_search_on_postgresql(pg_db):
    # pg_db is made by create_all, which runs the same extension DDL before the table.
    with pg_db.engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT id FROM petition WHERE search_text LIKE '%thu hoi dat%'"
        )).scalars())
    assert "ix_petition_search_text" in plan
