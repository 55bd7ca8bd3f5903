"""The data files legal staff edit: the shipped ones parse, malformed ones are refused with one
line naming the file, an edited file is read again."""
from __future__ import annotations

import os
from datetime import date

import pytest

from tiepdan.cases import datafiles
from tiepdan.cases.errors import DataFileError
from tiepdan.cases.vocab import LEVELS, PETITION_TYPES, UNIT_KINDS
from tiepdan.config import REPO_ROOT
from tiepdan.engine.catalogues import load_roles


def test_the_shipped_files_parse():
    grounds = datafiles.refusal_grounds()
    assert len(grounds) == 14 and grounds["ltcd_9_3_resolved"].written_notice
    assert all(g.valid_from == date(2026, 7, 1) and g.to_verify for c, g in grounds.items() if c.startswith("nd154"))
    reasons = datafiles.ineligibility_reasons()
    assert {"no_signature", "anonymous_no_evidence", "duplicate", "already_resolved"} <= set(reasons)
    access = datafiles.identity_access()
    assert access.sealed_types == {"denunciation", "mixed"} and access.sealed_types <= set(PETITION_TYPES)
    assert access.sealed.units == {"receiving", "holding"}
    roles = set(load_roles(REPO_ROOT / "processes"))
    assert access.sealed.roles <= roles and access.open.roles <= roles
    bands = datafiles.representation_bands()
    assert [(b.min_people, b.max_people, b.min_representatives, b.max_representatives) for b in bands] == [
        (5, 10, 1, 2), (11, None, 1, 5)
    ]
    template = datafiles.province_template()
    assert all(u["kind"] in UNIT_KINDS and u["level"] in LEVELS for u in template["units"])


def _write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


GROUND = "{code: a, label: A, label_en: A, basis: B"

MALFORMED = [
    (datafiles.refusal_grounds, "grounds: [" + GROUND + "}\n", "not valid YAML"),
    (datafiles.refusal_grounds, "", "top level: expected a mapping, got NoneType"),
    (datafiles.refusal_grounds, "- a\n- b\n", "top level: expected a mapping, got list"),
    (datafiles.refusal_grounds, "grounds: {}\nextra: 1\n", "unknown key 'extra'"),
    (datafiles.refusal_grounds, "grounds: {a: 1}\n", "grounds: expected a list"),
    (datafiles.refusal_grounds, "grounds:\n  - {code: a, label: A, basis: B}\n", "grounds[0]: missing 'label_en'"),
    (datafiles.refusal_grounds, f"grounds:\n  - {GROUND}}}\n  - {GROUND}}}\n", "grounds[1]: duplicate code 'a'"),
    (datafiles.refusal_grounds, f"grounds:\n  - {GROUND}, valid_from: 2026-13-01}}\n",
     "not valid YAML: month must be in 1..12"),
    (datafiles.refusal_grounds, f"grounds:\n  - {GROUND}, valid_from: 1 July 2026}}\n",
     "grounds[0].valid_from: expected a date YYYY-MM-DD, got '1 July 2026'"),
    (datafiles.refusal_grounds, f"grounds:\n  - {GROUND}, valid_from: 2026-07-01, valid_to: 2026-06-30}}\n",
     "grounds[0]: valid_to is before valid_from"),
    (datafiles.refusal_grounds, f"grounds:\n  - {GROUND}, valid: yes}}\n", "grounds[0]: unknown key 'valid'"),
    (datafiles.ineligibility_reasons, "reasons:\n  - {code: a, label: A}\n", "reasons[0]: missing 'label_en'"),
    (datafiles.ineligibility_reasons, "reasons:\n  - just a string\n", "reasons[0]: expected a mapping, got str"),
    (datafiles.identity_access,
     "sealed_types: [denunciation]\nsealed: {roles: [leader], units: [everywhere]}\nopen: {roles: [], units: []}\n",
     "sealed.units: unknown scope 'everywhere'"),
    (datafiles.identity_access,
     "sealed_types: [denunciation]\nsealed: {roles: leader, units: [holding]}\nopen: {roles: [], units: []}\n",
     "sealed.roles: expected a list of codes"),
    (datafiles.identity_access,
     "sealed_types: denunciation\nsealed: {roles: [leader], units: [holding]}\nopen: {roles: [], units: []}\n",
     "sealed_types: expected a list of petition types"),
    # A misspelt type would silently unseal every denouncer.
    (datafiles.identity_access,
     "sealed_types: [denunciaton]\nsealed: {roles: [leader], units: [holding]}\nopen: {roles: [], units: []}\n",
     "sealed_types: unknown petition type 'denunciaton'"),
    (datafiles.identity_access, "sealed_types: [denunciation]\nsealed: {roles: [leader], units: [holding]}\n",
     "top level: missing 'open'"),
    (datafiles.representation_bands,
     "bands:\n  - {min_people: 5, max_people: 10, min_representatives: 3, max_representatives: 2}\n",
     "bands[0]: min_representatives is greater than max_representatives"),
    (datafiles.representation_bands,
     "bands:\n  - {min_people: 5, max_people: ten, min_representatives: 1, max_representatives: 2}\n",
     "bands[0].max_people: expected a whole number, got 'ten'"),
    (datafiles.representation_bands,
     "bands:\n  - {min_people: -5, min_representatives: 1, max_representatives: 2}\n",
     "bands[0].min_people: expected a whole number, got -5"),
    (datafiles.representation_bands,
     "bands:\n  - {min_people: true, min_representatives: 1, max_representatives: 2}\n",
     "bands[0].min_people: expected a whole number, got True"),
    (datafiles.representation_bands,
     "bands:\n  - {min_people: 10, max_people: 5, min_representatives: 1, max_representatives: 2}\n",
     "bands[0]: max_people is less than min_people"),
    (datafiles.province_template,
     "units:\n  - {key: B, parent: A, kind: other, level: province, name: B}\n"
     "  - {key: A, kind: other, level: province, name: A}\n"
     "communes: {parent: A, kind: other, level: commune, name: X}\n",
     "units[0]: parent 'A' must be listed before it"),
    (datafiles.province_template,
     "units:\n  - {key: A, kind: other, level: province, name: A}\n"
     "communes: {parent: Z, kind: other, level: commune, name: X}\n",
     "communes: unknown parent 'Z'"),
]


@pytest.mark.parametrize("load, text, message", MALFORMED)
def test_malformed_files_are_refused_in_one_line_naming_the_file(tmp_path, load, text, message):
    path = _write(tmp_path, "data.yaml", text)
    with pytest.raises(DataFileError) as caught:
        load(path)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(str(path)) and message in line


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        datafiles.refusal_grounds(tmp_path / "absent.yaml")
    path = _write(tmp_path, "latin1.yaml", "grounds:\n  - {code: a, label: Lý do, label_en: A, basis: B}\n".encode("latin-1"))
    with pytest.raises(DataFileError) as caught:
        datafiles.refusal_grounds(path)
    assert str(caught.value).startswith(str(path)) and "UTF-8" in str(caught.value) and "\n" not in str(caught.value)


def test_an_edited_file_is_read_again(tmp_path):
    path = _write(tmp_path, "bands.yaml", "bands:\n  - {min_people: 5, max_people: null, min_representatives: 1, max_representatives: 2}\n")
    assert datafiles.representation_bands(path)[0].max_representatives == 2
    assert datafiles.representation_bands(path) is datafiles.representation_bands(path)  # cached
    path.write_text("bands:\n  - {min_people: 5, max_people: null, min_representatives: 1, max_representatives: 3}\n",
                    encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert datafiles.representation_bands(path)[0].max_representatives == 3
