"""Navigation entries and home-page cards that domain apps register in their AppConfig.ready()."""

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
    """Add a menu entry; one URL may appear under different labels (or menus) for different people."""
    if not any(e.url_name == url_name and str(e.label) == str(label) and e.group == group for e in _ENTRIES):
        _ENTRIES.append(NavEntry(label, url_name, visible, order, group))


def nav_entries() -> list[NavEntry]:
    return sorted(_ENTRIES, key=lambda e: e.order)


# ---- home-page cards ------------------------------------------------------------------------------

@dataclass(frozen=True)
class HomeCard:
    """One card of the logged-in home page.

    ``template`` renders the card; ``context(request, scope)`` returns its extra context (or None
    to leave the card out, e.g. when there is nothing to show); ``visible(scope)`` decides whom
    it is for. Apps add the tasks they bring (events, stations, points …) as cards.
    """

    key: str
    template: str
    visible: Callable[[Any], bool]
    context: Callable[[Any, Any], dict[str, Any] | None] | None = None
    order: int = 50


_CARDS: list[HomeCard] = []


def register_home_card(key: str, template: str, visible: Callable[[Any], bool],
                       context: Callable[[Any, Any], dict[str, Any] | None] | None = None,
                       order: int = 50) -> None:
    """Register a home card once (by key); a second registration under the same key replaces it."""
    _CARDS[:] = [c for c in _CARDS if c.key != key]
    _CARDS.append(HomeCard(key, template, visible, context, order))


def home_cards() -> list[HomeCard]:
    return sorted(_CARDS, key=lambda c: (c.order, c.key))


def cards_for(request: Any, scope: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of the cards this person sees, in order."""
    result = []
    for card in home_cards():
        if not card.visible(scope):
            continue
        extra = card.context(request, scope) if card.context is not None else {}
        if extra is None:
            continue
        result.append((card.template, extra))
    return result
