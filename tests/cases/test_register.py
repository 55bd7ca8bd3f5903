"""The reception register (Sổ tiếp công dân, Mẫu 03/TCD): one row per petition a session produced,
or per session that produced none, in the 13 columns of the form."""
from __future__ import annotations

import json
from datetime import date, datetime

from tiepdan.cases import petitions, receptions, register
from tiepdan.cases.identity import SEALED_MASK
from tiepdan.cases.textutil import fold

from .conftest import person

NAME = "Nguyễn Thị Hồng Nhung"
CCCD = "004186000123"


def _session(s, world, *, at=None, unit=None, by="tiep.btcd", leader=False, citizens=(), **kw):
    r = receptions.open_reception(s, unit=unit or world.office, received_by=by, received_at=at,
                                  is_leader_session=leader, clock=world.clock, **kw)
    for identity, rep in citizens:
        receptions.add_citizen(s, r, identity, is_representative=rep)
    return r


def _petition(s, r, content, kind=None, **kw):
    return receptions.petition_from_reception(s, r, content=content, petition_type=kind, created_by="tiep.btcd",
                                              **kw).petition


def test_columns_are_the_13_of_the_form():
    assert [h for _, h, _ in register.REGISTER_COLUMNS] == [
        "STT", "Ngày tiếp", "Họ tên, địa chỉ", "Số CCCD/Hộ chiếu", "Nội dung vụ việc", "Phân loại (KN/TC/KN-PA)",
        "Số người cùng nội dung", "Cơ quan đã giải quyết", "Thuộc thẩm quyền",
        "Hướng dẫn đến cơ quan có thẩm quyền, số văn bản", "Cơ quan thụ lý, số văn bản chuyển đơn",
        "Theo dõi kết quả giải quyết", "Ghi chú",
    ]


def test_a_session_row_per_petition_and_per_session_without_one(world):
    with world.session() as s:
        # 1. Refused: a row of its own.
        refused = _session(s, world, at=datetime(2026, 3, 2, 1, 0),
                           citizens=[(person("Lâm Văn Say", address="Tổ 5, phường Tân Giang", cccd="004070000009"), False)])
        receptions.record_content(refused, "Công dân say rượu, không trình bày được", read_back=False, confirmation=None)
        receptions.refuse_reception(refused, "ltcd_9_1_incapacity")
        # 2. A leader's session with documents and two petitions.
        led = _session(s, world, at=datetime(2026, 3, 2, 3, 0), by="truongban", leader=True,
                       citizens=[(person("Hoàng Văn Một", address="Xóm 1, xã Hòa An", cccd="004080000001"), False)])
        receptions.receive_documents(s, led, [{"name": "Quyết định 12/QĐ-UBND"}])
        complaint = _petition(s, led, "Khiếu nại quyết định 12/QĐ-UBND thu hồi đất", "complaint",
                              previous_resolution="UBND xã Hòa An, 2025")
        petitions.classify(s, complaint, petition_type="complaint", within_competence=False)
        petitions.record_guidance(complaint, to_name="Chủ tịch UBND xã Hòa An", doc_no="3/HD-BTCD")
        advice = _petition(s, led, "Kiến nghị sửa đường", "recommendation")
        petitions.classify(s, advice, petition_type="recommendation", within_competence=True,
                           competent_unit=world.construction)
        petitions.set_status(advice, "accepted")
        # Another day, another unit, outside the range: not listed.
        _session(s, world, at=datetime(2026, 3, 3, 2, 0), citizens=[(person("Ngày Mai"), False)])
        _session(s, world, unit=world.commune, by="tiep.xa", citizens=[(person("Ở Xã"), False)])
        rows = register.register_rows(s, world.office, date(2026, 3, 2), date(2026, 3, 2))
    assert [r.stt for r in rows] == [1, 2, 3]
    first, second, third = rows
    assert first.cells() == [
        1, date(2026, 3, 2), "Lâm Văn Say, Tổ 5, phường Tân Giang", "CCCD 004070000009",
        "Công dân say rượu, không trình bày được", "", 1, "", "", "", "", "",
        "Từ chối tiếp: Người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần hoặc một bệnh "
        "khác làm mất khả năng nhận thức hoặc khả năng điều khiển hành vi của mình (LTCD Điều 9 khoản 1)",
    ]
    assert first.petition_id is None and first.reception_id == refused.id
    assert (second.ho_ten_dia_chi, second.so_giay_to, second.noi_dung, second.loai_don, second.so_nguoi) == (
        "Hoàng Văn Một, Xóm 1, xã Hòa An", "CCCD 004080000001", "Khiếu nại quyết định 12/QĐ-UBND thu hồi đất", "KN", 1
    )
    assert (second.co_quan_da_giai_quyet, second.thuoc_tham_quyen, second.huong_dan, second.co_quan_thu_ly) == (
        "UBND xã Hòa An, 2025", "", "Chủ tịch UBND xã Hòa An, văn bản số 3/HD-BTCD", ""
    )
    assert second.ghi_chu == ("Lãnh đạo tiếp: Lục Văn Trưởng; Giấy biên nhận tài liệu số 1/2026/BN-BTCD; "
                              "Đơn số 1/2026/TCD-BTCD")
    assert (third.loai_don, third.thuoc_tham_quyen, third.co_quan_thu_ly, third.petition_id) == (
        "KN-PA", "x", "Sở Xây dựng tỉnh Cao Bằng", advice.id
    )
    assert len(first.cells()) == len(register.REGISTER_COLUMNS) == 13
    assert first.as_dict()["stt"] == 1


