from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from lianjian.accounts.permissions import get_scope

from .nav import nav_entries

logger = logging.getLogger(__name__)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the current user's roles give access to."""
    scope = get_scope(getattr(request, "user", None))
    items: dict[str, list[tuple[str, str]]] = {"main": [], "account": []}
    for entry in nav_entries():
        if not entry.visible(scope):
            continue
        try:
            items.setdefault(entry.group, []).append((str(entry.label), reverse(entry.url_name)))
        except NoReverseMatch:
            # One app's missing page must not take every page of the site down with it.
            logger.error("navigation entry %s points to no URL", entry.url_name)
    return {"nav_items": items["main"], "account_items": items["account"], "scope": scope}
