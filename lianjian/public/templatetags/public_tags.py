"""Filters for public pages: free text typed by staff or units may hold a phone or ID number."""

from __future__ import annotations

import re

from django import template

register = template.Library()

# A mainland mobile number, optionally written 139-1234-5678 or 139 1234 5678.
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
# An 18-character resident ID number (the last character may be X).
ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")


def mask_personal(text: object) -> str:
    """Mask phone and ID numbers inside *text*: 139****5678, 510104********123X."""
    value = "" if text is None else str(text)
    value = ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", value)
    return PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", value)


register.filter("mask_personal", mask_personal)
