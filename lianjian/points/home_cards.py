"""The points card on the home page of residents, riders and volunteers."""

from __future__ import annotations

from typing import Any

from . import selectors


def points_card(request: Any, scope: Any) -> dict[str, Any] | None:
    """Their balance, held points and honour hours, and how many codes wait at a merchant."""
    account = selectors.primary_account(user=request.user)
    if account is None:
        return {"account": None, "held_codes": 0}
    held_codes = selectors.my_redemptions(user=request.user).filter(status="held").count()
    return {"account": account, "held_codes": held_codes}
