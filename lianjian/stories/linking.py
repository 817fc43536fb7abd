"""The registry of things a story can be about.

Stories do not import the apps they report on. An app higher up (the public reader layer for
projects, events and meetings; later the street reports) registers each *kind* in its
``AppConfig.ready()`` with two functions:

* ``resolve(user, object_id) -> LinkTarget``: the object as *user* may see it (``Http404``
  otherwise), with its title, public URL (``""`` when it has no public page) and staff URL;
* ``draft(user, object_id) -> DraftFacts`` (optional): the facts of a first draft about it, read
  from that app's selectors ("34 home-cooked dishes and 8 from merchants…").

``SYSTEM`` may be passed as *user* to refresh cached titles and URLs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class LinkTarget:
    title: str
    url: str  # public page, "" when there is none
    staff_url: str
    region: Any  # the Region it belongs to (community or street)


@dataclass(frozen=True)
class DraftFacts:
    title: str
    subtitle: str
    body: str  # plain text with "## " headings, converted like any typed body
    region: Any
    happened_on: dt.date
    place: str = ""
    links: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class LinkKind:
    kind: str
    label: Any
    resolve: Callable[[Any, int], LinkTarget]
    draft: Callable[[Any, int], DraftFacts] | None = None


_KINDS: dict[str, LinkKind] = {}


def register_link_kind(kind: str, *, label: Any, resolve: Callable[[Any, int], LinkTarget],
                       draft: Callable[[Any, int], DraftFacts] | None = None) -> None:
    """Make *kind* linkable from stories (called from an AppConfig.ready(); registering again replaces)."""
    _KINDS[kind] = LinkKind(kind=kind, label=label, resolve=resolve, draft=draft)


def link_kinds() -> dict[str, LinkKind]:
    return dict(_KINDS)


def get_kind(kind: str) -> LinkKind:
    """The registered kind, else 404 (an unknown kind is like an unknown id)."""
    found = _KINDS.get(str(kind))
    if found is None:
        raise Http404
    return found


def resolve(user: Any, kind: str, object_id: Any) -> LinkTarget:
    """The target of a link as *user* may see it, else 404."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not 0 < pk <= 2**53:
        raise Http404
    return get_kind(kind).resolve(user, pk)


def kind_label(kind: str) -> Any:
    found = _KINDS.get(kind)
    return found.label if found else kind
