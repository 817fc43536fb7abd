"""Navigation entries that domain apps register in their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]  # receives the user's Scope
    order: int = 50
    group: str = "main"  # "main": the menu bar; "account": the menu under the person's name


_ENTRIES: list[NavEntry] = []


def register_nav(label: str | Promise, url_name: str, visible: Callable[[Any], bool], order: int = 50,
                 group: str = "main") -> None:
    if not any(e.url_name == url_name for e in _ENTRIES):
        _ENTRIES.append(NavEntry(label, url_name, visible, order, group))


def nav_entries() -> list[NavEntry]:
    return sorted(_ENTRIES, key=lambda e: e.order)
