"""Deadline rules: the shipped catalogue, due dates on real dates, pauses, extensions, validation.

Expected dates are counted by hand on the official calendar (see test_calendar.py's docstring):
the start day is not counted; "N days" ends on start + N, rolled forward to the next working
day; "N working days" ends on the Nth working day after the start.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tiepdan.engine.calendar import CalendarError, WorkingCalendar
from tiepdan.engine.deadlines import Deadlines, ExtensionGrant, Rule, RuleCatalogue, RuleError, due_date

D = date
RULES_DIR = Path(__file__).resolve().parents[2] / "processes" / "rules"
CATALOGUE = RuleCatalogue.load(RULES_DIR)
CAL = WorkingCalendar()
DL = Deadlines(CAL, CATALOGUE)

README_IDS = [
    "reception.notify",
    "petition.process",
    "complaint.accept",
    "complaint.resolve.first",
    "complaint.resolve.first.complex",
    "complaint.resolve.first.remote",
    "complaint.resolve.first.remote_complex",
    "complaint.resolve.second",
    "complaint.resolve.second.complex",
    "complaint.resolve.second.remote",
    "complaint.resolve.second.remote_complex",
    "complaint.send.first",
    "complaint.send.second",
    "complaint.publish",
    "complaint.appeal",
    "complaint.appeal.remote",
    "complaint.limitation",
    "denunciation.initial",
    "denunciation.initial.extended",
    "denunciation.transfer",
    "denunciation.notify_acceptance",
    "denunciation.resolve",
    "denunciation.send_conclusion",
    "denunciation.handle_conclusion",
    "denunciation.publish",
    "denunciation.forwarded_report",
    "denunciation.review",
    "publication.posting",
    "archive.retention",
]


# --- the shipped catalogue --------------------------------------------------------------------

# Rules the procedures need beyond the domain table, each with its source in the catalogue.
ADDED_IDS = ["reception.refusal_notice"]  # LTCD Art 9(3): written refusal notice, 3 working days


def test_catalogue_has_exactly_the_documented_ids():
    assert RuleCatalogue.validate(RULES_DIR) == []
    assert sorted(CATALOGUE.ids()) == sorted(README_IDS + ADDED_IDS)


@pytest.mark.parametrize(
    "rule_id, count, unit",
    [
        ("reception.notify", 10, "working_days"),
        ("petition.process", 10, "working_days"),
        ("complaint.resolve.first", 30, "days"),
        ("complaint.resolve.first.remote_complex", 60, "days"),
        ("complaint.resolve.second.remote_complex", 70, "days"),
        ("complaint.send.first", 3, "working_days"),
        ("complaint.send.second", 7, "days"),
        ("complaint.limitation", 90, "days"),
        ("denunciation.initial.extended", 10, "working_days"),
        ("denunciation.resolve", 30, "days"),
        ("denunciation.publish", 7, "working_days"),
        ("archive.retention", 1, "years"),
    ],
)
def test_catalogue_values(rule_id, count, unit):
    rule = CATALOGUE.in_force(rule_id, D(2026, 3, 2))
    assert (rule.count, rule.unit) == (count, unit)
    assert rule.description and rule.description_en and rule.basis


def test_unverified_sources_are_marked():
    marked = {rid for rid in CATALOGUE.ids() if any(r.to_verify for r in CATALOGUE.versions(rid))}
    # [NV] and [S-OCR] in the README; the added refusal-notice rule cites a form not read first-hand
    assert marked == {"petition.process", "complaint.accept", "reception.refusal_notice"}


def test_complaint_accept_regime_change_on_2026_07_01():
    old, new = CATALOGUE.versions("complaint.accept")
    assert (old.count, old.unit, old.valid_to) == (10, "days", D(2026, 6, 30))
    assert (new.count, new.unit, new.valid_from, new.valid_to) == (7, "working_days", D(2026, 7, 1), None)
    assert CATALOGUE.in_force("complaint.accept", D(2026, 6, 30)) == old
    assert CATALOGUE.in_force("complaint.accept", D(2026, 7, 1)) == new


def test_denunciation_resolve_extension_is_data():
    ext = CATALOGUE.in_force("denunciation.resolve", D(2026, 3, 2)).extension
    assert (ext.count, ext.unit, ext.max) == (30, "days", 2)


def test_unknown_rule_or_no_version_in_force():
    with pytest.raises(RuleError, match="unknown rule 'complaint.nope'"):
        DL.due("complaint.nope", D(2026, 3, 2))
    with pytest.raises(RuleError, match="no version in force on 2018-06-01"):
        DL.due("denunciation.resolve", D(2018, 6, 1))  # LTC 2018 in force from 2019-01-01
    with pytest.raises(CalendarError, match="outside the supported years"):
        DL.due("complaint.resolve.first", D(2040, 1, 1))


def test_catalogue_round_trips_as_plain_data():
    data = CATALOGUE.as_data()
    assert RuleCatalogue.from_data(data).as_data() == data
    assert data["complaint.accept"][1]["valid_from"] == "2026-07-01"


# --- due dates on real dates ------------------------------------------------------------------

@pytest.mark.parametrize(
    "rule_id, start, expected, why",
    [
        # Tết 2025 (Mon 27/1 - Fri 31/1 off)
        ("reception.notify", D(2025, 1, 24), D(2025, 2, 14),
         "10 working days from Fri 24/1: Feb 3-7 and 10-14"),
        ("complaint.accept", D(2025, 1, 17), D(2025, 2, 3),
         "17/1 + 10 days = Mon 27/1, the first day of Tết: rolls past Tết and the weekend"),
        ("complaint.accept", D(2025, 1, 20), D(2025, 2, 3),
         "20/1 + 10 = Thu 30/1 (mùng 2 Tết) -> Mon 3/2"),
        # Tết 2026 (Mon 16/2 - Fri 20/2 off)
        ("complaint.publish", D(2026, 2, 1), D(2026, 2, 23),
         "1/2 + 15 = Mon 16/2, first day of Tết 2026 -> Mon 23/2"),
        ("denunciation.initial", D(2026, 2, 12), D(2026, 3, 2),
         "7 wd from Thu 12/2: Fri 13, Tết, then 23-27/2, Mon 2/3"),
        # 30/4 - 1/5 and Giỗ Tổ
        ("denunciation.transfer", D(2025, 4, 25), D(2025, 5, 6),
         "5 wd from Fri 25/4/2025: Sat 26/4 (make-up), 28, 29, [30/4-2/5 off], 5/5, 6/5"),
        ("complaint.send.first", D(2025, 4, 24), D(2025, 4, 28),
         "3 wd from Thu 24/4/2025: 25, Sat 26 (make-up), Mon 28"),
        ("denunciation.notify_acceptance", D(2026, 4, 24), D(2026, 5, 6),
         "5 wd from Fri 24/4/2026: [Mon 27/4 Giỗ Tổ in lieu] 28, 29, [30/4, 1/5] 4, 5, 6/5"),
        ("complaint.send.second", D(2026, 4, 23), D(2026, 5, 4),
         "23/4 + 7 = Thu 30/4 (holiday), 1/5 holiday, weekend -> Mon 4/5"),
        # Quốc khánh 2025 (Mon 1/9 + Tue 2/9)
        ("complaint.send.second", D(2025, 8, 25), D(2025, 9, 3),
         "25/8 + 7 = Mon 1/9 (adjacent day) -> 2/9 off -> Wed 3/9"),
        ("denunciation.transfer", D(2025, 8, 28), D(2025, 9, 8),
         "5 wd from Thu 28/8/2025: Fri 29, [1/9, 2/9], 3, 4, 5, Mon 8/9"),
        # Quốc khánh 2026 (Sat 22/8 worked; Mon 31/8, Tue 1/9, Wed 2/9 off)
        ("denunciation.initial", D(2026, 8, 20), D(2026, 8, 28),
         "7 wd from Thu 20/8/2026: Fri 21, Sat 22 (make-up), 24-28"),
        ("complaint.send.first", D(2026, 8, 28), D(2026, 9, 7),
         "3 wd from Fri 28/8/2026: [31/8, 1/9, 2/9] Thu 3, Fri 4, Mon 7"),
        ("complaint.send.second", D(2026, 8, 25), D(2026, 9, 3),
         "25/8 + 7 = Tue 1/9 (adjacent day) -> 2/9 off -> Thu 3/9"),
        ("complaint.send.second", D(2026, 8, 15), D(2026, 8, 22),
         "15/8 + 7 = Sat 22/8, a make-up working day: it does not roll"),
        # start on a holiday
        ("complaint.resolve.first", D(2026, 1, 1), D(2026, 2, 2),
         "1/1/2026 + 30 = Sat 31/1 -> Mon 2/2"),
        ("complaint.send.first", D(2026, 1, 1), D(2026, 1, 7),
         "3 wd from 1/1/2026: [Fri 2/1 swapped off] Mon 5, Tue 6, Wed 7"),
        # a calendar period ending on a Sunday
        ("complaint.resolve.first", D(2026, 5, 8), D(2026, 6, 8),
         "8/5 + 30 = Sun 7/6 -> Mon 8/6"),
        ("complaint.limitation", D(2026, 1, 5), D(2026, 4, 6),
         "5/1 + 90 = Sun 5/4 -> Mon 6/4"),
        # regime change for complaint.accept
        ("complaint.accept", D(2026, 6, 26), D(2026, 7, 6), "old regime: 26/6 + 10 days = Mon 6/7"),
        ("complaint.accept", D(2026, 6, 30), D(2026, 7, 10), "old regime: 30/6 + 10 days = Fri 10/7"),
        ("complaint.accept", D(2026, 7, 1), D(2026, 7, 10),
         "new regime: 7 wd from Wed 1/7 = 2, 3, 6, 7, 8, 9, 10/7"),
        ("complaint.accept", D(2026, 7, 3), D(2026, 7, 14),
         "new regime: 7 wd from Fri 3/7 = 6-10, 13, 14/7 (old would be 13/7)"),
        # years
        ("archive.retention", D(2025, 3, 15), D(2026, 3, 16), "15/3/2026 is a Sunday -> Mon 16/3"),
        ("archive.retention", D(2024, 2, 29), D(2025, 2, 28), "no 29/2 in 2025: the last day of February"),
    ],
)
def test_due_dates(rule_id, start, expected, why):
    assert DL.due(rule_id, start) == expected, why


# --- extensions -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "extensions, expected, why",
    [
        (0, D(2026, 4, 1), "2/3 + 30 = Wed 1/4"),
        (1, D(2026, 5, 4), "2/3 + 60 = Fri 1/5, a holiday -> weekend -> Mon 4/5"),
        (2, D(2026, 6, 1), "2/3 + 90 = Sun 31/5 -> Mon 1/6 (one 90-day period, not 60 + 30 from 4/5)"),
    ],
)
def test_denunciation_extensions(extensions, expected, why):
    assert DL.due("denunciation.resolve", D(2026, 3, 2), extensions=extensions) == expected, why


def test_extensions_are_limited():
    with pytest.raises(RuleError, match="at most 2"):
        DL.due("denunciation.resolve", D(2026, 3, 2), extensions=3)
    with pytest.raises(RuleError, match="cannot be extended"):
        DL.due("complaint.resolve.first", D(2026, 3, 2), extensions=1)
    with pytest.raises(RuleError):
        DL.due("denunciation.resolve", D(2026, 3, 2), extensions=-1)


def test_extension_decisions_carry_a_reason_and_respect_the_complexity():
    complex_once = [ExtensionGrant("complex", "Phải xác minh tại hai địa phương")]
    assert DL.due("denunciation.resolve", D(2026, 3, 2), extensions=complex_once) == D(2026, 5, 4)
    twice = [ExtensionGrant("especially_complex", "Nhiều nội dung, nhiều người bị tố cáo")] * 2
    assert DL.due("denunciation.resolve", D(2026, 3, 2), extensions=twice) == D(2026, 6, 1)
    with pytest.raises(RuleError, match="complex case can be extended at most 1"):
        DL.due("denunciation.resolve", D(2026, 3, 2), extensions=complex_once * 2)
    with pytest.raises(RuleError, match="gives no reason"):
        DL.due("denunciation.resolve", D(2026, 3, 2), extensions=[ExtensionGrant("complex", "  ")])
    with pytest.raises(RuleError, match="complexity must be one of"):
        DL.due("denunciation.resolve", D(2026, 3, 2), extensions=[ExtensionGrant("simple", "x")])
    with pytest.raises(RuleError, match="cannot be extended"):
        DL.due("complaint.resolve.first", D(2026, 3, 2), extensions=complex_once)


def test_extension_limits_in_a_rule_file_are_checked(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "rules:\n  - {id: x.y, description: d, count: 30, unit: days, basis: b,\n"
        "     extension: {count: 30, unit: days, max: 2, limits: {complex: 3}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="extension.limits"):
        RuleCatalogue.load(tmp_path)


# --- pauses -----------------------------------------------------------------------------------

P = (D(2026, 3, 10), D(2026, 3, 20))  # suspended on 10/3, continued on 20/3: 10 days not counted


def test_pause_continue_for_denunciations():
    # 2/3 + 30 = 1/4, + the 10 suspended days (11/3-20/3) = Sat 11/4 -> Mon 13/4
    assert DL.due("denunciation.resolve", D(2026, 3, 2), pauses=[P]) == D(2026, 4, 13)
    # with two extensions: 2/3 + 90 + 10 = Wed 10/6
    assert DL.due("denunciation.resolve", D(2026, 3, 2), pauses=[P], extensions=2) == D(2026, 6, 10)
    # a second pause 25/3-30/3 adds 5 more: Thu 16/4
    two = [P, (D(2026, 3, 25), D(2026, 3, 30))]
    assert DL.due("denunciation.resolve", D(2026, 3, 2), pauses=two) == D(2026, 4, 16)


def test_pause_recounts_in_full_for_complaints():
    rule = CATALOGUE.in_force("complaint.resolve.first", D(2026, 3, 2))
    assert rule.on_resume == "recount"
    # the 30 days count again from the continuation decision: 20/3 + 30 = Sun 19/4 -> Mon 20/4
    assert DL.due("complaint.resolve.first", D(2026, 3, 2), pauses=[P]) == D(2026, 4, 20)
    # ... which is what a caller gets by passing the continuation day as the start
    assert DL.due("complaint.resolve.first", D(2026, 3, 20)) == D(2026, 4, 20)
    # the mode can be forced per call: continuing would give 1/4 + 10 = Sat 11/4 -> Mon 13/4
    assert DL.due("complaint.resolve.first", D(2026, 3, 2), pauses=[P], on_resume="continue") == D(2026, 4, 13)


def test_pause_of_working_day_rule():
    start = D(2026, 3, 2)
    assert DL.due("denunciation.initial", start) == D(2026, 3, 11)  # 3, 4, 5, 6, 9, 10, 11
    # suspended Wed 4/3, continued Mon 9/3: Thu 5, Fri 6, Mon 9 not counted -> 12, 13, 16
    assert DL.due("denunciation.initial", start, pauses=[(D(2026, 3, 4), D(2026, 3, 9))]) == D(2026, 3, 16)
    # suspended on the start day itself until Thu 5/3: counting starts Fri 6 -> 6, 9-13, Mon 16
    assert DL.due("denunciation.initial", start, pauses=[(start, D(2026, 3, 5))]) == D(2026, 3, 16)
    # a pause after the period ran out changes nothing
    assert DL.due("denunciation.initial", start, pauses=[(D(2026, 3, 12), D(2026, 3, 20))]) == D(2026, 3, 11)
    # suspended on the last day: nothing is left, it ends on the continuation day
    # (Sat 14/3, rolled to Mon 16/3)
    assert DL.due("denunciation.initial", start, pauses=[(D(2026, 3, 11), D(2026, 3, 14))]) == D(2026, 3, 16)


@pytest.mark.parametrize(
    "pauses, message",
    [
        ([(D(2026, 3, 10), D(2026, 3, 5))], "resumes before it starts"),
        ([(D(2026, 2, 27), D(2026, 3, 5))], "before the period's start"),
        ([(D(2026, 3, 5), D(2026, 3, 10)), (D(2026, 3, 8), D(2026, 3, 12))], "overlap"),
        ([(D(2026, 3, 5),)], "pair of dates"),
    ],
)
def test_bad_pauses(pauses, message):
    with pytest.raises(RuleError, match=message):
        DL.due("denunciation.resolve", D(2026, 3, 2), pauses=pauses)


# --- properties -------------------------------------------------------------------------------

starts = st.dates(min_value=D(2019, 1, 1), max_value=D(2034, 12, 31))
ids = st.sampled_from(README_IDS)
working_day_ids = st.sampled_from(
    [rid for rid in README_IDS if CATALOGUE.versions(rid)[-1].unit == "working_days"]
)


def _working_day_due(rule_id, start):
    """The due date if the version in force on `start` counts working days, else None."""
    try:
        rule = CATALOGUE.in_force(rule_id, start)
    except RuleError:
        return None
    return DL.due(rule_id, start) if rule.unit == "working_days" else None


def _due_or_none(rule_id, start, **kw):
    try:
        return DL.due(rule_id, start, **kw)
    except RuleError:
        return None  # no version in force on that date


@settings(max_examples=400, deadline=None)
@given(ids, starts, starts)
def test_due_dates_never_decrease_with_the_start(rule_id, a, b):
    a, b = min(a, b), max(a, b)
    due_a, due_b = _due_or_none(rule_id, a), _due_or_none(rule_id, b)
    assume(due_a is not None and due_b is not None)
    assert due_a <= due_b
    assert CAL.is_working_day(due_a)


def test_due_dates_never_decrease_exhaustively():
    """Every rule, every start day 2015-2034 (about 190,000 due dates, well under a second)."""
    for rule_id in README_IDS:
        previous = None
        day = D(2015, 1, 1)
        while day <= D(2034, 12, 31):
            due = _due_or_none(rule_id, day)
            if due is not None:
                assert previous is None or previous <= due, (rule_id, day)
                previous = due
            day += timedelta(days=1)


@settings(max_examples=400, deadline=None)
@given(working_day_ids, starts)
def test_working_day_deadline_is_n_working_days_away(rule_id, start):
    due = _working_day_due(rule_id, start)
    assume(due is not None)
    rule = CATALOGUE.in_force(rule_id, start)
    assert CAL.working_days_between(start, due) == rule.count


@settings(max_examples=400, deadline=None)
@given(working_day_ids, starts, st.integers(0, 60), st.integers(0, 60))
def test_pausing_k_working_days_moves_the_deadline_by_k(rule_id, start, offset, length):
    due = _working_day_due(rule_id, start)
    assume(due is not None)
    frm = start + timedelta(days=offset)
    assume(frm < due)  # suspended while the period runs
    to = frm + timedelta(days=length)
    k = CAL.working_days_between(frm, to)
    paused = DL.due(rule_id, start, pauses=[(frm, to)])
    assert CAL.working_days_between(due, paused) == k
    assert paused == CAL.add_working_days(due, k)


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(0, 29), st.integers(0, 40))
def test_pausing_a_calendar_day_rule_shifts_its_unrolled_end(start, offset, length):
    rule = CATALOGUE.in_force("denunciation.resolve", D(2026, 1, 1))
    frm = start + timedelta(days=offset)  # before start + 30: while the period runs
    to = frm + timedelta(days=length)
    paused = due_date(CAL, rule, start, pauses=[(frm, to)])
    assert paused == CAL.roll_forward(start + timedelta(days=30 + length))


# --- validation of rule files -----------------------------------------------------------------

GOOD = """\
  - id: a.rule
    description: Một quy tắc
    description_en: A rule
    count: 5
    unit: working_days
    basis: X Art 1
    valid_from: 2020-01-01
    to_verify: false
