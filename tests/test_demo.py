"""The demo data of `make run` (`tiepdan init-db --demo`), seeded for real on SQLite and
PostgreSQL: logins for every role, petitions at every stage, overdue and timely tasks, and
nothing added the second time."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tiepdan.cases.models import Party, PartyIdentity, Petition, Reception, User
from tiepdan.cases.passwords import check_password
from tiepdan.cases.users import known_roles
from tiepdan.config import REPO_ROOT, Settings
from tiepdan.demo import DEMO_PASSWORD, DEMO_USERS, PLANS, allocate, seed_demo
from tiepdan.engine.models import AuditEntry, ProcessInstance, TaskIndex

PROCESSES = REPO_ROOT / "processes"
# Friday 20 November 2026, 11:00 in Vietnam.
NOW = datetime(2026, 11, 20, 4, 0)


def settings_for(url, tmp_path) -> Settings:
    return Settings(database_url=url, var_dir=tmp_path, processes_dir=PROCESSES)


def counts(db) -> dict[str, int]:
    with db.sessions() as s:
        return {model.__name__: s.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Petition, Reception, User, ProcessInstance, TaskIndex, AuditEntry)}


def test_the_demo_has_every_role_every_stage_and_is_seeded_once(db, tmp_path):
    summary = seed_demo(settings_for(db.url, tmp_path), petitions=40, now=NOW, progress=False)
    assert summary.seeded and summary.failures == []
    assert summary.cases == 40 and summary.today.isoformat() == "2026-11-20"

    with db.sessions() as s:
        # Every role of processes/roles.yaml has a user who can log in with the demo password.
        users = s.execute(select(User)).scalars().all()
        for role in known_roles(PROCESSES):
            holders = [u for u in users if role in u.roles]
            assert holders, role
            assert all(check_password(u, DEMO_PASSWORD) for u in holders), role
        assert not check_password(holders[0], DEMO_PASSWORD + "x")
        assert {u.username for u in users} == {u.username for u in DEMO_USERS}
        assert {u.unit.code for u in users} >= {"92.UBND", "92.TTR", "92.X31507"}

        # Petitions at every outcome of the intake, received over the last ~60 days.
        statuses = dict(s.execute(select(Petition.status, func.count()).group_by(Petition.status)).all())
        assert {"registered", "classified", "guided", "transferred", "archived", "closed"} <= set(statuses)
        assert sum(statuses.values()) == summary.petitions >= 40
        first, last = s.execute(select(func.min(Petition.received_at), func.max(Petition.received_at))).one()
        assert NOW - timedelta(days=62) <= first and last <= NOW
        assert s.execute(select(func.count()).where(Petition.transferred_from_id.is_not(None))).scalar_one() > 0
        assert s.execute(select(func.count()).where(Petition.split_from_id.is_not(None))).scalar_one() >= 2
        assert s.execute(select(func.count()).where(Petition.duplicate_of_id.is_not(None))).scalar_one() > 0
        assert s.execute(select(func.max(Petition.petitioner_count))).scalar_one() >= 5
        channels = set(s.execute(select(Petition.channel).distinct()).scalars())
        assert channels == {"in_person", "post", "forwarded", "online"}
        ids = s.execute(select(PartyIdentity.id_number).join(Party).where(Party.role == "petitioner",
                                                                         PartyIdentity.id_number.is_not(None))).scalars().all()
        assert ids and all(len(n) == 12 and n.isdigit() and n[:3] in ("092", "093", "094") for n in ids)

        # Open tasks of both diagrams, some overdue and some not, in several units' queues.
        tasks = s.execute(select(TaskIndex)).scalars().all()
        specs = {t.task_spec for t in tasks}
        assert {"classify", "approve_complaint", "send_guidance", "await_result", "split_content"} <= specs
        assert {"identify", "refusal_check", "appoint_representatives", "record_content", "notify_citizen"} <= specs
        overdue = [t for t in tasks if t.due_date is not None and t.due_date < summary.today]
        timely = [t for t in tasks if t.due_date is not None and t.due_date >= summary.today]
        assert overdue and timely and len(overdue) == summary.overdue_tasks
        assert {"92.UBND", "92.X31507"} <= {t.unit_id for t in tasks}

        # A transfer whose result report is overdue has had its reminder; two approvals show the
        # missing resolution procedure as an instance in error; a session was refused.
        assert s.execute(select(func.count()).where(AuditEntry.action == "case.reminder")).scalar_one() >= 1
        errors = s.execute(select(ProcessInstance).where(ProcessInstance.status == "error")).scalars().all()
        assert len(errors) == 2 and all("complaint_first" in e.error_message for e in errors)
        assert s.execute(select(func.count()).where(Reception.refused.is_(True))).scalar_one() >= 2

    before = counts(db)
    again = seed_demo(settings_for(db.url, tmp_path), petitions=40, now=NOW + timedelta(days=1), progress=False)
    assert not again.seeded
    assert counts(db) == before


def test_the_cases_are_spread_over_every_plan():
    for total in (40, 300):
        spread = allocate(total)
        assert sum(spread.values()) == total
        assert all(spread[name] >= 1 for name in PLANS)
    assert sum(allocate(10).values()) == 10


def test_init_db_demo_prints_the_logins_once(tmp_path):
    from click.testing import CliRunner

    from tiepdan.cli import main

    env = {"TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "TIEPDAN_VAR_DIR": str(tmp_path),
           "TIEPDAN_PROCESSES_DIR": str(PROCESSES)}
    first = CliRunner().invoke(main, ["init-db", "--demo", "--demo-petitions", "30"], env=env)
    assert first.exit_code == 0, first.output
    for user in DEMO_USERS:
        assert any(line.split()[:1] == [user.username] and line.rstrip().endswith(DEMO_PASSWORD)
                   for line in first.output.splitlines()), user.username
    assert "warning" not in first.output
    second = CliRunner().invoke(main, ["init-db", "--demo"], env=env)
    assert second.exit_code == 0
    demo_lines = [line for line in second.output.splitlines() if line.startswith("demo")]
    assert len(demo_lines) == 1 and "not empty" in demo_lines[0]
