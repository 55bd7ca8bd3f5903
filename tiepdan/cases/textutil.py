"""Text helpers for the case file: folding, identity keys, masking personal data inside text."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from tiepdan.text import fold

__all__ = ["fold", "fold_key", "normalise_id_number", "id_number_hash", "mask_text", "reveals", "like_pattern", "MASK"]

MASK = "[…]"
_MIN_SECRET = 3  # shorter strings would mask ordinary words


def fold_key(text: str | None) -> str:
    """The folded form used as a lookup key: lower case, no diacritics, no punctuation runs."""
    if not text:
        return ""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def normalise_id_number(number: str | None) -> str:
    """"079 123.456-789" -> "079123456789"; passports keep their letters, upper-cased."""
    if not number:
        return ""
    return re.sub(r"[\s.\-/]+", "", number).upper()


def id_number_hash(number: str | None) -> str | None:
    """sha256 of the normalised number: an index key that does not show the number itself."""
    normal = normalise_id_number(number)
    return hashlib.sha256(normal.encode("utf-8")).hexdigest() if normal else None


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % _ and \\ escaped (use escape='\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    if ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def _secret_pattern(secret: str) -> str | None:
    folded = fold(secret)
    if len(folded.replace(" ", "")) < _MIN_SECRET:
        return None
    compact = re.sub(r"[\s.\-]", "", folded)
    if compact.isdigit() or (compact.isalnum() and sum(c.isdigit() for c in compact) >= len(compact) - 2):
        # numbers (ID, phone) are written with or without spaces, dots or dashes between digits
        body = r"[\s.\-]?".join(re.escape(c) for c in compact)
    else:
        body = r"\s+".join(re.escape(word) for word in folded.split())
    # Whole words only: the name "Lan" must not eat "Làng", nor an ID number a longer number.
    return rf"(?<!\w){body}(?!\w)"


def mask_text(text: str, secrets, replacement: str = MASK) -> str:
    """`text` with every occurrence of each secret replaced, ignoring case and diacritics
    ("Nguyễn Văn A" also masks "NGUYEN VAN A"); numbers match with any spacing of their digits."""
    if not text:
        return text
    patterns = [p for p in (_secret_pattern(s) for s in secrets if s) if p]
    if not patterns:
        return text
    original, text = text, unicodedata.normalize("NFC", text)
    folded_chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for f in _fold_char(ch):
            folded_chars.append(f)
            origin.append(i)
    folded = "".join(folded_chars)
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for m in re.finditer(pattern, folded):
            if m.end() > m.start():
                spans.append((origin[m.start()], origin[m.end() - 1] + 1))
    if not spans:
        return original
    spans.sort()
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def reveals(text: str, secrets) -> bool:
    """True when any of `secrets` occurs in `text`, as `mask_text` finds them."""
    return bool(text) and mask_text(text, secrets) != text
