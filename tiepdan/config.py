"""Where things live, read once from the environment.

Every path can be overridden so that tests and several workers on one machine do not collide.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    processes_dir: Path

    @classmethod
    def from_env(cls) -> "Settings":
        var_dir = Path(os.environ.get("TIEPDAN_VAR_DIR", REPO_ROOT / "var"))
        default_db = f"sqlite:///{var_dir / 'tiepdan.db'}"
        return cls(
            database_url=os.environ.get("TIEPDAN_DATABASE_URL", default_db),
            var_dir=var_dir,
            processes_dir=Path(os.environ.get("TIEPDAN_PROCESSES_DIR", REPO_ROOT / "processes")),
        )