def test_groups_show_their_representatives(world):
    with world.session() as s:
        r = _session(s, world, citizen_count=8, citizens=[
            (person("Đại Diện Một", address="Xóm 2", cccd="004080000011"), True),
            (person("Thành Viên Hai"), False),
            (person("Đại Diện Ba", address="Xóm 3"), True),
        ])
        _petition(s, r, "Phản ánh ô nhiễm", "recommendation")
        row, = register.register_rows(s, world.office, date(2026, 3, 2), date(2026, 3, 2))
    assert row.ho_ten_dia_chi == "Đại diện: Đại Diện Một, Xóm 2; Đại diện: Đại Diện Ba, Xóm 3"
    assert row.so_giay_to == "CCCD 004080000011" and row.so_nguoi == 8


def test_transfers_and_duplicates(world):
    with world.session() as s:
        r = _session(s, world, citizens=[(person("Hà Văn Chuyển"), False)])
        p = _petition(s, r, "Tố cáo cán bộ xã", "denunciation")
        petitions.record_transfer(s, p, to_unit=world.commune, doc_no="9/CV-BTCD", clock=world.clock)
        q = _petition(s, r, "Tố cáo cán bộ xã lần hai", "denunciation")
        petitions.mark_duplicate(q, p)
        q.note = "Cùng nội dung đơn số 1"
        rows = register.register_rows(s, world.office, date(2026, 3, 2), date(2026, 3, 2))
    assert rows[0].co_quan_thu_ly == "Ủy ban nhân dân phường Thục Phán, văn bản số 9/CV-BTCD"
    assert rows[1].ghi_chu == "Đơn số 2/2026/TCD-BTCD; Đơn trùng; Cùng nội dung đơn số 1"


def test_denouncers_are_masked_in_every_column(world):
    with world.session() as s:
        r = _session(s, world, citizens=[(person(NAME, address="Số 12 phố Hiến Giang", cccd=CCCD), False)])
        r.note = f"Bà {NAME} đến lần thứ hai"
        receptions.record_content(r, f"Bà {NAME} trình bày", read_back=True, confirmation="signed")
        complaint = _petition(s, r, "Khiếu nại thu hồi đất", "complaint")
        denunciation = _petition(s, r, f"Tôi là {NAME.upper()}, CCCD {CCCD}, tố cáo ông Lý Văn Quan", "denunciation",
                                 previous_resolution=f"Bà {NAME} đã gửi UBND phường")
        denunciation.result_note = f"Đã báo cho bà {NAME}"
        rows = register.register_rows(s, world.office, date(2026, 3, 2), date(2026, 3, 2))
        assert complaint.parties[0].sealed  # the same person: sealed in the session's complaint too
    text = fold(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, default=str))
    assert "nhung" not in text and "hien giang" not in text and CCCD not in text
    assert [(r.ho_ten_dia_chi, r.so_giay_to) for r in rows] == [(SEALED_MASK, SEALED_MASK)] * 2
    assert rows[1].noi_dung == "Tôi là […], CCCD […], tố cáo ông Lý Văn Quan"
    assert rows[1].loai_don == "TC" and rows[1].co_quan_da_giai_quyet == "Bà […] đã gửi UBND phường"


def test_date_range_order_and_subunits(world):
    with world.session() as s:
        late = _session(s, world, at=datetime(2026, 3, 5, 8, 0), citizens=[(person("Người Muộn"), False)])
        early = _session(s, world, at=datetime(2026, 3, 4, 8, 0), citizens=[(person("Người Sớm"), False)])
        _session(s, world, at=datetime(2026, 3, 6, 8, 0), citizens=[(person("Ngoài Kỳ"), False)])
        commune = _session(s, world, unit=world.commune, by="tiep.xa", at=datetime(2026, 3, 4, 9, 0),
                           citizens=[(person("Ở Xã"), False)])
        office_rows = register.register_rows(s, world.office, date(2026, 3, 4), date(2026, 3, 5))
        assert [r.reception_id for r in office_rows] == [early.id, late.id]
        assert register.register_rows(s, world.committee, date(2026, 3, 4), date(2026, 3, 5)) == []
        everything = register.register_rows(s, world.committee, date(2026, 3, 4), date(2026, 3, 5),
                                            include_subunits=True)
        assert [r.reception_id for r in everything] == [early.id, commune.id, late.id]
        assert [r.stt for r in everything] == [1, 2, 3]
        assert register.register_rows(s, world.office, date(2026, 3, 7), date(2026, 3, 31)) == []
