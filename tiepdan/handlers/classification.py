"""Proposing a petition's type from its text, for the officer to confirm or correct.

The law classifies by content, whatever the title (TT 05/2021 Art 6): a request to review a
decision or act that harms the petitioner is a complaint; a report of an official's unlawful act
is a denunciation; the rest is a recommendation or reflection. A letter with both kinds of
content is mixed and must be split.
"""
from __future__ import annotations

from ..text import fold
from .registry import operation

_MARKERS = {
    "complaint": ("khieu nai", "de nghi xem xet lai quyet dinh", "quyet dinh hanh chinh", "huy quyet dinh"),
    "denunciation": ("to cao", "sai pham", "nhan hoi lo", "tham nhung", "lam trai phap luat"),
    "recommendation": ("kien nghi", "phan anh", "de xuat", "gop y"),
}


def propose_type(content: str) -> tuple[str, list[str]]:
    """The proposed type and the markers that led to it (empty when nothing matched)."""
    folded = fold(content)
    hits = {kind: [m for m in markers if m in folded] for kind, markers in _MARKERS.items()}
    found = [kind for kind in ("complaint", "denunciation") if hits[kind]]
    if len(found) == 2:
        return "mixed", hits["complaint"] + hits["denunciation"]
    if found:
        return found[0], hits[found[0]]
    return "recommendation", hits["recommendation"]


@operation("propose_classification", required=("content",))
def propose_classification(ctx, content: str, petitioner_count: int = 1) -> dict:
    kind, markers = propose_type(content or "")
    return {
        "proposed_type": kind,
        "markers": markers,
        "group": int(petitioner_count or 1) >= 5,
    }
