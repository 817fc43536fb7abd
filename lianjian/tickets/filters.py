"""The staff list's filters from a query string (the page, the export job, the API)."""

from __future__ import annotations

from typing import Any

from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Region

from .models import Status
from .selectors import Filters

ASSIGNEES = ("", "unit", "department", "none")


def filters_from_params(*, user: Any, params: Any) -> Filters:
    """Unknown values are ignored; a community outside the user's scope is ignored too (the list is
    already limited to the scope, so it would only show nothing)."""
    status = str(params.get("status") or "")
    category = str(params.get("category") or "")[:40]
    community = None
    raw = str(params.get("community") or "")
    if raw.isdigit() and len(raw) < 19:
        scope = get_scope(user)
        community = scope.filter_regions(Region.objects.all()).filter(pk=int(raw)).first()
    unit = str(params.get("unit") or "")
    assignee = str(params.get("assignee") or "")
    return Filters(
        status=status if status in {*Status.values, "open"} else "",
        category=category,
        community=community,
        overdue=str(params.get("overdue") or "") in ("1", "true", "on"),
        unit_id=int(unit) if unit.isdigit() and len(unit) < 19 else None,
        assignee=assignee if assignee in ASSIGNEES else "",
        q=str(params.get("q") or "")[:50],
    )


def params_of(filters: Filters) -> dict[str, Any]:
    return {"status": filters.status, "category": filters.category,
            "community": filters.community.pk if filters.community else "", "overdue": "1" if filters.overdue else "",
            "unit": filters.unit_id or "", "assignee": filters.assignee, "q": filters.q}
