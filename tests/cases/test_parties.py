"""Parties: identities kept apart, keys for duplicate detection, groups and their representatives."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tiepdan.cases import parties, petitions
from tiepdan.cases.datafiles import RepresentationBand
from tiepdan.cases.errors import CaseError
from tiepdan.cases.models import Party, PartyIdentity
from tiepdan.cases.parties import IdentityData, validate_representatives
from tiepdan.cases.textutil import id_number_hash

from .conftest import person


def _petition(s, world, **kw):
    return petitions.register_petition(
        s, unit=world.office, content="Khiếu nại việc bồi thường", channel="post", created_by="xuly.btcd", **kw
    ).petition


# --- representatives (LTCD Art 30; data/representation.yaml) ---------------------------------


@pytest.mark.parametrize("people, reps", [(1, 0), (4, 0), (4, 2), (5, 1), (5, 2), (10, 1), (10, 2),
                                          (11, 1), (11, 5), (300, 5)])
def test_representation_within_the_bands(people, reps):
    assert validate_representatives(people, reps) == []


@pytest.mark.parametrize("people, reps, message", [
    (5, 0, "Nhóm 05 người (từ 05 đến 10 người) phải cử ít nhất 01 người đại diện"),
    (10, 3, "Nhóm 10 người (từ 05 đến 10 người) chỉ được cử không quá 02 người đại diện; hiện có 03 người."),
    (11, 0, "Nhóm 11 người (từ 11 người trở lên) phải cử ít nhất 01 người đại diện"),
    (11, 6, "Nhóm 11 người (từ 11 người trở lên) chỉ được cử không quá 05 người đại diện; hiện có 06 người."),
    (3, 4, "Số người đại diện (04) không thể nhiều hơn số người đứng đơn (03)"),
    (0, 0, "Số người đứng đơn phải từ 01 người trở lên."),
    (5, -1, "Số người đại diện không hợp lệ."),
])
def test_representation_outside_the_bands(people, reps, message):
    errors = validate_representatives(people, reps)
    assert len(errors) == 1 and errors[0].startswith(message)


def test_representation_bands_are_data():
    bands = [RepresentationBand(3, None, 1, 1)]
    assert validate_representatives(5, 2, bands=bands) == [
        "Nhóm 05 người (từ 03 người trở lên) chỉ được cử không quá 01 người đại diện; hiện có 02 người."
    ]
    assert validate_representatives(2, 0, bands=bands) == []


def test_validate_group_counts_flagged_representatives(world):
    with world.session() as s:
        p = _petition(s, world, petitioner_count=6)
        for i in range(3):
            parties.add_petitioner(s, p, person(f"Người đại diện {i}"), is_representative=True)
        parties.add_petitioner(s, p, person("Thành viên"))
        assert [x.identity.full_name for x in parties.representatives(p)] == [f"Người đại diện {i}" for i in range(3)]
        assert len(parties.petitioners(p)) == 4
        assert parties.validate_group(p) == [
            "Nhóm 06 người (từ 05 đến 10 người) chỉ được cử không quá 02 người đại diện; hiện có 03 người."
        ]
        p.parties[0].is_representative = False
        assert parties.validate_group(p) == []


# --- parties and identities --------------------------------------------------------------------


def test_identity_is_stored_apart_with_lookup_keys(world):
    with world.session() as s:
        p = _petition(s, world, petition_type="complaint")
        party = parties.add_petitioner(s, p, IdentityData(
            full_name="  Nguyễn Văn Ánh ", address="Số 5, đường Hoàng Đình Giong", id_type="cccd",
            id_number="004 086-000.321", phone="0912345678", files=["sig/1.png"],
        ))
        party_id = party.id
    with world.session() as s:
        row = s.get(Party, party_id)
        assert (row.role, row.kind, row.sealed, row.ordinal) == ("petitioner", "person", False, 1)
        ident = s.execute(select(PartyIdentity).where(PartyIdentity.party_id == party_id)).scalar_one()
        assert (ident.full_name, ident.id_number, ident.name_key, ident.address_key) == (
            "Nguyễn Văn Ánh", "004086000321", "nguyen van anh", "so 5 duong hoang dinh giong"
        )
        assert ident.id_number_hash == id_number_hash("004086000321") == id_number_hash("004.086.000.321")
        assert ident.files == ["sig/1.png"]


def test_add_party_is_checked(world):
    with world.session() as s:
        p = _petition(s, world)
        with pytest.raises(CaseError, match="Họ và tên không được để trống"):
            parties.add_petitioner(s, p, person("  "))
        with pytest.raises(CaseError, match="loại giấy tờ tùy thân"):
            parties.add_petitioner(s, p, IdentityData(full_name="A", id_number="123"))
        with pytest.raises(ValueError, match="Loại giấy tờ tùy thân không hợp lệ"):
            parties.add_petitioner(s, p, IdentityData(full_name="A", id_type="driving_licence", id_number="1"))
        with pytest.raises(ValueError, match="Vai trò của người tham gia không hợp lệ"):
            parties.add_party(s, role="witness", identity=person("A"), petition=p)
        with pytest.raises(ValueError, match="Loại người tham gia không hợp lệ"):
            parties.add_party(s, role="petitioner", identity=person("A"), petition=p, kind="animal")
        with pytest.raises(CaseError, match="một đơn hoặc một lượt tiếp"):
            parties.add_party(s, role="petitioner", identity=person("A"))
        with pytest.raises(CaseError, match="Người đại diện của nhóm phải là"):
            parties.add_party(s, role="respondent", identity=person("A"), petition=p, is_representative=True)
        assert p.parties == []
        assert s.execute(select(Party)).scalars().all() == []


def test_petitioner_count_follows_the_listed_petitioners(world):
    with world.session() as s:
        p = _petition(s, world, petitioner_count=3)
        for name in ("A Một", "B Hai"):
            parties.add_petitioner(s, p, person(name))
        assert p.petitioner_count == 3  # more signed the letter than are listed
        for name in ("C Ba", "D Bốn"):
            parties.add_petitioner(s, p, person(name))
        parties.add_respondent(s, p, name="Cơ quan X", kind="organisation")
        assert p.petitioner_count == 4  # respondents do not count
        assert [x.ordinal for x in p.parties] == [1, 2, 3, 4, 5]


def test_respondent_and_authorised_representative(world):
    with world.session() as s:
        p = _petition(s, world, petition_type="denunciation")
        resp = parties.add_respondent(s, p, name="Lý Văn Quan", position="Chủ tịch", organisation_unit=world.commune)
        rep = parties.add_authorised_representative(s, p, person("Luật sư Tạ Minh"))
        assert (resp.role, resp.sealed, resp.organisation, resp.organisation_unit.code) == (
            "respondent", False, "Ủy ban nhân dân phường Thục Phán", world.commune
        )
        assert (rep.role, rep.sealed) == ("authorised_representative", True)
        assert [x.id for x in parties.respondents(p)] == [resp.id]
        assert parties.petitioners(p) == []
        assert "ly van quan" in p.search_text and "ta minh" not in p.search_text
