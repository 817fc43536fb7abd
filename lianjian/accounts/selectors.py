from __future__ import annotations

from django.db.models import Model, QuerySet

from lianjian.core.activity import ActivityEntry, describe_activities
from lianjian.core.models import Activity

from .actors import Viewer
from .permissions import get_scope


def activity_for(*, user: Viewer, obj: Model, limit: int = 50) -> list[ActivityEntry]:
    """The audit trail of *obj* in words, for people who may change it (staff and the unit itself).

    It lives here, not in core, because who may read it is a question for the scope."""
    if not get_scope(user).can_change(obj):
        return []
    rows: QuerySet[Activity] = Activity.objects.for_object(obj).select_related("actor", "content_type")[:limit]
    return describe_activities(rows)
