"""Document templates are data edited by legal staff: rendered in Jinja's sandbox, a template
can read the values it is given and nothing else, and a typo fails loudly."""
from __future__ import annotations

import pytest

from tiepdan.config import REPO_ROOT
from tiepdan.handlers.documents import render, vn_date


def write(tmp_path, text: str):
    (tmp_path / "documents").mkdir(exist_ok=True)
    (tmp_path / "documents" / "t.txt").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_template_renders_the_values_it_is_given(tmp_path):
    out = render(write(tmp_path, "Số: {{ number }} ngày {{ day | vn_date }}"), "t.txt", {"number": "1/2026/PC-UBND", "day": "2026-03-02"})
    assert out == "Số: 1/2026/PC-UBND ngày 02/03/2026"


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ number.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% set x = values.append(1) %}",
])
def test_a_template_cannot_reach_python(tmp_path, payload):
    with pytest.raises(ValueError, match="mẫu văn bản t.txt"):
        render(write(tmp_path, payload), "t.txt", {"number": "1", "values": []})


def test_an_unknown_name_is_an_error_not_a_blank(tmp_path):
    with pytest.raises(ValueError, match="numbr"):
        render(write(tmp_path, "Số: {{ numbr }}"), "t.txt", {"number": "1"})


def test_vn_date_writes_dates_the_vietnamese_way():
    assert vn_date("2026-09-02") == "02/09/2026" and vn_date(None) == "…/…/……"


def test_every_shipped_template_parses():
    from jinja2 import Environment

    for path in (REPO_ROOT / "processes" / "documents").glob("*.txt"):
        Environment().parse(path.read_text(encoding="utf-8"))
