"""Special-period plans and duty rosters on SQLite and PostgreSQL: the units involved with their
duties, officers on duty per day with a phone number, who may be on the roster, and bad input
refused with nothing stored."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tiepdan.cases import duty_plans
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import DutyPlan, DutyRoster

from .conftest import user


def _plan(world, **changes) -> int:
    args = {"unit": world.committee, "title": "Kế hoạch tiếp công dân dịp Tết Nguyên đán Đinh Mùi 2027",
            "kind": "tet", "starts_on": date(2027, 2, 1), "ends_on": date(2027, 2, 14), **changes}
    with world.session() as s:
        return duty_plans.create_plan(s, actor="tester", clock=world.clock, **args).id


def test_a_tet_plan_with_units_duties_and_a_daily_roster(world):
    plan_id = _plan(world, purpose="Bảo đảm quyền khiếu nại, tố cáo của công dân trong dịp Tết.")
    with world.session() as s:
        plan = s.get(DutyPlan, plan_id)
        duty_plans.set_duties(s, plan, world.inspectorate, "Kiểm tra, đôn đốc việc thực hiện Kế hoạch.")
        duty_plans.set_duties(s, plan, world.office, "Bố trí cán bộ trực tại Trụ sở tiếp công dân.")
        duty_plans.set_duties(s, plan, world.inspectorate, "Chủ trì kiểm tra, tổng hợp, báo cáo.")  # replaces
        duty_plans.add_duty(s, plan, day=date(2027, 2, 5), username="tiep.btcd", phone="0206 3852 111",
                            task="Trực tại Trụ sở tiếp công dân")
        duty_plans.add_duty(s, plan, day=date(2027, 2, 5), username="giamsat.ttr", phone="0912.000.222")
        duty_plans.add_duty(s, plan, day=date(2027, 2, 8), username="chutich.xa", phone="+84912000333")  # a commune, below
    with world.db.sessions() as s:
        plan = s.get(DutyPlan, plan_id)
        assert [(d.unit.code, d.duties) for d in plan.duties] == [
            (world.inspectorate, "Chủ trì kiểm tra, tổng hợp, báo cáo."),
            (world.office, "Bố trí cán bộ trực tại Trụ sở tiếp công dân.")]
        days = duty_plans.roster_by_day(plan)
        assert len(days) == 14 and days[0] == (date(2027, 2, 1), [])
        assert [(e.user.username, e.phone) for e in dict(days)[date(2027, 2, 5)]] == [
            ("tiep.btcd", "02063852111"), ("giamsat.ttr", "0912000222")]
        [(found, entry)] = duty_plans.on_duty(s, user(s, "tiep.btcd"), date(2027, 2, 5))
        assert found.id == plan_id and entry.task == "Trực tại Trụ sở tiếp công dân"
        assert duty_plans.on_duty(s, user(s, "tiep.btcd"), date(2027, 2, 6)) == []


@pytest.mark.parametrize("changes, message", [
    ({"ends_on": date(2027, 1, 31)}, "trước ngày bắt đầu"),
    ({"starts_on": None}, "ngày bắt đầu"),
    ({"title": " "}, "tên kế hoạch"),
    ({"kind": "party"}, "Loại kế hoạch"),
    ({"ends_on": date(2027, 6, 30)}, "dài quá"),
])
def test_a_bad_plan_is_refused_and_nothing_is_stored(world, changes, message):
    with pytest.raises(CaseError, match=message):
        _plan(world, **changes)
    with world.db.sessions() as s:
        assert s.execute(select(func.count()).select_from(DutyPlan)).scalar_one() == 0


@pytest.mark.parametrize("changes, message", [
    ({"day": date(2027, 2, 15)}, "ngoài thời gian"),
    ({"username": "khongco"}, "Không có cán bộ"),
    ({"username": "xuly.xa2"}, None),  # allowed: a commune below the committee
    ({"phone": "12ab"}, "Số điện thoại"),
])
def test_roster_lines_are_checked(world, changes, message):
    plan_id = _plan(world, unit=world.office, starts_on=date(2027, 2, 1), ends_on=date(2027, 2, 14))
    args = {"day": date(2027, 2, 3), "username": "tiep.btcd", "phone": "0206385211", **changes}
    if changes.get("username") == "xuly.xa2":
        # The office's plan: an officer of a commune may serve only once his unit is involved.
        with pytest.raises(CaseError, match="không thuộc đơn vị"):
            with world.session() as s:
                duty_plans.add_duty(s, s.get(DutyPlan, plan_id), **args)
        with world.session() as s:
            plan = s.get(DutyPlan, plan_id)
            duty_plans.set_duties(s, plan, world.other_commune, "Phối hợp vận động công dân trở về địa phương.")
            duty_plans.add_duty(s, plan, **args)
        expected = 1
    else:
        with pytest.raises(CaseError, match=message):
            with world.session() as s:
                duty_plans.add_duty(s, s.get(DutyPlan, plan_id), **args)
        expected = 0
    with world.db.sessions() as s:
        assert s.execute(select(func.count()).select_from(DutyRoster)).scalar_one() == expected
