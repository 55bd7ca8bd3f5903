"""Who sees whose identity: sealed denouncers, audited reveals, redacted and public projections."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tiepdan.cases import identity, parties, petitions, receptions
from tiepdan.cases.errors import CaseError, IdentityAccessDenied, UnknownRecord
from tiepdan.cases.identity import RESTRICTED_MASK, SEALED_MASK
from tiepdan.cases.textutil import fold
from tiepdan.engine import audit
from tiepdan.engine.models import AuditEntry

from .conftest import person, user

NAME = "Nguyễn Thị Hồng Nhung"
ADDRESS = "Số 12 phố Hiến Giang, phường Thục Phán"
CCCD = "004186000123"
PHONE = "0912 345 678"
EMAIL = "hongnhung.cb@example.vn"
SECRETS = [NAME, "Số 12 phố Hiến Giang", CCCD, "0912345678", EMAIL]


def _leaks(value) -> list[str]:
    """The secrets found in `value` (any JSON-able data), ignoring case, diacritics and spacing."""
    text = fold(json.dumps(value, ensure_ascii=False, default=str))
    compact = text.replace(" ", "").replace(".", "").replace("-", "")
    return [x for x in SECRETS if fold(x) in text or fold(x).replace(" ", "") in compact]


def _denunciation(s, world, *, content=None, title="", holding=None):
    p = petitions.register_petition(
        s, unit=world.office, channel="post", created_by="xuly.btcd", petition_type="denunciation", title=title,
        content=content or "Tố cáo ông Lý Văn Quan, Phó Chủ tịch phường, nhận tiền của dân.", clock=world.clock,
    ).petition
    who = parties.add_petitioner(s, p, person(NAME, address=ADDRESS, cccd=CCCD, phone=PHONE, email=EMAIL))
    parties.add_respondent(s, p, name="Lý Văn Quan", position="Phó Chủ tịch", organisation_unit=world.commune)
    if holding:
        petitions.set_holding_unit(s, p, holding)
    return p, who


def _reveals(s) -> list[AuditEntry]:
    return s.execute(select(AuditEntry).where(AuditEntry.action == "identity.reveal").order_by(AuditEntry.seq)).scalars().all()


# --- sealed identities -------------------------------------------------------------------------


ALLOWED = ["tiep.btcd", "xuly.btcd", "truongban"]  # reception officer, handling officer, leader
DENIED = [
    "xacminh.btcd",  # a verifier, even in the receiving unit
    "chutich",       # leader and supervisor of the superior unit
    "giamsat.ttr",   # the inspectorate's supervisor
    "xuly.ttr",      # a handling officer of another unit
    "tiep.xa",       # the commune whose official is denounced
    "admin",
    "phapche",
]


def test_each_reveal_by_an_allowed_role_of_the_receiving_unit_writes_one_audit_row(world):
    with world.session() as s:
        p, who = _denunciation(s, world)
        key, party_id = p.business_key, who.id
    for n, username in enumerate(ALLOWED, 1):
        with world.session() as s:
            viewer = user(s, username)
            shown = identity.visible_identity(s, s.get(parties.Party, party_id), viewer)
            assert shown.masked and shown.can_reveal and shown.display_name == SEALED_MASK
            assert shown.full_name is None and shown.id_number is None and shown.address is None
            view = identity.reveal_identity(s, party_id, viewer, f"Xác minh lời khai của bà {NAME}, CCCD {CCCD}",
                                            clock=world.clock)
            assert (view.full_name, view.id_number, view.address, view.masked) == (NAME, CCCD, ADDRESS, False)
        with world.session() as s:
            rows = _reveals(s)
            assert len(rows) == n
            row = rows[-1]
            assert (row.actor, row.business_key, row.at) == (username, key, world.clock.now())
            detail = json.loads(row.detail_json)
            assert detail["party_id"] == party_id and detail["case"] == "1/2026/TCD-BTCD"
            assert detail["viewer_unit"] == world.office
            assert detail["reason"].startswith("Xác minh lời khai của bà […]")
            assert _leaks(detail) == [] and _leaks(row.detail_json) == []
    with world.session() as s:
        assert audit.verify(s).ok


def test_reveal_is_denied_to_everyone_else_and_writes_nothing(world):
    with world.session() as s:
        p, who = _denunciation(s, world)
        party_id = who.id
    with world.session() as s:
        for username in DENIED:
            viewer = user(s, username)
            shown = identity.visible_identity(s, s.get(parties.Party, party_id), viewer)
            assert shown.masked and not shown.can_reveal and shown.display_name == SEALED_MASK, username
            with pytest.raises(IdentityAccessDenied,
                               match="không được xem thông tin người tố cáo của đơn 1/2026/TCD-BTCD"):
                identity.reveal_identity(s, party_id, viewer, "Cần liên hệ")
        assert _reveals(s) == []


def test_the_holding_unit_may_reveal_and_an_inactive_user_may_not(world):
    with world.session() as s:
        p, who = _denunciation(s, world, holding=world.inspectorate)
        party_id = who.id
    with world.session() as s:
        assert identity.reveal_identity(s, party_id, user(s, "xuly.ttr"), "Giải quyết tố cáo").full_name == NAME
        with pytest.raises(IdentityAccessDenied):
            identity.reveal_identity(s, party_id, user(s, "xacminh.ttr"), "Xác minh")
        officer = user(s, "tiep.btcd")  # the receiving unit keeps access
        assert identity.reveal_identity(s, party_id, officer, "Trả lời công dân").full_name == NAME
        officer.active = False
        with pytest.raises(IdentityAccessDenied):
            identity.reveal_identity(s, party_id, officer, "Trả lời công dân")
    with world.session() as s:
        assert [r.actor for r in _reveals(s)] == ["xuly.ttr", "tiep.btcd"]


def test_a_reveal_needs_a_reason_and_an_existing_identity(world):
    with world.session() as s:
        p, who = _denunciation(s, world)
        bare = parties.add_party(s, role="petitioner", identity=None, petition=p)
        party_id, bare_id = who.id, bare.id
    with world.session() as s:
        officer = user(s, "xuly.btcd")
        with pytest.raises(CaseError, match="Phải nêu lý do"):
            identity.reveal_identity(s, party_id, officer, "   ")
        with pytest.raises(UnknownRecord):
            identity.reveal_identity(s, 999999, officer, "x")
        with pytest.raises(CaseError, match="không có thông tin nhân thân"):
            identity.reveal_identity(s, bare_id, officer, "x")
        assert _reveals(s) == []
        assert identity.visible_identity(s, s.get(parties.Party, bare_id), officer).display_name == ""


# --- open identities -----------------------------------------------------------------------------


def test_open_identities_are_visible_to_the_case_units_and_above(world):
    with world.session() as s:
        p = petitions.register_petition(s, unit=world.office, channel="post", created_by="x",
                                        petition_type="complaint", content="Khiếu nại").petition
        party_id = parties.add_petitioner(s, p, person("Đặng Văn Khiếu", cccd="004090000001")).id
    with world.session() as s:
        for username, visible in [
            ("tiep.btcd", True), ("xacminh.btcd", True),   # the receiving unit, any case role
            ("chutich", True),                               # its superior unit
            ("xacminh.ttr", False), ("tiep.xa", False),      # sibling and other units
            ("admin", False),                                # not a case role
            (None, False),
        ]:
            viewer = user(s, username) if username else None
            shown = identity.visible_identity(s, s.get(parties.Party, party_id), viewer)
            assert shown.masked is not visible, username
            if visible:
                assert (shown.full_name, shown.id_number, shown.sealed) == ("Đặng Văn Khiếu", "004090000001", False)
                assert identity.reveal_identity(s, party_id, viewer, "").full_name == "Đặng Văn Khiếu"
            else:
                assert shown.display_name == RESTRICTED_MASK and shown.full_name is None
                with pytest.raises(IdentityAccessDenied, match="không được xem thông tin cá nhân"):
                    identity.reveal_identity(s, party_id, viewer, "xem")
        assert _reveals(s) == []  # open identities are shown without an audit entry


def test_a_session_citizen_without_a_petition_belongs_to_the_session_unit(world):
    with world.session() as s:
        r = receptions.open_reception(s, unit=world.office, received_by="tiep.btcd", clock=world.clock)
        party_id = receptions.add_citizen(s, r, person("Người Đến Hỏi")).id
    with world.session() as s:
        party = s.get(parties.Party, party_id)
        assert identity.visible_identity(s, party, user(s, "tiep.btcd")).full_name == "Người Đến Hỏi"
        assert identity.visible_identity(s, party, user(s, "chutich")).full_name == "Người Đến Hỏi"
        assert identity.visible_identity(s, party, user(s, "tiep.xa")).display_name == RESTRICTED_MASK
        with pytest.raises(IdentityAccessDenied, match=f"lượt tiếp {r.id}"):
            identity.reveal_identity(s, party_id, user(s, "tiep.xa"), "xem")


# --- projections -----------------------------------------------------------------------------------


def test_redacted_view_holds_no_sealed_identity_even_inside_the_text(world):
    content = (f"Tôi tên là {NAME.upper()}, CCCD 004 186 000 123, địa chỉ số 12 phố Hiến Giang; "
               f"điện thoại 0912.345.678, thư {EMAIL}. Tôi tố cáo ông Lý Văn Quan. Ký tên: nguyen thi hong nhung")
    with world.session() as s:
        p, who = _denunciation(s, world, content=content, title=f"Đơn tố cáo của {NAME}")
        p.previous_resolution = f"Bà {NAME} đã gửi UBND phường năm 2025"
        view = identity.redacted_view(s, p)
    assert _leaks({"raw": content}) == SECRETS  # the check below can fail
    assert _leaks(view) == []
    assert view["content"].startswith("Tôi tên là […], CCCD […], địa chỉ […];")
    assert "Lý Văn Quan" in view["content"] and view["title"] == "Đơn tố cáo của […]"
    sealed = [x for x in view["parties"] if x["role"] == "petitioner"]
    assert sealed == [dict(sealed[0], name=SEALED_MASK, identity=None, sealed=True)]
    respondent = [x for x in view["parties"] if x["role"] == "respondent"][0]
    assert respondent["name"] == "Lý Văn Quan" and respondent["identity"]["full_name"] == "Lý Văn Quan"
    assert view["receipt_no"] == "1/2026/TCD-BTCD" and view["petition_type"] == "denunciation"
    json.dumps(view)  # plain data


def test_redacted_view_masks_the_reception_record_and_documents(world):
    with world.session() as s:
        r = receptions.open_reception(s, unit=world.office, received_by="tiep.btcd", clock=world.clock)
        receptions.add_citizen(s, r, person(NAME, address=ADDRESS, cccd=CCCD))
        receptions.record_content(r, f"Bà {NAME} trình bày: ông Lý Văn Quan nhận tiền.", read_back=True,
                                  confirmation="signed")
        receptions.receive_documents(s, r, [{"name": f"Đơn tố cáo của {NAME}", "pages": 2}])
        p = receptions.petition_from_reception(s, r, content="Tố cáo ông Lý Văn Quan nhận tiền",
                                               petition_type="denunciation", created_by="tiep.btcd").petition
        view = identity.redacted_view(s, p)
    assert _leaks(view) == []
    assert view["reception"]["record_text"] == "Bà […] trình bày: ông Lý Văn Quan nhận tiền."
    assert view["reception"]["documents"] == [{"name": "Đơn tố cáo của […]", "pages": 2}]
    assert view["channel"] == "in_person"


def test_redacted_view_keeps_open_identities(world):
    with world.session() as s:
        p = petitions.register_petition(s, unit=world.office, channel="post", created_by="x",
                                        petition_type="complaint", content="Khiếu nại của ông Đặng Văn Khiếu").petition
        parties.add_petitioner(s, p, person("Đặng Văn Khiếu", cccd="004090000001"))
        view = identity.redacted_view(s, p)
    assert view["content"] == "Khiếu nại của ông Đặng Văn Khiếu"
    assert view["parties"][0]["identity"]["id_number"] == "004090000001"


def test_public_projection_has_no_content_and_no_personal_data(world):
    with world.session() as s:
        p, _ = _denunciation(s, world)
        petitions.record_transfer(s, p, to_unit=world.investigation, clock=world.clock)
        public = identity.public_projection(s, p)
    assert _leaks(public) == []
    assert "Lý Văn Quan" not in json.dumps(public, ensure_ascii=False)
    assert public == {
        "receipt_no": "1/2026/TCD-BTCD", "received_on": "2026-03-02",
        "receiving_unit": "Ban Tiếp công dân tỉnh Cao Bằng", "holding_unit": "Ban Tiếp công dân tỉnh Cao Bằng",
        "petition_type_label": "Tố cáo", "status": "transferred", "status_label": "Đã chuyển đơn",
        "transferred_to": "Cơ quan Cảnh sát điều tra Công an tỉnh Cao Bằng", "guided_to": None,
        "updated_on": "2026-03-02",
    }


# --- petitions that share a denouncer ------------------------------------------------------------


@pytest.mark.parametrize("order", [("complaint", "denunciation"), ("denunciation", "complaint"),
                                   (None, "denunciation"), (None, None)])
def test_no_petition_of_a_session_betrays_its_denouncer(world, order):
    """One citizen, one session, a complaint and a denunciation: whichever is registered first,
    and also when the denunciation is only classified as such later, neither petition's
    redacted view names the denouncer (the complaint's view holds the session record, which
    tells what was denounced)."""
    with world.session() as s:
        r = receptions.open_reception(s, unit=world.office, received_by="tiep.btcd", clock=world.clock)
        receptions.add_citizen(s, r, person(NAME, address=ADDRESS, cccd=CCCD, phone=PHONE, email=EMAIL))
        receptions.record_content(r, f"Bà {NAME} khiếu nại việc thu hồi đất và tố cáo ông Lý Văn Quan nhận tiền.",
                                  read_back=True, confirmation="signed")
        made = [
            receptions.petition_from_reception(s, r, content=content, petition_type=kind, created_by="tiep.btcd").petition
            for kind, content in zip(order, ("Khiếu nại việc thu hồi đất", "Tố cáo ông Lý Văn Quan nhận tiền"))
        ]
        if order[-1] is None:  # classified afterwards
            petitions.classify(s, made[1], petition_type="denunciation")
            petitions.classify(s, made[0], petition_type="complaint")
        elif order[0] is None:
            petitions.classify(s, made[0], petition_type="complaint")
        views = [identity.redacted_view(s, p) for p in made]
        texts = [p.search_text for p in made]
    for view in views:
        assert _leaks(view) == []
        assert "Lý Văn Quan" in view["reception"]["record_text"]
    assert not any("nhung" in t for t in texts)


def test_splitting_a_denunciation_out_of_a_letter_seals_the_letter_too(world):
    with world.session() as s:
        letter = petitions.register_petition(
            s, unit=world.office, channel="post", created_by="xuly.btcd",
            content=f"Tôi, {NAME}, khiếu nại việc thu hồi đất và tố cáo ông Lý Văn Quan nhận tiền.",
        ).petition
        parties.add_petitioner(s, letter, person(NAME, address=ADDRESS, cccd=CCCD))
        assert "nhung" in letter.search_text
        part = petitions.split_petition(s, letter, content="Tố cáo ông Lý Văn Quan nhận tiền",
                                        petition_type="denunciation", created_by="xuly.btcd").petition
        petitions.classify(s, letter, petition_type="complaint")
        assert _leaks(identity.redacted_view(s, letter)) == []
        assert _leaks(identity.redacted_view(s, part)) == []
        assert "nhung" not in letter.search_text
