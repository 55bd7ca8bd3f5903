"""Every path of processes/reception.bpmn: a single citizen, a group with representatives, a
refusal with and without a written notice, mixed content split at the desk; the register row."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tiepdan.cases.models import CaseDocument, Petition, Reception
from tiepdan.cases.receptions import add_citizen, open_reception
from tiepdan.cases.register import register_rows
from tiepdan.handlers.reception import open_reception_procedure

from .world import UBND, person

OFFICER = f"officer.{UBND}"
LAND = "Khiếu nại Quyết định số 45/QĐ-UBND về bồi thường khi thu hồi đất, đề nghị xem xét lại quyết định hành chính."


def start(world, citizens=1, **kwargs) -> tuple[int, str]:
    with world.session() as s:
        reception = open_reception(s, unit=UBND, received_by=OFFICER, clock=world.clock, **kwargs)
        for i in range(citizens):
            add_citizen(s, reception, person(f"Công dân số {i + 1}", f"0040850{i:05d}"), clock=world.clock)
        key = open_reception_procedure(world.services.runtime, s, reception, OFFICER)
        return reception.id, key


def through_refusal_check(world, key, citizens=1):
    world.complete(key, "identify", {"identity_check": "verified", "citizen_count": citizens})
    world.complete(key, "refusal_check", {"refuse": False})


def read(world, fn):
    with world.services.sessions() as s:
        return fn(s)


def test_a_citizen_with_a_letter_is_received_registered_and_notified(world):
    reception_id, key = start(world)
    through_refusal_check(world, key)
    world.complete(key, "record_content", {"has_letter": True, "content": LAND, "petition_type": "complaint",
                                           "field": "land", "documents": "Đơn khiếu nại (02 trang)\nQuyết định 45/QĐ-UBND (bản sao)"})
    notify = world.task(key, "notify_citizen")
    assert notify.due_date == date(2026, 3, 16)  # reception.notify: 10 working days
    [petition] = read(world, lambda s: s.execute(select(Petition).where(Petition.reception_id == reception_id)).scalars().all())
    assert (petition.channel, petition.petition_type, petition.status) == ("in_person", "complaint", "registered")
    assert world.task(petition.business_key, "classify").unit_id == UBND  # its intake started
    receipt = read(world, lambda s: s.execute(select(CaseDocument).where(CaseDocument.reception_id == reception_id)).scalar_one())
    assert receipt.kind == "documents_receipt" and receipt.number == "1/2026/BN-UBND"
    assert "Quyết định 45/QĐ-UBND (bản sao)" in receipt.content.decode()
    assert read(world, lambda s: s.get(Reception, reception_id).documents_receipt_no) == receipt.number
    world.complete(key, "notify_citizen", {"notified_on": "2026-03-02", "notify_method": "in_person"})
    assert world.instances(key)[0].status == "completed"
    rows = read(world, lambda s: register_rows(s, UBND, date(2026, 3, 1), date(2026, 3, 31)))
    assert len(rows) == 1 and rows[0].as_dict()


def test_without_a_letter_the_record_must_be_written_read_back_and_confirmed(world):
    reception_id, key = start(world)
    through_refusal_check(world, key)
    # The form refuses a missing record; signing without reading back is refused by the case rules.
    import pytest
    from tiepdan.engine.errors import FormInvalid

    with pytest.raises(FormInvalid) as err:
        world.complete(key, "record_content", {"has_letter": False, "content": LAND})
    assert "record_text" in err.value.errors and "confirmation" in err.value.errors
    world.complete(key, "record_content", {"has_letter": False, "content": LAND, "record_text": "Công dân trình bày ...",
                                           "read_back": False, "confirmation": "signed"})
    [instance] = world.instances(key)
    assert instance.status == "error" and "đọc lại" in instance.error_message
    assert read(world, lambda s: s.execute(select(Petition).where(Petition.reception_id == reception_id)).first()) is None


def test_a_group_must_appoint_representatives_within_the_legal_band(world):
    reception_id, key = start(world, citizens=12)
    through_refusal_check(world, key, citizens=12)
    world.complete(key, "appoint_representatives", {"representative_count": 6, "written_appointment": True})
    problems = world.services.runtime.task_data(world.task(key, "appoint_representatives").id)["representation"]["problems"]
    assert problems  # more than 10 people: at most 5 representatives
    world.complete(key, "appoint_representatives", {"representative_count": 5, "written_appointment": False})
    assert world.task(key, "appoint_representatives")  # a written appointment is required
    world.complete(key, "appoint_representatives", {"representative_count": 5, "written_appointment": True})
    world.complete(key, "record_content", {"has_letter": True, "content": LAND, "petition_type": "complaint"})
    [petition] = read(world, lambda s: s.execute(select(Petition).where(Petition.reception_id == reception_id)).scalars().all())
    assert petition.petitioner_count == 12


def test_a_refusal_on_a_ground_without_notice_ends_the_session(world):
    reception_id, key = start(world)
    world.complete(key, "identify", {"identity_check": "verified", "citizen_count": 1})
    world.complete(key, "refusal_check", {"refuse": True, "refusal_ground": "ltcd_9_2_threat", "refusal_note": "Lớn tiếng đe dọa"})
    assert world.instances(key)[0].status == "completed" and world.tasks(key) == []
    reception = read(world, lambda s: s.get(Reception, reception_id))
    assert (reception.refused, reception.refusal_ground) == (True, "ltcd_9_2_threat")


def test_a_repeat_case_refusal_needs_the_heads_written_notice_within_3_working_days(world):
    reception_id, key = start(world)
    world.complete(key, "identify", {"identity_check": "verified", "citizen_count": 1})
    world.complete(key, "refusal_check", {"refuse": True, "refusal_ground": "ltcd_9_3_resolved"})
    sign = world.task(key, "sign_refusal_notice")
    assert sign.role == "leader" and sign.due_date == date(2026, 3, 5)
    notice = read(world, lambda s: s.execute(select(CaseDocument).where(CaseDocument.reception_id == reception_id)).scalar_one())
    assert notice.kind == "refusal_notice" and "Điều 9 khoản 3" in notice.content.decode()


def test_a_ground_not_yet_in_force_is_refused(world):
    # NĐ 154/2026's grounds apply from 1 July 2026; the session is on 2 March 2026.
    reception_id, key = start(world)
    world.complete(key, "identify", {"identity_check": "verified", "citizen_count": 1})
    world.complete(key, "refusal_check", {"refuse": True, "refusal_ground": "nd154_recording"})
    [instance] = world.instances(key)
    assert instance.status == "error" and "không có hiệu lực" in instance.error_message
    assert read(world, lambda s: s.get(Reception, reception_id).refused) is False


def test_mixed_content_at_the_desk_becomes_separate_petitions(world):
    reception_id, key = start(world)
    through_refusal_check(world, key)
    world.complete(key, "record_content", {
        "has_letter": True, "content": LAND, "petition_type": "complaint",
        "content_2": "Tố cáo cán bộ địa chính nhận hối lộ.", "type_2": "denunciation",
    })
    petitions = read(world, lambda s: [(p.petition_type, p.split_from_id, [q.sealed for q in p.parties]) for p in
                                       s.execute(select(Petition).where(Petition.reception_id == reception_id)
                                                 .order_by(Petition.id)).scalars()])
    first_id = read(world, lambda s: s.execute(select(Petition.id).where(Petition.reception_id == reception_id)
                                               .order_by(Petition.id)).scalars().first())
    # The denouncer is the same citizen as the complainant: the session's petitions seal him in both.
    assert petitions == [("complaint", None, [True]), ("denunciation", first_id, [True])]


def test_a_denunciation_raised_at_the_desk_names_its_respondent_and_reaches_the_competent_unit(world):
    from .world import COMMUNE

    reception_id, key = start(world)
    through_refusal_check(world, key)
    world.complete(key, "record_content", {
        "has_letter": True, "content": "Tố cáo cán bộ địa chính phường nhận hối lộ.", "petition_type": "denunciation",
        "respondent_name": "Trần Văn Bình", "respondent_position": "Công chức địa chính", "respondent_unit": COMMUNE,
    })
    [petition_key] = read(world, lambda s: s.execute(select(Petition.business_key).where(Petition.reception_id == reception_id)).scalars().all())
    proposal = world.services.runtime.task_data(world.task(petition_key, "classify").id)["proposal"]
    assert proposal["proposed_unit"] == COMMUNE and proposal["within_competence"] is False
    world.complete(petition_key, "classify", {"petition_type": "denunciation", "within_competence": "no", "outcome": "transfer"})
    assert world.petition(petition_key).transferred_to_unit.code == COMMUNE
