"""The working-day calendar: official days, arithmetic, adjustments data, administrator overrides.

Expected dates are written by hand from the official calendar of state bodies:
- 2025: Tết Mon 27/1-Fri 31/1; Giỗ Tổ Mon 7/4; 30/4 Wed, 1/5 Thu, Fri 2/5 off swapped with
  Saturday 26/4 (worked); Quốc khánh Mon 1/9 + Tue 2/9.
- 2026: 1/1 Thu + Fri 2/1 off swapped with Saturday 10/1 (worked; Công văn 12729/VPCP-KGVX, not
  in the holidays package: shipped as data); Tết Mon 16/2-Fri 20/2; Giỗ Tổ Sun 26/4 -> Mon 27/4;
  30/4 Thu, 1/5 Fri; Quốc khánh Tue 1/9 + Wed 2/9, Mon 31/8 off swapped with Saturday 22/8.
"""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tiepdan.engine.calendar import (
    SUPPORTED_YEARS,
    CalendarError,
    WorkingCalendar,
    add_holiday,
    add_workday,
    load_adjustments,
    load_calendar,
    remove_holiday,
)
from tiepdan.engine.db import transaction
from tiepdan.engine.models import AuditEntry, CalendarOverride

D = date
CAL = WorkingCalendar()  # package + shipped official adjustments
PACKAGE_ONLY = WorkingCalendar(adjustments={})


# --- which days are working days --------------------------------------------------------------

@pytest.mark.parametrize(
    "day, working, why",
    [
        (D(2026, 3, 2), True, "an ordinary Monday"),
        (D(2026, 3, 7), False, "an ordinary Saturday"),
        (D(2026, 3, 8), False, "an ordinary Sunday"),
        (D(2025, 1, 1), False, "Tết Dương lịch"),
        (D(2025, 1, 24), True, "Friday before Tết 2025"),
        (D(2025, 1, 27), False, "first weekday of Tết 2025"),
        (D(2025, 1, 31), False, "last weekday of Tết 2025"),
        (D(2025, 2, 3), True, "back to work after Tết 2025"),
        (D(2025, 4, 7), False, "Giỗ Tổ Hùng Vương 2025"),
        (D(2025, 4, 26), True, "make-up Saturday for Friday 2/5/2025"),
        (D(2025, 4, 30), False, "30/4"),
        (D(2025, 5, 1), False, "1/5"),
        (D(2025, 5, 2), False, "Friday swapped with Saturday 26/4"),
        (D(2025, 9, 1), False, "day adjacent to Quốc khánh 2025"),
        (D(2025, 9, 2), False, "Quốc khánh 2025"),
        (D(2025, 9, 3), True, "back to work"),
        (D(2026, 1, 2), False, "Friday swapped with Saturday 10/1/2026 (official adjustment data)"),
        (D(2026, 1, 10), True, "make-up Saturday for 2/1/2026 (official adjustment data)"),
        (D(2026, 2, 13), True, "Friday before Tết 2026"),
        (D(2026, 2, 16), False, "first weekday of Tết 2026"),
        (D(2026, 2, 20), False, "last weekday of Tết 2026"),
        (D(2026, 2, 23), True, "back to work after Tết 2026"),
        (D(2026, 4, 26), False, "Giỗ Tổ 2026 falls on a Sunday"),
        (D(2026, 4, 27), False, "... so Monday 27/4 is off in lieu"),
        (D(2026, 8, 22), True, "make-up Saturday for Monday 31/8/2026"),
        (D(2026, 8, 31), False, "Monday swapped with Saturday 22/8"),
        (D(2026, 9, 1), False, "day adjacent to Quốc khánh 2026"),
        (D(2026, 9, 2), False, "Quốc khánh 2026"),
        (D(2026, 9, 3), True, "back to work"),
    ],
)
def test_official_calendar(day, working, why):
    assert CAL.is_working_day(day) is working, why


