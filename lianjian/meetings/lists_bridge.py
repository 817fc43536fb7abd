"""The meetings app's only door into the lists app's writes (needs and claims).

Meetings never write lists rows themselves: converting a proposal calls ``need_create`` and
``need_publish``, a claim on the board calls ``claim_create`` and staff confirm with
``claim_confirm`` — the same rules as everywhere else. Keeping every call here means a change in
the lists services' signatures is one edit.
"""

from __future__ import annotations

import inspect
from typing import Any


def _services() -> Any:
    try:
        from lianjian.lists import services
    except ModuleNotFoundError as exc:  # the lists services are being written in parallel
        if exc.name != "lianjian.lists.services":
            raise
        return _Fallback
    if not all(
        hasattr(services, n) for n in ("need_create", "need_publish", "claim_create", "claim_confirm")
    ):
        return _Fallback
    return services


class _Fallback:
    """Minimal stand-ins used only until the lists services exist; same rules, model-level.

    They lock the need row, refuse what is not published or would be over-covered, and count
    coverage when a claim is confirmed (as the chain issue describes for resources).
    """

    @staticmethod
    def need_create(
        *,
        actor: Any,
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
        from lianjian.core.activity import record_activity
        from lianjian.lists.models import Need

        need = Need(
            community=community,
            title=title,
            description=description,
            category=category,
            year=year,
            requester_org=requester_org,
            quantity_needed=quantity_needed,
            quantity_unit=quantity_unit,
            source=source,
        )
        need.full_clean()
        need.save()
        record_activity(actor=actor, action="create", obj=need)
        return need

    @staticmethod
    def need_publish(*, actor: Any, need: Any) -> Any:
        from django.utils import timezone

        from lianjian.lists.models import Need, NeedStatus

        Need.objects.filter(pk=need.pk).update(status=NeedStatus.PUBLISHED, published_at=timezone.now())
        need.refresh_from_db()
        return need

    @staticmethod
    def claim_create(
        *,
        actor: Any,
        need: Any,
        organisation: Any,
        resource: Any = None,
        quantity: int = 1,
        role: str = "lead",
        note: str = "",
        channel: str = "web",
    ) -> Any:
        from django.core.exceptions import ValidationError

        from lianjian.lists.models import Claim, Need, NeedStatus

        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.status != NeedStatus.PUBLISHED or quantity > need.quantity_open:
            raise ValidationError({"quantity": "该需求已认领满或未发布。"})
        claim = Claim(
            need=need,
            organisation=organisation,
            resource=resource,
            quantity=quantity,
            role=role,
            note=note,
            channel=channel,
            claimed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        claim.full_clean()
        claim.save()
        return claim

    @staticmethod
    def claim_confirm(*, actor: Any, claim: Any) -> Any:
        from django.db.models import F
        from django.utils import timezone

        from lianjian.lists.models import Claim, Need

        Claim.objects.filter(pk=claim.pk).update(status="confirmed", decided_at=timezone.now())
        Need.objects.filter(pk=claim.need_id).update(quantity_covered=F("quantity_covered") + claim.quantity)
        claim.refresh_from_db()
        return claim


def _call(name: str, **kwargs: Any) -> Any:
    """Call a lists service, passing only the keyword arguments it declares."""
    func = getattr(_services(), name)
    params = inspect.signature(func).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return func(**kwargs)


def need_create_published(
    *,
    actor: Any,
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
    need = _call(
        "need_create",
        actor=actor,
        community=community,
        title=title,
        description=description,
        category=category,
        year=year,
        requester_org=requester_org,
        quantity_needed=quantity_needed,
        quantity_unit=quantity_unit,
        source=source,
    )
    return _call("need_publish", actor=actor, need=need) or need


def claim_create(
    *,
    actor: Any,
    need: Any,
    organisation: Any,
    resource: Any = None,
    quantity: int = 1,
    role: str = "lead",
    note: str = "",
) -> Any:
    return _services().claim_create(
        actor=actor,
        need=need,
        organisation=organisation,
        resource=resource,
        quantity=quantity,
        role=role,
        note=note,
        channel="meeting",
    )


def claim_confirm(*, actor: Any, claim: Any) -> Any:
    return _call("claim_confirm", actor=actor, claim=claim) or claim
