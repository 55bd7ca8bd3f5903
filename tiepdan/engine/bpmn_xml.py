"""Reading BPMN XML safely and knowing which elements tiepdan runs.

Diagrams come from browsers and other tools, so the parser resolves no entities, loads no DTD,
touches no network and refuses a DOCTYPE outright: billion-laughs and external-entity files are
refused before anything looks at them.
"""
from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_BYTES = 5 * 1024 * 1024

SUPPORTED = frozenset(
    """definitions process collaboration participant messageFlow laneSet lane childLaneSet flowNodeRef
    startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent
    userTask serviceTask manualTask task sendTask receiveTask subProcess callActivity
    exclusiveGateway parallelGateway inclusiveGateway eventBasedGateway
    sequenceFlow conditionExpression incoming outgoing documentation extensionElements
    timerEventDefinition timeDate timeDuration messageEventDefinition signalEventDefinition
    errorEventDefinition escalationEventDefinition terminateEventDefinition
    message signal error escalation correlationKey correlationProperty correlationPropertyRef
    correlationPropertyRetrievalExpression messagePath formalExpression
    textAnnotation text association group category categoryValue
    dataObject dataObjectReference dataStoreReference dataInputAssociation dataOutputAssociation
    sourceRef targetRef ioSpecification dataInput dataOutput inputSet outputSet
    dataInputRefs dataOutputRefs property""".split()
)

REFUSED = {
    "scriptTask": "script tasks are not allowed (diagrams may not run code); use a service task",
    "businessRuleTask": "business rule (DMN) tasks are not supported",
    "timeCycle": "cyclic timers are not supported; use a date or duration timer",
    "complexGateway": "complex gateways are not supported",
    "transaction": "transaction subprocesses are not supported",
    "compensateEventDefinition": "compensation events are not supported",
    "conditionalEventDefinition": "conditional events are not supported",
    "linkEventDefinition": "link events are not supported",
    "adHocSubProcess": "ad-hoc subprocesses are not supported",
}


class XmlRefused(ValueError):
    """The bytes are not a BPMN document tiepdan will read; str() says why, in one line, and
    `vi` says it in Vietnamese for legal staff."""

    def __init__(self, message: str, vi: str = ""):
        super().__init__(message)
        self.vi = vi or message


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def parse_bpmn_bytes(data: bytes) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise XmlRefused(
            f"file is {len(data) // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB",
            f"tệp có {len(data) // 1024} KiB, vượt giới hạn {MAX_BYTES // 1024} KiB",
        )
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise XmlRefused(
            "DOCTYPE and entity declarations are not allowed in a BPMN file",
            "tệp BPMN không được chứa khai báo DOCTYPE hay ENTITY",
        )
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as err:
        raise XmlRefused(f"not well-formed XML: {err}", f"tệp không phải XML hợp lệ: {err}") from None
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        found = f"{{{etree.QName(root).namespace}}}{etree.QName(root).localname}"
        raise XmlRefused(
            f"not a BPMN 2.0 document: root element is {found}, expected bpmn:definitions",
            f"tệp không phải sơ đồ BPMN 2.0: phần tử gốc là {found}, cần bpmn:definitions ({BPMN_NS})",
        )
    return root


def element_label(node: etree._Element) -> str:
    return node.get("id") or etree.QName(node).localname
