"""The street-report card on the home page of residents, riders and volunteers."""

from __future__ import annotations

from typing import Any

from . import selectors

RECENT = 3


def tickets_card(request: Any, scope: Any) -> dict[str, Any]:
    """Their latest reports with where each stands, and the way to report a new one."""
    rows = list(selectors.my_reports(user=request.user)[:RECENT])
    return {"rows": rows}
