"""Assembles the application: database, process library, runtime, handlers.

The one place that knows every layer, so that the layers need not know each other.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings
from .engine.catalogues import rule_fingerprints, validation_context
from .engine.clock import Clock
from .engine.db import make_engine, make_sessionmaker
from .engine.deadlines import RuleCatalogue
from .engine.library import ProcessLibrary
from .engine.runtime import Runtime
from .engine.timekeeping import DeadlineSource, expression_functions


@dataclass
class Services:
    settings: Settings
    db: Engine
    sessions: sessionmaker[Session]
    catalogue: RuleCatalogue
    deadlines: DeadlineSource
    library: ProcessLibrary
    runtime: Runtime


def case_clock(tx, business_key: str):
    """A case's suspensions and extension decisions, for the tasks that run on its clock."""
    from .cases.clock import adjustments

    return adjustments(tx.session, business_key)


def build(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    operations: Mapping[str, Callable] | None = None,
    processes_dir: Path | None = None,
) -> Services:
    settings = settings or Settings.from_env()
    processes_dir = processes_dir or settings.processes_dir
    if operations is None:
        from .handlers import OPERATIONS as operations
    clock = clock or Clock()
    db = make_engine(settings.database_url)
    sessions = make_sessionmaker(db)
    catalogue = RuleCatalogue.load(processes_dir / "rules")
    deadlines = DeadlineSource(catalogue)
    library = ProcessLibrary(
        processes_dir, validation_context(processes_dir, operations, catalogue), rule_fingerprints(catalogue)
    )
    runtime = Runtime(
        db,
        library,
        operations,
        functions=expression_functions(deadlines, clock),
        due_date=deadlines.due_date,
        adjustments=case_clock,
        clock=clock,
    )
    return Services(settings, db, sessions, catalogue, deadlines, library, runtime)
