"""Reception sessions: who receives, citizens, refusal on a ground in force, the read-back record,
the documents receipt, and the petitions a session produces."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tiepdan.cases import datafiles, receptions
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import Party, ReceiptCounter, Reception

from .conftest import person

JULY = datetime(2026, 7, 1, 1, 0)  # 08:00 on 1 July 2026 in Hà Nội: NĐ 154/2026 in force
JUNE = datetime(2026, 6, 30, 16, 59)  # 23:59 on 30 June 2026 in Hà Nội


def _open(s, world, **kw):
    kw.setdefault("unit", world.office)
    kw.setdefault("received_by", "tiep.btcd")
    return receptions.open_reception(s, clock=world.clock, **kw)


def test_open_reception(world):
    with world.session() as s:
        r = _open(s, world, location="Trụ sở Ban Tiếp công dân")
        assert (r.unit.code, r.received_by.username, r.received_on, r.received_at, r.created_by) == (
            world.office, "tiep.btcd", date(2026, 3, 2), world.clock.now(), "tiep.btcd"
        )
        assert (r.is_leader_session, r.citizen_count, r.documents, r.refused) == (False, 1, [], False)
        leader = _open(s, world, received_by="truongban", is_leader_session=True, received_at=JUNE)
        assert leader.is_leader_session and leader.received_on == date(2026, 6, 30)


def test_open_reception_is_checked(world):
    with world.session() as s:
        for kw, message in [
            (dict(received_by="xuly.btcd"), "không có vai trò tiếp công dân"),
            (dict(received_by="tiep.btcd", is_leader_session=True), "không có vai trò lãnh đạo"),
            (dict(received_by="tiep.xa"), "không thuộc Ban Tiếp công dân tỉnh Cao Bằng"),
            (dict(unit="04.TAND", received_by="tiep.btcd"), "không làm việc trên hệ thống"),
            (dict(citizen_count=0), "Số công dân đến"),
        ]:
            with pytest.raises(CaseError, match=message):
                _open(s, world, **kw)
        assert s.execute(select(Reception)).scalars().all() == []


def test_citizens_and_identity_check(world):
    with world.session() as s:
        r = _open(s, world)
        a = receptions.add_citizen(s, r, person("Hoàng Văn Một", cccd="004080000001"), is_representative=True)
        b = receptions.add_citizen(s, r, person("Hoàng Văn Hai"))
        rep = receptions.add_citizen(s, r, person("Luật sư Ba"), role="authorised_representative")
        assert [p.id for p in receptions.citizens(s, r)] == [a.id, b.id, rep.id]
        assert [p.ordinal for p in receptions.citizens(s, r)] == [1, 2, 3]
        assert r.citizen_count == 3 and not a.sealed and a.petition_id is None
        receptions.record_identity_check(r, "verified", "CCCD gắn chip")
        assert (r.identity_check, r.identity_note) == ("verified", "CCCD gắn chip")
        with pytest.raises(ValueError, match="Kết quả kiểm tra nhân thân không hợp lệ"):
            receptions.record_identity_check(r, "looked_fine")


# --- refusal -------------------------------------------------------------------------------------


def test_refusal_on_a_ground_in_force(world):
    with world.session() as s:
        r = _open(s, world)
        ground = receptions.refuse_reception(r, "ltcd_9_3_resolved", "Đã được trả lời bằng văn bản số 15/TB-UBND")
        assert ground.written_notice and ground.basis == "LTCD Điều 9 khoản 3"
        assert (r.refused, r.refusal_ground, r.refusal_note) == (
            True, "ltcd_9_3_resolved", "Đã được trả lời bằng văn bản số 15/TB-UBND"
        )
        assert not receptions.refuse_reception(_open(s, world), "ltcd_9_2_threat").written_notice
        with pytest.raises(CaseError, match="đã bị từ chối"):
            receptions.petition_from_reception(s, r, content="x", created_by="tiep.btcd")


def test_nd154_grounds_apply_only_from_1_july_2026(world):
    with world.session() as s:
        before = _open(s, world, received_at=JUNE)
        with pytest.raises(CaseError, match=r"nd154_weapons \(NĐ 154/2026/NĐ-CP Điều 4\) không có hiệu lực vào ngày 30/06/2026"):
            receptions.refuse_reception(before, "nd154_weapons")
        assert not before.refused and before.refusal_ground is None
        receptions.refuse_reception(before, "ltcd_9_1_incapacity")  # the Law's grounds stay in force
        after = _open(s, world, received_at=JULY)
        ground = receptions.refuse_reception(after, "nd154_repeat_recommendation")
        assert ground.written_notice and after.refusal_ground == "nd154_repeat_recommendation"
        with pytest.raises(CaseError, match="Lý do từ chối tiếp không hợp lệ: 'drunk'"):
            receptions.refuse_reception(_open(s, world, received_at=JULY), "drunk")
    in_force_june = {c for c, g in datafiles.refusal_grounds().items() if g.in_force(date(2026, 6, 30))}
    in_force_july = {c for c, g in datafiles.refusal_grounds().items() if g.in_force(date(2026, 7, 1))}
    assert not any(c.startswith("nd154") for c in in_force_june)
    assert in_force_june < in_force_july and len(in_force_july - in_force_june) == 10


def test_no_refusal_after_a_petition_was_registered(world):
    with world.session() as s:
        r = _open(s, world)
        receptions.add_citizen(s, r, person("Hoàng Văn Một"))
        receptions.petition_from_reception(s, r, content="Kiến nghị", created_by="tiep.btcd")
        with pytest.raises(CaseError, match="đã có đơn được vào sổ"):
            receptions.refuse_reception(r, "ltcd_9_2_threat")
        assert not r.refused


# --- record of the content -------------------------------------------------------------------------


def test_record_content_must_be_read_back_before_it_is_signed(world):
    with world.session() as s:
        r = _open(s, world)
        for confirmation in ("signed", "fingerprinted"):
            with pytest.raises(CaseError, match="Phải đọc lại biên bản"):
                receptions.record_content(r, "Công dân trình bày ...", read_back=False, confirmation=confirmation)
        assert (r.record_text, r.record_confirmation) == ("", None)
        with pytest.raises(CaseError, match="không được để trống"):
            receptions.record_content(r, "  ", read_back=True, confirmation="signed")
        with pytest.raises(ValueError, match="Xác nhận biên bản không hợp lệ"):
            receptions.record_content(r, "x", read_back=True, confirmation="nodded")
        receptions.record_content(r, "Công dân trình bày ...", read_back=True, confirmation="fingerprinted")
        assert (r.record_text, r.record_read_back, r.record_confirmation) == (
            "Công dân trình bày ...", True, "fingerprinted"
        )
        # A citizen who refuses to sign: recorded as such.
        other = _open(s, world)
        receptions.record_content(other, "Nội dung", read_back=True, confirmation="refused")
        assert other.record_confirmation == "refused"


# --- documents receipt (Mẫu 02/TCD) --------------------------------------------------------------


def test_documents_receipt_numbers(world):
    with world.session() as s:
        r1 = _open(s, world)
        no = receptions.receive_documents(s, r1, [{"name": "Quyết định 123/QĐ-UBND", "pages": 2, "original": False}])
        assert no == "1/2026/BN-BTCD"
        # More documents in the same session: the same receipt, the list grows.
        assert receptions.receive_documents(s, r1, [{"name": "Sổ đỏ (bản sao)"}]) == "1/2026/BN-BTCD"
        assert [d["name"] for d in r1.documents] == ["Quyết định 123/QĐ-UBND", "Sổ đỏ (bản sao)"]
        r2 = _open(s, world)
        assert receptions.receive_documents(s, r2, [{"name": "Đơn"}]) == "2/2026/BN-BTCD"
        r3 = _open(s, world, received_by="tiep.xa", unit=world.commune)
        assert receptions.receive_documents(s, r3, [{"name": "Đơn"}]) == "1/2026/BN-UBND"
        # The documents series does not consume petition numbers.
        p = receptions.petition_from_reception(s, r2, content="Kiến nghị", created_by="tiep.btcd").petition
        assert p.receipt_no == "1/2026/TCD-BTCD"
        with pytest.raises(CaseError, match="Chưa có tài liệu"):
            receptions.receive_documents(s, r2, [])
        with pytest.raises(CaseError, match="Tài liệu thứ 2: phải ghi tên tài liệu"):
            receptions.receive_documents(s, r2, [{"name": "A"}, {"name": "  "}])
        with pytest.raises(CaseError, match="Tài liệu thứ 1"):
            receptions.receive_documents(s, r2, ["Đơn"])
        assert [d["name"] for d in r2.documents] == ["Đơn"]
        series = {(c.series, c.last_seq) for c in s.execute(select(ReceiptCounter)).scalars()
                  if c.unit_id == r1.unit_id}
        assert series == {("documents", 2), ("petition", 1)}


# --- petitions from a session ----------------------------------------------------------------------


def test_petition_from_reception_takes_the_citizens(world):
    with world.session() as s:
        r = _open(s, world)
        a = receptions.add_citizen(s, r, person("Hoàng Văn Một"), is_representative=True)
        b = receptions.add_citizen(s, r, person("Hoàng Văn Hai"))
        reg = receptions.petition_from_reception(s, r, content="Khiếu nại quyết định thu hồi đất",
                                                 petition_type="complaint", created_by="tiep.btcd",
                                                 previous_resolution="UBND phường đã trả lời")
        p = reg.petition
        assert (p.channel, p.reception_id, p.received_at, p.receipt_no, p.petitioner_count) == (
            "in_person", r.id, r.received_at, "1/2026/TCD-BTCD", 2
        )
        assert p.previous_resolution == "UBND phường đã trả lời" and reg.tracking_code
        assert [x.id for x in p.parties] == [a.id, b.id]  # the same rows: the first petition takes them
        assert a.reception_id == r.id and not a.sealed
        assert [x.id for x in r.petitions] == [p.id]
        assert "hoang van mot" in p.search_text


def test_a_second_petition_from_the_same_session_copies_the_parties(world):
    with world.session() as s:
        r = _open(s, world, citizen_count=7)
        a = receptions.add_citizen(s, r, person("Hoàng Văn Một", cccd="004080000001"), is_representative=True)
        b = receptions.add_citizen(s, r, person("Hoàng Văn Hai"))
        first = receptions.petition_from_reception(s, r, content="Kiến nghị sửa đường", created_by="tiep.btcd",
                                                   petition_type="recommendation").petition
        second = receptions.petition_from_reception(s, r, content="Phản ánh ô nhiễm", created_by="tiep.btcd",
                                                    petition_type="recommendation").petition
        assert (first.receipt_no, second.receipt_no) == ("1/2026/TCD-BTCD", "2/2026/TCD-BTCD")
        assert first.petitioner_count == second.petitioner_count == 7
        copies = second.parties
        assert [c.identity.full_name for c in copies] == ["Hoàng Văn Một", "Hoàng Văn Hai"]
        assert {c.id for c in copies}.isdisjoint({a.id, b.id})
        assert copies[0].is_representative and copies[0].identity.id_number == "004080000001"
        assert all(c.reception_id is None for c in copies)
        # The first petition keeps the originals, and the session still lists exactly its two citizens.
        assert [x.id for x in first.parties] == [a.id, b.id]
        assert [x.id for x in receptions.citizens(s, r)] == [a.id, b.id]
        assert [x.id for x in r.petitions] == [first.id, second.id]
        total = s.execute(select(Party)).scalars().all()
        assert len(total) == 4


def test_a_denunciation_from_a_session_seals_its_citizens(world):
    with world.session() as s:
        r = _open(s, world)
        a = receptions.add_citizen(s, r, person("Nông Thị Tố"))
        p = receptions.petition_from_reception(s, r, content="Tố cáo cán bộ", created_by="tiep.btcd",
                                               petition_type="denunciation").petition
        assert a.sealed and "nong thi to" not in p.search_text


def test_citizens_added_after_a_petition_keep_their_order(world):
    with world.session() as s:
        r = _open(s, world)
        a = receptions.add_citizen(s, r, person("Người Một"))
        receptions.petition_from_reception(s, r, content="Kiến nghị", created_by="tiep.btcd")
        b = receptions.add_citizen(s, r, person("Người Hai"))
        assert [p.id for p in receptions.citizens(s, r)] == [a.id, b.id]
        assert b.ordinal > a.ordinal
        assert r.citizen_count == 2
