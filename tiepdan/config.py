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
    # E-mail (the outbox's sender): no host, no e-mail; notifications stay in the app.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "tiepdan@localhost"
    # The local (Vietnam) hour at which the worker writes the daily escalation digest.
    digest_hour: int = 7

    @classmethod
    def from_env(cls) -> "Settings":
        var_dir = Path(os.environ.get("TIEPDAN_VAR_DIR", REPO_ROOT / "var"))
        default_db = f"sqlite:///{var_dir / 'tiepdan.db'}"
        return cls(
            database_url=os.environ.get("TIEPDAN_DATABASE_URL", default_db),
            var_dir=var_dir,
            processes_dir=Path(os.environ.get("TIEPDAN_PROCESSES_DIR", REPO_ROOT / "processes")),
            smtp_host=os.environ.get("TIEPDAN_SMTP_HOST", ""),
            smtp_port=int(os.environ.get("TIEPDAN_SMTP_PORT", "25")),
            smtp_user=os.environ.get("TIEPDAN_SMTP_USER", ""),
            smtp_password=os.environ.get("TIEPDAN_SMTP_PASSWORD", ""),
            smtp_from=os.environ.get("TIEPDAN_SMTP_FROM", "tiepdan@localhost"),
            digest_hour=int(os.environ.get("TIEPDAN_DIGEST_HOUR", "7")),
        )
