"""Languages: Vietnamese first (the source text of every message), English switchable.

The English catalogue is kept as text (`translations/en/LC_MESSAGES/messages.po`) and compiled
to `.mo` by the app factory into `<var>/translations/`, whenever the `.po` is newer than the
`.mo`: a fresh clone works without a build step, and no binary file sits in the repository.
Several workers starting at once each write a temporary file and rename it into place.

To add strings: wrap them in `_()` (Python) or `{{ _('...') }}` (templates), then
    .venv/bin/pybabel extract -F tiepdan/webui/babel.cfg -o /tmp/messages.pot tiepdan/webui
    .venv/bin/pybabel update -i /tmp/messages.pot -d tiepdan/webui/translations --no-fuzzy-matching
and fill in the English. tests/webui/test_i18n.py fails while a string has no translation.
"""
from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, redirect, request, session
from flask_babel import Babel, get_locale

from tiepdan.engine.clock import utc_to_local

from .security import safe_next

SOURCE_DIR = Path(__file__).resolve().parent / "translations"
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"

bp = Blueprint("lang", __name__)


def compile_catalogues(target: Path, source: Path = SOURCE_DIR) -> Path:
    """Compile every `<lang>/LC_MESSAGES/*.po` under `source` into `target`, if stale."""
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def current_language() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def is_english() -> bool:
    return str(get_locale() or DEFAULT_LANGUAGE) == "en"


def label(pair) -> str:
    """The label of a (vi, en) pair in the current language."""
    if not pair:
        return ""
    if isinstance(pair, str):
        return pair
    return pair[1] if is_english() and len(pair) > 1 and pair[1] else pair[0]


def format_date(value) -> str:
    """dd/mm/yyyy; a datetime (naive UTC, as stored) is shown in Vietnam's time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return utc_to_local(value).strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def format_datetime(value) -> str:
    if not isinstance(value, datetime):
        return format_date(value)
    return utc_to_local(value).strftime("%d/%m/%Y %H:%M")


@bp.get("/lang/<code>")
def switch(code: str):
    """Store the chosen language in the session and go back where the user was."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), "/"))


def init_app(app: Flask, var_dir: Path) -> None:
    compiled = compile_catalogues(var_dir / "translations")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=current_language)
    app.jinja_env.filters["ngay"] = format_date
    app.jinja_env.filters["ngaygio"] = format_datetime
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language, label=label)
    app.register_blueprint(bp)
