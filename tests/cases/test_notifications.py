"""In-app notifications and the supervisors' daily digest, on both backends: who gets what
(scope by unit subtree), which day's escalations and which overdue tasks, idempotence (run
twice: one notification, one e-mail queued), the e-mail delivered once through the outbox to a
real SMTP server, and no denouncer's identity anywhere in it."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tiepdan.cases import notifications, outbox, parties, petitions
from tiepdan.cases.models import Notification, OutboxMessage
from tiepdan.engine import audit
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.models import ProcessInstance, ProcessVersion, TaskIndex

from ..support.smtp_server import SmtpServer
from .conftest import person, user

DAY = date(2026, 3, 10)  # the digest's day: escalations of 9/3, tasks due before 10/3
DENOUNCER, CCCD = "Phan Thị Bí Mật", "004199000555"


def _case(s, world, unit: str, kind: str = "complaint", *, denouncer: bool = False):
    p = petitions.register_petition(s, unit=unit, channel="post", created_by="xuly.btcd", petition_type=kind,
                                    content="Nội dung", clock=world.clock).petition
    if denouncer:
        parties.add_petitioner(s, p, person(DENOUNCER, address="Tổ 3", cccd=CCCD))
    version = s.execute(select(ProcessVersion)).scalars().first()
    if version is None:
        version = ProcessVersion(process_id="complaint_first", content_hash="y" * 64, bpmn_xml="<x/>",
                                 status="published", created_at=world.clock.now())
        s.add(version)
        s.flush()
    inst = ProcessInstance(version_id=version.id, process_id="complaint_first", business_key=p.business_key,
                           unit_id=unit, status="running", state="{}", created_at=world.clock.now(),
                           updated_at=world.clock.now())
    s.add(inst)
    s.flush()
    return p, inst


def _task(s, world, p, inst, due: date, n: int, name: str = "Giải quyết khiếu nại"):
    s.add(TaskIndex(id=f"t-{n}", instance_id=inst.id, business_key=p.business_key, process_id=inst.process_id,
                    task_spec=f"spec{n}", task_name=name, role="leader", unit_id=inst.unit_id,
                    created_at=world.clock.now(), due_date=due, state="open"))


def _escalate(s, p, inst, at: datetime, task: str):
    audit.record(s, actor="timer", action="task.escalation", business_key=p.business_key, instance_id=inst.id,
                 detail={"task": task, "on": at.date().isoformat()}, clock=FixedClock(at))


@pytest.fixture
def scene(world):
    """Cases of the office, the commune and the inspectorate, all three under the committee."""
    with world.session() as s:
        office, oi = _case(s, world, world.office, "denunciation", denouncer=True)
        _task(s, world, office, oi, date(2026, 3, 5), 1, name="Xác minh nội dung tố cáo")
        _task(s, world, office, oi, date(2026, 3, 10), 2)  # due on the digest's day: not overdue yet
        _escalate(s, office, oi, datetime(2026, 3, 9, 2, 0), "spec1")  # 9/3 09:00 local
        _escalate(s, office, oi, datetime(2026, 3, 8, 16, 59), "spec1")  # 8/3 23:59 local: the day before
        commune, ci = _case(s, world, world.commune)
        _task(s, world, commune, ci, date(2026, 3, 9), 3)
        _escalate(s, commune, ci, datetime(2026, 3, 9, 17, 0), "spec3")  # 10/3 00:00 local: tomorrow's
        ttr, ti = _case(s, world, world.inspectorate)
        _task(s, world, ttr, ti, date(2026, 3, 1), 4)
        user(s, "chutich").email = "chutich@caobang.example.vn"
        return {"office": office.receipt_no, "commune": commune.receipt_no, "ttr": ttr.receipt_no}


def _notes(world, username):
    with world.session() as s:
        return notifications.for_user(s, user(s, username))


def test_digest_by_scope_and_day(world, scene):
    with world.session() as s:
        assert notifications.daily_digest(s, DAY, clock=world.clock) == {"notifications": 2, "emails": 0}
    [chutich] = _notes(world, "chutich")  # the committee's supervisor: the whole subtree
    assert chutich.subject == "Tổng hợp ngày 10/03/2026: 1 việc chuyển cấp, 3 việc quá hạn"
    lines = chutich.body.splitlines()
    assert f"- Đơn {scene['office']}: Xác minh nội dung tố cáo (ngày 09/03/2026)" in lines
    assert f"- Đơn {scene['office']}: Xác minh nội dung tố cáo (hạn 05/03/2026)" in lines
    assert f"- Đơn {scene['commune']}: Giải quyết khiếu nại (hạn 09/03/2026)" in lines
    assert f"- Đơn {scene['ttr']}: Giải quyết khiếu nại (hạn 01/03/2026)" in lines
    assert "hạn 10/03/2026" not in chutich.body
    [ttr] = _notes(world, "giamsat.ttr")  # the inspectorate's supervisor: its own case only
    assert ttr.subject == "Tổng hợp ngày 10/03/2026: 0 việc chuyển cấp, 1 việc quá hạn"
    assert scene["ttr"] in ttr.body and scene["office"] not in ttr.body and scene["commune"] not in ttr.body
    assert _notes(world, "truongban") == []  # a leader without the supervisor role gets no digest
    assert DENOUNCER not in chutich.body + chutich.subject and CCCD not in chutich.body


def test_digest_twice_writes_once_and_the_email_goes_once(world, scene):
    with SmtpServer() as server:
        smtp = outbox.SmtpConfig(server.host, server.port, timeout=5)
        with world.session() as s:
            first = notifications.daily_digest(s, DAY, smtp=smtp, clock=world.clock)
        with world.session() as s:
            again = notifications.daily_digest(s, DAY, smtp=smtp, clock=world.clock)
        # Only chutich has an address.
        assert (first, again) == ({"notifications": 2, "emails": 1}, {"notifications": 0, "emails": 0})
        with world.session() as s:
            assert s.query(Notification).count() == 2
            [row] = s.execute(select(OutboxMessage)).scalars().all()
            assert (row.idempotency_key, row.recipient) == ("digest:chutich:2026-03-10", "chutich@caobang.example.vn")
        for _ in range(2):
            outbox.send_pending(world.db.sessions, smtp, clock=world.clock)
        [(_, recipients, msg)] = server.messages
        assert recipients == ["chutich@caobang.example.vn"]
        assert scene["office"] in msg.get_content() and DENOUNCER not in msg.as_string()
    # The next day is a new digest.
    with world.session() as s:
        assert notifications.daily_digest(s, date(2026, 3, 11), clock=world.clock)["notifications"] == 2


def test_nothing_to_report_writes_nothing(world):
    with world.session() as s:
        assert notifications.daily_digest(s, DAY, clock=world.clock) == {"notifications": 0, "emails": 0}


def test_list_count_and_mark_read_are_per_user(world):
    with world.session() as s:
        a, b = user(s, "chutich"), user(s, "giamsat.ttr")
        for i in range(3):
            assert notifications.notify(s, a, key=f"k{i}", subject=f"Thông báo {i}", clock=world.clock)
        assert notifications.notify(s, a, key="k0", subject="lại", clock=world.clock) is None
        notifications.notify(s, b, key="other", subject="Của người khác", clock=world.clock)
    with world.session() as s:
        a, b = user(s, "chutich"), user(s, "giamsat.ttr")
        assert notifications.unread_count(s, a) == 3
        first = notifications.for_user(s, a)[0].id
        other = notifications.for_user(s, b)[0].id
        assert notifications.mark_read(s, a, [first, other], clock=world.clock) == 1  # not b's
    with world.session() as s:
        a, b = user(s, "chutich"), user(s, "giamsat.ttr")
        assert (notifications.unread_count(s, a), notifications.unread_count(s, b)) == (2, 1)
        assert notifications.for_user(s, a)[-1].id == first  # read ones last
        assert notifications.mark_read(s, a, clock=world.clock) == 2
        assert notifications.unread_count(s, a) == 0


def test_cli_digest_and_send(world, scene, tmp_path):
    from click.testing import CliRunner

    from tiepdan.cli import main

    env = {"TIEPDAN_DATABASE_URL": world.db.url}
    run = CliRunner().invoke
    assert run(main, ["notify", "digest", "--date", "2026-03-10"], env=env).output.strip() == \
        "notifications: 2, e-mails queued: 0"
    assert run(main, ["notify", "digest", "--date", "2026-03-10"], env=env).output.strip() == \
        "notifications: 0, e-mails queued: 0"
    bad = run(main, ["notify", "digest", "--date", "10/03/2026"], env=env)
    assert bad.exit_code == 2 and bad.output.startswith("error: ")
    assert run(main, ["notify", "send"], env=env).exit_code == 1  # no SMTP host configured
    with SmtpServer() as server:
        env.update(TIEPDAN_SMTP_HOST=server.host, TIEPDAN_SMTP_PORT=str(server.port))
        with world.session() as s:
            outbox.enqueue(s, key="x", recipient="a@example.vn", subject="Thử", body="Thư thử", clock=world.clock)
        result = run(main, ["notify", "send"], env=env)
        assert result.exit_code == 0 and "sent: 1" in result.output
        assert len(server.messages) == 1


def test_the_worker_schedules_the_digest_and_the_sender(world):
    from dataclasses import replace
    from types import SimpleNamespace

    from apscheduler.schedulers.background import BackgroundScheduler

    from tiepdan.cli import notify_cmd
    from tiepdan.config import Settings

    settings = replace(Settings.from_env(), database_url=world.db.url, digest_hour=6)
    for smtp_host, jobs in (("", ["digest"]), ("smtp.example.vn", ["digest", "outbox"])):
        scheduler = BackgroundScheduler(timezone="UTC")
        notify_cmd.schedule(scheduler, SimpleNamespace(settings=replace(settings, smtp_host=smtp_host)))
        assert sorted(job.id for job in scheduler.get_jobs()) == jobs
        digest = scheduler.get_job("digest")
        assert "hour='6'" in str(digest.trigger) and "Asia/Ho_Chi_Minh" in str(digest.trigger.timezone)
