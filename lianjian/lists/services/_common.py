"""What the lists services share: text and choice checks, who runs a community, who speaks
for a unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lianjian.accounts.models import Role, RoleAssignment
from lianjian.orgs.models import Organisation, Partnership, PartnershipStatus

from ..models import SHANGHAI, BeneficiaryGroup, Category

MAX_NEED_PHOTOS = 9
NEED_FIELDS = ["title", "description", "category", "beneficiary_count", "quantity_needed", "quantity_unit",
               "place", "urgency", "wanted_by", "year", "source", "contact_name", "contact_phone", "lat",
               "lng",
               "requester_org", "origin_type", "origin_id"]
RESOURCE_FIELDS = ["title", "description", "category", "capacity", "capacity_unit", "valid_from",
                   "valid_until",
                   "contact_name", "contact_phone", "lat", "lng"]


# ---- helpers ---------------------------------------------------------------------------------

def _today() -> dt.date:
    return dt.datetime.now(tz=SHANGHAI).date()


def _check_unknown(data: dict[str, Any], allowed: list[str], kind: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {kind} fields: {sorted(unknown)}")


def _partnered_orgs(community: Any) -> Any:
    return Partnership.objects.filter(community=community, status=PartnershipStatus.ACTIVE).values(
        "organisation_id")


def _is_partner(organisation: Organisation, community: Any) -> bool:
    return Partnership.objects.filter(community=community, organisation=organisation,
                                      status=PartnershipStatus.ACTIVE).exists()


def community_staff_ids(community: Any) -> list[int]:
    """Users who run *community*: its staff, falling back to the admins above it."""
    ids = list(RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, region=community)
               .values_list("user_id", flat=True))
    if not ids:
        ancestors = [pk for pk in (community.street_id, community.district_id) if pk]
        ids = list(RoleAssignment.objects.filter(role=Role.REGION_ADMIN, region_id__in=ancestors)
                   .values_list("user_id", flat=True))
    return ids


def liaison_ids(org_ids: Iterable[int]) -> list[int]:
    """Everyone who speaks for the given units (liaison role holders)."""
    return list(RoleAssignment.objects.filter(role=Role.LIAISON, organisation_id__in=list(org_ids))
                .values_list("user_id", flat=True).distinct())


def _clean_text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _validate_groups(groups: Iterable[Any]) -> list[BeneficiaryGroup]:
    result = list(groups or [])
    for g in result:
        if not isinstance(g, BeneficiaryGroup):
            raise ValidationError({"beneficiary_groups": _("未知的受益群体。")})
    return result


def _validate_category(category: Any) -> None:
    if not isinstance(category, Category):
        raise ValidationError({"category": _("请选择需求类别。")})
    if not category.is_active:
        raise ValidationError({"category": _("该类别已停用，请选择其他类别。")})
