"""Hot statements run on the DBAPI cursor, with values already in the driver's own types.

Every step writes the instance, the task index, the timers and an audit entry. Through
SQLAlchemy's statement path each write spent more time building parameters and result objects
than SQLite spent executing it, so these few statements are plain SQL text with `:name` parameters
(rewritten to `%(name)s` for psycopg), run on the cursor of the connection's DBAPI connection,
inside the transaction SQLAlchemy has already begun (and will commit). Values are converted once,
here, the way SQLAlchemy stores them: on SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' and
dates as ISO text, which is what the ORM reads back; on PostgreSQL as native values.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Iterable, Mapping

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def connection_of(executor):
    """The Core connection behind a connection, an ORM session, or the engine's StepTx."""
    if hasattr(executor, "exec_driver_sql"):
        return executor
    if hasattr(executor, "conn"):
        return executor.conn
    return executor.connection()


class DriverStatement:
    def __init__(self, sql: str):
        self.sqlite_sql = " ".join(sql.split())
        self.pg_sql = _NAMED.sub(r"%(\1)s", self.sqlite_sql)

    def execute(self, executor, params: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None) -> "Result":
        """Run on a connection, session or StepTx; a list of parameter sets runs as executemany."""
        conn = connection_of(executor)
        if not conn.in_transaction():
            conn.begin()  # never run outside the transaction SQLAlchemy will commit
        cursor = conn.connection.driver_connection.cursor()
        sqlite = conn.dialect.name == "sqlite"
        sql = self.sqlite_sql if sqlite else self.pg_sql
        if params is None:
            cursor.execute(sql)
        elif isinstance(params, Mapping):
            cursor.execute(sql, {k: _sqlite_value(v) for k, v in params.items()} if sqlite else params)
        else:
            rows = [{k: _sqlite_value(v) for k, v in p.items()} for p in params] if sqlite else list(params)
            cursor.executemany(sql, rows)
        return Result(cursor)


class Result:
    def __init__(self, cursor):
        self.cursor = cursor
        self.rowcount = cursor.rowcount

    def one(self) -> tuple:
        rows = self.cursor.fetchall()
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {len(rows)}")
        return tuple(rows[0])

    def scalar_one_or_none(self):
        row = self.cursor.fetchone()
        return row[0] if row is not None else None
