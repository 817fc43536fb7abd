"""Writes to the region tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot

from .models import ANCESTOR_FIELD, Level, Region

KIND_LEVEL = {
    "city": Level.CITY, "district": Level.DISTRICT, "county_city": Level.DISTRICT, "county": Level.DISTRICT,
    "street": Level.STREET, "town": Level.STREET, "community": Level.COMMUNITY, "village": Level.COMMUNITY,
}


def _fill_ancestors(region: Region) -> None:
    parent = region.parent
    for level, field in ANCESTOR_FIELD.items():
        if region.level == level:
            setattr(region, field, region)
        elif parent is not None and region.level > level:
            setattr(region, f"{field}_id", parent.pk if parent.level == level else getattr(parent, f"{field}_id"))
        else:
            setattr(region, field, None)
    names = [a.name for a in [*parent.ancestors(), parent]] if parent else []
    region.full_name = "".join([*names, region.name])


@transaction.atomic
def region_create(*, actor: Actor, parent: Region | None, code: str, name: str, kind: str) -> Region:
    """Create a node under *parent*; only an admin whose scope covers *parent* may do so."""
    scope = get_scope(actor)
    if parent is None and not scope.is_superuser:
        raise PermissionDenied
    if parent is not None and not scope.can_manage_region_children(parent):
        raise PermissionDenied
    level = KIND_LEVEL.get(kind)
    if level is None:
        raise ValidationError({"kind": _("未知的区划类型。")})
    expected = Level.CITY if parent is None else parent.level + 1
    if level != expected:
        raise ValidationError({"kind": _("该类型不能放在所选上级之下。")})
    region = Region(parent=parent, code=code.strip(), name=name.strip(), level=level, kind=kind)
    region.full_clean(exclude=["city", "district", "street"])
    region.save()
    _fill_ancestors(region)
    region.save(update_fields=["city", "district", "street", "full_name"])
    record_activity(actor=actor, action="create", obj=region,
                    changes=snapshot(region, ["code", "name", "kind", "parent"]))
    return region


@transaction.atomic
def region_update(*, actor: Actor, region: Region, name: str | None = None, code: str | None = None) -> Region:
    """Rename or re-code a node. Moving a node is not offered: codes encode the parent."""
    if not get_scope(actor).can_change(region):
        raise PermissionDenied
    data: dict[str, Any] = {}
    if name is not None:
        data["name"] = name.strip()
    if code is not None:
        data["code"] = code.strip()
    changes = apply_changes(region, data)
    if not changes:
        return region
    region.full_clean(exclude=["city", "district", "street"])
    if "name" in changes:
        _fill_ancestors(region)
    region.save(update_fields=[*changes, "full_name", "updated_at"])
    if "name" in changes:
        # Descendants carry the name in their full name.
        for child in Region.objects.under(region, include_self=False).select_related("parent"):
            _fill_ancestors(child)
            child.save(update_fields=["full_name"])
    record_activity(actor=actor, action="update", obj=region, changes=changes)
    return region
