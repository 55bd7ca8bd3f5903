"""Importing BPMN files drawn with other tools (Camunda Modeler, bpmn.io, Signavio).

A file is either refused outright (`BpmnRejected`: not XML, not BPMN 2.0, entity tricks, external
references, too large, no process), and then nothing of it is kept, or read into an
`ImportReport` that lists, by element id, what tiepdan runs and what it does not. Other vendors'
extensions (camunda:, zeebe:, signavio: attributes and elements) are left in the file and ignored:
the engine reads only the BPMN namespace and tiepdan's own spiffworkflow: extensions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .bpmn_xml import BPMN_NS, NSMAP, REFUSED, SUPPORTED, XmlRefused, parse_bpmn_bytes

XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


class BpmnRejected(ValueError):
    """The file is refused as a whole; `message` says why in Vietnamese, `message_en` in English."""

    def __init__(self, message: str, message_en: str = ""):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


@dataclass
class ImportReport:
    xml: bytes  # the file, or its UTF-8 re-serialisation where it had to be changed
    process_ids: list[str]
    supported: list[tuple[str, str]] = field(default_factory=list)  # (element id, BPMN type)
    unsupported: list[tuple[str, str]] = field(default_factory=list)


def check_bpmn(data: bytes, filename: str = "") -> ImportReport:
    """Read a BPMN file from any tool, or raise BpmnRejected. The size limit is checked before the
    parser sees a byte, so a huge file costs nothing."""
    try:
        root = parse_bpmn_bytes(data)
    except XmlRefused as err:
        raise BpmnRejected(_named(filename, err.vi), _named(filename, str(err))) from None
    external = root.xpath("//bpmn:import | //xi:include", namespaces={**NSMAP, "xi": XINCLUDE_NS})
    if external:
        raise BpmnRejected(
            _named(filename, "tệp tham chiếu tài liệu bên ngoài (import/include), không được chấp nhận"),
            _named(filename, "the file references external documents (import/include)"),
        )
    processes = root.xpath("/bpmn:definitions/bpmn:process", namespaces=NSMAP)
    if not processes:
        raise BpmnRejected(
            _named(filename, "tệp không có quy trình (bpmn:process) nào"),
            _named(filename, "the file holds no process (bpmn:process)"),
        )
    # Bytes left as they came when nothing needs changing: the version hash is over the bytes, so
    # a file imported and the same file published from processes/ are the same version.
    changed = _mark_executable(processes) or root.getroottree().docinfo.encoding.upper() not in ("UTF-8", "UTF8")
    report = ImportReport(
        xml=etree.tostring(root, xml_declaration=True, encoding="UTF-8") if changed else data,
        process_ids=[p.get("id") for p in processes],
    )
    _walk(root, report)
    return report


def _walk(node, report: ImportReport) -> None:
    """List BPMN elements; the inside of an unsupported one is not listed again."""
    for child in node:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
            continue
        kind = etree.QName(child).localname
        if kind in REFUSED or kind not in SUPPORTED:
            report.unsupported.append((_owner_id(child, kind), kind))
            continue
        if child.get("id") and kind != "process" and not kind.endswith("EventDefinition"):
            report.supported.append((child.get("id"), kind))
        _walk(child, report)


def _mark_executable(processes) -> bool:
    """bpmn.io and Signavio save processes as not executable by default; a file whose processes
    are all marked so is meant to be run here, so all of them become executable. A file that marks
    some executable keeps its choice (the others are pools of outside parties)."""
    if any(p.get("isExecutable") == "true" for p in processes):
        return False
    for process in processes:
        process.set("isExecutable", "true")
    return True


def _owner_id(node, kind: str) -> str:
    """The id legal staff see in the diagram: an event definition or timer cycle has none of its
    own that legal staff would recognise, so its event's id is named."""
    while node is not None and (etree.QName(node).localname.endswith("EventDefinition") or
                                etree.QName(node).localname == "timeCycle"):
        node = node.getparent()
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else kind


def _named(filename: str, message: str) -> str:
    return f"{filename}: {message}" if filename else message