def test_the_2026_new_year_swap_is_shipped_as_data_not_in_the_package():
    # holidays 0.109 knows the 2025-04-26 and 2026-08-22 make-up Saturdays, not 2026-01-10.
    assert PACKAGE_ONLY.is_working_day(D(2025, 4, 26)) and PACKAGE_ONLY.is_working_day(D(2026, 8, 22))
    assert PACKAGE_ONLY.is_working_day(D(2026, 1, 2)) and not PACKAGE_ONLY.is_working_day(D(2026, 1, 10))
    adjustments = load_adjustments()
    assert adjustments[D(2026, 1, 2)][0] == "holiday"
    assert adjustments[D(2026, 1, 10)][0] == "workday"
    # 3 working days after New Year's Day 2026: Mon 5, Tue 6, Wed 7 (Friday 2/1 is off);
    # the package alone would say Fri 2, Mon 5, Tue 6.
    assert CAL.add_working_days(D(2026, 1, 1), 3) == D(2026, 1, 7)
    assert PACKAGE_ONLY.add_working_days(D(2026, 1, 1), 3) == D(2026, 1, 6)


def test_year_listings_2025():
    assert [d for d, _ in CAL.non_working_weekdays(2025)] == [
        D(2025, 1, 1),
        D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31),
        D(2025, 4, 7), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2),
        D(2025, 9, 1), D(2025, 9, 2),
    ]
    assert [d for d, _ in CAL.working_weekend_days(2025)] == [D(2025, 4, 26)]
    assert all(name for _, name in CAL.non_working_weekdays(2025) + CAL.working_weekend_days(2025))


def test_year_listings_2026():
    assert [d for d, _ in CAL.non_working_weekdays(2026)] == [
        D(2026, 1, 1), D(2026, 1, 2),
        D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),
        D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1),
        D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2),
        # Ngày Văn hóa Việt Nam, from the holidays package (legal status doubtful: see the
        # official adjustments file for how to remove it).
        D(2026, 11, 24),
    ]
    assert CAL.working_weekend_days(2026) == [
        (D(2026, 1, 10), "Làm việc bù (cho ngày nghỉ 02/01/2026)"),
        (D(2026, 8, 22), "Làm việc bù (cho ngày nghỉ 31/08/2026)"),
    ]
    # 2026 has 261 weekdays (52 weeks + Thursday 1/1); minus 14 weekday holidays, plus the
    # 2 make-up Saturdays.
    assert CAL.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 14 + 2


# --- arithmetic -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "day, expected, why",
    [
        (D(2026, 3, 2), D(2026, 3, 2), "a working day stays"),
        (D(2026, 3, 7), D(2026, 3, 9), "Saturday -> Monday"),
        (D(2025, 1, 27), D(2025, 2, 3), "first day of Tết 2025 -> after Tết and the weekend"),
        (D(2026, 2, 14), D(2026, 2, 23), "Saturday before Tết 2026 -> Monday after it"),
        (D(2026, 8, 29), D(2026, 9, 3), "Saturday 29/8/2026 -> past 31/8, 1/9, 2/9"),
        (D(2025, 4, 26), D(2025, 4, 26), "a make-up Saturday is a working day"),
    ],
)
def test_roll_forward(day, expected, why):
    assert CAL.roll_forward(day) == expected, why


@pytest.mark.parametrize(
    "start, n, expected, why",
    [
        (D(2026, 3, 2), 0, D(2026, 3, 2), "zero days: the start itself"),
        (D(2026, 3, 6), 1, D(2026, 3, 9), "Friday + 1 = Monday"),
        (D(2025, 1, 24), 10, D(2025, 2, 14), "Tết 2025: Feb 3-7 and 10-14"),
        (D(2025, 4, 25), 1, D(2025, 4, 26), "the make-up Saturday counts"),
        (D(2026, 8, 21), 1, D(2026, 8, 22), "the make-up Saturday counts"),
        (D(2026, 8, 22), 1, D(2026, 8, 24), "from a make-up Saturday: the Monday"),
        (D(2026, 8, 28), 1, D(2026, 9, 3), "31/8, 1/9, 2/9 are off"),
        (D(2026, 2, 14), 1, D(2026, 2, 23), "start on a non-working day"),
        (D(2026, 2, 23), -1, D(2026, 2, 13), "one working day back jumps Tết"),
        (D(2026, 2, 21), -1, D(2026, 2, 13), "backwards from a non-working day"),
    ],
)
def test_add_working_days(start, n, expected, why):
    assert CAL.add_working_days(start, n) == expected, why


def test_working_days_between():
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1  # only the 23rd
    assert CAL.working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1
    assert CAL.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert CAL.working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1  # Sat, Sun, Mon


