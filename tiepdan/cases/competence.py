"""Competence (thẩm quyền): which unit resolves a petition, from processes/competence.yaml.

The rules name a resolver relative to the *subject* unit (whose act is complained about, whose
official is denounced, which received a recommendation): the subject itself, its parent, the
department of its province with a function, or the unit of a kind in its province. `None` means
no unit on this system is competent (e.g. the second instance above a province is a ministry):
the officer then guides or transfers by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import datafiles
from .errors import DataFileError
from .models import Unit
from .vocab import UNIT_KINDS

FILE_NAME = "competence.yaml"
_RESOLVER_PREFIXES = ("function:", "kind:")


@dataclass(frozen=True)
class CompetenceRules:
    complaint: dict[str, str]  # first_instance | second_instance -> resolver
    denunciation: dict[str, str]  # official | head -> resolver
    recommendation_by_field: dict[str, str]
    recommendation_default: str
    special: dict[str, str]  # signs_of_crime | party_rule_breach | anonymous_denunciation -> resolver
    fields: dict[str, tuple[str, str]]  # field code -> (label, label_en)


def _resolver(path: Path, where: str, value) -> str:
    if value in ("subject", "parent"):
        return value
    if isinstance(value, str) and value.startswith(_RESOLVER_PREFIXES) and value.split(":", 1)[1]:
        if value.startswith("kind:") and value[5:] not in UNIT_KINDS:
            raise DataFileError(f"{path}: {where}: unknown unit kind {value[5:]!r}")
        return value
    raise DataFileError(
        f"{path}: {where}: resolver must be subject, parent, function:<code> or kind:<code>, got {value!r}"
    )


def _parse(path: Path) -> CompetenceRules:
    doc = datafiles.read_yaml(path)
    doc = datafiles._mapping(path, "file", doc, {"complaint", "denunciation", "recommendation", "special", "fields"},
                             {"complaint", "denunciation", "recommendation", "special", "fields"})
    complaint = datafiles._mapping(path, "complaint", doc["complaint"], {"first_instance", "second_instance"},
                                   {"first_instance", "second_instance"})
    denunciation = datafiles._mapping(path, "denunciation", doc["denunciation"], {"official", "head"},
                                      {"official", "head"})
    recommendation = datafiles._mapping(path, "recommendation", doc["recommendation"], {"by_field", "default"},
                                        {"by_field", "default"})
    special_keys = {"signs_of_crime", "party_rule_breach", "anonymous_denunciation"}
    special = datafiles._mapping(path, "special", doc["special"], special_keys, special_keys)
    if not isinstance(doc["fields"], dict) or not doc["fields"]:
        raise DataFileError(f"{path}: fields: expected a mapping of field codes")
    fields = {}
    for code, entry in doc["fields"].items():
        entry = datafiles._mapping(path, f"fields.{code}", entry, {"label", "label_en"}, {"label"})
        fields[str(code)] = (str(entry["label"]), str(entry.get("label_en") or entry["label"]))
    by_field = recommendation["by_field"] or {}
    if not isinstance(by_field, dict):
        raise DataFileError(f"{path}: recommendation.by_field: expected a mapping")
    for code in by_field:
        if code not in fields:
            raise DataFileError(f"{path}: recommendation.by_field.{code}: not a field listed under fields")
    return CompetenceRules(
        complaint={k: _resolver(path, f"complaint.{k}", v) for k, v in complaint.items()},
        denunciation={k: _resolver(path, f"denunciation.{k}", v) for k, v in denunciation.items()},
        recommendation_by_field={k: _resolver(path, f"recommendation.by_field.{k}", v) for k, v in by_field.items()},
        recommendation_default=_resolver(path, "recommendation.default", recommendation["default"]),
        special={k: _resolver(path, f"special.{k}", v) for k, v in special.items()},
        fields=fields,
    )


def load_rules(processes_dir: Path) -> CompetenceRules:
    """The rules of `processes_dir`/competence.yaml (re-read when the file changes)."""
    path = processes_dir / FILE_NAME
    return datafiles.cached("competence", path, _parse)


def resolve(session: Session, resolver: str, subject: Unit) -> Unit | None:
    """The unit `resolver` names for `subject`, or None when it is not on this system's tree."""
    if resolver == "subject":
        return subject
    if resolver == "parent":
        return subject.parent
    attribute, code = resolver.split(":", 1)
    column = Unit.function if attribute == "function" else Unit.kind
    return session.execute(
        select(Unit).where(column == code, Unit.province_code == subject.province_code, Unit.valid_to.is_(None))
        .order_by(Unit.depth, Unit.id).limit(1)
    ).scalar_one_or_none()


def resolver_for(
    rules: CompetenceRules,
    *,
    petition_type: str,
    field: str | None = None,
    second_instance: bool = False,
    against_head: bool = False,
    signs_of_crime: bool = False,
    party_rule_breach: bool = False,
    anonymous: bool = False,
) -> str:
    """The resolver that applies to a petition of this kind (signs of crime come first: the
    investigation body takes it at once, whatever the type)."""
    if signs_of_crime:
        return rules.special["signs_of_crime"]
    if party_rule_breach:
        return rules.special["party_rule_breach"]
    if petition_type == "complaint":
        return rules.complaint["second_instance" if second_instance else "first_instance"]
    if petition_type == "denunciation" and anonymous:
        return rules.special["anonymous_denunciation"]
    if petition_type == "denunciation":
        return rules.denunciation["head" if against_head else "official"]
    return rules.recommendation_by_field.get(field or "", rules.recommendation_default)


def competent_unit(session: Session, rules: CompetenceRules, subject: Unit, **kind) -> Unit | None:
    """The unit competent for a petition about `subject` (see `resolver_for` for `kind`)."""
    return resolve(session, resolver_for(rules, **kind), subject)
