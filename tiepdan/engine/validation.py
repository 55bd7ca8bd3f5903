"""Checks a BPMN file against what the engine can run and what the process library holds.

One problem per line as `file:element: message`. Nothing here raises for a bad file: every
failure, including a SpiffWorkflow parse error, becomes a Problem.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from . import sandbox
from .bpmn_xml import BPMN_NS, NSMAP, REFUSED, SUPPORTED, XmlRefused, element_label, parse_bpmn_bytes


@dataclass(frozen=True)
class Problem:
    file: str
    element: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.element}: {self.message}"


@dataclass
class ValidationContext:
    """What a diagram may refer to: roles, operations, forms, deadline rules, document templates."""

    roles: set[str]
    operations: Mapping[str, Callable]
    forms: Mapping[str, object]
    rule_ids: set[str]
    documents: set[str]
    function_names: set[str] = field(default_factory=set)


def user_task_properties(node: etree._Element) -> dict[str, str]:
    return {
        p.get("name"): p.get("value", "")
        for p in node.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NSMAP)
    }


def parse_specs(root: etree._Element, filename: str):
    """Parse with SpiffWorkflow; return {process_id: (spec, subprocess_specs)}."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(root, filename=filename)
    return {
        pid: (parser.get_spec(pid), parser.get_subprocess_specs(pid))
        for pid in parser.get_process_ids()
    }


