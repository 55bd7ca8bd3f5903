"""The supervisors' figures (tiepdan.cases.monitoring) on known task sets built through the real
runtime, on SQLite and PostgreSQL: overdue against due soon across a weekend and the 30/4-1/5
holidays, subtree scoping, the "waiting too long" threshold, workload by officer, instances in
error and suspended, and the heatmap's counts and waits."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.scenarios.world import COMMUNE, UBND, build_world, person
from tiepdan.cases import monitoring
from tiepdan.cases.errors import DataFileError
from tiepdan.cases.models import Unit
from tiepdan.cases.units import create_unit, get_unit
from tiepdan.config import REPO_ROOT
from tiepdan.engine.calendar import load_calendar
from tiepdan.engine.models import ProcessVersion

OTHER = "99.UBND"
SETTINGS = monitoring.MonitoringSettings(stuck_after_days=10, due_soon_working_days=3)


@pytest.fixture
def world(db):
    built = build_world(db)
    with built.session() as s:
        create_unit(s, code=OTHER, name="Ủy ban nhân dân tỉnh Khác", kind="province_committee", level="province",
                    clock=built.clock)
    yield built
    built.services.db.dispose()


def register(world, unit=UBND, text="Kiến nghị sửa đường liên xóm") -> str:
    return world.register(unit=unit, content=text, petitioners=[person("Nguyễn Văn Hải")], petition_type="recommendation")


def figures(world, root=UBND, settings=SETTINGS):
    with world.services.sessions() as s:
        root_unit = get_unit(s, root)
        w = monitoring.Window.at(world.clock.now(), world.clock.today(), load_calendar(s), settings)
        stages = monitoring.by_stage(s, root_unit, w)
        return {
            "window": w,
            "units": {u.code: u for u in monitoring.by_unit(s, root_unit, w)},
            "officers": {o.username: o for o in monitoring.by_officer(s, root_unit, w)},
            "stages": {(x.process_id, x.task_spec): x for x in stages},
            "processes": monitoring.by_process(stages),
            "instances": monitoring.instance_counts(s, root_unit, w),
        }


def task_keys(world, root=UBND, **query):
    with world.services.sessions() as s:
        w = monitoring.Window.at(world.clock.now(), world.clock.today(), load_calendar(s), SETTINGS)
        rows, _more = monitoring.task_page(s, monitoring.TaskQuery(root=get_unit(s, root), **query), w)
        return {row[0].business_key for row in rows}


def received_due_on(world, due: date) -> datetime:
    """The 09:00 (local) of the day whose 10-working-day intake period ends on `due`."""
    with world.services.sessions() as s:
        calendar = load_calendar(s)
    day = next(due - timedelta(days=n) for n in range(10, 40) if calendar.add_working_days(due - timedelta(days=n), 10) == due)
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=2)


def test_overdue_and_due_soon_count_working_days_across_the_holidays(world):
    # From Tue 28/4/2026, the next working days are Wed 29/4, then (30/4, 1/5 holidays and the
    # weekend) Mon 4/5, Tue 5/5: a task due 5/5 has 3 working days left, one due 6/5 has 4.
    keys = {}
    for name, due in (("late", date(2026, 4, 24)), ("today", date(2026, 4, 28)), ("soon", date(2026, 5, 5)),
                      ("later", date(2026, 5, 6))):
        world.clock.at = received_due_on(world, due)
        keys[name] = register(world)
        assert world.task(keys[name]).due_date == due
    world.clock.at = datetime(2026, 4, 28, 2, 0)
    found = figures(world)
    assert found["window"].soon_until == date(2026, 5, 6)
    ubnd = found["units"][UBND]
    assert (ubnd.open, ubnd.overdue, ubnd.due_soon, ubnd.unassigned, ubnd.escalated) == (4, 1, 2, 4, 0)
    assert task_keys(world, kind="overdue") == {keys["late"]}
    assert task_keys(world, kind="due_soon") == {keys["today"], keys["soon"]}
    assert task_keys(world) == set(keys.values())
    # The next day, "today" is overdue and 6/5 is within three working days.
    world.clock.advance(days=1)
    assert task_keys(world, kind="overdue") == {keys["late"], keys["today"]}
    assert task_keys(world, kind="due_soon") == {keys["soon"], keys["later"]}


def test_figures_keep_to_the_subtree(world):
    province = [register(world) for _ in range(2)]
    commune = register(world, unit=COMMUNE)
    register(world, unit=OTHER)
    with world.services.sessions() as s:
        sibling = s.execute(
            select(Unit.code).where(Unit.parent_id == get_unit(s, COMMUNE).parent_id, Unit.code != COMMUNE).limit(1)
        ).scalar_one()
    register(world, unit=sibling)

    top = figures(world)
    assert {code: u.open for code, u in top["units"].items()} == {UBND: 2, COMMUNE: 1, sibling: 1}
    assert top["processes"] == {"petition_intake": 4}
    classify = top["stages"][("petition_intake", "classify")]
    assert (classify.cases, classify.task_name, classify.overdue) == (4, "Phân loại, xử lý đơn", 0)
    assert OTHER not in top["units"]

    ward = figures(world, root=COMMUNE)
    assert {code: u.open for code, u in ward["units"].items()} == {COMMUNE: 1}
    assert ward["processes"] == {"petition_intake": 1}
    assert task_keys(world, root=COMMUNE) == {commune}
    assert task_keys(world, unit=UBND) == set(province)
    # A unit outside the root's subtree, asked for by name, yields nothing.
    assert task_keys(world, root=COMMUNE, unit=UBND) == set()


def test_workload_by_officer(world):
    a, b, c = (register(world) for _ in range(3))
    runtime = world.services.runtime
    runtime.claim(world.task(a).id, "officer.04.UBND")
    runtime.claim(world.task(b).id, "officer.04.UBND")
    world.clock.advance(days=20)  # every classify (due 16/3) is overdue
    officers = figures(world)["officers"]
    assert set(officers) == {"officer.04.UBND"}
    mine = officers["officer.04.UBND"]
    assert (mine.open, mine.overdue, mine.due_soon, mine.unit) == (2, 2, 0, UBND)
    assert task_keys(world, assignee="officer.04.UBND", kind="overdue") == {a, b}
    assert task_keys(world, unassigned=True) == {c}


def test_waiting_too_long_follows_the_threshold(world):
    old = register(world)
    world.clock.advance(days=10)
    assert figures(world)["instances"]["stuck"] == 0  # exactly 10 days: not yet
    world.clock.advance(minutes=1)
    register(world)  # a fresh case: not waiting long
    found = figures(world)["instances"]
    assert found["stuck"] == 1
    with world.services.sessions() as s:
        w = monitoring.Window.at(world.clock.now(), world.clock.today(), load_calendar(s), SETTINGS)
        rows, _ = monitoring.instance_page(s, get_unit(s, UBND), "stuck", w)
    assert [r.business_key for r in rows] == [old]
    # A step on the case resets its wait; a longer threshold from the settings counts nothing.
    world.complete(old, "classify", {"petition_type": "recommendation", "within_competence": "yes", "outcome": "accept"})
    assert figures(world)["instances"]["stuck"] == 0
    world.clock.advance(days=11)  # now both the stepped case and the fresh one wait 11 days
    assert figures(world)["instances"]["stuck"] == 2
    longer = monitoring.MonitoringSettings(stuck_after_days=30, due_soon_working_days=3)
    assert figures(world, settings=longer)["instances"]["stuck"] == 0


def test_instances_in_error_and_suspended(world):
    with world.session() as s:  # acceptance then fails: complaint_first is not published
        s.query(ProcessVersion).filter(ProcessVersion.process_id == "complaint_first").update({"status": "draft"})
    failing = world.register(content="Khiếu nại quyết định thu hồi đất", petitioners=[person("Lê Văn Nam")])
    world.complete(failing, "classify", {"petition_type": "complaint", "within_competence": "yes", "outcome": "accept"})
    world.complete(failing, "approve_complaint", {"decision": "accept"}, actor="leader")
    paused = register(world)
    [paused_instance] = world.instances(paused)
    world.services.runtime.suspend(paused_instance.id, "supervisor", reason="Chờ kết quả giám định")

    found = figures(world)["instances"]
    assert (found["error"], found["suspended"]) == (1, 1)
    assert figures(world, root=COMMUNE)["instances"] == {"error": 0, "suspended": 0, "stuck": 0}
    with world.services.sessions() as s:
        w = monitoring.Window.at(world.clock.now(), world.clock.today(), load_calendar(s), SETTINGS)
        [row], _ = monitoring.instance_page(s, get_unit(s, UBND), "error", w)
    assert row.business_key == failing and row.status == "error"
    assert row.error_task and row.error_operation and "complaint_first" in row.error_message


def test_heatmap_counts_and_waits(world):
    start = world.clock.now()
    keys = []
    for _ in range(3):
        keys.append(register(world))
        world.clock.advance(days=1)
    register(world, unit=OTHER)  # outside the subtree
    world.complete(keys[0], "classify", {"petition_type": "recommendation", "within_competence": "yes", "outcome": "accept"})
    world.clock.at = start + timedelta(days=5)
    [instance] = world.instances(keys[1])
    with world.services.sessions() as s:
        cells = monitoring.heatmap(s, get_unit(s, UBND), s.get(ProcessVersion, instance.version_id), world.clock.now())
    classify = cells["classify"]
    # keys[1] opened at start + 1 day, keys[2] at start + 2 days: waits 4 and 3 days.
    assert classify.count == 2
    assert classify.max_wait == timedelta(days=4)
    assert abs(classify.avg_wait - timedelta(days=3, hours=12)) < timedelta(seconds=2)
    assert classify.task_name == "Phân loại, xử lý đơn"
    approve = cells["approve_recommendation"]
    assert approve.count == 1 and approve.max_wait == timedelta(days=2)  # opened at start + 3 days
    assert set(cells) == {"classify", "approve_recommendation"}


def test_settings_file_is_checked(tmp_path):
    assert monitoring.load_settings(REPO_ROOT / "processes").stuck_after_days == 10
    (tmp_path / "monitoring.yaml").write_text("stuck_after_days: -1\n")
    with pytest.raises(DataFileError, match="stuck_after_days"):
        monitoring.load_settings(tmp_path)
    (tmp_path / "monitoring.yaml").write_text("bulk_roles: {delete: [leader]}\n")
    with pytest.raises(DataFileError, match="bulk_roles"):
        monitoring.load_settings(tmp_path)


def test_an_escalated_task_is_counted_until_its_review_is_done(world):
    from tests.scenarios.test_complaints import accepted_complaint, at_utc, complete

    key = accepted_complaint(world)
    other = register(world)
    assert figures(world)["units"][UBND].escalated == 0
    # The verification is due Wed 1 April: escalated at the end of that day (17:00 UTC).
    at_utc(world, 2026, 4, 1, 17, 0)
    world.services.runtime.fire_due_timers()
    assert figures(world)["units"][UBND].escalated == 1
    assert task_keys(world, kind="escalated") == {key} and other in task_keys(world)
    complete(world, key, "review_overdue_verify", {"action": "instructed", "instruction": "Khẩn trương"},
             actor="supervisor")
    assert figures(world)["units"][UBND].escalated == 0 and task_keys(world, kind="escalated") == set()
