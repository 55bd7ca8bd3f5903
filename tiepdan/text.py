"""Vietnamese text folding: "Nguyễn Văn Ă" and "nguyen van a" compare equal once folded."""
from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, diacritics removed (đ becomes d), runs of white space collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
