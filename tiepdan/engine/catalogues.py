"""Loading what legal staff maintain in processes/: roles, forms, rules and document templates."""
from __future__ import annotations

from pathlib import Path

import yaml

from .deadlines import RuleCatalogue
from .forms import load_forms
from .timekeeping import FUNCTION_NAMES
from .validation import ValidationContext


def load_roles(processes_dir: Path) -> dict[str, dict]:
    with open(processes_dir / "roles.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def document_names(processes_dir: Path) -> set[str]:
    folder = processes_dir / "documents"
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def validation_context(processes_dir: Path, operations, catalogue: RuleCatalogue) -> ValidationContext:
    return ValidationContext(
        roles=set(load_roles(processes_dir)),
        operations=operations,
        forms=load_forms(processes_dir / "forms") if (processes_dir / "forms").is_dir() else {},
        rule_ids=set(catalogue.ids()),
        documents=document_names(processes_dir),
        function_names=set(FUNCTION_NAMES),
    )


def rule_fingerprints(catalogue: RuleCatalogue) -> dict[str, list]:
    return {rid: [repr(v) for v in catalogue.versions(rid)] for rid in catalogue.ids()}
