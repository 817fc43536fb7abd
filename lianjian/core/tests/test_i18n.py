"""The English catalogue is complete: every entry of django.po is translated and compiled into django.mo.

When one of these tests fails, refresh and translate the catalogue:

    cd lianjian && ../.venv/bin/python -m django makemessages -l en --no-obsolete -i "matching/data/*"
    # translate the empty and fuzzy entries (tools/po_untranslated.py lists them), then
    ../.venv/bin/python -m django compilemessages -l en

The .po is read with a small stdlib parser so the test needs no extra dependency.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def read_po(path: Path) -> list[Entry]:
    """Non-obsolete entries of a .po file (blank-line separated, as gettext writes it), without the header."""
    entries: list[Entry] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    block: list[tuple[int, str]] = []
    for number, raw in enumerate([*lines, ""], 1):
        if raw.strip():
            block.append((number, raw.strip()))
            continue
        if block:
            entry = _parse_block(path, block)
            if entry is not None and entry.msgid:
                entries.append(entry)
        block = []
    return entries


def _parse_block(path: Path, block: list[tuple[int, str]]) -> Entry | None:
    entry = Entry(line=block[0][0])
    target: tuple[str, int] | None = None
    seen_message = False
    for number, line in block:
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        elif keyword == "msgctxt":
            target, entry.msgctxt = ("msgctxt", 0), ""
        elif keyword == "msgid":
            target, seen_message = ("msgid", 0), True
        elif keyword == "msgid_plural":
            target, entry.msgid_plural = ("msgid_plural", 0), ""
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            target = ("msgstr", index)
            entry.msgstr[index] = ""
        else:
            raise ValueError(f"{path}:{number}: cannot parse {line!r}")
        if target is None:
            raise ValueError(f"{path}:{number}: text outside a message")
        text = _unquote(rest)
        name, index = target
        if name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        elif name == "msgid":
            entry.msgid += text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        else:
            entry.msgstr[index] += text
    return entry if seen_message else None


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_FILE.exists(), f"{PO_FILE} is missing"
    entries = read_po(PO_FILE)
    assert len(entries) > 100, "the English catalogue looks truncated"
    return entries


def _expected_forms(entry: Entry) -> int:
    return 2 if entry.msgid_plural is not None else 1


def test_every_english_po_entry_is_translated_and_not_fuzzy(po_entries):
    fuzzy = [e.label for e in po_entries if "fuzzy" in e.flags]
    untranslated = [
        e.label for e in po_entries
        if len(e.msgstr) < _expected_forms(e) or not all(s.strip() for s in e.msgstr.values())
    ]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {PO_FILE.name}:\n" + "\n".join(fuzzy)
    assert not untranslated, f"{len(untranslated)} untranslated entries in {PO_FILE.name}:\n" + "\n".join(untranslated)


def test_english_translations_keep_every_placeholder(po_entries):
    broken = []
    for e in po_entries:
        wanted = sorted(set(PLACEHOLDER.findall(e.msgid + (e.msgid_plural or ""))))
        for text in e.msgstr.values():
            # A singular form may leave the count out ("One row"), never invent or lose a name otherwise.
            got = sorted(set(PLACEHOLDER.findall(text)))
            if got != wanted and not (e.msgid_plural is not None and set(got) < set(wanted)):
                broken.append(f"{e.label}: {text!r} has {got}, source has {wanted}")
    assert not broken, "placeholders differ:\n" + "\n".join(broken)


def test_compiled_english_catalogue_contains_every_po_entry(po_entries):
    """django.mo is not stale: it holds every .po entry with the same translation."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run compilemessages"
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    missing = []
    for e in po_entries:
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural is not None:
            for index, text in e.msgstr.items():
                if catalog.get((key, index)) != text:
                    missing.append(e.label)
                    break
        elif catalog.get(key) != e.msgstr.get(0):
            missing.append(e.label)
    assert not missing, f"{len(missing)} entries of django.po are missing or different in django.mo " \
        "(run compilemessages):\n" + "\n".join(missing)


def test_django_serves_the_english_catalogue(po_entries):
    """The catalogue is on LOCALE_PATHS and wins over Django's own translations."""
    wrong = []
    with translation.override("en"):
        for e in po_entries:
            if e.msgid_plural is not None:
                got = translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2) if e.msgctxt else \
                    translation.ngettext(e.msgid, e.msgid_plural, 2)
                expected = e.msgstr.get(1)
            else:
                got = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
                expected = e.msgstr.get(0)
            if got != expected:
                wrong.append(f"{e.label}: got {got!r}")
    assert not wrong, "Django does not serve these English translations:\n" + "\n".join(wrong)
