"""Generating a case's documents from the templates in processes/documents/.

Templates are edited by legal staff: plain text with Jinja placeholders (`*.txt`) or Word files
filled with docxtpl (`*.docx`, made by scripts/make_document_templates.py). Both are rendered in
Jinja's immutable sandbox (a template can read the values it is given and call nothing else) with
undefined names as errors, so a typo in a template fails the step with its name instead of
printing a blank. A Word template is XML, so its environment escapes the values (a "&" in a
petition must not break the file); the text one does not. The values come from
`identity.redacted_view`: a sealed identity is never in what a template can reach.

Values: `number`, `issued_on` (dd/mm/yyyy), `unit` (code, name, head_title, abbreviation), `case`
(the redacted view, or None), `doc` (a dict of per-document values, empty unless given) and
whatever else the caller passes in `extra`. Filters: `vn_date` (02/03/2026) and `vn_long_date`
(ngày 02 tháng 03 năm 2026).
"""
from __future__ import annotations

import io
import zipfile
from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml.etree import XMLSyntaxError

from tiepdan.cases.documents import DOCX, issue_document, next_number
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
    env.filters["vn_long_date"] = vn_long_date
    return env


@lru_cache(maxsize=1)
def _docx_environment() -> ImmutableSandboxedEnvironment:
    """The same sandbox for Word templates (docxtpl hands it the document's XML as a string), with
    values escaped as XML."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters["vn_date"] = vn_date
    env.filters["vn_long_date"] = vn_long_date
    return env


def _parse_date(value) -> date:
    text = str(value).strip()
    if len(text) >= 10 and text[2] == "/" and text[5] == "/":  # already dd/mm/yyyy
        return date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
    return date.fromisoformat(text[:10])


def vn_date(value) -> str:
    """An ISO date (or None) as dd/mm/yyyy, the way Vietnamese documents write dates."""
    if not value:
        return "…/…/……"
    return _parse_date(value).strftime("%d/%m/%Y")


def vn_long_date(value) -> str:
    """An ISO or dd/mm/yyyy date (or None) as "ngày 02 tháng 03 năm 2026", the date line of an
    administrative document."""
    if not value:
        return "ngày … tháng … năm ……"
    day = _parse_date(value)
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def render(processes_dir: Path, template: str, values: dict) -> str:
    try:
        return _environment(str(processes_dir / "documents")).get_template(template).render(**values)
    except TemplateError as err:
        raise ValueError(f"mẫu văn bản {template}: {err}") from err


def render_docx(processes_dir: Path, template: str, values: dict) -> bytes:
    """The Word template `template` of processes/documents/ filled with `values`, as DOCX bytes."""
    from docxtpl import DocxTemplate

    path = processes_dir / "documents" / template
    if not path.is_file():
        raise ValueError(f"mẫu văn bản {template}: không tìm thấy tệp")
    try:
        document = DocxTemplate(str(path))
        document.render(values, jinja_env=_docx_environment())
        out = io.BytesIO()
        document.save(out)
    except TemplateError as err:
        raise ValueError(f"mẫu văn bản {template}: {err}") from err
    except (XMLSyntaxError, zipfile.BadZipFile, KeyError) as err:
        raise ValueError(f"mẫu văn bản {template}: tệp Word không hợp lệ sau khi điền ({err})") from err
    return out.getvalue()


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
        "doc": {},
        **(extra or {}),
    }
    if template.lower().endswith(".docx"):
        content = render_docx(context.processes_dir(ctx), template, values)
        stored = dict(content=content, extension="docx", media_type=DOCX)
    else:
        stored = dict(body=render(context.processes_dir(ctx), template, values))
    return issue_document(
        session, kind=kind, unit=unit, created_by=ctx.actor, petition=petition, reception=reception,
        leaves_unit=leaves_unit, number=number, clock=ctx.clock, **stored,
    )
