"""Receivers of the other apps' domain events (``lianjian.core.domain_events``): each verified deed
is handed to a task that pays it through the ledger, once per ``source_key``.

The signal carries model instances; the task gets plain ids (it may run in another process), and
the ledger's unique source key makes a retried or duplicated task harmless.
"""

from __future__ import annotations

from typing import Any

from lianjian.core import domain_events

from .models import Trigger


def _ids(kwargs: dict[str, Any]) -> dict[str, Any]:
    person, community = kwargs.get("person"), kwargs.get("community")
    occurred_at = kwargs.get("occurred_at")
    return {"source_key": kwargs["source_key"], "person_id": getattr(person, "pk", None),
            "community_id": getattr(community, "pk", None), "phone": kwargs.get("phone") or "",
            "occurred_at": occurred_at.isoformat() if occurred_at else None}


def on_attendance(sender: Any, **kwargs: Any) -> None:
    from .tasks import award_task

    award_task(trigger=Trigger.ATTENDANCE, title=kwargs.get("event_title", ""), **_ids(kwargs))


def on_hours(sender: Any, **kwargs: Any) -> None:
    from .tasks import award_task

    award_task(trigger=Trigger.HOUR, minutes=int(kwargs.get("minutes") or 0),
               activity_key=kwargs.get("activity_key", ""), title=kwargs.get("title", ""), **_ids(kwargs))


def on_report(sender: Any, **kwargs: Any) -> None:
    from .tasks import award_task

    award_task(trigger=Trigger.REPORT, category_code=kwargs.get("category_code", ""),
               title=kwargs.get("title", ""), **_ids(kwargs))


def on_rating(sender: Any, **kwargs: Any) -> None:
    from .tasks import award_task

    award_task(trigger=Trigger.RATING, title="", **_ids(kwargs))


def on_voided(sender: Any, **kwargs: Any) -> None:
    from .tasks import reverse_task

    reverse_task(source_key=kwargs["source_key"], reason=kwargs.get("reason", ""))


def connect() -> None:
    domain_events.attendance_verified.connect(on_attendance, dispatch_uid="points.attendance")
    domain_events.volunteer_hours_verified.connect(on_hours, dispatch_uid="points.hours")
    domain_events.report_verified.connect(on_report, dispatch_uid="points.report")
    domain_events.rating_given.connect(on_rating, dispatch_uid="points.rating")
    domain_events.verification_voided.connect(on_voided, dispatch_uid="points.voided")
