"""Small helpers for the lists tests, all going through the services."""

from __future__ import annotations

from typing import Any

from lianjian.accounts.permissions import SYSTEM
from lianjian.lists import services
from lianjian.lists.models import Category, Need, Resource
from lianjian.lists.taxonomy import ensure_taxonomy


def category(code: str = "employment") -> Category:
    ensure_taxonomy()  # transactional tests flush the seeded rows
    return Category.objects.get(code=code)


def make_need(world: Any, *, publish: bool = True, quantity: int = 10, actor: Any = None,
              community: Any = None,
              title: str = "辖区失业人员再就业", **fields: Any) -> Need:
    need = services.need_create(actor=actor or world.resident, community=community or world.community,
                                title=title,
                                category=fields.pop("category", None) or category(), quantity_needed=quantity,
                                quantity_unit="人", **fields)
    if publish:
        need = services.need_publish(actor=SYSTEM, need=need)
    return need


def make_resource(world: Any, *, capacity: int = 5, organisation: Any = None, actor: Any = None,
                  **fields: Any) -> Resource:
    return services.resource_create(actor=actor or world.liaison, organisation=organisation or world.unit,
                                    title=fields.pop("title", "20 个就业岗位"),
                                    category=fields.pop("category", None) or category(),
                                    capacity=capacity, capacity_unit="个岗位", **fields)
