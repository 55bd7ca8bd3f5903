"""Drafts: versions legal staff save from the modeler, published only through the gate.

A draft is a `ProcessVersion` row with status `draft`. Its `content_hash` is the hash of the
version it would become, prefixed before hashing again (`draft_hash`), so a draft never collides
with a published version of the same content under the (process_id, content_hash) constraint,
and saving the same content twice returns the same draft. Publishing recomputes the real hash
(forms or rules may have changed since the draft was saved): if a version with that content
already exists it is made current again and the draft row is dropped; otherwise the draft row
itself becomes the published version.

The gate: a reason, a clean validation, and every scenario of the process passing against the
draft's diagram (engine.scenarios). Each refusal lists every reason and changes nothing.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .bpmn_import import BpmnRejected, check_bpmn
from .bpmn_xml import NSMAP, parse_bpmn_bytes
from .clock import Clock
from .library import ProcessLibrary, PublishRefused, referenced_assets, version_hash
from .models import ProcessVersion
from .validation import Problem


@dataclass
class DraftResult:
    version_id: int
    problems: list[Problem] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)
    created: bool = True


def draft_hash(digest: str) -> str:
    return hashlib.sha256(f"draft:{digest}".encode()).hexdigest()


def save_draft(
    session: Session,
    library: ProcessLibrary,
    process_id: str,
    xml: bytes,
    author: str,
    note: str = "",
    clock: Clock | None = None,
) -> DraftResult:
    """Store `xml` as a draft of `process_id`, even with validation problems (they are returned,
    by element, for the modeler to mark). A refused file (BpmnRejected) stores nothing."""
    clock = clock or Clock()
    report = check_bpmn(xml, f"{process_id}.bpmn")
    if process_id not in report.process_ids:
        raise BpmnRejected(
            f"tệp không có quy trình '{process_id}' (có: {', '.join(report.process_ids)})",
            f"the file has no process '{process_id}' (it has: {', '.join(report.process_ids)})",
        )
    filename = f"{process_id}.bpmn"
    problems = library.validate(report.xml, filename)
    assets = referenced_assets(report.xml, library.ctx, library.processes_dir)
    digest = draft_hash(version_hash(report.xml, assets, library.rule_fingerprints))
    existing = session.execute(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id, ProcessVersion.content_hash == digest)
    ).scalar_one_or_none()
    if existing is not None:
        return DraftResult(existing.id, problems, report.unsupported, created=False)
    name = parse_bpmn_bytes(report.xml).xpath("//bpmn:process[@id=$pid]/@name", namespaces=NSMAP, pid=process_id)
    draft = ProcessVersion(
        process_id=process_id,
        name=name[0] if name else process_id,
        content_hash=digest,
        status="draft",
        bpmn_xml=report.xml.decode("utf-8"),
        assets=assets,
        source_path=filename,
        created_at=clock.now(),
        created_by=author,
        note=note,
    )
    session.add(draft)
    session.flush()
    audit.record(
        session, actor=author, action="process.draft", clock=clock,
        detail={"process_id": process_id, "version_id": draft.id, "problems": len(problems), "note": note},
    )
    return DraftResult(draft.id, problems, report.unsupported)


def publish_draft(
    session: Session,
    library: ProcessLibrary,
    version_id: int,
    actor: str,
    reason: str,
    scenario_runner: Callable | None = None,
    clock: Clock | None = None,
) -> ProcessVersion:
    """Publish a draft, or raise PublishRefused listing why (nothing changes then).

    `scenario_runner(processes_dir, process_id, xml_override=...)` returns ScenarioResults;
    the default runs processes/scenarios/<process_id>.yaml on a throwaway database."""
    clock = clock or Clock()
    draft = session.get(ProcessVersion, version_id)
    if draft is None or draft.status != "draft":
        state = "không tồn tại" if draft is None else f"đang ở trạng thái {draft.status}"
        raise PublishRefused([Problem("", "", f"phiên bản {version_id} {state}, không phải bản nháp")])
    filename, xml = draft.source_path or f"{draft.process_id}.bpmn", draft.bpmn_xml.encode("utf-8")
    refusals = []
    if not reason or not reason.strip():
        refusals.append(Problem(filename, "", "cần nêu lý do ban hành"))
    refusals += library.validate(xml, filename)
    if refusals:
        raise PublishRefused(refusals)
    if scenario_runner is None:
        from .scenarios import run_scenarios as scenario_runner
    failed = [
        Problem(filename, "", f"kịch bản '{r.name}': {failure}")
        for r in scenario_runner(library.processes_dir, draft.process_id, xml_override=xml)
        if not r.ok
        for failure in r.failures
    ]
    if failed:
        raise PublishRefused(failed)

    assets = referenced_assets(xml, library.ctx, library.processes_dir)
    digest = version_hash(xml, assets, library.rule_fingerprints)
    version = session.execute(
        select(ProcessVersion).where(ProcessVersion.process_id == draft.process_id, ProcessVersion.content_hash == digest)
    ).scalar_one_or_none()
    if version is not None:  # the same content was published before: it becomes current again
        session.delete(draft)
    else:
        version, version.content_hash, version.assets = draft, digest, assets
    version.status, version.published_at, version.published_by, version.note = "published", clock.now(), actor, reason.strip()
    session.flush()
    audit.record(
        session, actor=actor, action="process.publish", clock=clock,
        detail={"process_id": version.process_id, "version_id": version.id, "draft_id": version_id,
                "hash": digest, "note": reason.strip()},
    )
    return version
