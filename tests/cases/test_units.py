"""The organisation directory: divisions from vietnam-provinces, seeding a province, the unit tree
as materialised paths, moving units, validity dates."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tiepdan.cases import units
from tiepdan.cases.errors import CaseError, UnknownRecord
from tiepdan.cases.models import AdminDivision, Unit, User
from tiepdan.engine.db import transaction

from .conftest import P


def _count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# --- administrative divisions ----------------------------------------------------------------


def test_import_divisions_brings_the_34_provinces_and_3321_communes_once(db):
    with transaction(db.sessions) as s:
        counts = units.import_divisions(s)
    assert (counts.provinces, counts.communes, counts.added) == (34, 3321, 3355)
    with transaction(db.sessions) as s:
        assert units.division_counts(s) == units.DivisionCounts(34, 3321)
        again = units.import_divisions(s)
        assert again.added == 0
        assert _count(s, AdminDivision) == 3355
        hcm = s.get(AdminDivision, "79")
        assert (hcm.name, hcm.division_type, hcm.level, hcm.province_code) == (
            "Thành phố Hồ Chí Minh", "thành phố trung ương", "province", "79"
        )
        cao_bang = s.get(AdminDivision, "04")
        assert (cao_bang.name, cao_bang.division_type, cao_bang.valid_from) == ("Cao Bằng", "tỉnh", date(2025, 7, 1))
        ward = s.get(AdminDivision, "01273")  # five digits, zero-padded: never collides with a province
        assert (ward.name, ward.division_type, ward.level, ward.province_code) == (
            "Phường Thục Phán", "phường", "commune", "04"
        )
        assert s.get(AdminDivision, "26732").division_type == "đặc khu"  # Côn Đảo
        assert ward.source.startswith("vietnam-provinces ")
        # Every commune belongs to one of the 34 provinces.
        orphans = s.execute(
            select(func.count()).select_from(AdminDivision).where(
                AdminDivision.level == "commune",
                AdminDivision.province_code.not_in(select(AdminDivision.code).where(AdminDivision.level == "province")),
            )
        ).scalar_one()
        assert orphans == 0


def test_import_divisions_of_one_province_then_the_rest(db):
    with transaction(db.sessions) as s:
        counts = units.import_divisions(s, 4)
        assert (counts.provinces, counts.communes, counts.added) == (1, 56, 57)
        assert _count(s, AdminDivision, AdminDivision.province_code == "04") == 57
    with transaction(db.sessions) as s:
        assert units.import_divisions(s).added == 3355 - 57


def test_division_names_have_single_spaces(db):
    # The package writes a few names with a double space ("Phường  Rạch Dừa").
    with transaction(db.sessions) as s:
        units.import_divisions(s, 79)
        assert s.get(AdminDivision, "26536").name == "Phường Rạch Dừa"
        names = s.execute(select(AdminDivision.name)).scalars().all()
        assert all("  " not in n and n == n.strip() for n in names)


def test_unknown_province_is_refused(db):
    with transaction(db.sessions) as s:
        with pytest.raises(UnknownRecord, match="mã 3"):
            units.import_divisions(s, 3)
        with pytest.raises(UnknownRecord, match="mã 3"):
            units.seed_province(s, 3)
        assert _count(s, AdminDivision) == 0


# --- seeding a province ----------------------------------------------------------------------


def test_seed_province_ho_chi_minh_city(db, clock):
    with transaction(db.sessions) as s:
        root = units.seed_province(s, 79, clock=clock)
        assert (root.code, root.name, root.kind, root.depth, root.parent_id) == (
            "79.UBND", "Ủy ban nhân dân thành phố Hồ Chí Minh", "province_committee", 0, None
        )
        assert units.province_committee(s, "79").id == root.id
        assert units.get_unit(s, "79.UBKT").name == "Ủy ban Kiểm tra Thành ủy Hồ Chí Minh"
        assert units.get_unit(s, "79.TTR").name == "Thanh tra thành phố Hồ Chí Minh"
        communes = [u for u in units.children(s, root) if u.kind == "commune_committee"]
        assert len(communes) == 168
        saigon = units.get_unit(s, "79.X26740")
        assert (saigon.name, saigon.division_code, saigon.level, saigon.abbreviation) == (
            "Ủy ban nhân dân phường Sài Gòn", "26740", "commune", "UBND"
        )
        assert units.get_unit(s, "79.X26732").name == "Ủy ban nhân dân đặc khu Côn Đảo"
        assert units.get_unit(s, "79.X26536").name == "Ủy ban nhân dân phường Rạch Dừa"
        total = _count(s, Unit)
    with transaction(db.sessions) as s:
        again = units.seed_province(s, "79", clock=clock)  # idempotent
        assert again.code == "79.UBND"
        assert _count(s, Unit) == total == 18 + 168


def test_seeded_tree_paths_depths_and_outside_bodies(db, clock):
    with transaction(db.sessions) as s:
        units.seed_province(s, 4, clock=clock)
    with transaction(db.sessions) as s:
        all_units = s.execute(select(Unit)).scalars().all()
        by_id = {u.id: u for u in all_units}
        for u in all_units:
            parent = by_id.get(u.parent_id)
            assert u.path == (parent.path if parent else "") + f"{u.id:08d}."
            assert u.depth == (parent.depth + 1 if parent else 0)
            assert u.province_code == P
            assert u.valid_from == date(2025, 7, 1) and u.valid_to is None
        root = units.get_unit(s, f"{P}.UBND")
        assert root.name == "Ủy ban nhân dân tỉnh Cao Bằng"
        outside = {u.code: u for u in all_units if not u.on_system}
        assert set(outside) == {f"{P}.{k}" for k in ("TAND", "VKSND", "CSDT", "UBKT", "DDBQH")}
        assert all(u.parent_id is None for u in outside.values())
        assert outside[f"{P}.UBKT"].name == "Ủy ban Kiểm tra Tỉnh ủy Cao Bằng"
        assert units.get_unit(s, f"{P}.SNNMT").function == "agriculture_environment"
        commune = units.get_unit(s, f"{P}.X01273")
        assert commune.parent_id == root.id and commune.depth == 1


# --- subtrees ----------------------------------------------------------------------------------


def test_subtree_queries(world):
    with world.session() as s:
        root = units.get_unit(s, world.committee)
        tree = units.subtree(s, root)
        codes = [u.code for u in tree]
        assert codes[0] == world.committee  # root first
        assert len(tree) == 1 + 12 + 56  # the committee, its 12 bodies, the 56 communes
        assert world.commune in codes and world.office in codes
        assert world.court not in codes  # outside bodies are not under the committee
        assert [u.code for u in units.subtree(s, world.commune)] == [world.commune]
        office_subtree = select(Unit.code).where(units.subtree_filter(s, world.office, Unit.code))
        assert s.execute(office_subtree).scalars().all() == [world.office]
        # Scoping a query on a unit foreign key: users of the committee's subtree.
        inside = s.execute(
            select(User.username).where(units.subtree_id_filter(s, world.committee, User.unit_id))
        ).scalars().all()
        assert "tiep.xa" in inside and "tiep.btcd" in inside
        only_communes = s.execute(
            select(User.username).where(units.subtree_id_filter(s, world.commune, User.unit_id))
        ).scalars().all()
        assert sorted(only_communes) == ["chutich.xa", "tiep.xa"]
        assert [u.code for u in units.ancestors(s, world.commune)] == [world.committee]
        assert units.ancestors(s, world.committee) == []
        commune = units.get_unit(s, world.commune)
        assert units.is_within(commune, root) and not units.is_within(root, commune)


def test_subtree_stops_at_the_next_sibling_id(db, clock):
    # Consecutive ids: "00000002." must not include "00000003." nor "00000020.".
    with transaction(db.sessions) as s:
        made = {}
        for i in range(1, 22):
            made[i] = units.create_unit(s, code=f"U{i}", name=f"Đơn vị {i}", kind="other", level="province",
                                        parent="U1" if i > 1 else None, clock=clock)
        units.create_unit(s, code="U2a", name="Con của 2", kind="other", level="province", parent="U2", clock=clock)
        assert made[2].id + 1 == made[3].id
        assert [u.code for u in units.subtree(s, "U2")] == ["U2", "U2a"]
        assert len(units.subtree(s, "U1")) == 22
        assert units.subtree_bounds(made[2].path) == (made[2].path, made[1].path + f"{made[2].id + 1:08d}.")


# --- creating and moving units ---------------------------------------------------------------


def test_create_unit_is_checked(world):
    with world.session() as s:
        with pytest.raises(ValueError, match="Loại đơn vị không hợp lệ"):
            units.create_unit(s, code="X", name="X", kind="ministry", level="central")
        with pytest.raises(ValueError, match="Cấp không hợp lệ"):
            units.create_unit(s, code="X", name="X", kind="other", level="village")
        with pytest.raises(CaseError, match="đã tồn tại"):
            units.create_unit(s, code=world.office, name="X", kind="other", level="province")
        with pytest.raises(UnknownRecord, match="NOPE"):
            units.create_unit(s, code="X", name="X", kind="other", level="province", parent="NOPE")
        with pytest.raises(CaseError, match="ngày hết hiệu lực"):
            units.create_unit(s, code="X", name="X", kind="other", level="province",
                              valid_from=date(2025, 7, 1), valid_to=date(2025, 6, 30))
        with pytest.raises(CaseError, match="từ 1 đến 50"):
            units.create_unit(s, code="", name="X", kind="other", level="province")
        child = units.create_unit(s, code="04.PHONG", name="Phòng", kind="other", level="province",
                                  parent=world.office, clock=world.clock)
        office = units.get_unit(s, world.office)
        assert child.path == office.path + f"{child.id:08d}." and child.depth == 2
        assert child.province_code == P  # inherited from the parent
        assert child.created_at == world.clock.now()


def test_move_unit_rewrites_the_subtree(world):
    with world.session() as s:
        office = units.get_unit(s, world.office)
        team = units.create_unit(s, code="04.BTCD.T1", name="Tổ 1", kind="other", level="province", parent=office)
        member = units.create_unit(s, code="04.BTCD.T1.A", name="Nhóm A", kind="other", level="province", parent=team)
        units.move_unit(s, team, world.inspectorate)
    with world.session() as s:
        inspectorate = units.get_unit(s, world.inspectorate)
        team, member = units.get_unit(s, "04.BTCD.T1"), units.get_unit(s, "04.BTCD.T1.A")
        assert team.parent_id == inspectorate.id
        assert team.path == inspectorate.path + f"{team.id:08d}." and team.depth == 2
        assert member.path == team.path + f"{member.id:08d}." and member.depth == 3
        assert [u.code for u in units.subtree(s, world.office)] == [world.office]
        assert [u.code for u in units.subtree(s, world.inspectorate)] == [world.inspectorate, team.code, member.code]
        # To the top: a root of its own.
        units.move_unit(s, team, None)
        assert (team.parent_id, team.depth, team.path) == (None, 0, f"{team.id:08d}.")
        assert member.depth == 1 and member.path == f"{team.id:08d}.{member.id:08d}."


def test_move_unit_under_its_own_subtree_is_refused(world):
    with world.session() as s:
        before = units.get_unit(s, world.office).path
        with pytest.raises(CaseError, match="cấp dưới của chính nó"):
            units.move_unit(s, world.committee, world.office)
        with pytest.raises(CaseError, match="cấp dưới của chính nó"):
            units.move_unit(s, world.office, world.office)
        assert units.get_unit(s, world.office).path == before


def test_validity_dates_keep_former_districts_readable(world):
    with world.session() as s:
        district = units.create_unit(
            s, code="04.H_HOAAN", name="Ủy ban nhân dân huyện Hòa An", kind="district_committee", level="district",
            parent=world.committee, valid_from=date(2019, 1, 1), valid_to=date(2025, 6, 30),
        )
        units.create_unit(
            s, code="04.H_HOAAN.X", name="Ủy ban nhân dân xã Hồng Việt (cũ)", kind="commune_committee",
            level="commune", parent=district, valid_from=date(2019, 1, 1), valid_to=date(2025, 6, 30),
        )
        units.get_unit(s, world.committee).valid_from = date(2000, 1, 1)
    with world.session() as s:
        district = units.get_unit(s, "04.H_HOAAN")
        assert district.valid_on(date(2025, 6, 30)) and not district.valid_on(date(2025, 7, 1))
        before = {u.code for u in units.subtree(s, world.committee, on=date(2025, 6, 30))}
        after = {u.code for u in units.subtree(s, world.committee, on=date(2025, 7, 1))}
        assert {"04.H_HOAAN", "04.H_HOAAN.X", world.committee} <= before
        assert world.commune not in before  # the 2025 communes did not exist yet
        assert "04.H_HOAAN" not in after and world.commune in after
        everything = {u.code for u in units.subtree(s, world.committee)}
        assert before | after <= everything
        assert "04.H_HOAAN" in {u.code for u in units.children(s, world.committee)}
        assert "04.H_HOAAN" not in {u.code for u in units.children(s, world.committee, on=date(2026, 1, 1))}
        # Old records still find the district by code.
        assert units.get_unit(s, "04.H_HOAAN").name == "Ủy ban nhân dân huyện Hòa An"


def test_get_unit(world):
    with world.session() as s:
        office = units.get_unit(s, world.office)
        assert units.get_unit(s, office) is office
        assert units.find_unit(s, "04.NOPE") is None
        with pytest.raises(UnknownRecord, match="04.NOPE"):
            units.get_unit(s, "04.NOPE")
        assert units.province_committee(s, 79) is None
