"""The element diff between two versions, and the list of a process's versions."""
from __future__ import annotations

from pathlib import Path

from tiepdan.engine.db import transaction
from tiepdan.engine.version_diff import diff_versions, list_versions

from .test_migration_instances import V1, started, version_2

XML = (Path(__file__).parent / "bpmn_samples" / "tiepdan_extensions.bpmn").read_bytes()


def changes_of(diff, element_id):
    [found] = [c for c in diff.changed if c.element_id == element_id]
    return found


def test_the_same_diagram_has_no_differences_whatever_its_layout():
    relaid = XML.replace(b'<dc:Bounds x="200" y="80"', b'<dc:Bounds x="420" y="300"')
    assert diff_versions(XML, relaid).empty


def test_tiepdan_properties_names_flows_lanes_and_operations_are_compared():
    edited = (
        XML.replace(b'name="deadline_rule" value="petition.process"', b'name="deadline_rule" value="complaint.accept"')
        .replace('name="Vào sổ thư"'.encode(), 'name="Vào sổ đơn thư"'.encode())
        .replace(b'<spiffworkflow:parameter id="content" type="str" value="content"/>',
                 b'<spiffworkflow:parameter id="content" type="str" value="content + note"/>')
        .replace(b'<bpmn:sequenceFlow id="f_decided" sourceRef="decide" targetRef="end_done"/>',
                 b'<bpmn:sequenceFlow id="f_decided" sourceRef="decide" targetRef="end_other"/>')
        # `decide` moves to the leader's lane
        .replace(b"<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", b"")
        .replace(b"<bpmn:flowNodeRef>late_review</bpmn:flowNodeRef>",
                 b"<bpmn:flowNodeRef>late_review</bpmn:flowNodeRef><bpmn:flowNodeRef>decide</bpmn:flowNodeRef>")
        .replace(b"deadline_end(\"petition.process\", received_on)", b"deadline_end(\"complaint.accept\", received_on)")
    )
    diff = diff_versions(XML, edited)
    assert diff.added == [] and diff.removed == []
    decide = changes_of(diff, "decide")
    assert decide.type == "userTask" and decide.name == "Quyết định"
    assert decide.fields == {"deadline_rule": ("petition.process", "complaint.accept"),
                             "role (lane)": ("handling_officer", "leader")}
    assert changes_of(diff, "register").fields == {"name": ("Vào sổ thư", "Vào sổ đơn thư")}
    assert changes_of(diff, "svc_classify").fields == {"parameters": ({"content": "content"}, {"content": "content + note"})}
    assert changes_of(diff, "f_decided").fields == {"targetRef": ("end_done", "end_other")}
    late = changes_of(diff, "decide_late")
    assert list(late.fields) == ["timer (timeDate)"]
    assert "deadline_rule: 'petition.process' → 'complaint.accept'" in decide.changes
    assert {c.element_id for c in diff.changed} == {"decide", "register", "svc_classify", "f_decided", "decide_late"}


def test_added_and_removed_elements_are_listed_with_their_type_and_name():
    diff = diff_versions(V1, version_2())
    assert {(c.element_id, c.type, c.name) for c in diff.added} == {("check", "userTask", "Check the decision"),
                                                                    ("f_checked", "sequenceFlow", "")}
    removed = {(c.element_id, c.type) for c in diff.removed}
    assert ("escalated", "userTask") in removed and ("f_escalated", "sequenceFlow") in removed
    assert changes_of(diff, "f_decide").fields == {"targetRef": ("end_done", "check")}
    assert changes_of(diff, "f_noted").fields == {"targetRef": ("escalated", "end_late")}


def test_versions_of_a_process_with_author_status_note_and_running_instances(services):
    started(services, "A", "Đơn khiếu nại về đất đai")
    started(services, "C", "Thư hỏi thăm")  # completed: not running
    with transaction(services.sessions) as s:
        services.library.publish(s, version_2(), "review.bpmn", "phapche", note="thêm bước kiểm tra")
    with services.sessions() as s:
        rows = list_versions(s, "review")
        assert list_versions(s, "no_such_process") == []
    assert [(r.status, r.author, r.note, r.running) for r in rows] == [
        ("published", "tester", "", 1),
        ("published", "phapche", "thêm bước kiểm tra", 0),
    ]
    assert rows[1].published_at is not None and rows[1].version_id > rows[0].version_id
