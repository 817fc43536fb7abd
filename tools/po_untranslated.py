#!/usr/bin/env python
"""List untranslated and fuzzy entries of the English catalogue.

Usage: .venv/bin/python tools/po_untranslated.py [path/to/django.po] [--count]

Exit status is 1 when anything is missing, so the script can also gate CI.
"""
from __future__ import annotations

import sys
from pathlib import Path

import polib

DEFAULT = Path(__file__).resolve().parent.parent / "lianjian/locale/en/LC_MESSAGES/django.po"


def missing(po: polib.POFile) -> list[polib.POEntry]:
    out = []
    for e in po:
        if e.obsolete:
            continue
        if "fuzzy" in e.flags:
            out.append(e)
        elif e.msgid_plural:
            if not all(v.strip() for v in e.msgstr_plural.values()) or len(e.msgstr_plural) < 2:
                out.append(e)
        elif not e.msgstr.strip():
            out.append(e)
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    po = polib.pofile(str(path), wrapwidth=79)
    todo = missing(po)
    if "--count" not in argv:
        for e in todo:
            flag = " [fuzzy]" if "fuzzy" in e.flags else ""
            where = " ".join(f"{path}:{line}" for path, line in e.occurrences[:2])
            print(f"{where}{flag}")
            print(f"  msgid: {e.msgid!r}")
            if e.msgid_plural:
                print(f"  plural: {e.msgid_plural!r}")
    print(f"{len(todo)} of {len([e for e in po if not e.obsolete])} entries need work", file=sys.stderr)
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
