"""The events card on the home page of residents, riders and volunteers."""

from __future__ import annotations

from typing import Any

from . import selectors, services
from .models import ACTIVE

RECENT = 3


def events_card(request: Any, scope: Any) -> dict[str, Any]:
    """Their places and queue positions, then the next public events they could join."""
    mine = [r for r in selectors.my_registrations(user=request.user).filter(status__in=ACTIVE)[:RECENT]]
    for r in mine:
        r.position = services.waitlist_position(r)  # type: ignore[attr-defined]
    taken = {r.event_id for r in mine}
    upcoming = [e for e in selectors.event_list(user=request.user, upcoming_only=True)[:RECENT + len(taken)]
                if e.pk not in taken][:RECENT]
    return {"mine": mine, "upcoming": upcoming}
