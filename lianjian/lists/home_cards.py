"""The lists app's cards on the home page of residents, riders and volunteers."""

from __future__ import annotations

from typing import Any

from . import selectors

RECENT = 5


def post_card(request: Any, scope: Any) -> dict[str, Any]:
    """The big "我要提需求" action, with the community it goes to."""
    return {"community": scope.home_community}


def mine_card(request: Any, scope: Any) -> dict[str, Any]:
    """The person's latest needs and where each one stands."""
    needs = list(selectors.my_needs(user=request.user)[:RECENT])
    rows = [(n, selectors.journey_summary(selectors.need_journey(need=n, user=request.user))) for n in needs]
    return {"rows": rows}
