"""Every path of processes/publication.bpmn through the runtime, on SQLite and PostgreSQL: the
plan within the publication limit of a complaint decision or a denunciation conclusion, a
posting period of at least publication.posting (15) consecutive days that ends itself at 24:00
local time of its last day with its proof, a meeting refused without 3 days' notice, the public
list, reminder and escalation, and a published notice that never holds the denouncer."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tiepdan.cases.documents import docx_text
from tiepdan.cases.identity import public_projection
from tiepdan.cases.models import Publication
from tiepdan.cases.petitions import get_petition
from tiepdan.cases.publications import archived_publications, current_publications
from tiepdan.engine.models import AuditEntry

from .world import UBND, person

COMPLAINT = "Tôi khiếu nại Quyết định số 12/QĐ-UBND về việc thu hồi đất của gia đình tôi."
DENUNCIATION = "Tôi tố cáo ông Trần Văn Bình, cán bộ địa chính phường Thục Phán, có hành vi nhận hối lộ. Liên hệ: Nguyễn Thị Hoa, 0912 345 678."
DENOUNCER = person("Nguyễn Thị Hoa", "004190001234", "Số 7 phố Kim Đồng, phường Thục Phán", "0912345678")
SECRETS = ["Nguyễn Thị Hoa", "Nguyen Thi Hoa", "004190001234", "0912345678", "0912 345 678", "Số 7 phố Kim Đồng"]


def _start(world, rule, *, content=COMPLAINT, petitioners=(), petition_type="complaint", document=""):
    """A petition of the world whose decision (or conclusion) of Mon 2 March 2026 is published."""
    key = world.register(content=content, petitioners=petitioners or [person("Lê Văn Nam", "004085000111")],
                         petition_type=petition_type, start=False)
    result = world.services.runtime.start(
        "publication", key, unit_id=UBND, actor="officer",
        data={"publish_rule": rule, "decided_on": "2026-03-02", "document": document, "remind_days": 3},
    )
    return key, result.instance_id


def _instance(world, key):
    [instance] = world.instances(key)
    return instance


def _publications(world, key):
    with world.services.sessions() as s:
        petition = get_petition(s, key)
        return s.execute(select(Publication).where(Publication.petition_id == petition.id)).scalars().all()


def _current(world, on):
    with world.services.sessions() as s:
        return [p.id for p in current_publications(s, on)]


def _problems(world, key, spec):
    return world.services.runtime.task_data(world.task(key, spec).id)["publication"]["problems"]


def test_a_posted_decision_runs_fifteen_days_and_ends_itself_at_midnight_of_its_last_day(world):
    key, _ = _start(world, "complaint.publish")
    plan = world.task(key, "plan_publication_complaint")
    assert (plan.role, plan.form, plan.deadline_rule) == ("handling_officer", "publication_plan", "complaint.publish")
    # complaint.publish: 15 days after Mon 2 March 2026 -> Tue 17 March (a working day).
    assert plan.due_date == date(2026, 3, 17)
    world.complete(key, "plan_publication_complaint",
                   {"form": "posting", "starts_on": "2026-03-03", "keep_in_archive": True,
                    "summary": "Giữ nguyên Quyết định số 12/QĐ-UBND."})
    [pub] = _publications(world, key)
    # publication.posting: 15 consecutive days, the start day included: 3 -> 17 March.
    assert (pub.form, pub.starts_on, pub.ends_on, pub.status) == ("posting", date(2026, 3, 3), date(2026, 3, 17), "planned")
    assert (pub.ends_on - pub.starts_on).days + 1 >= 15
    [notice] = [d for d in world.documents(key) if d.kind == "publication"]
    assert notice.number == "1/2026/TB-UBND" and notice.leaves_unit and notice.filename.endswith(".docx")
    text = docx_text(notice.content)
    assert "quyết định giải quyết khiếu nại" in text and "Niêm yết tại trụ sở, nơi tiếp công dân" in text
    assert "từ ngày 03/03/2026 đến hết ngày 17/03/2026" in text and "Giữ nguyên Quyết định số 12/QĐ-UBND." in text
    assert world.tasks(key) == []  # waiting for the period to run
    assert _instance(world, key).status == "waiting"
    # On the public list during its period, not before it.
    assert _current(world, date(2026, 3, 2)) == []
    assert _current(world, date(2026, 3, 3)) == [pub.id] and _current(world, date(2026, 3, 17)) == [pub.id]
    # 23:59 on 17 March in Vietnam (16:59 UTC): still running.
    world.clock.at = datetime(2026, 3, 17, 16, 59)
    assert world.services.runtime.fire_due_timers() == 0
    assert _instance(world, key).status == "waiting"
    # 24:00 local (17:00 UTC): the publication ends itself with its proof.
    world.clock.at = datetime(2026, 3, 17, 17, 0)
    assert world.services.runtime.fire_due_timers() == 1
    assert _instance(world, key).status == "completed"
    [pub] = _publications(world, key)
    assert pub.status == "ended"
    assert pub.proof == "Đã niêm yết tại trụ sở, nơi tiếp công dân từ ngày 03/03/2026 đến hết ngày 17/03/2026"
    assert _current(world, date(2026, 3, 17)) == [] and _current(world, date(2026, 3, 18)) == []
    with world.services.sessions() as s:
        assert [p.id for p in archived_publications(s, date(2026, 3, 18))] == [pub.id]
        ended = s.execute(select(AuditEntry).where(AuditEntry.business_key == key,
                                                   AuditEntry.action == "publication.ended")).scalars().all()
    assert len(ended) == 1


def test_a_meeting_without_three_days_notice_is_refused_and_planned_again(world):
    key, _ = _start(world, "complaint.publish")
    world.complete(key, "plan_publication_complaint",
                   {"form": "meeting", "starts_on": "2026-03-05", "notice_on": "2026-03-03"})
    assert _problems(world, key, "plan_publication_complaint") == [
        "Thông báo họp ngày 03/03/2026 phải trước ngày họp 05/03/2026 ít nhất 3 ngày"]
    assert _publications(world, key) == [] and [d.kind for d in world.documents(key)] == []
    # A start after the publication limit (17 March) is refused while the limit can still be kept.
    world.complete(key, "plan_publication_complaint", {"form": "posting", "starts_on": "2026-03-18"})
    assert _problems(world, key, "plan_publication_complaint") == [
        "Ngày bắt đầu công khai 18/03/2026 quá thời hạn công khai (đến hết ngày 17/03/2026)"]
    world.complete(key, "plan_publication_complaint",
                   {"form": "meeting", "starts_on": "2026-03-05", "notice_on": "2026-03-02"})
    [pub] = _publications(world, key)
    assert (pub.form, pub.notice_on, pub.starts_on, pub.ends_on) == ("meeting", date(2026, 3, 2), date(2026, 3, 5),
                                                                    date(2026, 3, 19))
    assert "Công bố tại cuộc họp" in docx_text([d for d in world.documents(key) if d.kind == "publication"][0].content)
    world.clock.at = datetime(2026, 3, 19, 17, 0)  # 24:00 local at the end of 19 March
    assert world.services.runtime.fire_due_timers() == 1
    [pub] = _publications(world, key)
    assert pub.status == "ended" and pub.proof.startswith("Đã công bố tại cuộc họp ngày 05/03/2026 (thông báo họp ngày 02/03/2026)")
    assert _instance(world, key).status == "completed"


def test_a_late_plan_is_reminded_escalated_and_may_then_start_at_once(world):
    key, _ = _start(world, "complaint.publish")
    runtime = world.services.runtime
    # Reminder: 3 working days before Tue 17 March -> Thu 12 March, 08:00 local (01:00 UTC).
    world.clock.at = datetime(2026, 3, 12, 0, 59)
    assert runtime.fire_due_timers() == 0
    world.clock.at = datetime(2026, 3, 12, 1, 0)
    assert runtime.fire_due_timers() == 1
    # Escalation at 24:00 local at the end of 17 March.
    world.clock.at = datetime(2026, 3, 17, 16, 59)
    assert runtime.fire_due_timers() == 0
    world.clock.at = datetime(2026, 3, 17, 17, 0)
    assert runtime.fire_due_timers() == 1
    with world.services.sessions() as s:
        actions = [(a.action, a.detail["task"]) for a in s.execute(
            select(AuditEntry).where(AuditEntry.business_key == key, AuditEntry.action.in_(("task.reminder", "task.escalation")))
            .order_by(AuditEntry.seq)).scalars()]
    assert actions == [("task.reminder", "plan_publication_complaint"), ("task.escalation", "plan_publication_complaint")]
    review = world.task(key, "review_overdue")
    assert review.role == "supervisor"
    world.complete(key, "review_overdue", {"action": "instructed"}, actor="supervisor")
    # Overdue: it must start at once, not later ...
    world.complete(key, "plan_publication_complaint", {"form": "media", "starts_on": "2026-03-20"})
    assert _problems(world, key, "plan_publication_complaint") == [
        "Đã quá thời hạn công khai (hết ngày 17/03/2026): phải công khai ngay, không để đến ngày 20/03/2026"]
    # ... and a start on the day the plan is made (18 March local) is accepted.
    world.complete(key, "plan_publication_complaint", {"form": "media", "starts_on": "2026-03-18"})
    [pub] = _publications(world, key)
    assert (pub.status, pub.ends_on) == ("running", date(2026, 4, 1))
    world.clock.at = datetime(2026, 4, 1, 17, 0)
    assert runtime.fire_due_timers() == 1
    assert _instance(world, key).status == "completed"
    [pub] = _publications(world, key)
    assert pub.proof == "Đã thông báo trên phương tiện thông tin đại chúng, cổng thông tin từ ngày 18/03/2026 đến hết ngày 01/04/2026"


def test_a_published_conclusion_never_holds_the_denouncer(world):
    key, _ = _start(world, "denunciation.publish", content=DENUNCIATION, petitioners=[DENOUNCER],
                    petition_type="denunciation")
    plan = world.task(key, "plan_publication_denunciation")
    # denunciation.publish: 7 working days after Mon 2 March 2026 -> Wed 11 March.
    assert (plan.deadline_rule, plan.due_date) == ("denunciation.publish", date(2026, 3, 11))
    # The officer types the denouncer into the summary: refused, nothing published.
    world.complete(key, "plan_publication_denunciation",
                   {"form": "posting", "starts_on": "2026-03-02", "summary": "Bà Nguyễn Thị Hoa tố cáo đúng một phần."})
    assert _problems(world, key, "plan_publication_denunciation") == [
        "Nội dung tóm tắt chứa thông tin người tố cáo: không được công khai"]
    assert _publications(world, key) == [] and world.documents(key) == []
    world.complete(key, "plan_publication_denunciation",
                   {"form": "posting", "starts_on": "2026-03-02", "summary": "Nội dung tố cáo đúng một phần."})
    [pub] = _publications(world, key)
    assert pub.status == "running" and pub.ends_on == date(2026, 3, 16)
    [notice] = world.documents(key)
    assert notice.kind == "publication" and notice.leaves_unit
    text = docx_text(notice.content)
    assert "kết luận nội dung tố cáo" in text and "Nội dung tố cáo đúng một phần." in text
    assert _current(world, date(2026, 3, 10)) == [pub.id]
    # Nothing the public can reach holds the denouncer: the notice, the public list's title and
    # the petition's public projection.
    with world.services.sessions() as s:
        readable = [text, str(public_projection(s, get_petition(s, key)))]
        readable += [f"{p.title} {p.proof}" for p in current_publications(s, date(2026, 3, 10))]
    for secret in SECRETS:
        for what in readable:
            assert secret.lower() not in what.lower(), (secret, what[:200])
    world.clock.at = datetime(2026, 3, 16, 17, 0)
    assert world.services.runtime.fire_due_timers() == 1
    assert _instance(world, key).status == "completed"
    assert _current(world, date(2026, 3, 16)) == []


def _word(text: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _conclusion(world, key, text) -> str:
    from tiepdan.cases.documents import issue_document

    with world.session() as s:
        petition = get_petition(s, key)
        return issue_document(s, kind="denounce_concl", unit=petition.holding_unit, created_by="leader",
                              content=_word(text), extension="docx", petition=petition, clock=world.clock).number


def test_the_published_conclusion_is_linked_and_one_holding_the_denouncer_is_refused(world):
    key = world.register(content=DENUNCIATION, petitioners=[DENOUNCER], petition_type="denunciation", start=False)
    clean = _conclusion(world, key, "Kết luận: nội dung tố cáo đúng một phần.")
    leaking = _conclusion(world, key, "Người tố cáo: Nguyễn Thị Hoa, số 7 phố Kim Đồng.")
    runtime = world.services.runtime
    data = {"publish_rule": "denunciation.publish", "decided_on": "2026-03-02", "remind_days": 3}
    runtime.start("publication", key, unit_id=UBND, actor="officer", data={**data, "document": clean})
    world.complete(key, "plan_publication_denunciation", {"form": "media", "starts_on": "2026-03-02"})
    [pub] = _publications(world, key)
    assert pub.title == f"Kết luận nội dung tố cáo số {clean} ngày 02/03/2026"
    with world.services.sessions() as s:
        assert s.get(Publication, pub.id).document.number == clean
    # A conclusion whose Word text names the denouncer is never published: the step stops in a
    # clear error and nothing is planned.
    second = runtime.start("publication", key, unit_id=UBND, actor="officer", data={**data, "document": leaking})
    [task] = [t for t in world.tasks(key) if t.instance_id == second.instance_id]
    runtime.complete_task(task.id, {"form": "media", "starts_on": "2026-03-02"}, actor="officer")
    [instance] = [i for i in world.instances(key) if i.id == second.instance_id]
    assert instance.status == "error" and "chứa thông tin người tố cáo" in instance.error_message
    assert len(_publications(world, key)) == 1
