"""Petitions: receipt numbers, business keys, tracking codes, sealing, search text, classification,
guidance and transfer (once only), splitting."""
from __future__ import annotations

import re
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import select

from tiepdan.cases import parties, petitions
from tiepdan.cases.errors import CaseError, UnknownRecord
from tiepdan.cases.models import Petition, ReceiptCounter
from tiepdan.cases.textutil import fold
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.db import transaction

from .conftest import person

DENOUNCER = "Nguyễn Thị Hồng Nhung"


def register(s, world, *, unit=None, content="Kiến nghị sửa đường liên xã", channel="post", **kw):
    return petitions.register_petition(
        s, unit=unit or world.office, content=content, channel=channel, created_by="xuly.btcd",
        clock=world.clock, **kw,
    )


# --- numbers ---------------------------------------------------------------------------------


def test_receipt_numbers_run_per_unit_and_year(world):
    with world.session() as s:
        first = register(s, world).petition
        second = register(s, world).petition
        at_commune = register(s, world, unit=world.commune).petition
        at_committee = register(s, world, unit=world.committee).petition
    assert (first.receipt_no, first.business_key, first.receipt_seq, first.receipt_year) == (
        "1/2026/TCD-BTCD", "04.BTCD/2026/1", 1, 2026
    )
    assert (second.receipt_no, second.business_key) == ("2/2026/TCD-BTCD", "04.BTCD/2026/2")
    # Both committees abbreviate to UBND: the receipt numbers read alike, the business keys do not.
    assert at_commune.receipt_no == at_committee.receipt_no == "1/2026/TCD-UBND"
    assert (at_commune.business_key, at_committee.business_key) == ("04.X01273/2026/1", "04.UBND/2026/1")
    assert first.received_on == date(2026, 3, 2) and first.status == "registered"
    assert first.receiving_unit.code == first.holding_unit.code == world.office


def test_the_year_is_the_vietnam_year_of_receipt(world):
    with world.session() as s:
        old = register(s, world, received_at=datetime(2025, 12, 31, 16, 59)).petition  # 23:59 in Hà Nội
        new = register(s, world, received_at=datetime(2025, 12, 31, 17, 0)).petition  # 00:00 on 1 January
        later = register(s, world, received_at=datetime(2026, 1, 2, 3, 0)).petition
    assert (old.receipt_no, old.received_on) == ("1/2025/TCD-BTCD", date(2025, 12, 31))
    assert (new.receipt_no, new.received_on) == ("1/2026/TCD-BTCD", date(2026, 1, 1))
    assert later.receipt_no == "2/2026/TCD-BTCD"


def test_a_rolled_back_registration_gives_its_number_back(world):
    with world.session() as s:
        register(s, world)
    with pytest.raises(RuntimeError):
        with world.session() as s:
            assert register(s, world).petition.receipt_seq == 2
            raise RuntimeError("the step failed")
    with world.session() as s:
        assert register(s, world).petition.receipt_seq == 2
        counter = s.execute(select(ReceiptCounter)).scalar_one()
        assert (counter.series, counter.year, counter.last_seq) == ("petition", 2026, 2)


