"""Shared fixtures: a real SQLite file and a real PostgreSQL schema per test, never a mock.

`db` is parametrised over both backends. PostgreSQL comes from TIEPDAN_TEST_PG_URL, which
`make test` sets after starting the loopback server; when it is absent, PostgreSQL cases are
skipped locally and fail in CI, so a CI run can never pass without having run them.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tiepdan.engine.db import Base, make_engine, make_sessionmaker

PG_URL = os.environ.get("TIEPDAN_TEST_PG_URL")


def _all_models() -> None:
    """Import every module that declares tables so that create_all sees them."""
    import tiepdan.engine.models  # noqa: F401

    try:
        import tiepdan.cases.models  # noqa: F401
    except ModuleNotFoundError:
        pass


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


def _sqlite_database(tmp_path) -> tuple[str, callable]:
    return f"sqlite:///{tmp_path / 'test.db'}", lambda: None


def _pg_database() -> tuple[str, callable]:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TIEPDAN_TEST_PG_URL is not set in CI: the PostgreSQL server did not start")
        pytest.skip("PostgreSQL not configured (run through `make test`)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return url, drop


def open_database(backend: str, tmp_path) -> tuple[Database, callable]:
    _all_models()
    url, drop = _sqlite_database(tmp_path) if backend == "sqlite" else _pg_database()
    engine = make_engine(url)
    Base.metadata.create_all(engine)

    def close() -> None:
        engine.dispose()
        drop()

    return Database(url, engine, make_sessionmaker(engine)), close


@pytest.fixture(params=["sqlite", "postgres"])
def db(request, tmp_path):
    database, close = open_database(request.param, tmp_path)
    yield database
    close()


@pytest.fixture
def sqlite_db(tmp_path):
    database, close = open_database("sqlite", tmp_path)
    yield database
    close()


@pytest.fixture
def pg_db(tmp_path):
    database, close = open_database("postgres", tmp_path)
    yield database
    close()
