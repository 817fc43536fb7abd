"""The meetings app's only door into the lists app's writes (needs and claims).

Meetings never write lists rows themselves: converting a proposal calls ``need_create`` and
``need_publish``, a claim on the board calls ``claim_create`` (channel ``meeting``) and staff
confirm with ``claim_confirm`` — the same rules as everywhere else.
"""

from __future__ import annotations

from typing import Any

from lianjian.accounts.actors import Actor
from lianjian.lists import services as lists_services


def need_create_published(
    *,
    actor: Actor,
    community: Any,
    title: str,
    description: str,
    category: Any,
    year: int,
    requester_org: Any = None,
    quantity_needed: int = 1,
    quantity_unit: str = "项",
    source: str = "meeting",
) -> Any:
    """Create a need from a meeting and publish it at once (staff raised it in the room)."""
    need = lists_services.need_create(
        actor=actor, community=community, title=title, description=description, category=category,
        year=year, requester_org=requester_org, quantity_needed=quantity_needed, quantity_unit=quantity_unit,
        source=source,
    )
    return lists_services.need_publish(actor=actor, need=need)


def need_publish(*, actor: Actor, need: Any) -> Any:
    return lists_services.need_publish(actor=actor, need=need)


def claim_create(
    *, actor: Actor, need: Any, organisation: Any, resource: Any = None, quantity: int = 1, role: str = "lead",
    note: str = "",
) -> Any:
    return lists_services.claim_create(
        actor=actor, need=need, organisation=organisation, resource=resource, quantity=quantity, role=role,
        note=note, channel="meeting",
    )


def claim_confirm(*, actor: Actor, claim: Any) -> Any:
    return lists_services.claim_confirm(actor=actor, claim=claim)