def test_concurrent_registrations_get_distinct_numbers_without_gaps(world):
    threads, per_thread = 3, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction(world.db.sessions) as s:
                    petitions.register_petition(
                        s, unit=world.office, content="Đơn", channel="post", created_by="t",
                        clock=FixedClock(world.clock.now()),
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with world.session() as s:
        seqs = sorted(s.execute(select(Petition.receipt_seq)).scalars())
    assert seqs == list(range(1, threads * per_thread + 1))


def test_registration_is_checked_before_a_number_is_taken(world):
    with world.session() as s:
        with pytest.raises(CaseError, match="Nội dung đơn không được để trống"):
            register(s, world, content="   ")
        with pytest.raises(ValueError, match="Nguồn đơn không hợp lệ"):
            register(s, world, channel="fax")
        with pytest.raises(ValueError, match="Loại đơn không hợp lệ"):
            register(s, world, petition_type="petition")
        with pytest.raises(CaseError, match="Số người đứng đơn"):
            register(s, world, petitioner_count=0)
        with pytest.raises(CaseError, match="không làm việc trên hệ thống"):
            register(s, world, unit=world.court)
        with pytest.raises(CaseError, match="cơ quan chuyển đơn"):
            register(s, world, channel="forwarded")
        assert s.execute(select(ReceiptCounter)).scalars().all() == []
        assert register(s, world).petition.receipt_seq == 1


def test_forwarded_petition_names_the_forwarding_body(world):
    with world.session() as s:
        p = register(s, world, channel="forwarded", forwarded_by="04.DDBQH", forward_doc_no="12/ĐĐBQH-VP",
                     forward_doc_date=date(2026, 2, 20)).petition
        assert p.forwarded_by_name == "Đoàn đại biểu Quốc hội tỉnh Cao Bằng"
        assert p.forwarded_by_unit.code == "04.DDBQH"
        q = register(s, world, channel="forwarded", forwarded_by_name="Ban Dân nguyện").petition
        assert q.forwarded_by_unit is None and q.forwarded_by_name == "Ban Dân nguyện"


def test_get_petition(world):
    with world.session() as s:
        key = register(s, world).petition.business_key
    with world.session() as s:
        assert petitions.get_petition(s, key).business_key == key
        with pytest.raises(UnknownRecord, match="04.BTCD/2026/99"):
            petitions.get_petition(s, "04.BTCD/2026/99")


# --- tracking code ---------------------------------------------------------------------------


def test_tracking_code_is_returned_once_and_only_its_hash_is_kept(world):
    with world.session() as s:
        reg = register(s, world)
        other = register(s, world)
    code = reg.tracking_code
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    assert code != other.tracking_code
    with world.session() as s:
        assert petitions.find_by_tracking_code(s, code).id == reg.petition.id
        assert petitions.find_by_tracking_code(s, code.lower().replace("-", " ")).id == reg.petition.id
        assert petitions.find_by_tracking_code(s, "AAAA-AAAA-AAAA") is None
        assert petitions.find_by_tracking_code(s, "  ") is None
        row = s.get(Petition, reg.petition.id)
        stored = [str(v) for v in vars(row).values()]
        assert not any(code.replace("-", "") in v.upper().replace("-", "") for v in stored)
        assert row.tracking_code_hash == petitions.tracking_code_hash(code) and len(row.tracking_code_hash) == 64


# --- sealing and search text -----------------------------------------------------------------


def test_denunciation_petitioners_are_sealed_and_absent_from_search_text(world):
    with world.session() as s:
        p = register(
            s, world, petition_type="denunciation", title=f"Đơn tố cáo của bà {DENOUNCER}",
            content=f"Tôi là {DENOUNCER}, ở số 12 phố Hiến Giang, tố cáo ông Lý Văn Quan nhận tiền của dân.",
        ).petition
        denouncer = parties.add_petitioner(s, p, person(DENOUNCER, address="Số 12 phố Hiến Giang, phường Thục Phán",
                                                        cccd="004 186 000 123"))
        parties.add_respondent(s, p, name="Lý Văn Quan", position="Phó Chủ tịch", organisation_unit=world.commune)
        assert denouncer.sealed
        text = p.search_text
    assert text == fold(text)  # folded: lower case, no diacritics
    assert "nhung" not in text and "hien giang" not in text
    assert "ly van quan" in text and "pho chu tich" in text and "thuc phan" in text
    with world.session() as s:
        assert petitions.search_petitions(s, "Hong Nhung") == []
        assert petitions.search_petitions(s, "hiến giang") == []
        found = petitions.search_petitions(s, "LÝ VĂN QUAN")
        assert [x.receipt_no for x in found] == ["1/2026/TCD-BTCD"]


def test_mixed_petitioners_are_sealed_and_complainants_are_not(world):
    with world.session() as s:
        mixed = register(s, world, petition_type="mixed", content="Vừa khiếu nại vừa tố cáo").petition
        complaint = register(s, world, petition_type="complaint", content="Khiếu nại quyết định thu hồi đất").petition
        recommendation = register(s, world, content="Kiến nghị làm đường").petition
        a = parties.add_petitioner(s, mixed, person("Hoàng Văn Mạnh"))
        b = parties.add_petitioner(s, complaint, person("Đặng Thị Khiếu"))
        c = parties.add_authorised_representative(s, mixed, person("Luật sư Trần Đại"))
        d = parties.add_petitioner(s, recommendation, person("Vương Thị Kiến"))
        assert (a.sealed, b.sealed, c.sealed, d.sealed) == (True, False, True, False)
        assert "dang thi khieu" in complaint.search_text
        assert "manh" not in mixed.search_text and "tran dai" not in mixed.search_text
        assert [x.id for x in petitions.search_petitions(s, "Đặng thị")] == [complaint.id]


def test_search_is_without_diacritics_scoped_and_escaped(world):
    with world.session() as s:
        at_office = register(s, world, content="Đề nghị giải quyết tiền bồi thường 100% diện tích đất").petition
        at_commune = register(s, world, unit=world.commune, content="Đề nghị sửa cầu treo bản Nà Lủng").petition
        register(s, world, content="Đề nghị cấp 1000 giấy chứng nhận")
    with world.session() as s:
        assert [p.id for p in petitions.search_petitions(s, "BOI THUONG")] == [at_office.id]
        assert [p.id for p in petitions.search_petitions(s, "nà lủng", unit=world.committee)] == [at_commune.id]
        assert petitions.search_petitions(s, "na lung", unit=world.committee, include_subunits=False) == []
        assert petitions.search_petitions(s, "na lung", unit=world.office) == []
        assert [p.id for p in petitions.search_petitions(s, "100%")] == [at_office.id]  # % is literal
        assert petitions.search_petitions(s, "1_00") == []  # _ is literal
        assert len(petitions.search_petitions(s, "đề nghị")) == 3
        assert len(petitions.search_petitions(s, "de nghi", limit=2)) == 2
        assert petitions.search_petitions(s, "  ") == []
        # The receipt number is searchable too.
        assert [p.id for p in petitions.search_petitions(s, "1/2026/tcd-ubnd")] == [at_commune.id]


# --- classification ----------------------------------------------------------------------------


def test_classify_records_the_decision_and_seals_on_reclassification(world):
    with world.session() as s:
        p = register(s, world, content=f"Bà {DENOUNCER} phản ánh cán bộ địa chính nhận hối lộ").petition
        who = parties.add_petitioner(s, p, person(DENOUNCER))
        assert not who.sealed and "nhung" in p.search_text
        petitions.classify(s, p, petition_type="denunciation", field="land", eligible=True, within_competence=False,
                           competent_unit=world.commune, petitioner_count=1, clock=world.clock)
        assert (p.petition_type, p.field, p.eligible, p.within_competence, p.status) == (
            "denunciation", "land", True, False, "classified"
        )
        assert p.competent_unit.code == world.commune
        assert who.sealed and "nhung" not in p.search_text and "ho hong nhung" not in p.search_text
        # Sealing is one-way: a complaint now, but the identity stays sealed.
        petitions.classify(s, p, petition_type="complaint", eligible=False, reasons=["no_signature", "no_date"])
        assert who.sealed and "nhung" not in p.search_text
        assert p.eligibility_reasons == ["no_signature", "no_date"] and p.competent_unit is None


def test_classify_keeps_a_later_status(world):
    with world.session() as s:
        p = register(s, world).petition
        petitions.set_status(p, "accepted")
        petitions.classify(s, p, petition_type="recommendation")
        assert p.status == "accepted"
        with pytest.raises(ValueError, match="Trạng thái đơn không hợp lệ"):
            petitions.set_status(p, "lost")


def test_a_refused_classification_changes_nothing(world):
    with world.session() as s:
        for bad, message in [
            (dict(petition_type="rumour"), "Loại đơn không hợp lệ"),
            (dict(reasons=["too_long"]), "Lý do không đủ điều kiện không hợp lệ: too_long"),
            (dict(eligible=True, reasons=["no_date"]), "không được kèm lý do"),
            (dict(petitioner_count=0), "Số người đứng đơn"),
            (dict(competent_unit="04.NOPE"), "04.NOPE"),
        ]:
            p = register(s, world, petition_type="complaint", field="land").petition

            def state():
                return (p.petition_type, p.field, p.eligible, list(p.eligibility_reasons), p.within_competence,
                        p.competent_unit_id, p.petitioner_count, p.status, p.search_text)

            before = state()
            args = dict(petition_type="recommendation", field="health", eligible=False, within_competence=True,
                        competent_unit=world.construction)
            args.update(bad)
            with pytest.raises(ValueError, match=message):
                petitions.classify(s, p, **args)
            assert state() == before, bad


# --- outcomes and links ------------------------------------------------------------------------


def test_guidance_is_given_once_only(world):
    with world.session() as s:
        p = register(s, world, petition_type="complaint").petition
        with pytest.raises(CaseError, match="cơ quan có thẩm quyền"):
            petitions.record_guidance(p, to_name="  ")
        petitions.record_guidance(p, to_name="Ủy ban nhân dân phường Thục Phán", doc_no="5/HD-BTCD", clock=world.clock)
        assert (p.status, p.guided_to_name, p.guidance_doc_no) == ("guided", "Ủy ban nhân dân phường Thục Phán", "5/HD-BTCD")
        with pytest.raises(CaseError, match="đã được hướng dẫn một lần"):
            petitions.record_guidance(p, to_name="Tòa án nhân dân tỉnh Cao Bằng")
        assert p.guided_to_name == "Ủy ban nhân dân phường Thục Phán"


def test_transfer_is_made_once_only_and_links_both_ways(world):
    world.clock.advance(days=3)
    with world.session() as s:
        p = register(s, world, petition_type="denunciation").petition
        received = register(s, world, unit=world.commune, channel="forwarded", forwarded_by=world.office).petition
        with pytest.raises(CaseError, match="chính đơn vị đang giữ đơn"):
            petitions.record_transfer(s, p, to_unit=world.office)
        petitions.record_transfer(s, p, to_unit=world.commune, doc_no="7/CV-BTCD", to_petition=received,
                                  clock=world.clock)
        assert (p.status, p.transferred_to_unit.code, p.transfer_doc_no, p.transferred_on) == (
            "transferred", world.commune, "7/CV-BTCD", date(2026, 3, 5)
        )
        assert (p.transferred_to_id, received.transferred_from_id) == (received.id, p.id)
        with pytest.raises(CaseError, match="đã được chuyển một lần"):
            petitions.record_transfer(s, p, to_unit=world.court)
        assert p.transferred_to_unit.code == world.commune
    with world.session() as s:
        # Outside the system: no record on the other side.
        q = register(s, world).petition
        petitions.record_transfer(s, q, to_unit=world.investigation, clock=world.clock)
        assert q.transferred_to_id is None and q.transferred_to_unit.on_system is False


def test_holding_unit_duplicates(world):
    with world.session() as s:
        p = register(s, world).petition
        q = register(s, world).petition
        petitions.set_holding_unit(s, p, world.construction)
        assert p.holding_unit.code == world.construction and p.receiving_unit.code == world.office
        with pytest.raises(CaseError, match="hãy chuyển đơn"):
            petitions.set_holding_unit(s, p, world.court)
        petitions.mark_duplicate(q, p)
        assert q.duplicate_of_id == p.id
        with pytest.raises(CaseError, match="chính nó"):
            petitions.mark_duplicate(p, p)


def test_split_petition_copies_petitioners_with_a_new_number(world):
    with world.session() as s:
        mixed = register(s, world, petition_type="mixed", channel="in_person", letter_date=date(2026, 2, 27),
                         petitioner_count=2,
                         content=f"Khiếu nại quyết định thu hồi đất và tố cáo cán bộ; người viết: {DENOUNCER}").petition
        a = parties.add_petitioner(s, mixed, person(DENOUNCER, cccd="004186000123"), is_representative=True)
        parties.add_petitioner(s, mixed, person("Hà Văn Bình"))
        parties.add_respondent(s, mixed, name="Lý Văn Quan")
        new = petitions.split_petition(s, mixed, content="Khiếu nại quyết định thu hồi đất số 12/QĐ-UBND",
                                       petition_type="complaint", created_by="xuly.btcd", clock=world.clock)
        part = new.petition
        assert (part.receipt_no, part.split_from_id, part.received_at, part.letter_date, part.channel) == (
            "2/2026/TCD-BTCD", mixed.id, mixed.received_at, date(2026, 2, 27), "in_person"
        )
        assert part.petitioner_count == 2 and part.petition_type == "complaint"
        assert new.tracking_code and petitions.tracking_code_hash(new.tracking_code) == part.tracking_code_hash
        copied = part.parties
        assert [p.role for p in copied] == ["petitioner", "petitioner"]  # no respondent
        assert [p.identity.full_name for p in copied] == [DENOUNCER, "Hà Văn Bình"]
        assert all(p.id not in (a.id,) for p in copied)
        # Copied from a sealed (mixed) petition: sealed whatever the new type.
        assert all(p.sealed for p in copied) and copied[0].is_representative
        assert copied[0].identity.id_number == "004186000123"
        assert "nhung" not in part.search_text and "binh" not in part.search_text
        # The original keeps its parties.
        assert len(mixed.parties) == 3
