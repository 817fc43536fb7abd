"""The worker card on the home page of riders (and of anyone who could register as one)."""

from __future__ import annotations

from typing import Any

from . import selectors


def worker_card(request: Any, scope: Any) -> dict[str, Any] | None:
    """Their registration status, last check-ins and current offers; riders not yet registered
    are invited to register. Residents and volunteers who never registered see nothing."""
    worker = selectors.my_worker(user=request.user)
    if worker is None:
        from lianjian.accounts.models import Role

        return {"worker": None} if Role.RIDER in scope.roles else None
    return {"worker": worker, "checkins": selectors.my_checkins(worker=worker, limit=3),
            "offers": selectors.offers_for_worker(worker=worker, limit=3)}
