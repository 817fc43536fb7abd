from __future__ import annotations

import functools
import logging
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from lianjian.accounts.permissions import get_scope
from lianjian.core.nav import nav_entries

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=512)
def _nav_url(url_name: str, urlconf: Any, prefix: str) -> str | None:
    """The URL of a navigation entry; entries take no arguments, so it is fixed for a given URL
    configuration and script prefix (one reverse per entry per process, not per page)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        # One app's missing page must not take every page of the site down with it.
        logger.error("navigation entry %s points to no URL", url_name)
        return None


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the current user's roles give access to."""
    scope = get_scope(getattr(request, "user", None))
    items: dict[str, list[tuple[str, str]]] = {"main": [], "more": [], "account": []}
    urlconf, prefix = get_urlconf(), get_script_prefix()
    for entry in nav_entries():
        if not entry.visible(scope):
            continue
        url = _nav_url(entry.url_name, urlconf, prefix)
        if url is not None:
            items.setdefault(entry.group, []).append((str(entry.label), url))
    return {"nav_items": items["main"], "more_items": items["more"], "account_items": items["account"],
            "scope": scope}
