"""Leaders' reception schedules on SQLite and PostgreSQL: the minimums of processes/schedules.yaml
checked by month and by week across month boundaries, the 2026-07-01 change for communes,
holidays and make-up working days of the calendar, deputies who do not count, the 5 working days
of posting, and bad input refused with nothing stored. Every date below was worked out by hand
on a 2026 wall calendar (the day names are in the comments)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tiepdan.cases import schedules
from tiepdan.cases.errors import CaseError, DataFileError
from tiepdan.cases.models import ReceptionSchedule
from tiepdan.cases.users import create_user
from tiepdan.engine.calendar import WorkingCalendar

from .conftest import unit

CALENDAR = WorkingCalendar()


@pytest.fixture
def deputy(world):
    with world.session() as s:
        create_user(s, username="phochutich.xa", full_name="Nông Văn Phó", unit=world.commune, roles=["leader"],
                    clock=world.clock)
    return "phochutich.xa"


def _add(world, where, day, leader, title="head", **kwargs):
    with world.session() as s:
        return schedules.add_session(
            s, unit=where, day=day, starts_at=kwargs.pop("starts_at", "07:30"), ends_at=kwargs.pop("ends_at", "11:00"),
            place=kwargs.pop("place", "Trụ sở tiếp công dân"), leader=leader, leader_title=title, actor="tester",
            clock=world.clock, **kwargs).id


def _check(world, where, start, end):
    with world.db.sessions() as s:
        return schedules.shortfalls(s, [unit(s, where)], start, end, calendar=CALENDAR).get(where, [])


def _short(found):
    return [(f.per, f.start, f.end, f.required, f.counted) for f in found]


def test_a_commune_before_july_2026_needs_one_day_every_week_even_across_months(world, deputy):
    # Weeks overlapping March 2026 (Sun 1/3 - Tue 31/3), Monday to Sunday: 23/2-1/3, 2/3-8/3,
    # 9/3-15/3, 16/3-22/3, 23/3-29/3, 30/3-5/4.
    for day in (date(2026, 2, 26),  # Thu, in the week of Mon 23/2 that ends on Sun 1/3
                date(2026, 3, 4), date(2026, 3, 11), date(2026, 3, 25),  # Wednesdays
                date(2026, 4, 2)):  # Thu, in the week of Mon 30/3 that starts in March
        _add(world, world.commune, day, "chutich.xa")
    _add(world, world.commune, date(2026, 3, 18), deputy, title="deputy")  # Wed: a deputy, does not count
    assert _short(_check(world, world.commune, date(2026, 3, 1), date(2026, 3, 31))) == [
        ("week", date(2026, 3, 16), date(2026, 3, 22), 1, 0)]
    # The same week, found from a period of one day in it.
    assert _short(_check(world, world.commune, date(2026, 3, 20), date(2026, 3, 20))) == [
        ("week", date(2026, 3, 16), date(2026, 3, 22), 1, 0)]


def test_the_tet_week_without_a_working_day_requires_nothing(world):
    # February 2026: Tết from Mon 16/2 to Fri 20/2, so the week 16/2-22/2 has no working day.
    for day in (date(2026, 1, 29), date(2026, 2, 4), date(2026, 2, 11), date(2026, 2, 25)):  # Thu, Wed, Wed, Wed
        _add(world, world.commune, day, "chutich.xa")
    assert _check(world, world.commune, date(2026, 2, 1), date(2026, 2, 28)) == []
    # Take the Wednesday 11/2 away: its week (9/2-15/2) has five working days and falls short.
    with world.session() as s:
        schedules.cancel(s, s.execute(select(ReceptionSchedule).where(ReceptionSchedule.day == date(2026, 2, 11)))
                         .scalar_one(), "Chủ tịch đi công tác")
    assert _short(_check(world, world.commune, date(2026, 2, 1), date(2026, 2, 28))) == [
        ("week", date(2026, 2, 9), date(2026, 2, 15), 1, 0)]


def test_from_july_2026_a_commune_needs_two_days_a_month_and_the_straddling_week_stays_weekly(world, deputy):
    _add(world, world.commune, date(2026, 6, 17), "chutich.xa")  # Wed, week of Mon 15/6
    _add(world, world.commune, date(2026, 6, 24), "chutich.xa")  # Wed, week of Mon 22/6
    _add(world, world.commune, date(2026, 7, 2), "chutich.xa")  # Thu: week of Mon 29/6 (weekly rule) and July
    _add(world, world.commune, date(2026, 7, 15), deputy, title="deputy")  # Wed: a deputy, does not count
    found = _check(world, world.commune, date(2026, 6, 15), date(2026, 7, 31))
    # Weeks of 15/6, 22/6, 29/6 (its Monday is in June): one day each, met. From Mon 6/7 no weekly
    # rule; June is checked by weeks (the monthly rule is not in force on 1/6); July needs 2, has 1.
    assert _short(found) == [("month", date(2026, 7, 1), date(2026, 7, 31), 2, 1)]
    assert "02 ngày/tháng" in found[0].basis
    _add(world, world.commune, date(2026, 7, 22), "chutich.xa")  # Wed
    assert _check(world, world.commune, date(2026, 6, 15), date(2026, 7, 31)) == []
    # Two sessions on one day are one day.
    _add(world, world.committee, date(2026, 7, 8), "chutich", starts_at="07:30", ends_at="09:00")
    with pytest.raises(CaseError, match="đã có lịch"):
        _add(world, world.committee, date(2026, 7, 8), "chutich", starts_at="14:00", ends_at="16:00")


def test_a_session_on_a_holiday_is_flagged_and_counts_once_moved_and_a_makeup_saturday_counts(world):
    holiday = _add(world, world.committee, date(2026, 4, 30), "chutich")  # Thu 30/4: Ngày Chiến thắng
    _add(world, world.committee, date(2026, 5, 15), "chutich")  # Fri
    found = _check(world, world.committee, date(2026, 4, 1), date(2026, 5, 31))
    assert _short(found) == [("month", date(2026, 4, 1), date(2026, 4, 30), 1, 0)]
    assert found[0].to_move == (date(2026, 4, 30),)
    with world.session() as s:
        schedule = s.get(ReceptionSchedule, holiday)
        assert schedules.needs_moving(CALENDAR, schedule)
        schedules.postpone(s, schedule, date(2026, 4, 29), "Trùng ngày nghỉ lễ 30/4", clock=world.clock)  # Wed
        assert not schedules.needs_moving(CALENDAR, schedule)
        assert (schedule.postponed_from, schedule.postpone_reason) == (date(2026, 4, 30), "Trùng ngày nghỉ lễ 30/4")
    assert _check(world, world.committee, date(2026, 4, 1), date(2026, 5, 31)) == []
    # August 2026: Mon 31/8 is a day off swapped with Sat 22/8, a make-up working day.
    _add(world, world.committee, date(2026, 8, 31), "chutich")
    assert _short(_check(world, world.committee, date(2026, 8, 1), date(2026, 8, 31))) == [
        ("month", date(2026, 8, 1), date(2026, 8, 31), 1, 0)]
    _add(world, world.committee, date(2026, 8, 22), "chutich")
    assert _check(world, world.committee, date(2026, 8, 1), date(2026, 8, 31)) == []


def test_units_without_a_minimum_are_not_checked_and_a_department_is(world):
    with world.db.sessions() as s:
        office, department = unit(s, world.office), unit(s, world.construction)
        found = schedules.shortfalls(s, [office, department], date(2026, 3, 1), date(2026, 3, 31), calendar=CALENDAR)
        with pytest.raises(CaseError, match="trước ngày bắt đầu"):
            schedules.shortfalls(s, [department], date(2026, 3, 31), date(2026, 3, 1), calendar=CALENDAR)
    assert list(found) == [world.construction]
    assert _short(found[world.construction]) == [("month", date(2026, 3, 1), date(2026, 3, 31), 1, 0)]


def test_posting_five_working_days_ahead(world):
    rules = schedules.load_rules()
    # Mon 9/3/2026: Fri 6, Thu 5, Wed 4, Tue 3, Mon 2/3.
    assert schedules.publish_date(CALENDAR, date(2026, 3, 9), rules) == date(2026, 3, 2)
    # Wed 6/5/2026: Tue 5, Mon 4, (Fri 1/5 and Thu 30/4 holidays), Wed 29/4, Tue 28/4,
    # (Mon 27/4 Giỗ Tổ in lieu), Fri 24/4.
    assert schedules.publish_date(CALENDAR, date(2026, 5, 6), rules) == date(2026, 4, 24)
    on_time = _add(world, world.committee, date(2026, 3, 9), "chutich")  # entered Mon 2/3 (the clock)
    late = _add(world, world.committee, date(2026, 3, 6), "chutich")  # Fri 6/3: had to be posted by Fri 27/2
    with world.db.sessions() as s:
        assert not schedules.posted_late(CALENDAR, s.get(ReceptionSchedule, on_time), rules)
        assert schedules.posted_late(CALENDAR, s.get(ReceptionSchedule, late), rules)
        public = schedules.public_sessions(s, date(2026, 3, 2), calendar=CALENDAR, rules=rules)
        assert [p.id for p in public] == [late, on_time]
    # A session of Tue 10/3 is posted from Tue 3/3, not before.
    later = _add(world, world.committee, date(2026, 3, 10), "chutich")
    with world.db.sessions() as s:
        assert later not in [p.id for p in schedules.public_sessions(s, date(2026, 3, 2), calendar=CALENDAR, rules=rules)]
        assert later in [p.id for p in schedules.public_sessions(s, date(2026, 3, 3), calendar=CALENDAR, rules=rules)]


def test_a_postponed_session_stays_posted_with_its_new_date(world):
    rules = schedules.load_rules()
    session_id = _add(world, world.committee, date(2026, 3, 9), "chutich")
    with world.session() as s:
        schedules.postpone(s, s.get(ReceptionSchedule, session_id), date(2026, 3, 20), "Chủ tịch họp đột xuất",
                           clock=world.clock)
    with world.db.sessions() as s:
        # 20/3 alone would be posted from Fri 13/3; what was posted for 9/3 stays from Mon 2/3.
        [shown] = schedules.public_sessions(s, date(2026, 3, 2), calendar=CALENDAR, rules=rules)
        assert (shown.day, shown.postponed_from) == (date(2026, 3, 20), date(2026, 3, 9))
        assert schedules.posted_late(CALENDAR, shown, rules) is False  # entered 2/3, due by 13/3


@pytest.mark.parametrize("changes, message", [
    ({"starts_at": "7h30"}, "Giờ không hợp lệ"),
    ({"starts_at": "14:00", "ends_at": "11:00"}, "phải sau giờ bắt đầu"),
    ({"leader": "khongco"}, "Không có lãnh đạo"),
    ({"leader": "tiep.xa"}, "không phải lãnh đạo"),  # the commune's reception officer
    ({"leader": "chutich"}, "không phải lãnh đạo"),  # the province's chairman, not the commune's
    ({"title": "secretary"}, "Chức danh"),
    ({"place": "  "}, "địa điểm"),
    ({"day": date(2040, 1, 1)}, "ngoài lịch"),
])
def test_bad_input_is_refused_and_nothing_is_stored(world, changes, message):
    args = {"day": date(2026, 3, 11), "leader": "chutich.xa", **changes}
    with pytest.raises(CaseError, match=message):
        _add(world, world.commune, args.pop("day"), args.pop("leader"), **args)
    with world.db.sessions() as s:
        assert s.execute(select(func.count()).select_from(ReceptionSchedule)).scalar_one() == 0


def test_postponing_and_cancelling_check_their_input(world):
    session_id = _add(world, world.committee, date(2026, 3, 9), "chutich")
    with world.session() as s:
        schedule = s.get(ReceptionSchedule, session_id)
        with pytest.raises(CaseError, match="lý do"):
            schedules.postpone(s, schedule, date(2026, 3, 12), " ", clock=world.clock)
        with pytest.raises(CaseError, match="trùng ngày"):
            schedules.postpone(s, schedule, date(2026, 3, 9), "x", clock=world.clock)
        with pytest.raises(CaseError, match="ngày đã qua"):
            schedules.postpone(s, schedule, date(2026, 2, 27), "x", clock=world.clock)
        schedules.cancel(s, schedule, "Chủ tịch đi công tác")
        with pytest.raises(CaseError, match="đã hủy"):
            schedules.postpone(s, schedule, date(2026, 3, 12), "x", clock=world.clock)
    with world.db.sessions() as s:
        schedule = s.get(ReceptionSchedule, session_id)
        assert (schedule.day, schedule.postponed_from, schedule.cancelled) == (date(2026, 3, 9), None, True)


def test_a_malformed_rules_file_is_refused_with_its_entry_named(tmp_path):
    path = tmp_path / "schedules.yaml"
    path.write_text("publish_working_days_before: 5\nminimums:\n  commune_committee:\n    - {per: year, days: 1}\n",
                    encoding="utf-8")
    with pytest.raises(DataFileError, match=r"minimums.commune_committee\[1\]: per must be one of month, week"):
        schedules.load_rules(path)
    path.write_text("publish_working_days_before: -1\nminimums: {}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="publish_working_days_before"):
        schedules.load_rules(path)
