from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from lianjian.accounts.permissions import get_scope

from .models import Activity


def activity_for(*, user: Any, obj: Model, limit: int = 50) -> QuerySet[Activity] | list[Activity]:
    """The audit trail of *obj*, for people who may change it (staff and the unit itself)."""
    if not get_scope(user).can_change(obj):
        return []
    return Activity.objects.for_object(obj).select_related("actor")[:limit]
