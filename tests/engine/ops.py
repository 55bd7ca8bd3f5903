"""Operations used by the engine tests: real functions writing real rows, no mocks.

Kept in an importable module so that the crash tests' child processes can load them too.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tiepdan.engine.db import Base


class Note(Base):
    """A stand-in for the domain rows a handler writes inside the step's transaction."""

    __tablename__ = "test_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(5000))


FAILING = {"on": False}


def classify(ctx, content: str) -> dict:
    ctx.session.add(Note(business_key=ctx.business_key, text=content))
    if FAILING["on"]:
        raise RuntimeError("classifier is down")
    if "slow" in content:
        time.sleep(0.4)
    marker = os.environ.get("TIEPDAN_TEST_MARKER")
    if marker and "hang" in content:
        # The crash test kills the process while it sits here, mid-step.
        ctx.session.flush()
        Path(marker).write_text("in handler")
        time.sleep(60)
    return {"kind": "complaint" if "khiếu nại" in content.lower() else "other"}


classify.required_params = ("content",)
OPERATIONS = {"classify": classify}
