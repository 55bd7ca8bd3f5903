"""Form definitions for BPMN user tasks: loading, checking and validating submissions.

Each user task names a form stored as ``processes/forms/<name>.yaml``; the file stem is the form
name and must match ``[a-z][a-z0-9_]*``. The files are data edited by legal staff, so a definition
is checked strictly (unknown keys, typos, YAML's ``yes``/``no`` turning into booleans, duplicate
keys) and every problem is reported on one line naming the file, the form and the field.

Format
------
::

    title: "Phân loại đơn"              # required, Vietnamese
    title_en: "Classify petition"       # optional
    description: "..."                  # optional intro text shown above the form (+ description_en)
    fields:                             # required, at least one
      - name: petition_type             # required, [a-z][a-z0-9_]*, unique in the form
        label: "Loại đơn"               # required, Vietnamese
        label_en: "Petition type"       # optional; also help, help_en (hint text under the input)
        type: select                    # required, see below
        required: true                  # optional, default false
        required_if: {field: other, equals: value}   # or {field: other, in: [v1, v2]}
        default: complaint              # optional pre-fill for the UI (never applied to submissions)
        options:
          - {value: complaint, label: "Khiếu nại", label_en: "Complaint"}

Keys per type (besides the common ones above):

============  ==============================================================================
text          min_length, max_length (<= 1000, the default), pattern + pattern_message
textarea      min_length, max_length (<= 50000, the default)
integer       min, max (integers; |value| <= 2**53 - 1 always)
number        min, max (|value| <= 1e15 always); input may use "." or "," as decimal mark
date          min, max: "today" or a literal date; input "YYYY-MM-DD" or "dd/mm/yyyy"
boolean       (none); "required: true" means the box must be ticked
select        options (list of {value, label, label_en?}; values are quoted text, unique)
multiselect   options, as for select
email         (none)
phone         (none); 0 + 9 digits or +84 + 9 digits, spaces/dots/hyphens ignored
id_number     (none); CCCD 12 digits, CMND 9 digits or passport (a letter + 7 digits)
============  ==============================================================================

``pattern`` is a Python regular expression that must match the whole (trimmed) value;
``pattern_message`` is the Vietnamese error shown when it does not. ``required_if`` makes a field
required when another field's cleaned value equals the given value (or is one of ``in``); for a
multiselect it holds when any of the values is selected; the values are checked against the
other field's type and options when the form is loaded.

Submissions
-----------
``FormDefinition.validate(data)`` returns ``(cleaned, errors)``. ``cleaned`` holds every field that
is valid (and no unknown key), with JSON values only:

* text, textarea, email, select: ``str`` (trimmed, Unicode NFC; lengths count characters),
  or ``None`` when empty;
* integer ``int``; number ``float``; date ``"YYYY-MM-DD"``; phone ``"0xxxxxxxxx"``;
  id_number upper-cased without spaces; any of them ``None`` when empty;
* boolean ``bool`` (absent, ``None``, ``""`` mean false); multiselect ``list[str]`` in the
  order of the options (``[]`` when nothing is selected).

Empty strings, whitespace-only strings and ``None`` count as missing. ``errors`` maps a field name
to a Vietnamese message; a field with an error is left out of ``cleaned``. If ``data`` is not a
mapping at all, ``errors`` has the single key ``FORM_ERROR_KEY``. A werkzeug ``MultiDict``
(``request.form``) can be passed as is: multiselect fields are read with ``getlist``.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .clock import Clock

__all__ = [
    "FIELD_TYPES",
    "FORM_ERROR_KEY",
    "Condition",
    "Field",
    "FormDefinition",
    "FormError",
    "Option",
    "content_hash",
    "load_form",
    "load_forms",
    "parse_form",
    "validate_forms_dir",
]

FIELD_TYPES = (
    "text",
    "textarea",
    "integer",
    "number",
    "date",
    "boolean",
    "select",
    "multiselect",
    "email",
    "phone",
    "id_number",
)

#: Key of ``errors`` used when the submission as a whole is unusable (not a mapping).
FORM_ERROR_KEY = "__form__"

#: Largest max_length a definition may set, and the limit when it sets none.
TEXT_LIMITS = {"text": 1000, "textarea": 50_000}
MAX_SAFE_INTEGER = 2**53 - 1  # beyond this, JavaScript in the UI would silently round
MAX_NUMBER = 1e15
MAX_OPTIONS_SUBMITTED = 1000
# Inputs of the fixed-format types are never this long; longer ones are refused unread.
_MAX_SHORT_INPUT = 300

_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)
_INT_RE = re.compile(r"[+-]?[0-9]{1,20}", re.ASCII)
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]{1,20}(?:[.,][0-9]{1,20})?|[.,][0-9]{1,20})", re.ASCII)
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_VN_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", re.ASCII)
_PHONE_SEPARATORS_RE = re.compile(r"[\s.\-]")
_PHONE_RE = re.compile(r"(?:0|\+84)([0-9]{9})", re.ASCII)
_ID_NUMBER_RE = re.compile(r"[0-9]{12}|[0-9]{9}|[A-Z][0-9]{7}", re.ASCII)
_EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
# C0/C1 controls (tab and newline handled separately), DEL and lone surrogates: PostgreSQL refuses
# NUL in text and surrogates cannot be encoded, so they must never reach the database.
_BAD_CHARS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

MSG_REQUIRED = "Trường này là bắt buộc."
MSG_INVALID = "Giá trị không hợp lệ."
MSG_BAD_CHARS = "Chứa ký tự không hợp lệ."
MSG_NEWLINE = "Không được xuống dòng."
MSG_MAX_LENGTH = "Tối đa {} ký tự."
MSG_MIN_LENGTH = "Tối thiểu {} ký tự."
MSG_INTEGER = "Phải là số nguyên."
MSG_NUMBER = "Phải là số."
MSG_TOO_LARGE = "Giá trị quá lớn."
MSG_MIN_VALUE = "Giá trị tối thiểu là {}."
MSG_MAX_VALUE = "Giá trị tối đa là {}."
MSG_DATE = "Ngày không hợp lệ (dd/mm/yyyy)."
MSG_DATE_BEFORE = "Ngày không được trước {}."
MSG_DATE_AFTER = "Ngày không được sau {}."
MSG_DATE_BEFORE_TODAY = "Ngày không được trước ngày hôm nay."
MSG_DATE_AFTER_TODAY = "Ngày không được sau ngày hôm nay."
MSG_CHOICE = "Giá trị không nằm trong danh sách cho phép."
MSG_EMAIL = "Địa chỉ email không hợp lệ."
MSG_PHONE = "Số điện thoại không hợp lệ (0 hoặc +84 và 9 chữ số)."
MSG_ID_NUMBER = "Số định danh không hợp lệ (CCCD 12 số, CMND 9 số hoặc hộ chiếu)."
MSG_FORM = "Dữ liệu gửi lên không hợp lệ."

_ABSENT = object()


class FormError(ValueError):
    """A malformed form definition (or forms directory).

    ``problems`` holds one self-contained line per problem, each naming the form (and the file,
    when loaded from one) and the field; ``str()`` is those lines joined, so a definition with a
    single problem gives a single line.
    """

    def __init__(self, problems: str | list[str] | tuple[str, ...]):
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("\n".join(self.problems))


# --------------------------------------------------------------------------------------------
# The definition model


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    label: str
    label_en: str | None = None

    def to_dict(self) -> dict:
        out = {"value": self.value, "label": self.label}
        if self.label_en is not None:
            out["label_en"] = self.label_en
        return out


@dataclasses.dataclass(frozen=True)
class Condition:
    """``required_if``: holds when ``field``'s cleaned value is one of ``values``."""

    field: str
    values: tuple[Any, ...]
    operator: str = "equals"  # "equals" (one value) or "in"

    def holds(self, value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, list):  # multiselect: any selected value matches
            return any(v in self.values for v in value)
        # Values were cleaned with the same field type, so bool/int confusion cannot arise.
        return value in self.values

    def to_dict(self) -> dict:
        if self.operator == "equals":
            return {"field": self.field, "equals": self.values[0]}
        return {"field": self.field, "in": list(self.values)}


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    required: bool = False
    label_en: str | None = None
    help: str | None = None
    help_en: str | None = None
    required_if: Condition | None = None
    default: Any = None  # cleaned value ("today" allowed for dates); multiselect as a tuple
    options: tuple[Option, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    min: int | float | str | None = None  # dates: "today" or "YYYY-MM-DD"
    max: int | float | str | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def clean(self, value: Any, *, today: date | None = None) -> tuple[Any, str | None]:
        """Clean one submitted value: ``(cleaned, None)`` or ``(None, message)``.

        Requiredness is not checked here (see ``FormDefinition.validate``); an empty value cleans
        to ``None`` (``False`` for boolean, ``[]`` for multiselect).
        """
        return _clean(self, value, today, True)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"name": self.name, "label": self.label}
        for key in ("label_en", "help", "help_en"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["type"] = self.type
        out["required"] = self.required
        if self.required_if is not None:
            out["required_if"] = self.required_if.to_dict()
        if self.default is not None:
            out["default"] = list(self.default) if isinstance(self.default, tuple) else self.default
        if self.options:
            out["options"] = [o.to_dict() for o in self.options]
        for key in ("min_length", "max_length", "pattern", "pattern_message", "min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclasses.dataclass(frozen=True)
class FormDefinition:
    name: str
    title: str
    fields: tuple[Field, ...]
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None

    def get_field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def validate(
        self, data: Mapping[str, Any], *, today: date | None = None
    ) -> tuple[dict, dict[str, str]]:
        """Return (cleaned, errors); never raises on bad data.

        ``cleaned`` maps each valid field to a JSON value (str, int, float, bool, list of str or
        None); unknown keys of ``data`` are ignored. ``errors`` maps field name -> Vietnamese
        message (or ``FORM_ERROR_KEY`` -> message when ``data`` is not a mapping). ``today``
        (the local date by default) is what ``min``/``max: today`` of date fields compare with.
        """
        if not isinstance(data, Mapping):
            return {}, {FORM_ERROR_KEY: MSG_FORM}
        if today is None and any(f.type == "date" and "today" in (f.min, f.max) for f in self.fields):
            today = Clock().today()
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in self.fields:
            value, error = _clean(f, _lookup(data, f), today, True)
            if error is not None:
                errors[f.name] = error
            else:
                cleaned[f.name] = value
        # Conditions read the cleaned values; a controlling field that is itself invalid never
        # makes another field required (its own error is already reported).
        snapshot = dict(cleaned)
        for f in self.fields:
            if f.name in errors or not _is_empty(cleaned[f.name]):
                continue
            if f.required or (
                f.required_if is not None and f.required_if.holds(snapshot.get(f.required_if.field))
            ):
                errors[f.name] = MSG_REQUIRED
                del cleaned[f.name]
        return cleaned, errors

    def to_dict(self) -> dict:
        """The definition as JSON; ``parse_form(form.name, form.to_dict()) == form``."""
        out: dict[str, Any] = {"name": self.name, "title": self.title}
        for key in ("title_en", "description", "description_en"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["fields"] = [f.to_dict() for f in self.fields]
        return out


def content_hash(form: FormDefinition) -> str:
    """sha256 (hex) of the canonical JSON of ``form.to_dict()``; keys absent when unset, so a
    new optional key in this module does not change the hash of existing forms."""
    canonical = json.dumps(
        form.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Submission cleaning


def _lookup(data: Mapping[str, Any], f: Field) -> Any:
    try:
        if f.type == "multiselect" and callable(getattr(data, "getlist", None)):
            return data.getlist(f.name) if f.name in data else _ABSENT
        return data.get(f.name, _ABSENT)
    except Exception:  # a foreign Mapping misbehaving is bad data, not a server error
        return _INVALID_LOOKUP


_INVALID_LOOKUP = object()


def _is_blank(value: Any) -> bool:
    return value is _ABSENT or value is None or (isinstance(value, str) and not value.strip())


def _is_empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, list) and not value)


def _clean(f: Field, value: Any, today: date | None, bounds: bool) -> tuple[Any, str | None]:
    if value is _INVALID_LOOKUP:
        return None, MSG_INVALID
    if f.type == "boolean":
        return _clean_boolean(value)
    if f.type == "multiselect":
        return _clean_multiselect(f, value)
    if _is_blank(value):
        return None, None
    return _CLEANERS[f.type](f, value, today, bounds)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _clean_text(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, MSG_INVALID
    limit = f.max_length if f.max_length is not None else TEXT_LIMITS[f.type]
    # NFC can shorten decomposed Vietnamese by up to ~3x; anything longer is refused unread.
    if len(value) > 4 * limit + 16:
        return None, MSG_MAX_LENGTH.format(limit)
    text = _nfc(value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if _BAD_CHARS_RE.search(text):
        return None, MSG_BAD_CHARS
    if f.type == "text" and "\n" in text:
        return None, MSG_NEWLINE
    if len(text) > limit:
        return None, MSG_MAX_LENGTH.format(limit)
    if f.min_length is not None and len(text) < f.min_length:
        return None, MSG_MIN_LENGTH.format(f.min_length)
    if f.pattern is not None and not _compiled(f.pattern).fullmatch(text):
        return None, f.pattern_message or MSG_INVALID
    return text, None


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def _check_range(f: Field, n: int | float, bounds: bool) -> str | None:
    if bounds and f.min is not None and n < f.min:
        return MSG_MIN_VALUE.format(_fmt_number(f.min))
    if bounds and f.max is not None and n > f.max:
        return MSG_MAX_VALUE.format(_fmt_number(f.max))
    return None


def _fmt_number(n: int | float) -> str:
    if isinstance(n, float) and n.is_integer():
        return str(int(n))
    return str(n)


def _clean_integer(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return None, MSG_INTEGER
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None, MSG_INTEGER
        if abs(value) > MAX_SAFE_INTEGER:
            return None, MSG_TOO_LARGE
        n = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_SHORT_INPUT or not _INT_RE.fullmatch(text):
            return None, MSG_INTEGER
        n = int(text)
    else:
        return None, MSG_INTEGER
    if abs(n) > MAX_SAFE_INTEGER:
        return None, MSG_TOO_LARGE
    error = _check_range(f, n, bounds)
    return (None, error) if error else (n, None)


def _clean_number(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return None, MSG_NUMBER
    if isinstance(value, int):
        if abs(value) > MAX_NUMBER:
            return None, MSG_TOO_LARGE
        x = float(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None, MSG_NUMBER
        x = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_SHORT_INPUT or not _NUMBER_RE.fullmatch(text):
            return None, MSG_NUMBER
        x = float(text.replace(",", "."))
    else:
        return None, MSG_NUMBER
    if abs(x) > MAX_NUMBER:
        return None, MSG_TOO_LARGE
    x = x + 0.0  # -0.0 -> 0.0
    error = _check_range(f, x, bounds)
    return (None, error) if error else (x, None)


def _parse_date(value: Any) -> date | None:
    """A date object (not a datetime) or "YYYY-MM-DD" / "d/m/yyyy" text; None when invalid."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > 10:
        return None
    if m := _ISO_DATE_RE.fullmatch(text):
        y, mo, d = m.groups()
    elif m := _VN_DATE_RE.fullmatch(text):
        d, mo, y = m.groups()
    else:
        return None
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _fmt_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _clean_date(f: Field, value: Any, today: date | None, bounds) -> tuple[Any, str | None]:
    d = _parse_date(value)
    if d is None:
        return None, MSG_DATE
    if bounds:
        for bound, is_min in ((f.min, True), (f.max, False)):
            if bound is None:
                continue
            if bound == "today":
                limit = today if today is not None else Clock().today()
            else:
                limit = date.fromisoformat(bound)
            if is_min and d < limit:
                return None, MSG_DATE_BEFORE_TODAY if bound == "today" else MSG_DATE_BEFORE.format(_fmt_date(limit))
            if not is_min and d > limit:
                return None, MSG_DATE_AFTER_TODAY if bound == "today" else MSG_DATE_AFTER.format(_fmt_date(limit))
    return d.isoformat(), None


_TRUE = frozenset({"on", "true", "1", "yes"})
_FALSE = frozenset({"", "off", "false", "0", "no"})


def _clean_boolean(value: Any) -> tuple[Any, str | None]:
    if value is _ABSENT or value is None:
        return False, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int) and value in (0, 1):
        return bool(value), None
    if isinstance(value, str) and len(value) <= 20:
        text = value.strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
    return None, MSG_INVALID


def _choice(f: Field, value: Any) -> str | None:
    """The option value matching ``value``, or None."""
    if not isinstance(value, str) or len(value) > _MAX_SHORT_INPUT:
        return None
    text = _nfc(value.strip())
    return text if text in f.option_values else None


def _clean_select(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    choice = _choice(f, value)
    return (None, MSG_CHOICE) if choice is None else (choice, None)


def _clean_multiselect(f: Field, value: Any) -> tuple[Any, str | None]:
    if value is _ABSENT or value is None:
        return [], None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or len(value) > MAX_OPTIONS_SUBMITTED:
        return None, MSG_CHOICE
    chosen = set()
    for item in value:
        if _is_blank(item):  # e.g. a hidden "" sentinel input
            continue
        choice = _choice(f, item)
        if choice is None:
            return None, MSG_CHOICE
        chosen.add(choice)
    return [v for v in f.option_values if v in chosen], None


def _clean_email(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    if not isinstance(value, str) or len(value) > _MAX_SHORT_INPUT:
        return None, MSG_EMAIL
    text = _nfc(value.strip())
    if len(text) > 254 or _BAD_CHARS_RE.search(text) or not _EMAIL_RE.fullmatch(text):
        return None, MSG_EMAIL
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}", None


def _clean_phone(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    # Numbers are refused: a JSON number has lost the leading 0.
    if not isinstance(value, str) or len(value) > _MAX_SHORT_INPUT:
        return None, MSG_PHONE
    m = _PHONE_RE.fullmatch(_PHONE_SEPARATORS_RE.sub("", value))
    return (None, MSG_PHONE) if m is None else ("0" + m.group(1), None)


def _clean_id_number(f: Field, value: Any, today, bounds) -> tuple[Any, str | None]:
    # Numbers are refused: CCCD numbers start with 0 (the province code), which JSON would drop.
    if not isinstance(value, str) or len(value) > _MAX_SHORT_INPUT:
        return None, MSG_ID_NUMBER
    text = re.sub(r"\s", "", value).upper()
    return (text, None) if _ID_NUMBER_RE.fullmatch(text) else (None, MSG_ID_NUMBER)


_CLEANERS = {
    "text": _clean_text,
    "textarea": _clean_text,
    "integer": _clean_integer,
    "number": _clean_number,
    "date": _clean_date,
    "select": _clean_select,
    "email": _clean_email,
    "phone": _clean_phone,
    "id_number": _clean_id_number,
}


# --------------------------------------------------------------------------------------------
# Parsing definitions

_FORM_KEYS = ("name", "title", "title_en", "description", "description_en", "fields")
_COMMON_KEYS = ("name", "label", "label_en", "help", "help_en", "type", "required", "required_if", "default")
_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("min_length", "max_length", "pattern", "pattern_message"),
    "textarea": ("min_length", "max_length"),
    "integer": ("min", "max"),
    "number": ("min", "max"),
    "date": ("min", "max"),
    "boolean": (),
    "select": ("options",),
    "multiselect": ("options",),
    "email": (),
    "phone": (),
    "id_number": (),
}
_ALL_FIELD_KEYS = tuple(dict.fromkeys(_COMMON_KEYS + sum(_TYPE_KEYS.values(), ())))
_OPTION_KEYS = ("value", "label", "label_en")
_CONDITION_KEYS = ("field", "equals", "in")


def _show(value: Any) -> str:
    """A short one-line rendering of a value taken from the YAML."""
    text = _kind(value) if isinstance(value, (dict, list)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {value!r} (quote it if you meant text)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    return type(value).__name__


def _suggest(key: Any, choices: tuple[str, ...]) -> str:
    if isinstance(key, str):
        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
        if close:
            return f" (did you mean '{close[0]}'?)"
    return f" (allowed: {', '.join(choices)})"


class _Problems:
    def __init__(self, form: str):
        self.form = form
        self.items: list[str] = []

    def add(self, message: str, where: str | None = None) -> None:
        prefix = f"form '{self.form}'" + (f", {where}" if where else "")
        self.items.append(f"{prefix}: {message}")


def _text(raw: dict, key: str, problems: _Problems, where: str | None, required: bool) -> str | None:
    if key not in raw or raw[key] is None:
        if required:
            problems.add(f"missing '{key}'", where)
        return None
    value = raw[key]
    if not isinstance(value, str):
        problems.add(f"'{key}' must be text, got {_kind(value)}", where)
        return None
    text = _nfc(value).strip()
    if not text:
        problems.add(f"'{key}' is empty", where)
        return None
    return text


def _check_keys(raw: dict, allowed: tuple[str, ...], known: tuple[str, ...], problems: _Problems,
                where: str | None, type_name: str | None = None) -> None:
    for key in raw:
        if key in allowed:
            continue
        if key in known and type_name is not None:
            problems.add(f"key '{key}' does not apply to type '{type_name}'", where)
        else:
            problems.add(f"unknown key {_show(key)}{_suggest(key, allowed)}", where)


def parse_form(name: str, raw: Any) -> FormDefinition:
    """Build a form from its loaded YAML (or ``to_dict()``) object; raises FormError."""
    problems = _Problems(name if isinstance(name, str) else repr(name))
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        problems.add("form name (the file name without .yaml) must be lowercase letters, digits "
                     "and _, starting with a letter")
    if not isinstance(raw, dict):
        problems.add(f"definition must be a mapping with 'title' and 'fields', got {_kind(raw)}")
        raise FormError(problems.items)
    _check_keys(raw, _FORM_KEYS, _FORM_KEYS, problems, None)
    if "name" in raw and raw["name"] != name:
        problems.add(f"'name' is {_show(raw['name'])} but the form is named '{name}'; remove it "
                     "(the file name is the form name)")
    title = _text(raw, "title", problems, None, required=True)
    extras = {k: _text(raw, k, problems, None, required=False) for k in ("title_en", "description", "description_en")}

    fields: list[Field] = []
    conditions: list[tuple[int, Any]] = []  # (index into fields, raw required_if)
    raw_fields = raw.get("fields")
    if raw_fields is None:
        problems.add("missing 'fields'")
    elif not isinstance(raw_fields, list):
        problems.add(f"'fields' must be a list of fields, got {_kind(raw_fields)}")
    elif not raw_fields:
        problems.add("'fields' is empty; a form needs at least one field")
    else:
        seen: dict[str, int] = {}
        for index, raw_field in enumerate(raw_fields, start=1):
            # Duplicates are found from the raw names, so a broken field still counts.
            field_name = raw_field.get("name") if isinstance(raw_field, dict) else None
            if isinstance(field_name, str) and field_name in seen:
                problems.add(f"duplicate field name (also field #{seen[field_name]})", f"field '{field_name}'")
                continue
            if isinstance(field_name, str):
                seen[field_name] = index
            parsed = _parse_field(raw_field, index, problems)
            if parsed is None:
                continue
            f, raw_condition = parsed
            if raw_condition is not None:
                conditions.append((len(fields), raw_condition))
            fields.append(f)
        by_name = {f.name: f for f in fields}
        for position, raw_condition in conditions:
            f = fields[position]
            condition = _parse_condition(f, raw_condition, by_name, problems)
            if condition is not None:
                fields[position] = dataclasses.replace(f, required_if=condition)

    if problems.items:
        raise FormError(problems.items)
    return FormDefinition(name=name, title=title, fields=tuple(fields), **extras)


def _parse_field(raw: Any, index: int, problems: _Problems) -> tuple[Field, Any] | None:
    where = f"field #{index}"
    if not isinstance(raw, dict):
        problems.add(f"must be a mapping with name, label and type, got {_kind(raw)}", where)
        return None
    before = len(problems.items)
    name = raw.get("name")
    if name is None:
        problems.add("missing 'name'", where)
    elif not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        problems.add(f"name {_show(name)} must be lowercase letters, digits and _, starting with a "
                     "letter (at most 64)", where)
    else:
        where = f"field '{name}'"

    ftype = raw.get("type")
    if ftype is None:
        problems.add(f"missing 'type' (one of: {', '.join(FIELD_TYPES)})", where)
        ftype = None
    elif not isinstance(ftype, str) or ftype not in _TYPE_KEYS:
        problems.add(f"unknown type {_show(ftype)}{_suggest(ftype, FIELD_TYPES)}", where)
        ftype = None
    allowed = _COMMON_KEYS + _TYPE_KEYS[ftype] if ftype else _ALL_FIELD_KEYS
    _check_keys(raw, allowed, _ALL_FIELD_KEYS, problems, where, ftype)

    label = _text(raw, "label", problems, where, required=True)
    texts = {k: _text(raw, k, problems, where, required=False) for k in ("label_en", "help", "help_en")}
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.add(f"'required' must be true or false, got {_kind(required)}", where)
    if raw.get("required_if") is not None and required is True:
        problems.add("has both 'required: true' and 'required_if'; keep one", where)
    if ftype is None or len(problems.items) > before:
        return None

    attrs: dict[str, Any] = {}
    if ftype in ("text", "textarea"):
        attrs = _parse_lengths(raw, ftype, problems, where)
    elif ftype in ("integer", "number", "date"):
        attrs = _parse_bounds(raw, ftype, problems, where)
    elif ftype in ("select", "multiselect"):
        attrs = {"options": _parse_options(raw, problems, where)}
    if len(problems.items) > before:
        return None

    f = Field(name=name, label=label, type=ftype, required=required, **texts, **attrs)
    if raw.get("default") is not None:
        default = _parse_default(f, raw["default"], problems, where)
        if default is not None:
            f = dataclasses.replace(f, default=default)
    return f, raw.get("required_if")


def _parse_lengths(raw: dict, ftype: str, problems: _Problems, where: str) -> dict:
    ceiling = TEXT_LIMITS[ftype]
    out: dict[str, Any] = {}
    for key in ("min_length", "max_length"):
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.add(f"'{key}' must be a whole number >= 0, got {_kind(value)}", where)
        elif value > ceiling:
            problems.add(f"'{key}' is {value}; a {ftype} field holds at most {ceiling} characters", where)
        elif key == "max_length" and value == 0:
            problems.add("'max_length' must be at least 1", where)
        else:
            out[key] = value
    if "min_length" in out and out["min_length"] > out.get("max_length", ceiling):
        problems.add(f"min_length {out['min_length']} is greater than max_length "
                     f"{out.get('max_length', ceiling)}", where)
    pattern, message = raw.get("pattern"), raw.get("pattern_message")
    if pattern is not None:
        if not isinstance(pattern, str) or not pattern:
            problems.add(f"'pattern' must be a regular expression as text, got {_kind(pattern)}", where)
        else:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as e:
                problems.add(f"'pattern' is not a valid regular expression: {e}", where)
            else:
                out["pattern"] = pattern
        text = _text(raw, "pattern_message", problems, where, required=False)
        if text is None and message is None:
            problems.add("'pattern' needs a 'pattern_message' (the Vietnamese error shown to users)", where)
        out["pattern_message"] = text
    elif message is not None:
        problems.add("'pattern_message' without 'pattern'", where)
    return out


def _parse_bounds(raw: dict, ftype: str, problems: _Problems, where: str) -> dict:
    out: dict[str, Any] = {}
    for key in ("min", "max"):
        value = raw.get(key)
        if value is None:
            continue
        if ftype == "date":
            if value == "today":
                out[key] = "today"
            else:
                d = _parse_date(value)
                if d is None:
                    problems.add(f"'{key}' must be 'today' or a date (YYYY-MM-DD), got {_kind(value)}", where)
                else:
                    out[key] = d.isoformat()
        elif ftype == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.add(f"'{key}' must be a whole number, got {_kind(value)}", where)
            elif abs(value) > MAX_SAFE_INTEGER:
                problems.add(f"'{key}' is too large (at most {MAX_SAFE_INTEGER})", where)
            else:
                out[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                problems.add(f"'{key}' must be a number, got {_kind(value)}", where)
            elif abs(value) > MAX_NUMBER:
                problems.add(f"'{key}' is too large (at most {MAX_NUMBER:.0f})", where)
            else:
                out[key] = value
    lo, hi = out.get("min"), out.get("max")
    if lo is not None and hi is not None and "today" not in (lo, hi) and lo > hi:
        problems.add(f"min {lo} is greater than max {hi}", where)
    return out


def _parse_options(raw: dict, problems: _Problems, where: str) -> tuple[Option, ...]:
    raw_options = raw.get("options")
    if raw_options is None:
        problems.add("missing 'options' (a list of {value, label})", where)
        return ()
    if not isinstance(raw_options, list) or not raw_options:
        problems.add(f"'options' must be a non-empty list of {{value, label}}, got {_kind(raw_options)}", where)
        return ()
    options: list[Option] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw_options, start=1):
        at = f"{where}, option #{index}"
        if not isinstance(item, dict):
            problems.add(f"must be a mapping {{value, label}}, got {_kind(item)}", at)
            continue
        _check_keys(item, _OPTION_KEYS, _OPTION_KEYS, problems, at)
        value = item.get("value")
        if value is None:
            problems.add("missing 'value'", at)
            continue
        if not isinstance(value, str):
            problems.add(f"'value' must be text, got {_kind(value)}; write it in quotes, e.g. "
                         f"value: \"{value}\"", at)
            continue
        value = _nfc(value)
        if not value.strip() or value != value.strip() or len(value) > _MAX_SHORT_INPUT:
            problems.add(f"'value' {_show(value)} must be non-empty without surrounding spaces", at)
            continue
        label = _text(item, "label", problems, at, required=True)
        label_en = _text(item, "label_en", problems, at, required=False)
        if value in seen:
            problems.add(f"duplicate option value {_show(value)} (also option #{seen[value]})", at)
            continue
        seen[value] = index
        if label is not None:
            options.append(Option(value=value, label=label, label_en=label_en))
    return tuple(options)


def _parse_default(f: Field, raw: Any, problems: _Problems, where: str) -> Any:
    if f.type == "date" and raw == "today":
        return "today"
    value, error = _clean(f, raw, None, False)
    if error is not None or _is_empty(value) and f.type != "boolean":
        problems.add(f"'default' {_show(raw)} is not a valid value for this field"
                     + (f" ({error})" if error else ""), where)
        return None
    return tuple(value) if isinstance(value, list) else value


def _parse_condition(f: Field, raw: Any, by_name: dict[str, Field], problems: _Problems) -> Condition | None:
    where = f"field '{f.name}'"
    if not isinstance(raw, dict):
        problems.add(f"'required_if' must be a mapping like {{field: other, equals: value}}, got {_kind(raw)}", where)
        return None
    before = len(problems.items)
    _check_keys(raw, _CONDITION_KEYS, _CONDITION_KEYS, problems, f"{where}, required_if")
    target = raw.get("field")
    if target is None:
        problems.add("'required_if' is missing 'field'", where)
    elif not isinstance(target, str) or target not in by_name:
        names = tuple(by_name)
        problems.add(f"'required_if' refers to unknown field {_show(target)}{_suggest(target, names)}", where)
    elif target == f.name:
        problems.add("'required_if' refers to the field itself", where)
    if ("equals" in raw) == ("in" in raw):
        problems.add("'required_if' needs exactly one of 'equals' or 'in'", where)
    elif "in" in raw and (not isinstance(raw["in"], list) or not raw["in"]):
        problems.add(f"'required_if: in' must be a non-empty list, got {_kind(raw['in'])}", where)
    if len(problems.items) > before:
        return None

    ref = by_name[target]
    operator = "equals" if "equals" in raw else "in"
    raw_values = [raw["equals"]] if operator == "equals" else raw["in"]
    # A multiselect is compared one selected value at a time, so check values as for a select.
    scalar_ref = dataclasses.replace(ref, type="select") if ref.type == "multiselect" else ref
    values = []
    for raw_value in raw_values:
        value, error = _clean(scalar_ref, raw_value, None, False)
        if error is not None or value is None:
            what = "one of its options" if ref.type in ("select", "multiselect") else f"a valid {ref.type}"
            problems.add(f"'required_if' value {_show(raw_value)} is not {what} of field '{target}'", where)
            return None
        if value not in values:
            values.append(value)
    return Condition(field=target, values=tuple(values), operator=operator)


# --------------------------------------------------------------------------------------------
# Files


def _duplicate_keys(text: str) -> list[str]:
    """Duplicate mapping keys, which yaml.safe_load silently resolves to the last one."""
    found: list[tuple[int, str]] = []
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        line = key.start_mark.line + 1
                        found.append((line, f"duplicate key '{key.value}' at line {line}"))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return [message for _, message in sorted(found)]


def load_form(path: Path) -> FormDefinition:
    """Read and parse one ``<name>.yaml``; raises FormError whose lines start with the file name."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FormError(f"{path}: cannot read the file: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FormError(f"{path}: not UTF-8 text (bad byte at offset {e.start}); save the file as UTF-8") from None
    try:
        raw = yaml.safe_load(text)
        duplicates = _duplicate_keys(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        detail = getattr(e, "problem", None) or str(e)
        detail = " ".join(str(detail).split())
        raise FormError(f"{path}: YAML syntax error{where}: {detail}") from None
    except RecursionError:
        raise FormError(f"{path}: YAML nested too deeply") from None
    if duplicates:
        raise FormError([f"{path}: {d}" for d in duplicates])
    if raw is None:
        raise FormError(f"{path}: the file is empty")
    try:
        return parse_form(path.stem, raw)
    except FormError as e:
        raise FormError([f"{path}: {p}" for p in e.problems]) from None


def load_forms(forms_dir: Path) -> dict[str, FormDefinition]:
    """Load every ``*.yaml`` of ``forms_dir`` (hidden files skipped); raises one FormError listing
    every problem of every file. A ``*.yml`` file is a problem: it would otherwise be ignored."""
    forms_dir = Path(forms_dir)
    if not forms_dir.is_dir():
        raise FormError(f"{forms_dir}: not a directory")
    forms: dict[str, FormDefinition] = {}
    problems: list[str] = []
    for path in sorted(forms_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix == ".yml":
            problems.append(f"{path}: forms must end in .yaml; rename it to {path.stem}.yaml")
            continue
        if path.suffix != ".yaml":
            continue
        try:
            forms[path.stem] = load_form(path)
        except FormError as e:
            problems.extend(e.problems)
    if problems:
        raise FormError(problems)
    return forms


def validate_forms_dir(forms_dir: Path) -> list[str]:
    """One line per problem in ``forms_dir``; [] when every form loads."""
    try:
        load_forms(forms_dir)
    except FormError as e:
        return list(e.problems)
    return []
