"""Sections an app above adds to a page of an app below, without the lower app importing it.

A region's page lists the units of the region (orgs), a unit's page its projects (projects): the
lower app's view calls :func:`page_context` and renders what the registered providers return;
the upper app registers its provider in its ``AppConfig.ready()``. Like the home cards in
:mod:`lianjian.core.nav`, this keeps the import layers pointing one way (see ``[tool.importlinter]``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# provider(request, obj) -> extra template context (empty when it has nothing for this object)
PageProvider = Callable[[Any, Any], dict[str, Any]]

_PROVIDERS: dict[str, dict[str, PageProvider]] = {}


def register_page_context(page: str, key: str, provider: PageProvider) -> None:
    """Add *provider*'s context to *page* (a URL name such as ``"orgs:detail"``); a second
    registration under the same key replaces the first."""
    _PROVIDERS.setdefault(page, {})[key] = provider


def page_context(page: str, request: Any, obj: Any) -> dict[str, Any]:
    """The extra context every provider registered for *page* gives for *obj*."""
    context: dict[str, Any] = {}
    for provider in _PROVIDERS.get(page, {}).values():
        context.update(provider(request, obj))
    return context
