"""`tiepdan process test|publish|versions|diff|migrate` end to end, in a child process."""
from __future__ import annotations

import os
import shutil

import pytest

from tiepdan.config import REPO_ROOT

from .test_cli import run


@pytest.fixture
def env(tmp_path):
    """processes/ with the reception diagram only (and its scenarios), on a fresh SQLite file."""
    processes = tmp_path / "processes"
    shutil.copytree(REPO_ROOT / "processes", processes, ignore=shutil.ignore_patterns("*.bpmn", "scenarios"))
    shutil.copy(REPO_ROOT / "processes" / "reception.bpmn", processes)
    (processes / "scenarios").mkdir()
    shutil.copy(REPO_ROOT / "processes" / "scenarios" / "reception.yaml", processes / "scenarios")
    return {**os.environ, "TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path}/t.db", "TIEPDAN_PROCESSES_DIR": str(processes)}


def break_a_scenario(env):
    path = os.path.join(env["TIEPDAN_PROCESSES_DIR"], "scenarios", "reception.yaml")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("due: {notify_citizen: 2026-03-16}", "due: {notify_citizen: 2026-03-13}"))


def test_process_test_passes_with_progress_and_fails_with_one_line_per_failure(env):
    passed = run(["process", "test", "reception"], env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout == "" and "[1] reception: " in passed.stderr and "[4] reception: " in passed.stderr
    break_a_scenario(env)
    failed = run(["process", "test"], env)
    assert failed.returncode == 1
    assert failed.stdout.splitlines() == [
        "reception: một công dân có đơn, ghi nhận và thông báo: hạn của notify_citizen: mong đợi 2026-03-13, thực tế 2026-03-16"
    ]
    assert "Traceback" not in failed.stderr


def test_process_test_of_a_process_without_scenarios_is_an_error(env):
    result = run(["process", "test", "no_such_process"], env)
    assert result.returncode == 1 and result.stderr.startswith("error: no scenario file")


def test_publish_is_refused_while_a_scenario_fails(env):
    assert run(["init-db"], env).returncode == 0
    path = os.path.join(env["TIEPDAN_PROCESSES_DIR"], "reception.bpmn")
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace('<bpmn:process id="reception" name="', '<bpmn:process id="reception" name="Quy trình '))
    break_a_scenario(env)
    refused = run(["process", "publish", path, "--note", "đổi tên"], env)
    assert refused.returncode == 1
    assert refused.stdout.splitlines()[0].startswith("reception: một công dân có đơn") and "không ban hành" in refused.stderr
    assert len(run(["process", "versions", "reception"], env).stdout.splitlines()) == 1
    shutil.copy(REPO_ROOT / "processes" / "scenarios" / "reception.yaml", os.path.join(env["TIEPDAN_PROCESSES_DIR"], "scenarios"))
    published = run(["process", "publish", path, "--note", "đổi tên", "--actor", "phapche"], env)
    assert published.returncode == 0, published.stderr
    versions = run(["process", "versions", "reception"], env).stdout.splitlines()
    assert len(versions) == 2 and versions[1].startswith("v2 ") and "phapche" in versions[1] and versions[1].endswith("đổi tên")
    diff = run(["process", "diff", "1", "2"], env)
    assert diff.returncode == 0 and diff.stdout.splitlines() == [
        "~ process reception Quy trình Tiếp công dân: name: 'Tiếp công dân' → 'Quy trình Tiếp công dân'"
    ]


def test_migrate_needs_instances_or_a_version_and_says_why_one_stays(env):
    assert run(["init-db"], env).returncode == 0
    assert run(["process", "migrate", "--to", "1"], env).returncode == 2
    dry = run(["process", "migrate", "--to", "1", "--dry-run", "999"], env)
    assert dry.returncode == 1
    assert dry.stdout.splitlines() == ["999 -: GIỮ NGUYÊN: hồ sơ quy trình 999 không tồn tại"]
    none = run(["process", "migrate", "--to", "1", "--all-from", "1"], env)
    assert none.returncode == 0 and none.stdout == ""
