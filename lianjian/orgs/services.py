"""Writes to units and partnerships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.models import Role
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.services import role_grant
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.text import check_text

from .models import LiaisonChange, Organisation, Partnership, PartnershipStatus

ORG_FIELDS = ["name", "short_name", "kind", "party_org_name", "party_member_count", "member_count",
              "address", "region", "contact_name", "contact_phone", "description", "is_active"]


@transaction.atomic
def organisation_create(*, actor: Actor, name: str, kind: str, region: Any, **fields: Any) -> Organisation:
    """Register a unit in a region the actor administers."""
    if not get_scope(actor).covers_region(region):
        raise PermissionDenied
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    org = Organisation(name=(name or "").strip(), kind=kind, region=region, **fields)
    org.full_clean()
    org.save()
    record_activity(actor=actor, action="create", obj=org, changes=snapshot(org, ["name", "kind", "region"]))
    return org


@transaction.atomic
def organisation_update(*, actor: Actor, organisation: Organisation, **data: Any) -> Organisation:
    """Change a unit's registry data; liaisons edit their own unit, staff the units in scope."""
    scope = get_scope(actor)
    if not scope.can_change(organisation):
        raise PermissionDenied
    unknown = set(data) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    if "region" in data and not scope.covers_region(data["region"]):
        if data["region"] != organisation.region:
            raise ValidationError({"region": _("只能选择您管辖范围内的区划。")})
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    # Lock the row so two editors do not interleave.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    changes = apply_changes(organisation, data)
    if not changes:
        return organisation
    organisation.full_clean()
    organisation.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="update", obj=organisation, changes=changes)
    return organisation


@transaction.atomic
def partnership_create(*, actor: Actor, community: Any, organisation: Organisation,
                       start_date: dt.date, end_date: dt.date | None = None, liaison: Any = None,
                       note: str = "") -> Partnership:
    """Sign a unit up as a joint unit of *community*."""
    if not community.is_community:
        raise ValidationError({"community": _("联建关系只能建立在社区（村）一级。")})
    if not get_scope(actor).covers_region(community):
        raise PermissionDenied
    if Partnership.objects.filter(community=community, organisation=organisation).exists():
        raise ValidationError({"organisation": _("该单位已是本社区的联建单位。")})
    p = Partnership(community=community, organisation=organisation, start_date=start_date, end_date=end_date,
                    note=note)
    p.full_clean()
    p.save()
    record_activity(actor=actor, action="create", obj=p,
                    changes=snapshot(p, ["community", "organisation", "start_date", "end_date"]))
    if liaison is not None:
        partnership_set_liaison(actor=actor, partnership=p, liaison=liaison)
    return p


@transaction.atomic
def partnership_update(*, actor: Actor, partnership: Partnership, **data: Any) -> Partnership:
    """Change a partnership's dates or note (staff of its community); the status has its own service."""
    unknown = set(data) - {"start_date", "end_date", "note"}
    if unknown:
        raise TypeError(f"unknown partnership fields: {sorted(unknown)}")
    if not get_scope(actor).covers_region(partnership.community):
        raise PermissionDenied
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    changes = apply_changes(partnership, data)
    if not changes:
        return partnership
    if partnership.end_date and partnership.end_date < partnership.start_date:
        raise ValidationError({"end_date": _("联建结束日期不能早于开始日期。")})
    partnership.full_clean()
    partnership.save(update_fields=[*changes, "updated_at"])
    record_activity(actor=actor, action="update", obj=partnership, changes=changes)
    return partnership


@transaction.atomic
def partnership_set_liaison(*, actor: Actor, partnership: Partnership, liaison: Any, reason: str = "") -> Partnership:
    """Appoint the partnership's liaison, keeping the history and granting the liaison role."""
    check_text(reason, field="reason")
    if not get_scope(actor).covers_region(partnership.community):
        raise PermissionDenied
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    previous = partnership.liaison
    if previous == liaison:
        return partnership
    partnership.liaison = liaison
    partnership.save(update_fields=["liaison", "updated_at"])
    LiaisonChange.objects.create(partnership=partnership, previous=previous, new=liaison,
                                 changed_by=person_of(actor),
                                 reason=reason)
    if liaison is not None:
        role_grant(actor=actor, user=liaison, role=Role.LIAISON, organisation=partnership.organisation)
    record_activity(actor=actor, action="set_liaison", obj=partnership,
                    changes={"liaison": [str(previous) if previous else None, str(liaison) if liaison else None]},
                    note=reason)
    return partnership


@transaction.atomic
def partnership_set_status(*, actor: Actor, partnership: Partnership, status: str,
                           end_date: dt.date | None = None) -> Partnership:
    if not get_scope(actor).covers_region(partnership.community):
        raise PermissionDenied
    if status not in PartnershipStatus.values:
        raise ValidationError({"status": _("未知的状态。")})
    changes = apply_changes(partnership, {"status": status, **({"end_date": end_date} if end_date else {})})
    if changes:
        partnership.full_clean()
        partnership.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="update", obj=partnership, changes=changes)
    return partnership
