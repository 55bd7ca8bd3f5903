"""`tiepdan calendar ...` and `tiepdan deadline ...`: output, exit codes, one-line errors."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tiepdan.cli import main
from tiepdan.engine.models import AuditEntry, CalendarOverride

from .test_deadlines import README_IDS

REPO = Path(__file__).resolve().parents[2]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}\n$")


@pytest.fixture
def env(tmp_path):
    """No database (a path that does not exist) and the repository's processes/."""
    return {
        "TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'tiepdan.db'}",
        "TIEPDAN_PROCESSES_DIR": str(REPO / "processes"),
    }


def run(env, *args):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def assert_one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr


# --- deadline -----------------------------------------------------------------------------------

@pytest.mark.parametrize("rule_id", README_IDS)
def test_deadline_for_every_rule(env, rule_id):
    result = run(env, "deadline", rule_id, "--start", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert ISO.match(result.stdout), result.stdout


def test_deadline_values_and_no_database_note(env):
    result = run(env, "deadline", "complaint.accept", "--start", "2026-06-30")
    assert result.stdout == "2026-07-10\n"
    assert "does not exist: using the official calendar" in result.stderr
    assert "marked to verify" in result.stderr
    assert run(env, "deadline", "complaint.accept", "--start", "2026-07-03").stdout == "2026-07-14\n"
    assert run(env, "deadline", "denunciation.resolve", "--start", "2026-03-02",
               "--extensions", "2").stdout == "2026-06-01\n"
    assert run(env, "deadline", "denunciation.resolve", "--start", "2026-03-02",
               "--pause", "2026-03-10:2026-03-20").stdout == "2026-04-13\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["deadline", "complaint.nope", "--start", "2026-03-02"], "unknown rule 'complaint.nope'"),
        (["deadline", "complaint.accept", "--start", "2026-02-30"], "not a valid date"),
        (["deadline", "complaint.accept", "--start", "02/03/2026"], "not a date YYYY-MM-DD"),
        (["deadline", "complaint.accept", "--start", "20260302"], "not a date YYYY-MM-DD"),
        (["deadline", "complaint.accept", "--start", "2040-03-02"], "outside the supported years"),
        (["deadline", "complaint.accept", "--start", "2014-03-02"], "outside the supported years"),
        (["deadline", "complaint.limitation", "--start", "2035-12-20"], "outside the supported years"),
        (["deadline", "denunciation.resolve", "--start", "2018-03-02"], "no version in force"),
        (["deadline", "complaint.accept"], "--start YYYY-MM-DD is required"),
        (["deadline"], "give a RULE"),
        (["deadline", "complaint.accept", "--start"], "requires an argument"),
        (["deadline", "--frobnicate"], "No such option"),
        (["deadline", "denunciation.resolve", "--start", "2026-03-02", "--extensions", "3"], "at most 2"),
        (["deadline", "denunciation.resolve", "--start", "2026-03-02", "--extensions", "-1"], "extensions"),
        (["deadline", "denunciation.resolve", "--start", "2026-03-02", "--pause", "2026-03-10"], "FROM:TO"),
        (["deadline", "--list", "complaint.accept"], "take no RULE"),
        (["calendar", "show", "2040"], "outside the supported years"),
        (["calendar", "show", "twenty"], "not a valid integer"),
        (["calendar", "frob"], "No such command"),
        (["calendar", "add-holiday", "2026-13-01", "X"], "not a valid date"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_exit_2(env, args, message):
    result = run(env, *args)
    assert_one_line_error(result, 2)
    assert message in result.stderr


def test_deadline_list(env):
    result = run(env, "deadline", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for rule_id in README_IDS:
        assert any(line.split()[0] == rule_id for line in lines), rule_id
    marked = {line.split()[0] for line in lines if line.endswith("[to verify]")}
    assert marked == {"complaint.accept", "petition.process", "reception.refusal_notice"}
    [resolve] = [line for line in lines if line.startswith("denunciation.resolve ")]
    assert re.search(r"\b30 days\b.*LTC Art 30.*\+30 days, at most 2x", resolve)


def test_deadline_check(env, tmp_path):
    ok = run(env, "deadline", "--check")
    assert ok.exit_code == 0 and ok.stdout.startswith("ok: 30 rules")
    (tmp_path / "procs" / "rules").mkdir(parents=True)
    (tmp_path / "procs" / "rules" / "x.yaml").write_text("rules:\n  - id: x\n    count: 0\n")
    bad = run({**env, "TIEPDAN_PROCESSES_DIR": str(tmp_path / "procs")}, "deadline", "--check")
    assert bad.exit_code == 1 and bad.stdout == ""
    assert all(line.startswith("error: x.yaml: rule x: ") for line in bad.stderr.splitlines())
    assert "'count' must be positive" in bad.stderr
    # a broken catalogue makes `deadline RULE` fail cleanly too
    broken = run({**env, "TIEPDAN_PROCESSES_DIR": str(tmp_path / "procs")},
                 "deadline", "x", "--start", "2026-03-02")
    assert broken.exit_code == 1 and broken.stdout == "" and "Traceback" not in broken.stderr


# --- calendar -----------------------------------------------------------------------------------

def test_calendar_show_without_database(env):
    result = run(env, "calendar", "show", "2026")
    assert result.exit_code == 0
    assert "official calendar without administrator overrides" in result.stderr
    lines = result.stdout.splitlines()
    assert "2026-01-02  Thứ Sáu  Nghỉ Tết Dương lịch (hoán đổi với thứ Bảy 10/01/2026)" in lines
    assert "2026-02-16  Thứ Hai  Giao thừa Tết Nguyên Đán" in lines
    assert "2026-08-22  Thứ Bảy  Làm việc bù (cho ngày nghỉ 31/08/2026)" in lines
    days = [line[:10] for line in lines if not line.startswith("#")]
    assert days[:2] == ["2026-01-01", "2026-01-02"] and days[-2:] == ["2026-01-10", "2026-08-22"]


def test_calendar_changes_need_the_schema(env):
    result = run(env, "calendar", "add-holiday", "2026-03-04", "Nghỉ")
    assert_one_line_error(result, 1)
    assert "create the schema first" in result.stderr


def test_calendar_changes_through_the_cli(db, env):
    env = {**env, "TIEPDAN_DATABASE_URL": db.url}
    assert run(env, "deadline", "denunciation.initial", "--start", "2026-03-02").stdout == "2026-03-11\n"

    added = run(env, "calendar", "add-holiday", "2026-03-04", "Nghỉ đột xuất", "--actor", "alice")
    assert added.exit_code == 0, added.output
    assert "2026-03-04  Thứ Tư  Nghỉ đột xuất" in run(env, "calendar", "show", "2026").stdout
    # the deadline moves at once: Wed 4/3 no longer counts
    moved = run(env, "deadline", "denunciation.initial", "--start", "2026-03-02")
    assert moved.stdout == "2026-03-12\n" and moved.stderr == ""

    assert run(env, "calendar", "add-workday", "2026-03-07", "Làm bù", "--actor", "bob").exit_code == 0
    assert run(env, "calendar", "remove-holiday", "2026-11-24", "--actor", "carol").exit_code == 0
    shown = run(env, "calendar", "show", "2026").stdout
    assert "2026-03-07  Thứ Bảy  Làm bù" in shown and "2026-11-24" not in shown

    refused = run(env, "calendar", "remove-holiday", "2026-03-03")
    assert_one_line_error(refused, 2)
    assert "not a holiday" in refused.stderr

    with db.sessions() as s:
        actions = [(e.action, e.actor, e.detail["day"]) for e in s.execute(select(AuditEntry)).scalars()]
        overrides = {o.day.isoformat(): o.kind for o in s.execute(select(CalendarOverride)).scalars()}
    assert actions == [
        ("calendar.add_holiday", "alice", "2026-03-04"),
        ("calendar.add_workday", "bob", "2026-03-07"),
        ("calendar.remove_holiday", "carol", "2026-11-24"),
    ]
    assert overrides == {"2026-03-04": "holiday", "2026-03-07": "workday", "2026-11-24": "workday"}


def test_calendar_show_with_empty_database_falls_back(tmp_path, env):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = run({**env, "TIEPDAN_DATABASE_URL": f"sqlite:///{empty}"}, "calendar", "show", "2025")
    assert result.exit_code == 0
    assert "has no calendar_override table" in result.stderr
    assert "2025-04-26  Thứ Bảy  Làm việc bù (cho ngày nghỉ 02/05/2025)" in result.stdout


# --- the installed console script -----------------------------------------------------------------

def test_console_script(env):
    script = Path(sys.executable).parent / "tiepdan"
    if not script.exists():
        pytest.skip("the tiepdan console script is not installed in this environment")
    ok = subprocess.run([str(script), "deadline", "complaint.accept", "--start", "2026-07-01"],
                        env=env, capture_output=True, text=True, timeout=60)
    assert (ok.returncode, ok.stdout) == (0, "2026-07-10\n")
    bad = subprocess.run([str(script), "deadline", "complaint.accept", "--start", "2026-7-1"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in bad.stderr
