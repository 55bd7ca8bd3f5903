"""Hot write statements run as driver SQL, with values already in the driver's own types.

Every step writes the instance, the task index, the timers and an audit entry. Through
SQLAlchemy's compiled-statement path each write spends more time building its parameters than
SQLite spends executing it, so these few statements are plain SQL text with `:name` parameters
(rewritten to `%(name)s` for psycopg) and their values converted once, here, the way SQLAlchemy
stores them: on SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' and dates as ISO text, which
is what the ORM reads back; on PostgreSQL as native values.
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

    def execute(self, executor, params: Mapping[str, Any] | Iterable[Mapping[str, Any]] = ()):
        """Run on a connection, session or StepTx; a list of parameter sets runs as executemany."""
        conn = connection_of(executor)
        if conn.dialect.name == "sqlite":
            if isinstance(params, Mapping):
                params = {k: _sqlite_value(v) for k, v in params.items()}
            else:
                params = [{k: _sqlite_value(v) for k, v in p.items()} for p in params]
            return conn.exec_driver_sql(self.sqlite_sql, params)
        return conn.exec_driver_sql(self.pg_sql, params if isinstance(params, Mapping) else list(params))
