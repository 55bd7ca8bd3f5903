"""Engine fixtures: a processes/ folder made of the real roles and rules plus test diagrams and
forms, and the assembled services on each database backend."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tiepdan import wiring
from tiepdan.config import REPO_ROOT, Settings
from tiepdan.engine.clock import FixedClock
from tiepdan.engine.db import transaction

from . import ops  # noqa: F401  (registers the test table before the schema is created)

HERE = Path(__file__).parent / "processes"


@pytest.fixture
def processes_dir(tmp_path) -> Path:
    target = tmp_path / "processes"
    target.mkdir()
    shutil.copy(REPO_ROOT / "processes" / "roles.yaml", target / "roles.yaml")
    shutil.copytree(REPO_ROOT / "processes" / "rules", target / "rules")
    shutil.copytree(HERE / "forms", target / "forms")
    (target / "documents").mkdir()
    for bpmn in HERE.glob("*.bpmn"):
        shutil.copy(bpmn, target / bpmn.name)
    return target


def build_services(db, processes_dir: Path, clock=None):
    settings = Settings(database_url=db.url, var_dir=processes_dir.parent / "var", processes_dir=processes_dir)
    return wiring.build(settings, clock=clock or FixedClock(datetime(2026, 3, 2, 2, 0)), operations=ops.OPERATIONS)


@pytest.fixture
def services(db, processes_dir):
    built = build_services(db, processes_dir)
    with transaction(built.sessions) as session:
        built.library.publish(session, (processes_dir / "review.bpmn").read_bytes(), "review.bpmn", "tester")
    ops.FAILING["on"] = False
    yield built
    built.db.dispose()
