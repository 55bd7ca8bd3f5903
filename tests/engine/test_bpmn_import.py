"""Importing BPMN files from other tools, and refusing hostile or malformed ones before parsing."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tiepdan.engine import bpmn_xml
from tiepdan.engine.bpmn_import import BpmnRejected, check_bpmn
from tiepdan.engine.bpmn_xml import NSMAP, XmlRefused, parse_bpmn_bytes

SAMPLES = Path(__file__).parent / "bpmn_samples"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
  <bpmn:process id="p" name="&lol9;"/>
</bpmn:definitions>"""

# The DOCTYPE sits after a long comment, so a check of the file's head alone would miss it.
EXTERNAL_ENTITY = (b'<?xml version="1.0"?>\n<!--' + b" " * 5000 + b'-->\n'
                   b'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                   b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
                   b'<bpmn:process id="p" name="&xxe;"/></bpmn:definitions>')


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_camunda_modeler_file_loads_with_its_extensions_ignored_and_the_complex_gateway_listed():
    report = check_bpmn(sample("camunda7_leave.bpmn"), "camunda7_leave.bpmn")
    assert report.process_ids == ["leave_request"]
    assert report.unsupported == [("Gateway_complex", "complexGateway")]
    supported = dict(report.supported)
    assert supported["Activity_approve"] == "userTask" and supported["Activity_notify"] == "serviceTask"
    assert supported["Flow_approved"] == "sequenceFlow" and "Gateway_complex" not in supported
    # Camunda's attributes and extension elements stay in the file, untouched and unread.
    root = etree.fromstring(report.xml)
    task = root.find(f".//{{{BPMN}}}userTask")
    assert task.get("{http://camunda.org/schema/1.0/bpmn}assignee") == "${initiator}"


def test_bpmn_io_file_is_made_executable_and_its_conditional_event_listed_by_its_event_id():
    report = check_bpmn(sample("bpmnio_plain.bpmn"))
    assert report.process_ids == ["Process_1"]
    assert report.unsupported == [("Event_changed", "conditionalEventDefinition")]
    assert ("Activity_1", "task") in report.supported
    assert parse_bpmn_bytes(report.xml).xpath("//bpmn:process/@isExecutable", namespaces=NSMAP) == ["true"]


def test_signavio_export_in_the_default_namespace_lists_transaction_and_compensation():
    report = check_bpmn(sample("signavio_export.bpmn"))
    assert report.unsupported == [("sid-A1B2C3D4-0003", "transaction"), ("sid-A1B2C3D4-0004", "compensateEventDefinition")]
    assert ("sid-A1B2C3D4-0002", "userTask") in report.supported
    # The boundary event inside the unsupported transaction's scope is named once, by its own id.
    assert [eid for eid, _ in report.unsupported].count("sid-A1B2C3D4-0004") == 1


def test_a_file_that_marks_some_processes_executable_keeps_its_choice():
    xml = (f'<bpmn:definitions xmlns:bpmn="{BPMN}"><bpmn:process id="a" isExecutable="true"/>'
           f'<bpmn:process id="outside" isExecutable="false"/></bpmn:definitions>').encode()
    root = parse_bpmn_bytes(check_bpmn(xml).xml)
    assert root.xpath("//bpmn:process/@isExecutable", namespaces=NSMAP) == ["true", "false"]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"this is not xml at all", "không phải XML"),
        (b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'><bpmn:process", "không phải XML"),
        (b'<definitions xmlns="http://www.omg.org/spec/BPMN/2.0"><process id="p"/></definitions>', "BPMN 2.0"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "BPMN 2.0"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (EXTERNAL_ENTITY, "DOCTYPE"),
        (f'<bpmn:definitions xmlns:bpmn="{BPMN}"/>'.encode(), "không có quy trình"),
        (f'<bpmn:definitions xmlns:bpmn="{BPMN}"><bpmn:import location="http://evil.example/x.bpmn" '
         f'importType="{BPMN}"/><bpmn:process id="p"/></bpmn:definitions>'.encode(), "bên ngoài"),
    ],
    ids=["not-xml", "truncated", "wrong-namespace", "svg", "billion-laughs", "external-entity", "no-process", "import"],
)
def test_hostile_and_malformed_files_are_refused_with_a_vietnamese_reason(data, words):
    with pytest.raises(BpmnRejected) as refused:
        check_bpmn(data, "upload.bpmn")
    assert words in refused.value.message and refused.value.message.startswith("upload.bpmn: ")
    assert refused.value.message_en and "/etc/passwd" not in refused.value.message
    if data is EXTERNAL_ENTITY:
        assert "root:" not in refused.value.message_en


def test_twenty_megabytes_are_refused_without_being_parsed(monkeypatch):
    process = f'<bpmn:process id="p"><bpmn:documentation>{"x" * 1000}</bpmn:documentation></bpmn:process>'
    huge = f'<bpmn:definitions xmlns:bpmn="{BPMN}">'.encode() + process.encode() * 20_000 + b"</bpmn:definitions>"
    assert len(huge) > 20 * 1024 * 1024

    def no_parsing(*args, **kwargs):
        raise AssertionError("the parser was called on an oversized file")

    monkeypatch.setattr(bpmn_xml.etree, "fromstring", no_parsing)
    with pytest.raises(BpmnRejected) as refused:
        check_bpmn(huge)
    assert "vượt giới hạn" in refused.value.message and "the limit is 5120 KiB" in refused.value.message_en


def test_the_engine_parser_goes_through_the_same_guard():
    with pytest.raises(XmlRefused) as refused:
        parse_bpmn_bytes(EXTERNAL_ENTITY)
    assert "DOCTYPE" in str(refused.value) and "DOCTYPE" in refused.value.vi


def test_a_file_in_another_encoding_is_stored_as_utf8():
    text = f'<?xml version="1.0" encoding="UTF-16"?><bpmn:definitions xmlns:bpmn="{BPMN}"><bpmn:process id="p" name="Tiếp dân" isExecutable="true"/></bpmn:definitions>'
    report = check_bpmn(text.encode("utf-16"))
    assert "Tiếp dân" in report.xml.decode("utf-8")


def test_a_file_that_needs_no_change_keeps_its_bytes():
    data = sample("camunda7_leave.bpmn")
    assert check_bpmn(data).xml == data
