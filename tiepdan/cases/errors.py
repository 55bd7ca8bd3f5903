"""Errors the case records raise: each message is one line a user can read (Vietnamese first)."""
from __future__ import annotations


class CaseError(ValueError):
    """A request about the case file was refused and nothing changed."""


class UnknownRecord(CaseError, LookupError):
    """A unit, user, petition or party that does not exist."""


class IdentityAccessDenied(PermissionError):
    """The viewer may not see this identity (a denouncer's, or a party of another unit's case)."""


class DataFileError(ValueError):
    """A data file (competence rules, refusal grounds, ...) is malformed; the message names the
    file and the entry, on one line."""
