"""Events for tests: an open event of a world's community, registering from a given phone."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from lianjian.accounts.permissions import SYSTEM
from lianjian.events import services
from lianjian.events.models import Event, Registration
from lianjian.testing import World

_phones = itertools.count(13700000000)


def next_phone() -> str:
    return str(next(_phones))


def make_event(world: World, **fields: Any) -> Event:
    start = timezone.now() + dt.timedelta(days=7)
    data: dict[str, Any] = {"title": "年夜饭", "region": world.community, "starts_at": start,
                            "ends_at": start + dt.timedelta(hours=3), "capacity": 5, "waitlist": True}
    data |= fields
    return services.event_create(actor=world.staff, **data)


def register(world: World, event: Event, *, phone: str | None = None, party_size: int = 1,
             name: str = "报名人") -> Registration:
    return services.registration_create(actor=world.staff, event=event, name=name, phone=phone or next_phone(),
                                        party_size=party_size)


def system_event(world: World, **fields: Any) -> Event:
    """An event created by the platform (e.g. for windows in the past that the service refuses)."""
    start = timezone.now() + dt.timedelta(days=7)
    data: dict[str, Any] = {"title": "活动", "region": world.community, "starts_at": start,
                            "ends_at": start + dt.timedelta(hours=3), "capacity": 5}
    data |= fields
    return services.event_create(actor=SYSTEM, **data)
