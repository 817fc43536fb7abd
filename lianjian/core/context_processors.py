from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from lianjian.accounts.permissions import get_scope

from .nav import nav_entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation entries the current user's roles give access to."""
    scope = get_scope(getattr(request, "user", None))
    items = [(str(e.label), reverse(e.url_name)) for e in nav_entries() if e.visible(scope)]
    return {"nav_items": items, "scope": scope}
