"""Errors the engine raises for callers to show: each message is one line a user can read."""
from __future__ import annotations

from datetime import datetime


class EngineError(Exception):
    """Base: the request was refused and nothing changed."""


class NotFound(EngineError):
    pass


class InvalidState(EngineError):
    pass


class Conflict(EngineError):
    """Someone else changed it first. `by` and `at` say who and when, when known."""

    def __init__(self, message: str, by: str | None = None, at: datetime | None = None):
        super().__init__(message)
        self.by = by
        self.at = at


class FormInvalid(EngineError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
