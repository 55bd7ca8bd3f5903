"""The case clock: suspension, continuation and extension decisions, and the pauses and
extension grants they give `Deadlines.due`."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tiepdan.cases import clock as case_clock
from tiepdan.cases import petitions
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import CaseClockEvent
from tiepdan.config import REPO_ROOT
from tiepdan.engine.calendar import WorkingCalendar
from tiepdan.engine.deadlines import Deadlines, ExtensionGrant, RuleCatalogue, RuleError

CATALOGUE = RuleCatalogue.load(REPO_ROOT / "processes" / "rules")
DEADLINES = Deadlines(WorkingCalendar(), CATALOGUE)
ACCEPTED = date(2026, 3, 2)


def case(s, world, petition_type="denunciation", status="resolving"):
    petition = petitions.register_petition(
        s, unit=world.office, content="Tố cáo cán bộ địa chính nhận tiền", channel="post", created_by="xuly.btcd",
        clock=world.clock,
    ).petition
    petitions.classify(s, petition, petition_type=petition_type, eligible=True, clock=world.clock)
    petitions.set_status(petition, status, clock=world.clock)
    return petition


def test_suspend_and_resume_record_a_closed_pause_and_move_the_status(world):
    with world.session() as s:
        p = case(s, world)
        key = p.business_key
        event = case_clock.suspend(s, p, on=date(2026, 3, 10), reason="Chờ kết quả giám định", decision_no="5/QĐ-TĐC",
                                   actor="truongban", clock=world.clock)
        assert (event.kind, event.on_date, event.decision_no, event.created_by) == (
            "suspension", date(2026, 3, 10), "5/QĐ-TĐC", "truongban")
        assert p.status == "suspended" and case_clock.is_suspended(p)
        # An open pause is not a pause yet: there is no due date while suspended.
        assert case_clock.adjustments(s, key) == ([], [])
        case_clock.resume(s, p, on=date(2026, 3, 20), actor="truongban", clock=world.clock)
        assert p.status == "resolving" and not case_clock.is_suspended(p)
    with world.session() as s:
        assert case_clock.adjustments(s, key) == ([(date(2026, 3, 10), date(2026, 3, 20))], [])
        assert [e.kind for e in s.query(CaseClockEvent).order_by(CaseClockEvent.id)] == ["suspension", "continuation"]


def test_cannot_suspend_twice_or_resume_a_running_case(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="không bị tạm đình chỉ"):
            case_clock.resume(s, p, on=date(2026, 3, 5), actor="truongban", clock=world.clock)
        case_clock.suspend(s, p, on=date(2026, 3, 10), reason="Chờ kết quả giám định", actor="truongban",
                           clock=world.clock)
        with pytest.raises(CaseError, match="đang bị tạm đình chỉ"):
            case_clock.suspend(s, p, on=date(2026, 3, 11), reason="Lý do khác", actor="truongban", clock=world.clock)
        with pytest.raises(CaseError, match="trước ngày tạm đình chỉ"):
            case_clock.resume(s, p, on=date(2026, 3, 9), actor="truongban", clock=world.clock)
        case_clock.resume(s, p, on=date(2026, 3, 12), actor="truongban", clock=world.clock)
        # A second suspension may not start before the continuation that closed the first.
        with pytest.raises(CaseError, match="trước quyết định tiếp tục"):
            case_clock.suspend(s, p, on=date(2026, 3, 11), reason="Chờ văn bản", actor="truongban", clock=world.clock)
        case_clock.suspend(s, p, on=date(2026, 3, 15), reason="Chờ văn bản", actor="truongban", clock=world.clock)
        case_clock.resume(s, p, on=date(2026, 3, 16), actor="truongban", clock=world.clock)
        assert case_clock.adjustments(s, p.business_key)[0] == [
            (date(2026, 3, 10), date(2026, 3, 12)), (date(2026, 3, 15), date(2026, 3, 16))
        ]


def test_suspension_needs_a_reason_and_a_case_being_resolved(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="lý do"):
            case_clock.suspend(s, p, on=date(2026, 3, 10), reason="  ", actor="truongban", clock=world.clock)
        done = case(s, world, status="resolved")
        with pytest.raises(CaseError, match="không ở trạng thái đang giải quyết"):
            case_clock.suspend(s, done, on=date(2026, 3, 10), reason="Chờ", actor="truongban", clock=world.clock)
        assert done.status == "resolved" and not case_clock.is_suspended(done)


def test_extension_limits_come_from_the_catalogue():
    assert case_clock.extension_limits(REPO_ROOT / "processes") == {"complex": 1, "especially_complex": 2}


def test_a_complex_case_is_extended_once_an_especially_complex_one_twice(world):
    with world.session() as s:
        complex_case = case(s, world)
        case_clock.extend(s, complex_case, on=date(2026, 3, 25), complexity="complex", reason="Nhiều nơi xác minh",
                          actor="truongban", clock=world.clock)
        with pytest.raises(CaseError, match="tối đa 1 lần"):
            case_clock.extend(s, complex_case, on=date(2026, 4, 20), complexity="complex", reason="Chưa xong",
                              actor="truongban", clock=world.clock)
        hard = case(s, world)
        for day in (date(2026, 3, 25), date(2026, 4, 25)):
            case_clock.extend(s, hard, on=day, complexity="especially_complex", reason="Liên quan nhiều ngành",
                              actor="truongban", clock=world.clock)
        with pytest.raises(CaseError, match="tối đa 2 lần"):
            case_clock.extend(s, hard, on=date(2026, 5, 25), complexity="especially_complex", reason="Chưa xong",
                              actor="truongban", clock=world.clock)
        _, grants = case_clock.adjustments(s, hard.business_key)
        assert grants == [ExtensionGrant("especially_complex", "Liên quan nhiều ngành")] * 2
        assert case_clock.adjustments(s, complex_case.business_key)[1] == [
            ExtensionGrant("complex", "Nhiều nơi xác minh")
        ]


def test_the_limits_may_be_passed_in(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="tối đa 0 lần"):
            case_clock.extend(s, p, on=date(2026, 3, 25), complexity="complex", reason="Nhiều nơi",
                              actor="truongban", limits={"complex": 0}, clock=world.clock)
        case_clock.extend(s, p, on=date(2026, 3, 25), complexity="complex", reason="Nhiều nơi",
                          actor="truongban", limits={"complex": 2}, clock=world.clock)
        case_clock.extend(s, p, on=date(2026, 4, 25), complexity="complex", reason="Nhiều nơi",
                          actor="truongban", limits={"complex": 2}, clock=world.clock)
        assert len(case_clock.adjustments(s, p.business_key)[1]) == 2


def test_an_extension_needs_a_reason_a_known_complexity_and_a_denunciation(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="lý do"):
            case_clock.extend(s, p, on=date(2026, 3, 25), complexity="complex", reason="", actor="truongban",
                              clock=world.clock)
        with pytest.raises(CaseError, match="Mức độ phức tạp"):
            case_clock.extend(s, p, on=date(2026, 3, 25), complexity="simple", reason="Lý do", actor="truongban",
                              clock=world.clock)
        complaint = case(s, world, petition_type="complaint")
        with pytest.raises(CaseError, match="Chỉ gia hạn giải quyết tố cáo"):
            case_clock.extend(s, complaint, on=date(2026, 3, 25), complexity="complex", reason="Lý do",
                              actor="truongban", clock=world.clock)
        assert case_clock.adjustments(s, p.business_key) == ([], [])
        assert case_clock.adjustments(s, complaint.business_key) == ([], [])


def test_adjustments_of_an_unknown_case_are_empty(world):
    with world.session() as s:
        assert case_clock.adjustments(s, "04.BTCD/2026/999") == ([], [])


def test_adjustments_feed_the_due_date_of_a_denunciation(world):
    """Accepted 2026-03-02, one complex extension, suspended 10/3, continued 20/3 (continue mode):
    30 + 30 days from acceptance, plus the 10 suspended days (11/3..20/3), rolled forward."""
    with world.session() as s:
        p = case(s, world)
        key = p.business_key
        case_clock.suspend(s, p, on=date(2026, 3, 10), reason="Chờ kết quả giám định", actor="truongban",
                           clock=world.clock)
        case_clock.resume(s, p, on=date(2026, 3, 20), actor="truongban", clock=world.clock)
        case_clock.extend(s, p, on=date(2026, 3, 25), complexity="complex", reason="Nhiều nơi xác minh",
                          actor="truongban", clock=world.clock)
    with world.session() as s:
        pauses, grants = case_clock.adjustments(s, key)
    due = DEADLINES.due("denunciation.resolve", ACCEPTED, pauses=pauses, extensions=grants)
    raw = ACCEPTED + timedelta(days=30 + 30) + (date(2026, 3, 20) - date(2026, 3, 10))
    assert raw == date(2026, 5, 11)  # a Monday, a working day: no roll-forward
    assert due == WorkingCalendar().roll_forward(raw) == date(2026, 5, 11)
    # Without the pause: 1 May (a holiday), rolled to Monday 4 May; with neither: 1 April.
    assert DEADLINES.due("denunciation.resolve", ACCEPTED) == date(2026, 4, 1)
    assert DEADLINES.due("denunciation.resolve", ACCEPTED, extensions=grants) == date(2026, 5, 4)


def test_adjustments_feed_a_complaint_recount(world):
    """A complaint's clock recounts in full from the continuation decision (on_resume: recount)."""
    with world.session() as s:
        p = case(s, world, petition_type="complaint")
        key = p.business_key
        case_clock.suspend(s, p, on=date(2026, 3, 10), reason="Người khiếu nại ốm nặng", actor="truongban",
                           clock=world.clock)
        case_clock.resume(s, p, on=date(2026, 3, 20), actor="truongban", clock=world.clock)
        pauses, grants = case_clock.adjustments(s, key)
    assert grants == []
    # 20/3 + 30 days = Sunday 19/4, rolled to Monday 20/4.
    assert DEADLINES.due("complaint.resolve.first", ACCEPTED, pauses=pauses) == date(2026, 4, 20)


def test_too_many_grants_would_be_refused_by_the_engine_too():
    with pytest.raises(RuleError):
        DEADLINES.due("denunciation.resolve", ACCEPTED, extensions=[ExtensionGrant("complex", "x")] * 2)
