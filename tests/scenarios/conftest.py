from __future__ import annotations

import pytest

from .world import build_world


@pytest.fixture
def world(db):
    built = build_world(db)
    yield built
    built.services.db.dispose()
