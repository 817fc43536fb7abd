"""Reactions to other apps' events."""

from __future__ import annotations

from typing import Any

from lianjian.accounts.actors import Actor

from .services import project_create_from_claims


def on_claim_confirmed(sender: Any, *, claim: Any, actor: Actor, **kwargs: Any) -> None:
    """A confirmed claim becomes its need's project, or joins the existing one as a partner.

    Runs inside ``claim_confirm``'s transaction, so a confirmation and its project stand or fall
    together.
    """

    project_create_from_claims(actor=actor, need=claim.need, claims=[claim])