def test_dates_outside_the_supported_years_are_refused():
    assert SUPPORTED_YEARS.start <= 2015 and SUPPORTED_YEARS.stop - 1 >= 2035
    with pytest.raises(CalendarError, match="outside the supported years"):
        CAL.is_working_day(D(SUPPORTED_YEARS.start - 1, 12, 31))
    with pytest.raises(CalendarError, match="outside the supported years"):
        CAL.roll_forward(D(SUPPORTED_YEARS.stop, 1, 1))
    with pytest.raises(CalendarError, match="outside the supported years"):
        CAL.add_working_days(D(SUPPORTED_YEARS.stop - 1, 12, 20), 30)  # result beyond the range
    with pytest.raises(CalendarError):
        CAL.non_working_weekdays(SUPPORTED_YEARS.stop)


def test_overrides_win_over_everything():
    cal = WorkingCalendar(
        {
            D(2026, 3, 4): ("holiday", "Nghỉ đột xuất"),
            D(2026, 2, 16): ("workday", "Làm việc"),
            D(2026, 8, 22): ("holiday", "Hủy làm bù"),
        }
    )
    assert not cal.is_working_day(D(2026, 3, 4))
    assert cal.is_working_day(D(2026, 2, 16))
    assert not cal.is_working_day(D(2026, 8, 22))
    # 7 working days after Monday 2/3: Tue 3, [Wed 4 off], 5, 6, 9, 10, 11, 12.
    assert cal.add_working_days(D(2026, 3, 2), 7) == D(2026, 3, 12)
    assert CAL.add_working_days(D(2026, 3, 2), 7) == D(2026, 3, 11)
    with pytest.raises(CalendarError):
        WorkingCalendar({D(2026, 3, 4): ("vacation", "x")})


# --- properties -------------------------------------------------------------------------------

days = st.dates(min_value=D(2015, 1, 10), max_value=D(2034, 12, 31))


@settings(max_examples=500, deadline=None)
@given(days)
def test_roll_forward_is_a_working_day_not_before_the_date(day):
    rolled = CAL.roll_forward(day)
    assert CAL.is_working_day(rolled) and rolled >= day
    # and nothing in between is a working day
    assert CAL.working_days_between(day, rolled) == (1 if rolled > day else 0)


@settings(max_examples=500, deadline=None)
@given(days, st.integers(min_value=1, max_value=250))
def test_add_working_days_and_working_days_between_are_inverse(start, n):
    end = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end) and end > start
    assert CAL.working_days_between(start, end) == n
    # back n from there: `start` itself, or the last working day before it
    back = start if CAL.is_working_day(start) else CAL.add_working_days(start, -1)
    assert CAL.add_working_days(end, -n) == back


# --- the official adjustments file ------------------------------------------------------------

def _adjustments(tmp_path, text: str):
    path = tmp_path / "official_adjustments.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("adjustments: [\n  - day: 2026-01-02\n", "malformed YAML"),
        ("- day: 2026-01-02\n", "one key 'adjustments'"),
        ("adjustments:\n  - day: 2026-01-02\n    kind: vacation\n    name: X\n", "adjustment 2026-01-02: 'kind'"),
        ("adjustments:\n  - day: 2026-01-02\n    kind: holiday\n", "adjustment 2026-01-02: 'name'"),
        ("adjustments:\n  - day: 2 Jan 2026\n    kind: holiday\n    name: X\n", "adjustment #1: 'day'"),
        ("adjustments:\n  - day: 2040-01-02\n    kind: holiday\n    name: X\n", "outside the supported years"),
        (
            "adjustments:\n  - {day: 2026-01-02, kind: holiday, name: X}\n"
            "  - {day: 2026-01-02, kind: workday, name: Y}\n",
            "listed twice",
        ),
        ("adjustments:\n  - {day: 2026-01-02, kind: holiday, name: X, sauce: Y}\n", "unknown field"),
    ],
)
def test_bad_adjustments_file_is_refused_with_one_line(tmp_path, text, message):
    with pytest.raises(CalendarError) as err:
        load_adjustments(_adjustments(tmp_path, text))
    assert message in str(err.value)
    assert str(err.value).startswith("official_adjustments.yaml: ")
    assert "\n" not in str(err.value)


def test_missing_adjustments_file_means_none(tmp_path):
    assert load_adjustments(tmp_path / "absent.yaml") == {}


# --- administrator overrides (database) -------------------------------------------------------

def _audit(db, action=None):
    with db.sessions() as s:
        q = select(AuditEntry).order_by(AuditEntry.seq)
        rows = [r for r in s.execute(q).scalars() if r.action.startswith("calendar.")]
    return [r for r in rows if action is None or r.action == action]


