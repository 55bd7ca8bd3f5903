"""Generating a case's documents from the templates in processes/documents/.

Templates are plain text with Jinja placeholders, edited by legal staff, rendered in Jinja's
immutable sandbox (a template can read the values it is given and call nothing else) with
undefined names as errors, so a typo in a template fails the step with its name instead of
printing a blank. The values come from `identity.redacted_view`: a sealed identity is never in
what a template can reach.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tiepdan.cases.documents import issue_document, next_number
from tiepdan.cases.identity import redacted_view
from tiepdan.cases.models import CaseDocument, Petition, Reception, Unit
from tiepdan.engine.clock import utc_to_local

from . import context


@lru_cache(maxsize=8)
def _environment(folder: str) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(folder), undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
        auto_reload=True,
    )
    env.filters["vn_date"] = vn_date
    return env


def vn_date(value) -> str:
    """An ISO date (or None) as dd/mm/yyyy, the way Vietnamese documents write dates."""
    if not value:
        return "…/…/……"
    return date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")


def render(processes_dir: Path, template: str, values: dict) -> str:
    try:
        return _environment(str(processes_dir / "documents")).get_template(template).render(**values)
    except TemplateError as err:
        raise ValueError(f"mẫu văn bản {template}: {err}") from err


def _unit(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "head_title": unit.head_title, "abbreviation": unit.abbreviation}


def produce(
    ctx,
    *,
    kind: str,
    template: str,
    unit: Unit,
    petition: Petition | None = None,
    reception: Reception | None = None,
    leaves_unit: bool = False,
    extra: dict | None = None,
    number: tuple[int, int, str] | None = None,
) -> CaseDocument:
    """Render `template` for the case and store it as a numbered document of `unit` (with
    `number` when one was reserved with `next_number`)."""
    session = ctx.session
    number = number or next_number(session, unit, kind, clock=ctx.clock)
    issued_on = utc_to_local(ctx.clock.now()).date()
    values = {
        "number": number[2],
        "issued_on": issued_on.strftime("%d/%m/%Y"),
        "unit": _unit(unit),
        "case": redacted_view(session, petition) if petition is not None else None,
        **(extra or {}),
    }
    body = render(context.processes_dir(ctx), template, values)
    return issue_document(
        session, kind=kind, unit=unit, body=body, created_by=ctx.actor, petition=petition, reception=reception,
        leaves_unit=leaves_unit, number=number, clock=ctx.clock,
    )
