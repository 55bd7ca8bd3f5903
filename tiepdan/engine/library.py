"""The process library: immutable versions of BPMN processes, and their parsed specs cached.

A version is named by a content hash over the BPMN and every form, deadline rule and document
template it references, so editing any of them and publishing again makes a new version while
running instances stay pinned to theirs. The version row holds the BPMN and the forms it uses;
the parsed spec is kept in memory, once per version per process.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from . import audit
from .bpmn_xml import NSMAP, parse_bpmn_bytes
from .clock import Clock
from .driver_sql import DriverStatement
from .forms import FormDefinition, content_hash as form_hash, parse_form
from .models import ProcessInstance, ProcessVersion
from .spiff_bridge import share_specs_safely, use_engine_clock
from .validation import Problem, ValidationContext, parse_specs, user_task_properties, validate_bytes


_VERSIONS = ProcessVersion.__table__
_LATEST_PUBLISHED = DriverStatement(
    "SELECT id FROM process_version WHERE process_id = :pid AND status = 'published' "
    "ORDER BY published_at DESC, id DESC LIMIT 1"
)


class PublishRefused(Exception):
    """Validation failed; nothing was stored. `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class UserTaskInfo:
    spec_name: str
    name: str
    role: str
    form: str | None
    deadline_rule: str | None
    deadline_from: str | None
    documents: tuple[str, ...]
    # An expression giving the suffix of the rule id chosen on the case (".complex", ...).
    deadline_variant: str | None = None
    # The case's own clock applies: its suspensions and extension decisions (see Runtime).
    deadline_adjusted: bool = False


@dataclass
class LoadedVersion:
    """A version ready to run: its parsed spec and what its user tasks need."""

    version_id: int
    process_id: str
    spec: Any
    subprocess_specs: dict
    forms: dict[str, FormDefinition]
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)
    # message name -> the activities during which the event subprocess it starts may be raised
    # (an event subprocess's `active_during` property): outside them the message is refused.
    event_windows: dict[str, frozenset[str]] = field(default_factory=dict)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def referenced_assets(xml: bytes, ctx: ValidationContext, processes_dir: Path) -> dict:
    """The forms, rules and documents a diagram uses, with what identifies their content."""
    root = parse_bpmn_bytes(xml)
    forms, rules, documents = {}, set(), {}
    for task in root.xpath("//bpmn:userTask", namespaces=NSMAP):
        props = user_task_properties(task)
        if props.get("form") in ctx.forms:
            forms[props["form"]] = ctx.forms[props["form"]].to_dict()
        if props.get("deadline_rule"):
            rules.add(props["deadline_rule"])
        for doc in filter(None, (d.strip() for d in props.get("documents", "").split(","))):
            path = processes_dir / "documents" / doc
            if path.is_file():
                documents[doc] = _sha256(path.read_bytes())
    return {"forms": forms, "rules": sorted(rules), "documents": documents}


def version_hash(xml: bytes, assets: dict, rule_fingerprints: dict[str, Any]) -> str:
    canonical = json.dumps(
        {
            "bpmn": _sha256(xml),
            "forms": {name: form_hash(parse_form(name, d)) for name, d in assets["forms"].items()},
            "rules": {rid: rule_fingerprints.get(rid) for rid in assets["rules"]},
            "documents": assets["documents"],
        },
        sort_keys=True,
        default=str,
    )
    return _sha256(canonical.encode())


class ProcessLibrary:
    def __init__(self, processes_dir: Path, ctx: ValidationContext, rule_fingerprints: dict[str, Any] | None = None):
        self.processes_dir = processes_dir
        self.ctx = ctx
        self.rule_fingerprints = rule_fingerprints or {}
        self._cache: dict[int, LoadedVersion] = {}
        self._lock = threading.Lock()

    # --- validation and publication -----------------------------------------------------

    def validate(self, xml: bytes, filename: str) -> list[Problem]:
        return validate_bytes(xml, filename, self.ctx)

    def publish(
        self,
        session: Session,
        xml: bytes,
        filename: str,
        actor: str,
        note: str = "",
        clock: Clock | None = None,
    ) -> list[ProcessVersion]:
        """Validate and store one published version per executable process in the file.

        Publishing identical content again returns the existing versions (same hash).
        """
        problems = self.validate(xml, filename)
        if problems:
            raise PublishRefused(problems)
        clock = clock or Clock()
        root = parse_bpmn_bytes(xml)
        assets = referenced_assets(xml, self.ctx, self.processes_dir)
        digest = version_hash(xml, assets, self.rule_fingerprints)
        versions = []
        for process_id in parse_specs(root, filename):
            existing = session.execute(
                select(ProcessVersion).where(
                    ProcessVersion.process_id == process_id, ProcessVersion.content_hash == digest
                )
            ).scalar_one_or_none()
            if existing is not None:
                versions.append(existing)
                continue
            name = root.xpath(f"//bpmn:process[@id='{process_id}']/@name", namespaces=NSMAP)
            version = ProcessVersion(
                process_id=process_id,
                name=name[0] if name else process_id,
                content_hash=digest,
                status="published",
                bpmn_xml=xml.decode("utf-8"),
                assets=assets,
                source_path=filename,
                created_at=clock.now(),
                created_by=actor,
                published_at=clock.now(),
                published_by=actor,
                note=note,
            )
            session.add(version)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="process.publish",
                detail={"process_id": process_id, "version_id": version.id, "hash": digest, "note": note},
                clock=clock,
            )
            versions.append(version)
        return versions

    # --- lookup and the spec cache -------------------------------------------------------

    @staticmethod
    def latest_published(executor, process_id: str) -> int | None:
        """The id of the version new instances of `process_id` start on."""
        return _LATEST_PUBLISHED.execute(executor, {"pid": process_id}).scalar_one_or_none()

    @staticmethod
    def list_versions(session: Session, process_id: str | None = None) -> list[tuple[ProcessVersion, int]]:
        """Every version (of `process_id`, if given) with its number of unfinished instances."""
        running = (
            select(ProcessInstance.version_id, func.count().label("n"))
            .where(ProcessInstance.status.notin_(["completed", "terminated"]))
            .group_by(ProcessInstance.version_id)
            .subquery()
        )
        query = (
            select(ProcessVersion, func.coalesce(running.c.n, 0))
            .outerjoin(running, running.c.version_id == ProcessVersion.id)
            .order_by(ProcessVersion.process_id, ProcessVersion.id)
        )
        if process_id is not None:
            query = query.where(ProcessVersion.process_id == process_id)
        rows = session.execute(query).all()
        return [(v, n) for v, n in rows]

    def load(self, executor, version_id: int) -> LoadedVersion:
        """The parsed version; `executor` (a session or connection) is used on a cache miss only."""
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        with self._lock:
            if version_id not in self._cache:
                row = executor.execute(select(_VERSIONS).where(_VERSIONS.c.id == version_id)).first()
                if row is None:
                    raise LookupError(f"process version {version_id} does not exist")
                self._cache[version_id] = self._parse(row)
            return self._cache[version_id]

    def _parse(self, version) -> LoadedVersion:
        root = parse_bpmn_bytes(version.bpmn_xml.encode("utf-8"))
        spec, subprocess_specs = parse_specs(root, version.source_path)[version.process_id]
        use_engine_clock([spec, *subprocess_specs.values()])
        share_specs_safely([spec, *subprocess_specs.values()])
        forms = {name: parse_form(name, d) for name, d in version.assets.get("forms", {}).items()}
        lanes = {
            ref: lane.get("name", "").strip()
            for lane in root.xpath("//bpmn:lane", namespaces=NSMAP)
            for ref in lane.xpath("./bpmn:flowNodeRef/text()", namespaces=NSMAP)
        }
        user_tasks = {}
        for node in root.xpath("//bpmn:userTask | //bpmn:manualTask", namespaces=NSMAP):
            props = user_task_properties(node)
            user_tasks[node.get("id")] = UserTaskInfo(
                spec_name=node.get("id"),
                name=node.get("name") or node.get("id"),
                role=lanes.get(node.get("id"), ""),
                form=props.get("form"),
                deadline_rule=props.get("deadline_rule") or None,
                deadline_from=props.get("deadline_from") or None,
                documents=tuple(filter(None, (d.strip() for d in props.get("documents", "").split(",")))),
                deadline_variant=props.get("deadline_variant") or None,
                deadline_adjusted=props.get("deadline_adjusted", "").strip().lower() == "true",
            )
        return LoadedVersion(version.id, version.process_id, spec, subprocess_specs, forms, user_tasks,
                             event_windows(root))


def event_windows(root) -> dict[str, frozenset[str]]:
    """For each message starting an event subprocess with an `active_during` property (activity
    ids, comma-separated), the activities during which the message is accepted."""
    names = {m.get("id"): m.get("name") for m in root.xpath("//bpmn:message", namespaces=NSMAP)}
    windows = {}
    for node in root.xpath("//bpmn:subProcess[@triggeredByEvent='true']", namespaces=NSMAP):
        during = user_task_properties(node).get("active_during", "")
        activities = frozenset(filter(None, (a.strip() for a in during.split(","))))
        if not activities:
            continue
        for ref in node.xpath("./bpmn:startEvent/bpmn:messageEventDefinition/@messageRef", namespaces=NSMAP):
            windows[names.get(ref, ref)] = activities
    return windows
