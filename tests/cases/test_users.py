"""Users: one unit, roles from processes/roles.yaml."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tiepdan.cases import users
from tiepdan.cases.errors import CaseError, UnknownRecord
from tiepdan.cases.models import User, UserRole


def test_create_user_with_roles(world):
    with world.session() as s:
        u = users.create_user(s, username="  can.bo  ", full_name="Nông Văn Cán", unit=world.office,
                              roles=["reception_officer", "handling_officer", "reception_officer"],
                              phone="0206 385 1234", clock=world.clock)
        assert u.username == "can.bo"
        assert u.roles == {"reception_officer", "handling_officer"}
        assert u.created_at == world.clock.now() and u.active
    with world.session() as s:
        u = users.get_user(s, "can.bo")
        assert u.unit.code == world.office and u.full_name == "Nông Văn Cán"
        assert u.roles == {"reception_officer", "handling_officer"}


def test_create_user_refusals_change_nothing(world):
    with world.session() as s:
        with pytest.raises(CaseError, match="Vai trò không hợp lệ: chairman"):
            users.create_user(s, username="x", full_name="X", unit=world.office, roles=["leader", "chairman"])
        with pytest.raises(CaseError, match="đã tồn tại"):
            users.create_user(s, username="tiep.btcd", full_name="X", unit=world.office)
        with pytest.raises(CaseError, match="không được để trống"):
            users.create_user(s, username="   ", full_name="X", unit=world.office)
        with pytest.raises(UnknownRecord, match="04.NOPE"):
            users.create_user(s, username="y", full_name="Y", unit="04.NOPE")
        assert users.find_user(s, "x") is None and users.find_user(s, "y") is None


def test_grant_and_revoke_roles(world):
    with world.session() as s:
        users.grant_role(s, "tiep.btcd", "handling_officer")
        users.grant_role(s, "tiep.btcd", "handling_officer")  # twice is once
        with pytest.raises(CaseError, match="Vai trò không hợp lệ"):
            users.grant_role(s, "tiep.btcd", "king")
    with world.session() as s:
        u = users.get_user(s, "tiep.btcd")
        assert u.roles == {"reception_officer", "handling_officer"}
        users.revoke_role(s, u, "reception_officer")
    with world.session() as s:
        assert users.get_user(s, "tiep.btcd").roles == {"handling_officer"}
        rows = s.execute(select(UserRole.role).join(User).where(User.username == "tiep.btcd")).scalars().all()
        assert rows == ["handling_officer"]


def test_users_with_role_in_a_unit(world):
    with world.session() as s:
        users.create_user(s, username="xuly2", full_name="An Thị Hai", unit=world.office, roles=["handling_officer"])
        users.create_user(s, username="xuly3", full_name="Bạch Văn Ba", unit=world.office, roles=["handling_officer"],
                          active=False)
        names = [u.username for u in users.users_with_role(s, world.office, "handling_officer")]
        assert names == ["xuly2", "xuly.btcd"]  # by full name: An Thị Hai, Hoàng Văn Xử
        everyone = {u.username for u in users.users_with_role(s, world.office, "handling_officer", active_only=False)}
        assert everyone == {"xuly2", "xuly3", "xuly.btcd"}
        assert users.users_with_role(s, world.commune, "verifier") == []


def test_unknown_user(world):
    with world.session() as s:
        with pytest.raises(UnknownRecord, match="nobody"):
            users.get_user(s, "nobody")
        assert users.known_roles()["leader"]["label"] == "Lãnh đạo"
