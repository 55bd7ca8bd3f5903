"""The house rules of the design guide, enforced: imports point one way.

webui -> handlers -> cases -> engine, and webui -> engine. engine imports none of the others;
cases never imports webui or handlers; handlers never import webui. Only `wiring` and `cli`, at
the top, may know every layer.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tiepdan"
LAYERS = ["engine", "cases", "handlers", "webui"]
FORBIDDEN = {
    "engine": {"cases", "handlers", "webui", "wiring", "cli", "demo"},
    "cases": {"handlers", "webui", "wiring", "cli", "demo"},
    "handlers": {"webui", "wiring", "cli", "demo"},
    "webui": {"cli"},
}


def imported_layers(path: Path) -> set[tuple[str, int]]:
    """(top-level tiepdan subpackage, line) for every import in the file, absolute or relative."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                names = [".".join(base + tuple(filter(None, [node.module])))]
                if not node.module:
                    names = [".".join(base + (alias.name,)) for alias in node.names]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "tiepdan" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_imports_point_one_way(layer):
    folder = PACKAGE / layer
    if not folder.is_dir():
        pytest.skip(f"{layer}/ not written yet")
    violations = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports tiepdan.{target}"
        for path in sorted(folder.rglob("*.py"))
        for target, line in imported_layers(path)
        if target in FORBIDDEN[layer]
    ]
    assert violations == []


def test_the_checker_sees_relative_imports(tmp_path):
    """Guard against a checker that can never fail: a known-bad import must be reported."""
    bad = PACKAGE / "engine" / "_probe_for_test.py"
    bad.write_text("from ..handlers import OPERATIONS\n")
    try:
        assert ("handlers", 1) in imported_layers(bad)
    finally:
        bad.unlink()
