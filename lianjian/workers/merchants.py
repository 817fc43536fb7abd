"""Writes to friendly merchants (友好商户) and their offers to workers.

A merchant is an active joint unit of the community of kind 商户; staff of the community list it
(with its alliance, e.g. 西熙里商家联盟). Offers are written by staff of the community or by the
merchant's own liaison — never by the liaison of another merchant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lianjian.accounts.models import User
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.orgs.models import Organisation, OrgKind
from lianjian.orgs.selectors import is_active_partner
from lianjian.regions.models import Region

from .models import Merchant, Offer
from .services import Actor

MERCHANT_FIELDS = ("alliance", "blurb", "is_active")
OFFER_FIELDS = ("title", "details", "valid_from", "valid_until", "is_active")


def may_manage_offers(actor: Actor, merchant: Merchant) -> bool:
    return get_scope(actor).can_change(merchant)


@transaction.atomic
def merchant_create(*, actor: Actor, community: Region, organisation: Organisation, alliance: str = "",
                    blurb: str = "", is_active: bool = True) -> Merchant:
    """Staff list a merchant unit partnered with their community as friendly to workers."""
    if community is None or not get_scope(actor).covers_region(community):
        raise PermissionDenied
    if organisation.kind != OrgKind.MERCHANT:
        raise ValidationError({"organisation": _("只有“商户”类型的单位可以登记为友好商户。")})
    if not is_active_partner(organisation, community):
        raise ValidationError({"organisation": _("该商户不是本社区的联建单位。")})
    if Merchant.objects.filter(community=community, organisation=organisation).exists():
        raise ValidationError({"organisation": _("该商户已是本社区的友好商户。")})
    merchant = Merchant(community=community, organisation=organisation, alliance=(alliance or "").strip(),
                        blurb=(blurb or "").strip(), is_active=is_active)
    merchant.full_clean(validate_unique=False, validate_constraints=False)
    merchant.save()
    record_activity(actor=actor, action="create", obj=merchant, changes=snapshot(merchant, ["alliance", "blurb"]))
    return merchant


@transaction.atomic
def merchant_update(*, actor: Actor, merchant: Merchant, **data: Any) -> Merchant:
    """Staff change the alliance, the blurb, or stop showing the merchant."""
    if not get_scope(actor).covers_region(merchant.community):
        raise PermissionDenied
    unknown = set(data) - set(MERCHANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown merchant fields: {sorted(unknown)}")
    changes = apply_changes(merchant, {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()})
    merchant.full_clean(validate_unique=False, validate_constraints=False)
    if changes:
        merchant.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="update", obj=merchant, changes=changes)
    return merchant


def _clean_offer(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"unknown offer fields: {sorted(unknown)}")
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


@transaction.atomic
def offer_create(*, actor: Actor, merchant: Merchant, **data: Any) -> Offer:
    """The merchant's liaison (or staff) posts an offer to workers with its validity."""
    if not may_manage_offers(actor, merchant):
        raise PermissionDenied
    values = _clean_offer(data)
    if not values.get("valid_from"):
        values["valid_from"] = dt.date.today()
    offer = Offer(merchant=merchant, created_by=actor if isinstance(actor, User) else None, **values)
    offer.full_clean(exclude=["created_by"])
    offer.save()
    record_activity(actor=actor, action="create", obj=offer,
                    changes=snapshot(offer, ["title", "valid_from", "valid_until"]))
    return offer


@transaction.atomic
def offer_update(*, actor: Actor, offer: Offer, **data: Any) -> Offer:
    """Change or end an offer (``is_active=False``); only its merchant's liaison or staff may."""
    if not may_manage_offers(actor, offer.merchant):
        raise PermissionDenied
    offer = Offer.objects.select_related("merchant__organisation", "merchant__community").get(pk=offer.pk)
    changes = apply_changes(offer, _clean_offer(data))
    offer.full_clean(exclude=["created_by"])
    if changes:
        offer.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="update", obj=offer, changes=changes)
    return offer