"""


def _dir(tmp_path, **files) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _one(tmp_path, text) -> list[str]:
    return RuleCatalogue.validate(_dir(tmp_path, **{"bad.yaml": "rules:\n" + text}))


def test_a_good_file_loads(tmp_path):
    cat = RuleCatalogue.load(_dir(tmp_path, **{"ok.yaml": "rules:\n" + GOOD}))
    assert cat.ids() == ["a.rule"]
    rule = cat.in_force("a.rule", D(2026, 3, 2))
    assert rule == Rule("a.rule", "Một quy tắc", 5, "working_days", "X Art 1", D(2020, 1, 1), None, False,
                        description_en="A rule", source="ok.yaml")


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("    basis: X Art 1\n", ""), "bad.yaml: rule a.rule: missing field 'basis'"),
        (GOOD.replace("    to_verify: false\n", ""), "bad.yaml: rule a.rule: missing field 'to_verify'"),
        (GOOD.replace("  - id: a.rule\n", "  - description_x: 1\n"), "bad.yaml: rule #1: missing field 'id'"),
        (GOOD.replace("count: 5", "count: five"), "bad.yaml: rule a.rule: 'count' must be a whole number"),
        (GOOD.replace("count: 5", "count: 5.5"), "'count' must be a whole number"),
        (GOOD.replace("count: 5", "count: true"), "'count' must be a whole number"),
        (GOOD.replace("count: 5", "count: 0"), "bad.yaml: rule a.rule: 'count' must be positive"),
        (GOOD.replace("count: 5", "count: -3"), "'count' must be positive"),
        (GOOD.replace("unit: working_days", "unit: weeks"), "bad.yaml: rule a.rule: unknown unit 'weeks'"),
        (GOOD.replace("to_verify: false", "to_verify: maybe"), "'to_verify' must be true or false"),
        (GOOD.replace("valid_from: 2020-01-01", "valid_from: 1 Jan 2020"), "'valid_from' must be a date"),
        (GOOD.replace("description: Một quy tắc", "description: 42"), "'description' must be a non-empty text"),
        (GOOD.replace("id: a.rule", "id: A Rule"), "'id' must be a dotted lower-case name"),
        (GOOD + "    vaild_to: 2021-01-01\n", "bad.yaml: rule a.rule: unknown field(s) vaild_to"),
        (GOOD + "    valid_to: 2019-12-31\n", "bad.yaml: rule a.rule: valid_to 2019-12-31 is before valid_from 2020-01-01"),
        (GOOD + "    on_resume: restart\n", "'on_resume' must be 'continue' or 'recount'"),
        (GOOD + "    extension: {count: 30, unit: days, max: 2}\n", "'extension.unit' must be the rule's unit"),
        (GOOD + "    extension: {count: 0, unit: working_days, max: 2}\n", "'extension.count' must be a positive"),
        (GOOD + "    extension: 30\n", "'extension' must be a mapping"),
        (GOOD + GOOD, "bad.yaml: rule a.rule: overlapping versions"),
        (GOOD + GOOD.replace("2020-01-01", "2026-07-01"), "overlapping versions (2020-01-01 to ... and 2026-07-01 to ...)"),
        ("  - just a string\n", "bad.yaml: rule #1: expected a mapping"),
    ],
)
def test_malformed_rule_is_refused_with_one_line(tmp_path, text, message):
    problems = _one(tmp_path, text)
    assert any(message in p for p in problems), problems
    assert all("\n" not in p for p in problems)
    with pytest.raises(RuleError) as err:
        RuleCatalogue.load(tmp_path)
    assert err.value.problems == problems


def test_versions_that_do_not_overlap_are_fine(tmp_path):
    v1 = GOOD + "    valid_to: 2026-06-30\n"
    v2 = GOOD.replace("valid_from: 2020-01-01", "valid_from: 2026-07-01").replace("count: 5", "count: 7")
    cat = RuleCatalogue.load(_dir(tmp_path, **{"ok.yaml": "rules:\n" + v1 + v2}))
    assert cat.in_force("a.rule", D(2026, 6, 30)).count == 5
    assert cat.in_force("a.rule", D(2026, 7, 1)).count == 7
    with pytest.raises(RuleError, match="no version in force on 2019-12-31"):
        cat.in_force("a.rule", D(2019, 12, 31))


@pytest.mark.parametrize(
    "files, message",
    [
        ({"bad.yaml": "rules: [\n  - id: a.rule\n"}, "bad.yaml: malformed YAML at line"),
        ({"bad.yaml": "rules:\n  - id: a.rule\n   count: 3\n"}, "bad.yaml: malformed YAML"),
        ({"bad.yaml": "- id: a.rule\n"}, "bad.yaml: expected a mapping with a 'rules' list"),
        ({"bad.yaml": "rules: 3\n"}, "bad.yaml: 'rules' must be a list"),
        ({"bad.yaml": "rules: []\nextra: 1\n"}, "bad.yaml: unknown top-level key(s) extra"),
        ({"a.yaml": "rules:\n" + GOOD, "b.yaml": "rules:\n" + GOOD},
         "b.yaml: rule a.rule: duplicate id, also defined in a.yaml"),
    ],
)
def test_malformed_files_are_refused_with_one_line(tmp_path, files, message):
    problems = RuleCatalogue.validate(_dir(tmp_path, **files))
    assert any(message in p for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_unreadable_file_is_refused_with_one_line(tmp_path):
    (tmp_path / "bad.yaml").write_bytes(b"rules:\n  - id: \xff\xfe\n")
    [problem] = RuleCatalogue.validate(tmp_path)
    assert problem.startswith("bad.yaml: ") and "\n" not in problem


def test_every_problem_is_reported_at_once(tmp_path):
    _dir(
        tmp_path,
        **{
            "a.yaml": "rules:\n" + GOOD.replace("count: 5", "count: 0"),
            "b.yaml": "rules: [\n",
            "c.yaml": "rules:\n" + GOOD.replace("a.rule", "c.rule").replace("unit: working_days", "unit: hours"),
        },
    )
    problems = RuleCatalogue.validate(tmp_path)
    assert [p.split(":")[0] for p in problems] == ["a.yaml", "b.yaml", "c.yaml"]
    with pytest.raises(RuleError) as err:
        RuleCatalogue.load(tmp_path)
    assert str(err.value) == "\n".join(problems)


def test_empty_or_missing_directory(tmp_path):
    assert RuleCatalogue.validate(tmp_path) == [f"{tmp_path}: no rule files (*.yaml)"]
    assert "no such rules directory" in RuleCatalogue.validate(tmp_path / "nope")[0]
