"""Folding and masking personal data inside free text."""
from __future__ import annotations

from tiepdan.cases.textutil import MASK, fold_key, id_number_hash, like_pattern, mask_text, normalise_id_number


def test_keys():
    assert fold_key("  Nguyễn   Văn Đức, ") == "nguyen van duc"
    assert fold_key(None) == ""
    assert normalise_id_number("079 123.456-789") == "079123456789"
    assert normalise_id_number("b 1234567") == "B1234567"
    assert id_number_hash("079 123 456 789") == id_number_hash("079123456789") != id_number_hash("079123456788")
    assert id_number_hash("") is None
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_mask_ignores_case_diacritics_and_spacing():
    text = "NGUYEN VAN ĐỨC (Nguyễn  Văn Đức), CCCD 079.123.456-789, ĐT 0912 345 678."
    masked = mask_text(text, ["Nguyễn Văn Đức", "079123456789", "0912345678"])
    assert masked == f"{MASK} ({MASK}), CCCD {MASK}, ĐT {MASK}."


def test_mask_keeps_the_text_around_and_short_secrets():
    assert mask_text("Bà Lê ở xã Lê Lợi", ["Lê"]) == "Bà Lê ở xã Lê Lợi"  # too short to mask safely
    assert mask_text("", ["Nguyễn Văn A"]) == ""
    assert mask_text("Không có gì", []) == "Không có gì"
    assert mask_text("ab Hà Thị Lan cd", ["Hà Thị Lan", "Thị Lan"]) == f"ab {MASK} cd"  # overlaps merge


def test_mask_matches_whole_words_only():
    # "Lan" is a name; "Làng" and "Lang Sơn" are not it.
    assert mask_text("Bà Lan ở làng Lạng", ["Lan"]) == f"Bà {MASK} ở làng Lạng"
    assert mask_text("Số 0123456789 và 10123456789", ["0123456789"]) == f"Số {MASK} và 10123456789"