def _calendar(db) -> WorkingCalendar:
    with db.sessions() as s:
        return load_calendar(s)


def _override_count(db) -> int:
    with db.sessions() as s:
        return s.execute(select(func.count()).select_from(CalendarOverride)).scalar_one()


def test_add_holiday_moves_a_deadline_and_is_audited(db):
    assert _calendar(db).add_working_days(D(2026, 3, 2), 7) == D(2026, 3, 11)
    with transaction(db.sessions) as s:
        add_holiday(s, D(2026, 3, 4), "Nghỉ đột xuất (bão)", "alice")
    cal = _calendar(db)
    assert not cal.is_working_day(D(2026, 3, 4))
    assert cal.add_working_days(D(2026, 3, 2), 7) == D(2026, 3, 12)
    assert (D(2026, 3, 4), "Nghỉ đột xuất (bão)") in cal.non_working_weekdays(2026)
    [entry] = _audit(db)
    assert entry.action == "calendar.add_holiday" and entry.actor == "alice"
    assert entry.detail["day"] == "2026-03-04" and entry.detail["name"] == "Nghỉ đột xuất (bão)"


def test_remove_package_holiday_makes_it_a_working_day(db):
    assert not _calendar(db).is_working_day(D(2026, 11, 24))
    with transaction(db.sessions) as s:
        remove_holiday(s, D(2026, 11, 24), "bob")
    cal = _calendar(db)
    assert cal.is_working_day(D(2026, 11, 24))
    # Monday 23/11 + 1 working day is now Tuesday 24/11.
    assert cal.add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 24)
    [entry] = _audit(db)
    assert entry.action == "calendar.remove_holiday" and entry.actor == "bob"
    assert entry.detail["day"] == "2026-11-24" and entry.detail["name"] == "Ngày Văn hóa Việt Nam"
    with db.sessions() as s:
        assert s.get(CalendarOverride, D(2026, 11, 24)).kind == "workday"


def test_add_workday_on_a_saturday(db):
    with transaction(db.sessions) as s:
        add_workday(s, D(2026, 3, 7), "Làm việc bù (thử)", "carol")
    cal = _calendar(db)
    assert cal.is_working_day(D(2026, 3, 7))
    assert cal.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)
    assert (D(2026, 3, 7), "Làm việc bù (thử)") in cal.working_weekend_days(2026)
    [entry] = _audit(db)
    assert entry.action == "calendar.add_workday"
    assert entry.detail == {"day": "2026-03-07", "name": "Làm việc bù (thử)"}


def test_removing_an_administrator_holiday_restores_the_day(db):
    with transaction(db.sessions) as s:
        add_holiday(s, D(2026, 8, 22), "Hủy làm bù", "alice")  # cancel a make-up Saturday
    assert not _calendar(db).is_working_day(D(2026, 8, 22))
    with transaction(db.sessions) as s:
        remove_holiday(s, D(2026, 8, 22), "alice")
    assert _calendar(db).is_working_day(D(2026, 8, 22))
    assert _override_count(db) == 0
    assert [e.action for e in _audit(db)] == ["calendar.add_holiday", "calendar.remove_holiday"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: remove_holiday(s, D(2026, 3, 3), "alice"), "not a holiday"),
        (lambda s: remove_holiday(s, D(2026, 3, 7), "alice"), "weekly rest day"),
        (lambda s: remove_holiday(s, D(2026, 4, 26), "alice"), "weekly rest day"),  # Giỗ Tổ on Sunday
        (lambda s: add_holiday(s, D(2026, 2, 17), "Tết", "alice"), "already not a working day"),
        (lambda s: add_holiday(s, D(2026, 3, 8), "X", "alice"), "already not a working day"),
        (lambda s: add_workday(s, D(2026, 3, 3), "X", "alice"), "already a working day"),
        (lambda s: add_holiday(s, D(2026, 3, 4), "   ", "alice"), "name"),
        (lambda s: add_holiday(s, D(2040, 3, 5), "X", "alice"), "outside the supported years"),
    ],
)
def test_refused_changes_change_nothing(db, change, message):
    with pytest.raises(CalendarError, match=message):
        with transaction(db.sessions) as s:
            change(s)
    assert _override_count(db) == 0
    assert _audit(db) == []
    assert _calendar(db).is_working_day(D(2026, 3, 3))
