"""The audit chain: verify passes on an intact log and names the first bad row after tampering."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tiepdan.engine import audit
from tiepdan.engine.db import transaction


def write_entries(db, n=5):
    for i in range(n):
        with transaction(db.sessions) as s:
            audit.record(s, actor=f"user{i}", action="case.view", business_key=f"HS-{i}", detail={"i": i, "tên": "Nguyễn Văn A"})


def tamper(db, sql: str) -> None:
    """What an attacker with database access would do: get round the trigger, then edit."""
    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        conn.execute(text(sql))


def verify(db):
    with db.sessions() as s:
        return audit.verify(s)


def test_intact_chain_verifies(db):
    write_entries(db)
    result = verify(db)
    assert result.ok and result.checked == 5


def test_database_refuses_updates_and_deletes(db):
    write_entries(db, 2)
    for sql in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(sql))
    assert verify(db).ok


@pytest.mark.parametrize(
    "sql, bad_seq, reason",
    [
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", 3, "content"),
        ("UPDATE audit_log SET detail = '{\"i\": 99}' WHERE seq = 2", 2, "content"),
        ("DELETE FROM audit_log WHERE seq = 3", 3, "missing"),
        ("DELETE FROM audit_log WHERE seq = 5", 5, "missing"),
        ("DELETE FROM audit_log WHERE seq = 1", 1, "missing"),
    ],
)
def test_tampering_is_found_at_the_first_bad_row(db, sql, bad_seq, reason):
    write_entries(db)
    tamper(db, sql)
    result = verify(db)
    assert not result.ok
    assert result.bad_seq == bad_seq
    assert reason in result.reason


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link(db):
    write_entries(db)
    with db.sessions() as s:
        row = s.get(audit.AuditEntry, 2)
        row.actor = "mallory"
        forged = audit._digest(row)
    tamper(db, f"UPDATE audit_log SET actor = 'mallory', hash = '{forged}' WHERE seq = 2")
    result = verify(db)
    assert (result.ok, result.bad_seq) == (False, 3)


def test_cli_verify_exit_codes(sqlite_db):
    write_entries(sqlite_db, 3)
    env = {**os.environ, "TIEPDAN_DATABASE_URL": sqlite_db.url}
    cli = [sys.executable, "-m", "tiepdan.cli", "audit", "verify"]
    ok = subprocess.run(cli, env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "3 entries" in ok.stdout
    tamper(sqlite_db, "UPDATE audit_log SET action = 'case.delete' WHERE seq = 2")
    bad = subprocess.run(cli, env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "entry 2" in bad.stderr and "Traceback" not in bad.stderr
