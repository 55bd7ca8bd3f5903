"""What changed between two versions of a diagram, element by element, and the versions of a process.

The diff reads the BPMN XML rather than the parsed specs: legal staff think in diagram elements
and tiepdan's properties (a task's form, its deadline rule, the role of its lane, a service
task's operation and parameters, a flow's ends and condition), several of which the parsed spec
does not keep. Elements are matched by id; diagram layout (BPMN DI) is not compared.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from .bpmn_xml import BPMN_NS, NSMAP, parse_bpmn_bytes
from .library import ProcessLibrary


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    type: str
    name: str
    # what changed: {feature: (before, after)}; empty for an added or removed element
    fields: dict = field(default_factory=dict)

    @property
    def changes(self) -> list[str]:
        return [f"{key}: {_show(old)} → {_show(new)}" for key, (old, new) in self.fields.items()]


@dataclass
class VersionDiff:
    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class VersionRow:
    version_id: int
    process_id: str
    status: str
    content_hash: str
    author: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None
    note: str
    running: int


def diff_versions(xml_a: bytes, xml_b: bytes) -> VersionDiff:
    """Elements added in `xml_b`, removed from `xml_a`, and changed between them."""
    before, after = elements(xml_a), elements(xml_b)
    diff = VersionDiff()
    for eid, (kind, features) in after.items():
        if eid not in before:
            diff.added.append(ElementChange(eid, kind, features.get("name") or ""))
    for eid, (kind, features) in before.items():
        if eid not in after:
            diff.removed.append(ElementChange(eid, kind, features.get("name") or ""))
            continue
        new_kind, new_features = after[eid]
        fields = {}
        if new_kind != kind:
            fields["type"] = (kind, new_kind)
        for key in sorted(features.keys() | new_features.keys()):
            if features.get(key) != new_features.get(key):
                fields[key] = (features.get(key), new_features.get(key))
        if fields:
            diff.changed.append(ElementChange(eid, new_kind, new_features.get("name") or features.get("name") or "", fields))
    return diff


def elements(xml: bytes) -> dict[str, tuple[str, dict]]:
    """{element id: (BPMN type, {feature: value})} for every identified BPMN element."""
    root = parse_bpmn_bytes(xml)
    lanes = {
        ref.strip(): lane.get("name", "")
        for lane in root.xpath("//bpmn:lane", namespaces=NSMAP)
        for ref in lane.xpath("./bpmn:flowNodeRef/text()", namespaces=NSMAP)
    }
    found = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS or not node.get("id"):
            continue
        kind = etree.QName(node).localname
        if kind == "definitions" or kind.endswith("EventDefinition"):
            continue  # an event's definition is a feature of the event
        found[node.get("id")] = (kind, _features(node, lanes))
    return found


def _features(node, lanes: dict[str, str]) -> dict:
    features = {"name": node.get("name") or ""}
    parent = node.getparent()
    if parent is not None and parent.get("id") and etree.QName(parent).localname in ("process", "subProcess"):
        features["parent"] = parent.get("id")
    if node.get("id") in lanes:
        features["role (lane)"] = lanes[node.get("id")]
    for attr in ("sourceRef", "targetRef", "attachedToRef", "cancelActivity", "isInterrupting", "triggeredByEvent"):
        if node.get(attr) is not None:
            features[attr] = node.get(attr)
    condition = node.xpath("./bpmn:conditionExpression/text()", namespaces=NSMAP)
    if condition:
        features["condition"] = condition[0].strip()
    for prop in node.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NSMAP):
        features[prop.get("name")] = prop.get("value", "")
    operator = node.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator", namespaces=NSMAP)
    if operator:
        features["operation"] = operator[0].get("id", "")
        features["result"] = operator[0].get("resultVariable", "")
        features["parameters"] = {
            p.get("id"): p.get("value", "")
            for p in operator[0].xpath(".//spiffworkflow:parameter", namespaces=NSMAP)
        }
    definitions = [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname.endswith("EventDefinition")]
    if definitions:
        features["event"] = ", ".join(sorted(etree.QName(d).localname for d in definitions))
        for d in definitions:
            for timer in d.xpath("./bpmn:timeDate | ./bpmn:timeDuration | ./bpmn:timeCycle", namespaces=NSMAP):
                features[f"timer ({etree.QName(timer).localname})"] = (timer.text or "").strip()
            if d.get("messageRef"):
                features["message"] = d.get("messageRef")
    return features


def list_versions(session: Session, process_id: str) -> list[VersionRow]:
    """The versions of a process, oldest first, with their unfinished instances."""
    return [
        VersionRow(v.id, v.process_id, v.status, v.content_hash, v.created_by, v.created_at, v.published_by,
                   v.published_at, v.note or "", running)
        for v, running in ProcessLibrary.list_versions(session, process_id)
    ]


def _show(value) -> str:
    if value is None:
        return "(không có)"
    return repr(value) if isinstance(value, str) else str(value)
