"""Small builders for meeting tests, on top of the shared ``world``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists.models import Category
from lianjian.meetings import lists_bridge, services
from lianjian.meetings.models import Meeting
from lianjian.testing import make_org, make_partnership, make_user

START = dt.datetime(2025, 1, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def category(code: str = "culture-education") -> Category:
    return Category.objects.filter(code=code).first() or Category.objects.create(code=code, name=code)


def partner_unit(world: Any, name: str) -> tuple[Any, Any]:
    """A new joint unit of ``world.community`` with its liaison."""
    liaison = make_user(real_name=f"{name}联络员")
    org = make_org(region=world.community, name=name)
    make_partnership(community=world.community, organisation=org, liaison=liaison)
    return org, liaison


def make_meeting(world: Any, *, open_: bool = True, units: list[Any] | None = None) -> Meeting:
    meeting = services.meeting_create(
        actor=world.staff,
        community=world.community,
        title="2024年区域化党建联建工作总结会",
        starts_at=START,
        venue="“山上·文明里”新时代文明实践公园",
        review_year=2024,
        invited_units=units if units is not None else [world.unit],
    )
    if open_:
        meeting = services.meeting_set_status(actor=world.staff, meeting=meeting, status="open")
    return meeting


def board_need(world: Any, meeting: Meeting, *, title: str = "非遗文化进校园", quantity: int = 2) -> Any:
    need = lists_bridge.need_create_published(
        actor=SYSTEM,
        community=world.community,
        title=title,
        description=title,
        category=category(),
        year=2025,
        quantity_needed=quantity,
        quantity_unit="场",
    )
    services.board_add_need(actor=world.staff, meeting=meeting, need=need)
    return need
