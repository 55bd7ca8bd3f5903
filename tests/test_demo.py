"""The demo data of `make run` (`tiepdan init-db --demo`), seeded for real on SQLite and
PostgreSQL: logins for every role, petitions at every stage of the intake and reception and on
through every resolution procedure (complaints to the second instance and execution,
denunciations to the publication of their conclusion, recommendations, re-denunciations),
overdue and timely tasks, nothing in error, and nothing added the second time."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tiepdan.cases.models import CaseClockEvent, ExecutionItem, Party, PartyIdentity, Petition, Reception, User
from tiepdan.cases.passwords import check_password
from tiepdan.cases.publications import archived_publications, current_publications
from tiepdan.cases.users import known_roles
from tiepdan.config import REPO_ROOT, Settings
from tiepdan.demo import DAYS_BACK, DEMO_PASSWORD, DEMO_USERS, PLANS, allocate, seed_demo
from tiepdan.engine.models import AuditEntry, ProcessInstance, TaskIndex, Timer

PROCESSES = REPO_ROOT / "processes"
# Friday 20 November 2026, 11:00 in Vietnam.
NOW = datetime(2026, 11, 20, 4, 0)
# One case of every plan (and a few more by weight).
CASES = len(PLANS) + 6


def settings_for(url, tmp_path) -> Settings:
    return Settings(database_url=url, var_dir=tmp_path, processes_dir=PROCESSES)


def counts(db) -> dict[str, int]:
    with db.sessions() as s:
        return {model.__name__: s.execute(select(func.count()).select_from(model)).scalar_one()
                for model in (Petition, Reception, User, ProcessInstance, TaskIndex, AuditEntry)}


def test_the_demo_has_every_role_every_stage_and_is_seeded_once(db, tmp_path):
    summary = seed_demo(settings_for(db.url, tmp_path), petitions=CASES, now=NOW, progress=False)
    assert summary.seeded and summary.failures == []
    assert summary.cases == CASES and summary.today.isoformat() == "2026-11-20"
    today = summary.today

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

        # Petitions at every outcome of the intake and of the resolution, received over the
        # last DAYS_BACK days.
        statuses = dict(s.execute(select(Petition.status, func.count()).group_by(Petition.status)).all())
        assert {"registered", "classified", "guided", "transferred", "archived", "closed", "accepted", "resolving",
                "suspended", "resolved", "withdrawn"} <= set(statuses)
        assert sum(statuses.values()) == summary.petitions >= CASES
        first, last = s.execute(select(func.min(Petition.received_at), func.max(Petition.received_at))).one()
        assert NOW - timedelta(days=DAYS_BACK + 2) <= first and last <= NOW
        assert s.execute(select(func.count()).where(Petition.transferred_from_id.is_not(None))).scalar_one() > 0
        assert s.execute(select(func.count()).where(Petition.split_from_id.is_not(None))).scalar_one() >= 2
        assert s.execute(select(func.count()).where(Petition.duplicate_of_id.is_not(None))).scalar_one() > 0
        assert s.execute(select(func.max(Petition.petitioner_count))).scalar_one() >= 5
        channels = set(s.execute(select(Petition.channel).distinct()).scalars())
        assert channels == {"in_person", "post", "forwarded", "online"}
        ids = s.execute(select(PartyIdentity.id_number).join(Party).where(Party.role == "petitioner",
                                                                         PartyIdentity.id_number.is_not(None))).scalars().all()
        assert ids and all(len(n) == 12 and n.isdigit() and n[:3] in ("092", "093", "094") for n in ids)

        # Instances of every published procedure, none in error.
        processes = {path.stem for path in PROCESSES.glob("*.bpmn")}
        assert set(summary.processes) == processes
        by_process = dict(s.execute(select(ProcessInstance.process_id, func.count())
                                    .group_by(ProcessInstance.process_id)).all())
        assert set(by_process) == processes
        assert s.execute(select(func.count()).where(ProcessInstance.status == "error")).scalar_one() == 0
        completed = set(s.execute(select(ProcessInstance.process_id).where(ProcessInstance.status == "completed")
                                  .distinct()).scalars())
        assert {"petition_intake", "reception", "complaint_first", "denunciation", "recommendation", "publication",
                "execution", "denunciation_review"} <= completed

        # Open tasks of every procedure, some overdue and some not, in several units' queues;
        # every task whose rule gives a deadline has its due date.
        tasks = s.execute(select(TaskIndex)).scalars().all()
        specs = {(t.process_id, t.task_spec) for t in tasks}
        assert {("petition_intake", spec) for spec in (
            "classify", "approve_complaint", "send_guidance", "await_result", "split_content")} <= specs
        assert {("reception", spec) for spec in (
            "identify", "refusal_check", "appoint_representatives", "record_content", "notify_citizen")} <= specs
        assert {("complaint_first", spec) for spec in (
            "acceptance_notice", "verify", "dialogue", "sign_decision", "send_decision")} <= specs
        assert {("denunciation", spec) for spec in (
            "acceptance_decision", "notify_parties", "verify", "conclude", "handle_conclusion")} <= specs
        assert {("recommendation", "handle"), ("denunciation_review", "review"),
                ("execution", "report_execution")} <= specs
        assert [t for t in tasks if t.deadline_rule and t.due_date is None] == []
        overdue = [t for t in tasks if t.due_date is not None and t.due_date < today]
        timely = [t for t in tasks if t.due_date is not None and t.due_date >= today]
        assert overdue and timely and len(overdue) == summary.overdue_tasks
        assert {"92.UBND", "92.X31507"} <= {t.unit_id for t in tasks}

        # Overdue work was reminded and escalated: some supervisor reviews are open, some done.
        actions = dict(s.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
        assert actions.get("case.reminder", 0) >= 1  # a transfer's result report
        assert actions.get("task.reminder", 0) >= 1 and actions.get("task.escalation", 0) >= 1
        reviews = [t for t in tasks if t.task_spec.startswith("review_overdue")]
        assert reviews and all(t.role == "supervisor" for t in reviews)
        assert s.execute(select(func.count()).where(AuditEntry.action == "task.complete",
                                                    AuditEntry.actor == "giamsat")).scalar_one() >= 1

        # A complaint appealed to the second instance at the city, linked to the first.
        second = s.execute(select(Petition).where(Petition.appeal_of_id.is_not(None))).scalars().all()
        assert second and all(p.instance_level == 2 and p.holding_unit.code == "92.UBND" for p in second)
        assert {s.get(Petition, p.appeal_of_id).holding_unit.code for p in second} == {"92.X31507"}

        # Suspensions, a continuation, extensions of denunciations (once and twice), a
        # denunciation sent to the investigation body.
        clock_events = s.execute(select(CaseClockEvent.petition_id, CaseClockEvent.kind)).all()
        per_case = Counter(pid for pid, kind in clock_events if kind == "extension")
        assert {1, 2} <= set(per_case.values())
        assert {"suspension", "continuation"} <= {kind for _, kind in clock_events}
        investigated = s.execute(select(Petition).where(Petition.transferred_to_id.is_(None),
                                                        Petition.status == "resolved",
                                                        Petition.transferred_to_unit_id.is_not(None))).scalars().all()
        assert any(p.transferred_to_unit.code == "92.CSDT" for p in investigated)

        # A publication on the public list today, one ended and kept in the archive; execution
        # items followed, done and not yet done.
        assert current_publications(s, today) and archived_publications(s, today)
        items = s.execute(select(ExecutionItem)).scalars().all()
        assert any(i.done_on for i in items) and any(i.done_on is None for i in items)

        # Reception sessions refused.
        assert s.execute(select(func.count()).where(Reception.refused.is_(True))).scalar_one() >= 2

        # A finished case ends its instance: nothing waits without an open task or a timer.
        stuck = s.execute(select(ProcessInstance.business_key, ProcessInstance.process_id).where(
            ProcessInstance.status == "waiting",
            ~select(TaskIndex.id).where(TaskIndex.instance_id == ProcessInstance.id).exists(),
            ~select(Timer.id).where(Timer.instance_id == ProcessInstance.id, Timer.fired_at.is_(None)).exists(),
        )).all()
        assert stuck == []

    before = counts(db)
    again = seed_demo(settings_for(db.url, tmp_path), petitions=CASES, now=NOW + timedelta(days=1), progress=False)
    assert not again.seeded
    assert counts(db) == before


def test_the_cases_are_spread_over_every_plan():
    for total in (CASES, 300):
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
