"""Template tags that let other apps' pages show lists data (e.g. a unit's claims)."""

from __future__ import annotations

from typing import Any

from django import template

from lianjian.lists.selectors import claims_of_organisation

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_claims(context: dict[str, Any], organisation: Any, limit: int = 50) -> list[Any]:
    """The claims of *organisation* the current user may see, newest first (one query + prefetch)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if organisation is None or user is None:
        return []
    return list(claims_of_organisation(user, organisation)[:limit])
