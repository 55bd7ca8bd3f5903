"""Vietnamese by default, English on request; the English catalogue is complete; dates dd/mm/yyyy."""
from __future__ import annotations

import os
from datetime import date, datetime

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tiepdan.webui import i18n

WEBUI = i18n.SOURCE_DIR.parent
PO = i18n.SOURCE_DIR / "en" / "LC_MESSAGES" / "messages.po"


def test_vietnamese_by_default_english_by_switch(web):
    browser = web.client()
    page = browser.text("/login")
    assert '<html lang="vi">' in page and ">Đăng nhập</h1>" in page

    switched = browser.get("/lang/en?next=/login")
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"
    page = browser.text("/login")
    assert '<html lang="en">' in page and ">Sign in</h1>" in page and "Đăng nhập</h1>" not in page

    # The choice survives signing in and out; messages from Python are translated too.
    assert "Incorrect username or password." in browser.login("canbo", "sai-mat-khau").get_data(as_text=True)
    browser.login("canbo")
    inbox = browser.text("/inbox?view=queue")
    assert "Unit queue (unclaimed)" in inbox and "working days left" in inbox
    assert "Complaint" in inbox  # petition type labels follow the language
    assert "Handling officer" in inbox  # role labels from processes/roles.yaml
    browser.post("/logout", token_from="/inbox")
    assert "You have signed out." in browser.text("/login")

    browser.get("/lang/vi")
    assert ">Đăng nhập</h1>" in browser.text("/login")


def test_language_switch_ignores_unknown_codes_and_foreign_targets(web):
    browser = web.client()
    assert browser.get("/lang/fr").status_code == 302
    assert '<html lang="vi">' in browser.text("/login")
    assert browser.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"


def test_every_message_has_an_english_translation():
    extracted = {
        message
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(WEBUI), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")]
        )
    }
    assert len(extracted) > 50
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(m for m in extracted if not translated.get(m))
    assert missing == [], "run the pybabel commands in tiepdan/webui/i18n.py and translate these"
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_catalogues_compile_when_the_po_changes(tmp_path):
    source = tmp_path / "src" / "en" / "LC_MESSAGES"
    source.mkdir(parents=True)
    po = source / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Chào"\nmsgstr "Hello"\n',
                  encoding="utf-8")
    target = tmp_path / "out"
    i18n.compile_catalogues(target, tmp_path / "src")
    mo = target / "en" / "LC_MESSAGES" / "messages.mo"
    assert b"Hello" in mo.read_bytes()
    po.write_text(po.read_text(encoding="utf-8").replace("Hello", "Hi there"), encoding="utf-8")
    os.utime(po, (mo.stat().st_mtime + 5, mo.stat().st_mtime + 5))
    i18n.compile_catalogues(target, tmp_path / "src")
    assert b"Hi there" in mo.read_bytes() and b"Hello" not in mo.read_bytes()


def test_dates_are_dd_mm_yyyy_in_vietnam_time():
    assert i18n.format_date(date(2026, 3, 2)) == "02/03/2026"
    # 20:00 UTC on 1 March is 03:00 on 2 March in Vietnam.
    assert i18n.format_date(datetime(2026, 3, 1, 20, 0)) == "02/03/2026"
    assert i18n.format_datetime(datetime(2026, 3, 1, 20, 5)) == "02/03/2026 03:05"
    assert i18n.format_date(None) == ""