class _Checker:
    def __init__(self, filename: str, ctx: ValidationContext):
        self.filename = filename
        self.ctx = ctx
        self.problems: list[Problem] = []
        self.functions = set(ctx.function_names)

    def add(self, element: str, message: str) -> None:
        self.problems.append(Problem(self.filename, element, message))

    def expression(self, element: str, what: str, source: str | None) -> None:
        if not source or not source.strip():
            self.add(element, f"{what} is empty")
            return
        try:
            sandbox.compile_expression(source.strip(), self.functions)
        except sandbox.SandboxError as err:
            self.add(element, f"{what} '{source.strip()}': {err}")
            return
        for rule_id in _literal_rule_ids(source):
            if rule_id not in self.ctx.rule_ids:
                self.add(element, f"{what} names unknown deadline rule '{rule_id}'")

    def elements(self, root: etree._Element) -> None:
        for node in root.iter():
            if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
                continue
            name = etree.QName(node).localname
            if name in REFUSED:
                self.add(element_label(node.getparent().getparent() if name == "timeCycle" else node), REFUSED[name])
            elif name not in SUPPORTED:
                self.add(element_label(node), f"unsupported BPMN element '{name}'")
        for node in root.xpath("//spiffworkflow:preScript | //spiffworkflow:postScript", namespaces=NSMAP):
            owner = node.getparent().getparent()
            self.add(element_label(owner), "pre/post scripts are not allowed (diagrams may not run code)")

    def lanes(self, root: etree._Element) -> None:
        in_lane = set(root.xpath("//bpmn:lane/bpmn:flowNodeRef/text()", namespaces=NSMAP))
        for lane in root.xpath("//bpmn:lane", namespaces=NSMAP):
            if lane.get("name", "").strip() not in self.ctx.roles and lane.xpath("./bpmn:flowNodeRef", namespaces=NSMAP):
                self.add(
                    element_label(lane),
                    f"lane '{lane.get('name', '')}' is not a known role (known: {', '.join(sorted(self.ctx.roles))})",
                )
        for task in root.xpath("//bpmn:userTask | //bpmn:manualTask", namespaces=NSMAP):
            if task.get("id") not in in_lane:
                self.add(element_label(task), "user task is not in a lane naming a role")

    def event_windows(self, root: etree._Element) -> None:
        """`active_during` of an event subprocess names activities of the same diagram, and the
        event subprocess starts with a message (the only kind a window can refuse)."""
        for node in root.xpath("//bpmn:subProcess[@triggeredByEvent='true']", namespaces=NSMAP):
            during = user_task_properties(node).get("active_during")
            if during is None:
                continue
            if not node.xpath("./bpmn:startEvent/bpmn:messageEventDefinition", namespaces=NSMAP):
                self.add(element_label(node), "active_during needs a message start event")
            for activity in filter(None, (a.strip() for a in during.split(","))):
                found = root.xpath("//*[@id=$id]", id=activity)
                if not found or etree.QName(found[0]).localname not in ("subProcess", "callActivity", "userTask",
                                                                         "manualTask", "serviceTask", "task"):
                    self.add(element_label(node), f"active_during: '{activity}' is not an activity of this diagram")

    def user_tasks(self, root: etree._Element) -> None:
        for task in root.xpath("//bpmn:userTask", namespaces=NSMAP):
            label = element_label(task)
            props = user_task_properties(task)
            form = props.get("form")
            if not form:
                self.add(label, "user task names no form (property 'form')")
            elif form not in self.ctx.forms:
                self.add(label, f"form '{form}' does not exist in processes/forms")
            rule = props.get("deadline_rule")
            if rule and rule not in self.ctx.rule_ids:
                self.add(label, f"deadline rule '{rule}' is not in the rule catalogue")
            if props.get("deadline_from"):
                self.expression(label, "deadline start", props["deadline_from"])
            if props.get("deadline_variant"):
                if not rule:
                    self.add(label, "deadline_variant needs a deadline_rule to vary")
                self.expression(label, "deadline variant", props["deadline_variant"])
            if props.get("deadline_adjusted", "").strip().lower() not in ("", "true", "false"):
                self.add(label, f"deadline_adjusted must be true or false, not '{props['deadline_adjusted']}'")
            for doc in filter(None, (d.strip() for d in props.get("documents", "").split(","))):
                if doc not in self.ctx.documents:
                    self.add(label, f"document template '{doc}' does not exist in processes/documents")

    def service_tasks(self, root: etree._Element) -> None:
        for task in root.xpath("//bpmn:serviceTask", namespaces=NSMAP):
            label = element_label(task)
            ops = task.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator", namespaces=NSMAP)
            if not ops:
                self.add(label, "service task names no operation (spiffworkflow:serviceTaskOperator)")
                continue
            name = ops[0].get("id", "")
            if root.xpath("//bpmn:*[@id=$name]", namespaces=NSMAP, name=name):
                # SpiffWorkflow finds nodes by id anywhere in the file and would take the element.
                self.add(label, f"operation '{name}' has the same name as a BPMN element id; rename the element")
            handler = self.ctx.operations.get(name)
            if handler is None:
                self.add(label, f"operation '{name}' is not a registered handler")
            given = set()
            for param in ops[0].xpath(".//spiffworkflow:parameter", namespaces=NSMAP):
                given.add(param.get("id"))
                self.expression(label, f"parameter '{param.get('id')}'", param.get("value"))
            for required in getattr(handler, "required_params", ()):
                if required not in given:
                    self.add(label, f"operation '{name}' needs parameter '{required}'")

    def flows_and_timers(self, root: etree._Element) -> None:
        for cond in root.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression", namespaces=NSMAP):
            self.expression(element_label(cond.getparent()), "condition", cond.text)
        for timer in root.xpath("//bpmn:timeDate | //bpmn:timeDuration", namespaces=NSMAP):
            owner = timer.getparent().getparent()
            self.expression(element_label(owner), "timer expression", timer.text)

    def spiff(self, root: etree._Element) -> None:
        try:
            specs = parse_specs(root, self.filename)
        except ValidationException as err:
            self.add(getattr(err, "id", None) or "process", f"BPMN error: {err.args[0] if err.args else err}")
            return
        except Exception as err:  # the parser raises assorted errors on odd files
            self.add("process", f"BPMN error: {type(err).__name__}: {err}")
            return
        if not specs:
            self.add("process", "no executable process (isExecutable=\"true\") in this file")


def validate_bytes(data: bytes, filename: str, ctx: ValidationContext) -> list[Problem]:
    try:
        root = parse_bpmn_bytes(data)
    except XmlRefused as err:
        return [Problem(filename, "file", str(err))]
    checker = _Checker(filename, ctx)
    checker.elements(root)
    checker.lanes(root)
    checker.user_tasks(root)
    checker.event_windows(root)
    checker.service_tasks(root)
    checker.flows_and_timers(root)
    if not checker.problems:
        # Spiff's own checks last: its errors are less precise than ours.
        checker.spiff(root)
    return checker.problems


def _literal_rule_ids(source: str) -> Iterable[str]:
    """Rule ids passed as literals to deadline(...), so a typo is caught before publication."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return []
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"deadline", "deadline_end"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
