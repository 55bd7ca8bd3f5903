"""The `tiepdan` command end to end, in a child process as a user runs it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tiepdan.config import REPO_ROOT


def run(args, env):
    return subprocess.run([sys.executable, "-m", "tiepdan.cli", *args], env=env, capture_output=True, text=True, cwd=REPO_ROOT)


def fresh_processes(tmp_path):
    """processes/ as a fresh clone has it before any form exists: no forms/ folder at all."""
    target = tmp_path / "processes"
    target.mkdir()
    shutil.copy(REPO_ROOT / "processes" / "roles.yaml", target)
    shutil.copytree(REPO_ROOT / "processes" / "rules", target / "rules")
    return target


def test_init_db_then_list_on_an_empty_database(tmp_path):
    env = {**os.environ, "TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TIEPDAN_PROCESSES_DIR": str(fresh_processes(tmp_path))}
    init = run(["init-db"], env)
    assert init.returncode == 0, init.stderr
    listing = run(["process", "list"], env)
    assert listing.returncode == 0 and "no process versions yet" in listing.stdout
    assert run(["audit", "verify"], env).returncode == 0


def test_a_broken_rule_file_is_one_line_not_a_traceback(tmp_path):
    processes = fresh_processes(tmp_path)
    (processes / "rules" / "broken.yaml").write_text("- id: x\n  count: [not a number\n")
    env = {**os.environ, "TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TIEPDAN_PROCESSES_DIR": str(processes)}
    result = run(["process", "list"], env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot load processes/") and "broken.yaml" in result.stderr


@pytest.mark.parametrize("args", [["process", "list"], ["audit", "verify"]])
def test_a_database_without_the_schema_is_one_line_not_a_traceback(tmp_path, args):
    from click.testing import CliRunner

    from tiepdan.cli import main

    env = {"TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("error: database error") and "init-db" in result.output
    assert len(result.output.strip().splitlines()) == 1
