"""Phone and ID numbers in story text: a story is published for anyone to read, so its own text
may not carry them (the writer gets a clear message), and titles copied from linked objects are
masked like every public page masks them (the patterns match ``public_tags``' on public pages)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")


def mask(text: str) -> str:
    value = ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text or "")
    return PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", value)


def reject_personal_numbers(value: Any) -> None:
    """Validator of a story's public text fields."""
    text = str(value or "")
    if PHONE_RE.search(text) or ID_RE.search(text):
        raise ValidationError(_("报道会公开发布，请不要写入手机号或身份证号（可写成 139****5678）。"),
                              code="personal_number")
