"""The demo's reception schedules and duty plans (issue 9), added by `tiepdan.demo.seed_demo`
once the cases are in.

- The city's chairman (`lanhdao`, 92.UBND) receives citizens once a month over the next three
  months, the first in a few days (so that today's public page shows it, postponed by two working
  days with its reason); the days of the last month on which he held leader sessions at the front
  desk are on the schedule too, so that a day's page lists its reception sessions.
- The chairman of Phường Sóc Trăng (`lanhdao.soctrang`) receives once a month only: short of the
  commune minimum (two days a month from 01/07/2026, one a week before), so the city's leader and
  supervisor see the shortfall flagged.
- The city's plan for citizen reception over Tết Nguyên đán Đinh Mùi 2027, after the seed plans
  (shared/seeds/ 000 and 002): the units involved and their duties, and a roster of the demo's
  officers on every day of the holiday with made-up phone numbers; and a short plan running this
  week with the reception officer on duty today, so that the inbox shows its box.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from .engine.clock import LOCAL_TZ, FixedClock

UBND, COMMUNE = "92.UBND", "92.X31507"
CITY_PLACE = "Trụ sở Tiếp công dân thành phố Cần Thơ"
COMMUNE_PLACE = "Trụ sở Ủy ban nhân dân phường Sóc Trăng"
MONTHS_AHEAD = 3
TET_2027 = (date(2027, 1, 28), date(2027, 2, 17))
# (unit code, duties) in the plan's order; the wording follows the seed plans.
TET_DUTIES = (
    ("92.BTCD", "Bố trí cán bộ trực tại Trụ sở Tiếp công dân thành phố trong những ngày nghỉ Tết; tiếp nhận, "
                "xử lý kịp thời đơn, thư khiếu nại, tố cáo, kiến nghị, phản ánh; báo cáo ngay Lãnh đạo "
                "UBND thành phố các vụ việc đông người, phức tạp."),
    ("92.TTR", "Kiểm tra, đôn đốc các sở, ngành, UBND các xã, phường thực hiện Kế hoạch; nắm chắc các vụ việc "
               "khiếu nại, tố cáo phức tạp mới phát sinh để tham mưu biện pháp giải quyết; tổng hợp, báo cáo "
               "kết quả về UBND thành phố."),
    ("92.SNNMT", "Cử công chức am hiểu lĩnh vực đất đai, môi trường phối hợp tiếp công dân tại Trụ sở Tiếp công "
                 "dân thành phố khi có yêu cầu."),
    (COMMUNE, "Chủ tịch UBND phường chủ động nắm tình hình, tổ chức đối thoại, không để phát sinh điểm nóng; "
              "phân công công chức trực tại trụ sở trong những ngày nghỉ Tết."),
    ("92.CSDT", "Nắm tình hình, bảo đảm an ninh trật tự tại nơi tiếp công dân; xử lý nghiêm hành vi lợi dụng "
                "quyền khiếu nại, tố cáo gây rối trật tự công cộng."),
)
# username -> (phone, duty): made up, as every personal detail of the demo. Two of the officers
# in turn and the leader are on duty on each day off of the plan.
TET_LEADER = "lanhdao"
TET_ROSTER = {
    "tiepcongdan": ("0292 3821 101", "Trực tiếp công dân tại Trụ sở Tiếp công dân thành phố"),
    "xulydon": ("0292 3821 102", "Tiếp nhận, xử lý đơn thư phát sinh"),
    "lanhdao": ("0292 3821 100", "Lãnh đạo trực, chỉ đạo xử lý vụ việc đột xuất"),
    "xacminh": ("0292 3821 201", "Trực tại Thanh tra thành phố"),
    "lanhdao.soctrang": ("0299 3822 301", "Trực tại Trụ sở UBND phường Sóc Trăng"),
}


def _at(day: date, hour: int) -> datetime:
    """`hour` o'clock local on `day`, as the naive UTC the clocks keep."""
    return datetime.combine(day, time(hour), LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _same_day(day: date, months: int) -> date:
    """The same day of the month `months` later (the 28th at most)."""
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def seed_schedules(services, now: datetime) -> None:
    """Add the schedules and plans above (see the module docstring), as of `now` (naive UTC)."""
    from .cases import duty_plans, schedules
    from .cases.models import Reception
    from .cases.units import get_unit
    from .engine.calendar import load_calendar
    from .engine.clock import utc_to_local
    from .engine.db import transaction

    today = utc_to_local(now).date()
    with transaction(services.sessions) as s:
        calendar = load_calendar(s)
        ubnd = get_unit(s, UBND)

        def add(unit, day, leader, place, clock_day):
            return schedules.add_session(s, unit=unit, day=day, starts_at="07:30", ends_at="11:00", place=place,
                                         leader=leader, leader_title="head", actor="tiepcongdan",
                                         clock=FixedClock(_at(clock_day, 8)))

        # Last month's leader days at the front desk, entered a fortnight before each.
        held = sorted(set(s.execute(select(Reception.received_on).where(
            Reception.unit_id == ubnd.id, Reception.is_leader_session.is_(True),
            Reception.received_on >= today - timedelta(days=30), Reception.received_on < today,
        )).scalars()))
        for day in held:
            add(UBND, day, "lanhdao", CITY_PLACE, day - timedelta(days=14))
        # One day a month for each, from a few days ahead (so that today's public page has them),
        # entered a fortnight before the day.
        first_city = None
        for months in range(MONTHS_AHEAD):
            for unit, leader, place, ahead in ((UBND, "lanhdao", CITY_PLACE, 3),
                                               (COMMUNE, "lanhdao.soctrang", COMMUNE_PLACE, 1)):
                day = calendar.roll_forward(_same_day(today + timedelta(days=ahead), months))
                entered = add(unit, day, leader, place, min(today, day - timedelta(days=14)))
                first_city = first_city or (entered if unit == UBND else None)
        schedules.postpone(s, first_city, calendar.add_working_days(first_city.day, 2),
                           "Chủ tịch UBND thành phố dự họp đột xuất của Thành ủy", clock=FixedClock(now))

        tet = duty_plans.create_plan(
            s, unit=UBND, number="25/KH-UBND", kind="tet", starts_on=TET_2027[0], ends_on=TET_2027[1],
            title="Kế hoạch tổ chức tiếp công dân, giải quyết khiếu nại, tố cáo trước, trong và sau Tết Nguyên đán "
                  "Đinh Mùi năm 2027",
            purpose="Tổ chức tiếp công dân có hiệu quả trong dịp Tết; bảo đảm quyền khiếu nại, tố cáo của công dân "
                    "theo đúng quy định pháp luật, hạn chế tối đa các vụ việc khiếu nại, tố cáo đông người, phức tạp.",
            actor="lanhdao", clock=FixedClock(now),
        )
        for code, text in TET_DUTIES:
            duty_plans.set_duties(s, tet, code, text)
        officers = [name for name in TET_ROSTER if name != TET_LEADER]
        days_off = [day for day, _entries in duty_plans.roster_by_day(tet) if not calendar.is_working_day(day)]
        for turn, day in enumerate(days_off):  # on working days the office works as usual
            for username in (TET_LEADER, officers[turn % len(officers)], officers[(turn + 1) % len(officers)]):
                phone, task = TET_ROSTER[username]
                duty_plans.add_duty(s, tet, day=day, username=username, phone=phone, task=task)

        week = duty_plans.create_plan(
            s, unit=UBND, kind="event", starts_on=today, ends_on=today + timedelta(days=6),
            title="Kế hoạch trực tiếp công dân phục vụ kỳ họp Hội đồng nhân dân thành phố",
            actor="lanhdao", clock=FixedClock(now),
        )
        duty_plans.set_duties(s, week, "92.BTCD", "Bố trí cán bộ thường xuyên trực tại Trụ sở Tiếp công dân.")
        phone, task = TET_ROSTER["tiepcongdan"]
        duty_plans.add_duty(s, week, day=today, username="tiepcongdan", phone=phone, task=task)
