"""The public app's card on the home page of residents, riders and volunteers: their board."""

from __future__ import annotations

from typing import Any

from lianjian.projects.selectors import board_projects, board_totals

RECENT = 3


def board_card(request: Any, scope: Any) -> dict[str, Any]:
    """The person's community board: totals and the latest public projects."""
    community = scope.home_community
    if community is None:
        return {"community": None}
    return {"community": community, "projects": list(board_projects(community=community)[:RECENT]),
            "totals": board_totals(community=community)}
