"""Drafts saved from the modeler and the publication gate (validation, reason, scenarios), on both
databases."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from tiepdan.engine.bpmn_import import BpmnRejected
from tiepdan.engine.db import transaction
from tiepdan.engine.drafts import publish_draft, save_draft
from tiepdan.engine.library import PublishRefused
from tiepdan.engine.models import AuditEntry, ProcessVersion

from .test_bpmn_import import BILLION_LAUGHS, EXTERNAL_ENTITY

SAMPLES = Path(__file__).parent / "bpmn_samples"
XML = (SAMPLES / "tiepdan_extensions.bpmn").read_bytes()

PASSING = """
- name: khiếu nại được quyết định
  data: {received_on: 2026-03-02}
  stubs: {classify: {kind: complaint}}
  steps:
    - task: register
      data: {content: "Tôi khiếu nại quyết định thu hồi đất", received_on: 2026-03-02}
    - task: decide
      data: {decision: accept}
  expect:
    path: [register, svc_classify, decide]
    end: end_done
    due: {decide: 2026-03-16}
"""


@pytest.fixture
def letter(processes_dir):
    """Written before `services` is built (list it first), so the library sees the document."""
    (processes_dir / "documents" / "receipt.txt").write_text("Giấy biên nhận {{ petition }}", encoding="utf-8")
    (processes_dir / "scenarios").mkdir()
    (processes_dir / "scenarios" / "letter.yaml").write_text(PASSING, encoding="utf-8")
    return processes_dir


def canonical(xml: bytes) -> set:
    """Every element with its attributes and text: what the diagram says, whatever the layout."""
    root = etree.fromstring(xml)
    return {
        (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), el.getparent().tag if el.getparent() is not None else "")
        for el in root.iter()
        if isinstance(el.tag, str)
    }


def counts(services) -> tuple[int, int]:
    with services.sessions() as s:
        return (s.scalar(select(func.count()).select_from(ProcessVersion)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def draft(services, xml=XML, author="phapche", note="Sửa thời hạn"):
    with transaction(services.sessions) as s:
        return save_draft(s, services.library, "letter", xml, author, note, clock=services.runtime.clock)


def publish(services, version_id, reason="Luật sửa đổi 2026", **kwargs):
    with transaction(services.sessions) as s:
        version = publish_draft(s, services.library, version_id, "phapche", reason, clock=services.runtime.clock, **kwargs)
        return version.id


def test_every_tiepdan_extension_survives_a_save_and_reload(letter, services):
    result = draft(services)
    assert result.problems == [] and result.unsupported == [] and result.created
    with services.sessions() as s:
        stored = s.get(ProcessVersion, result.version_id)
        assert (stored.status, stored.created_by, stored.note, stored.published_at) == ("draft", "phapche", "Sửa thời hạn", None)
        assert set(stored.assets["forms"]) == {"register", "decide"} and "receipt.txt" in stored.assets["documents"]
        reloaded = stored.bpmn_xml.encode("utf-8")
    assert canonical(reloaded) == canonical(XML)
    properties = {(p.getparent().getparent().getparent().get("id"), p.get("name"), p.get("value"))
                  for p in etree.fromstring(reloaded).iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}property")}
    assert ("decide", "deadline_rule", "petition.process") in properties
    assert ("register", "documents", "receipt.txt") in properties
    # Saving the same content again gives the same draft.
    again = draft(services)
    assert (again.version_id, again.created) == (result.version_id, False)


def test_a_draft_with_problems_is_stored_and_they_name_their_elements(letter, services):
    broken = XML.replace(b'name="deadline_rule" value="petition.process"', b'name="deadline_rule" value="no.such.rule"')
    result = draft(services, broken)
    assert [(p.element, "no.such.rule" in p.message) for p in result.problems] == [("decide", True)]
    with services.sessions() as s:
        assert s.get(ProcessVersion, result.version_id).status == "draft"
    with pytest.raises(PublishRefused) as refused:
        publish(services, result.version_id)
    assert [p.element for p in refused.value.problems] == ["decide"]
    with services.sessions() as s:
        assert s.get(ProcessVersion, result.version_id).status == "draft"
        assert services.library.latest_published(s, "letter") is None


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"not xml", b"<a/>" * 10])
def test_a_refused_file_stores_nothing(letter, services, hostile):
    before = counts(services)
    with pytest.raises(BpmnRejected):
        draft(services, hostile)
    assert counts(services) == before


def test_a_draft_naming_another_process_is_refused(letter, services):
    before = counts(services)
    with pytest.raises(BpmnRejected) as refused:
        with transaction(services.sessions) as s:
            save_draft(s, services.library, "review", XML, "phapche")
    assert "'review'" in refused.value.message
    assert counts(services) == before


def test_publishing_needs_a_reason(letter, services):
    result = draft(services)
    with pytest.raises(PublishRefused) as refused:
        publish(services, result.version_id, reason="  ")
    assert any("lý do" in p.message for p in refused.value.problems)


def test_a_failing_scenario_refuses_publication_and_changes_nothing(letter, services):
    (letter / "scenarios" / "letter.yaml").write_text(PASSING.replace("end: end_done", "end: end_other"), encoding="utf-8")
    result = draft(services)
    before = counts(services)
    with pytest.raises(PublishRefused) as refused:
        publish(services, result.version_id)
    [problem] = refused.value.problems
    assert problem.element == "" and problem.message.startswith("kịch bản 'khiếu nại được quyết định': sự kiện kết thúc")
    assert "end_other" in problem.message
    assert counts(services) == before
    with services.sessions() as s:
        assert s.get(ProcessVersion, result.version_id).status == "draft"
        assert services.library.latest_published(s, "letter") is None


def test_a_passing_draft_is_published_with_who_when_and_why(letter, services):
    result = draft(services)
    version_id = publish(services, result.version_id)
    assert version_id == result.version_id
    with services.sessions() as s:
        version = s.get(ProcessVersion, version_id)
        assert (version.status, version.published_by, version.note) == ("published", "phapche", "Luật sửa đổi 2026")
        assert version.published_at == services.runtime.clock.now()
        assert services.library.latest_published(s, "letter") == version_id
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "process.publish")).scalars().all()[-1]
        assert entry.detail["version_id"] == version_id and entry.detail["note"] == "Luật sửa đổi 2026"
    # The published version runs.
    started = services.runtime.start("letter", "L-1", data={"received_on": "2026-03-02"})
    assert started.status == "waiting" and len(started.open_tasks) == 1
    with pytest.raises(PublishRefused):
        publish(services, version_id)  # no longer a draft


def test_a_draft_of_already_published_content_does_not_collide_and_republishes_it(letter, services):
    with transaction(services.sessions) as s:
        [published] = services.library.publish(s, XML, "letter.bpmn", "cli")
        published_id = published.id
    result = draft(services)
    assert result.created and result.version_id != published_id
    assert publish(services, result.version_id, reason="Dùng lại phiên bản cũ") == published_id
    with services.sessions() as s:
        assert s.get(ProcessVersion, result.version_id) is None
        assert s.get(ProcessVersion, published_id).note == "Dùng lại phiên bản cũ"


def test_a_scenario_runner_can_be_given(letter, services):
    calls = []

    def runner(processes_dir, process_id, xml_override):
        calls.append((process_id, b"deadline_rule" in xml_override))
        return []

    result = draft(services)
    publish(services, result.version_id, scenario_runner=runner)
    assert calls == [("letter", True)]
