"""Control characters: refused in what people type, removed from what the platform writes out.

A need titled ``"\\x01"`` or a project called ``"\\x07"`` is invisible on screen but fatal to
XML-based files: openpyxl refuses to write the cell, python-docx the paragraph, so one such row
used to turn a whole community's export or annual report into a server error.

Two halves, each in one place:

- **At the edge** — :func:`reject_control_chars` (one-line text: titles, names) and
  :func:`reject_control_chars_multiline` (text that may hold line breaks and tabs: descriptions,
  notes) are model-field validators. Every form (ModelForm cleaning), API call and import reaches
  the database through a service that calls ``full_clean()``, so they all refuse the same input
  with the same Chinese message.
- **On output** — :func:`printable` strips what XML cannot carry (and the other invisible
  controls) from text already stored, for data that predates the validators or arrived by another
  path. Every writer of xlsx, docx and PDF passes its text through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls, DEL and C1 controls; lone surrogates and the two non-characters XML forbids.
_CONTROL_ANY = r"\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_CONTROL_RE = re.compile(f"[{_CONTROL_ANY}]")
# The same, except tab, line feed and carriage return, which multi-line text may hold.
_CONTROL_MULTILINE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_MESSAGE = _("不能包含不可见的控制字符（第 %(position)d 个字符，%(code)s），请删除后重新填写。")
_MESSAGE_LINE = _("不能包含换行、制表符或其他控制字符（第 %(position)d 个字符，%(code)s），请写在一行内。")


def _check(value: Any, pattern: re.Pattern[str], message: Any) -> None:
    if not isinstance(value, str):
        return
    match = pattern.search(value)
    if match is not None:
        char = match.group()
        # \n, \t and \r get the "one line" wording; the others name their code point.
        text = _MESSAGE_LINE if char in "\t\n\r" else message
        raise ValidationError(text, code="control_characters",
                              params={"position": match.start() + 1, "code": f"U+{ord(char):04X}"})


def reject_control_chars(value: Any) -> None:
    """Validator for one-line text: no control characters at all (no line breaks or tabs either)."""
    _check(value, _CONTROL_RE, _MESSAGE)


def reject_control_chars_multiline(value: Any) -> None:
    """Validator for multi-line text: tab, line feed and carriage return allowed, other controls not."""
    _check(value, _CONTROL_MULTILINE_RE, _MESSAGE)


def has_control_chars(value: str, *, multiline: bool = False) -> bool:
    return (_CONTROL_MULTILINE_RE if multiline else _CONTROL_RE).search(value) is not None


def printable(value: Any) -> Any:
    """*value* with every character XML files cannot hold removed (tab and line breaks kept).

    Anything that is not a string comes back unchanged, so writers can pass every cell through.
    """
    if isinstance(value, str) and _CONTROL_MULTILINE_RE.search(value):
        return _CONTROL_MULTILINE_RE.sub("", value)
    return value


def check_text(value: Any, *, field: str, multiline: bool = True) -> None:
    """Refuse control characters in a service argument that is not checked by a model's ``full_clean``
    (a reason or note saved with ``update_fields``); the error is keyed by *field*."""
    try:
        (reject_control_chars_multiline if multiline else reject_control_chars)(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """Append *values* to an openpyxl worksheet (normal or write-only) as a writer of stored data should.

    Text passes through :func:`printable`, and text that starts with ``=`` stays text: openpyxl
    would store it as a formula, which a spreadsheet would run (a need titled ``=HYPERLINK(…)``)
    and which reads back empty.
    """
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        value = printable(value)
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            value = cell
        row.append(value)
    ws.append(row)


def error_text(exc: ValidationError | Iterable[Any]) -> str:
    """A refusal's messages as one line for a flash message or a job's failure: "；"-joined."""
    messages = exc.messages if isinstance(exc, ValidationError) else list(exc)
    return "；".join(str(m) for m in messages)
