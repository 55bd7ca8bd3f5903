"""Withdrawals: full ends the case (unless a denunciation must go on), partial keeps it running,
withdrawn content cannot come back."""
from __future__ import annotations

from datetime import date

import pytest

from tiepdan.cases import petitions, withdrawals
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import Withdrawal


def case(s, world, petition_type="complaint", status="resolving"):
    petition = petitions.register_petition(
        s, unit=world.office, content="Khiếu nại quyết định thu hồi đất và mức bồi thường", channel="post",
        created_by="xuly.btcd", clock=world.clock,
    ).petition
    petitions.classify(s, petition, petition_type=petition_type, eligible=True, clock=world.clock)
    petitions.set_status(petition, status, clock=world.clock)
    return petition


def test_a_full_withdrawal_ends_a_complaint(world):
    with world.session() as s:
        p = case(s, world)
        stops = withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="full", content="Toàn bộ nội dung",
                                     actor="xuly.btcd", clock=world.clock)
        assert stops is True and p.status == "withdrawn"
        row = s.query(Withdrawal).one()
        assert (row.scope, row.on_date, row.coerced, row.created_by) == ("full", date(2026, 3, 10), False, "xuly.btcd")
        with pytest.raises(CaseError, match="đã kết thúc"):
            withdrawals.withdraw(s, p, on=date(2026, 3, 11), scope="full", content="", actor="xuly.btcd",
                                 clock=world.clock)


def test_a_partial_withdrawal_keeps_the_case_and_the_content_cannot_come_back(world):
    with world.session() as s:
        p = case(s, world)
        stops = withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="partial",
                                     content="Yêu cầu bồi thường thiệt hại về cây trồng", actor="xuly.btcd",
                                     clock=world.clock)
        assert stops is False and p.status == "resolving"
        assert withdrawals.withdrawn_contents(p) == ["Yêu cầu bồi thường thiệt hại về cây trồng"]
        # The same claim, in other case and without diacritics, is refused.
        with pytest.raises(CaseError, match="đã được rút ngày 10/03/2026"):
            withdrawals.check_not_withdrawn(s, p, "YEU CAU BOI THUONG THIET HAI VE CAY TRONG")
        # Nearly the same words (similarity >= 0.8) too.
        with pytest.raises(CaseError, match="không được đề nghị lại"):
            withdrawals.check_not_withdrawn(s, p, "Yêu cầu bồi thường thiệt hại về cây trồng.")
        # A different claim is fine.
        assert withdrawals.check_not_withdrawn(s, p, "Đề nghị cấp lại giấy chứng nhận quyền sử dụng đất") is None
        # Withdrawing the same content twice is refused.
        with pytest.raises(CaseError, match="đã được rút"):
            withdrawals.withdraw(s, p, on=date(2026, 3, 12), scope="partial",
                                 content="yêu cầu bồi thường thiệt hại về cây trồng", actor="xuly.btcd",
                                 clock=world.clock)
        assert s.query(Withdrawal).count() == 1


def test_a_coerced_withdrawal_bars_nothing(world):
    with world.session() as s:
        p = case(s, world)
        withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="partial", content="Yêu cầu bồi thường cây trồng",
                             coerced=True, actor="xuly.btcd", clock=world.clock)
        assert withdrawals.withdrawn_contents(p) == []
        withdrawals.check_not_withdrawn(s, p, "Yêu cầu bồi thường cây trồng")


@pytest.mark.parametrize("flags", [{"coerced": True}, {"violation_found": True}])
def test_a_denunciation_goes_on_when_coerced_or_a_violation_shows(world, flags):
    with world.session() as s:
        p = case(s, world, petition_type="denunciation")
        stops = withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="full", content="Toàn bộ nội dung tố cáo",
                                     actor="xuly.btcd", clock=world.clock, **flags)
        assert stops is False and p.status == "resolving"
        assert s.query(Withdrawal).one().coerced is flags.get("coerced", False)


def test_a_plain_full_withdrawal_ends_a_denunciation(world):
    with world.session() as s:
        p = case(s, world, petition_type="denunciation")
        assert withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="full", content="", actor="xuly.btcd",
                                    clock=world.clock) is True
        assert p.status == "withdrawn"


def test_bad_withdrawals_change_nothing(world):
    with world.session() as s:
        p = case(s, world)
        with pytest.raises(CaseError, match="Phạm vi rút đơn"):
            withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="some", content="x", actor="a", clock=world.clock)
        with pytest.raises(CaseError, match="ghi rõ nội dung"):
            withdrawals.withdraw(s, p, on=date(2026, 3, 10), scope="partial", content=" ", actor="a",
                                 clock=world.clock)
        with pytest.raises(CaseError, match="trước ngày nhận đơn"):
            withdrawals.withdraw(s, p, on=date(2026, 3, 1), scope="full", content="", actor="a", clock=world.clock)
        assert p.status == "resolving" and s.query(Withdrawal).count() == 0
