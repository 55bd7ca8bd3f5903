"""Execution follow-up: obligations, results, the overdue list."""
from __future__ import annotations

from datetime import date

import pytest

from tiepdan.cases import execution, petitions
from tiepdan.cases.errors import CaseError, UnknownRecord


def case(s, world, unit=None):
    petition = petitions.register_petition(
        s, unit=unit or world.office, content="Khiếu nại quyết định thu hồi đất", channel="post",
        created_by="xuly.btcd", clock=world.clock,
    ).petition
    petitions.set_status(petition, "resolved", clock=world.clock)
    return petition


def test_obligations_are_overdue_the_day_after_their_due_day_until_done(world):
    with world.session() as s:
        p = case(s, world)
        item = execution.add_obligation(s, p, obligor="UBND phường Thục Phán", obligor_unit=world.commune,
                                        action="Bồi thường bổ sung 50 triệu đồng", due_on=date(2026, 4, 30),
                                        actor="truongban", clock=world.clock)
        other = execution.add_obligation(s, p, obligor="Ông Nông Văn A", action="Tháo dỡ công trình",
                                         due_on=date(2026, 5, 15), actor="truongban", clock=world.clock)
        assert (item.obligor_unit.code, item.created_by, item.done_on) == (world.commune, "truongban", None)
        assert execution.overdue_obligations(s, date(2026, 4, 30)) == []
        assert execution.overdue_obligations(s, date(2026, 5, 1)) == [item]
        assert execution.overdue_obligations(s, date(2026, 5, 20)) == [item, other]
        execution.record_done(item, done_on=date(2026, 5, 2), result="Đã chi trả")
        s.flush()
        assert execution.overdue_obligations(s, date(2026, 5, 20)) == [other]
        assert (item.done_on, item.result) == (date(2026, 5, 2), "Đã chi trả")
        assert execution.obligations_of(s, p) == [item, other]


def test_the_overdue_list_of_a_unit(world):
    with world.session() as s:
        held = case(s, world)  # held by the reception office
        elsewhere = case(s, world, unit=world.other_commune)
        by_commune = execution.add_obligation(s, held, obligor="UBND phường Thục Phán", obligor_unit=world.commune,
                                              action="Cấp giấy chứng nhận", due_on=date(2026, 4, 1),
                                              actor="truongban", clock=world.clock)
        by_person = execution.add_obligation(s, elsewhere, obligor="Bà La Thị B", action="Trả lại đất",
                                             due_on=date(2026, 4, 1), actor="xuly.xa2", clock=world.clock)
        on = date(2026, 4, 2)
        assert execution.overdue_obligations(s, on, unit=world.commune) == [by_commune]
        assert execution.overdue_obligations(s, on, unit=world.office) == [by_commune]
        assert execution.overdue_obligations(s, on, unit=world.other_commune) == [by_person]
        assert execution.overdue_obligations(s, on, unit=world.inspectorate) == []


def test_bad_obligations_and_results_are_refused(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="trách nhiệm thi hành"):
            execution.add_obligation(s, p, obligor=" ", action="x", due_on=date(2026, 4, 1), actor="a",
                                     clock=world.clock)
        with pytest.raises(CaseError, match="nội dung phải thi hành"):
            execution.add_obligation(s, p, obligor="UBND", action="", due_on=date(2026, 4, 1), actor="a",
                                     clock=world.clock)
        with pytest.raises(UnknownRecord):
            execution.add_obligation(s, p, obligor="UBND", obligor_unit="04.NOPE", action="x",
                                     due_on=date(2026, 4, 1), actor="a", clock=world.clock)
        item = execution.add_obligation(s, p, obligor="UBND", action="x", due_on=date(2026, 4, 1), actor="a",
                                        clock=world.clock)
        with pytest.raises(CaseError, match="kết quả thi hành"):
            execution.record_done(item, done_on=date(2026, 4, 1), result="")
        assert item.done_on is None
        execution.record_done(item, done_on=date(2026, 4, 1), result="Xong")
        with pytest.raises(CaseError, match="đã được ghi nhận hoàn thành ngày 01/04/2026"):
            execution.record_done(item, done_on=date(2026, 4, 3), result="Lại xong")
        assert item.result == "Xong"
