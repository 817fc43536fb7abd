"""Resources (资源) a joint unit offers: creating, changing (capacity moves ``remaining``)
and their status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.orgs.models import Organisation, Partnership, PartnershipStatus

from ..models import BeneficiaryGroup, Category, Resource, ResourceStatus
from ._common import RESOURCE_FIELDS, _check_unknown, _clean_text, _validate_category, _validate_groups

# ---- resources -------------------------------------------------------------------------------

def _may_act_for(scope: Any, organisation: Organisation) -> bool:
    """Liaisons act for their unit; staff for units partnered with a community they run."""
    if scope.is_superuser or organisation.pk in scope.org_ids:
        return True
    return bool(scope.region_nodes) and Partnership.objects.filter(
        scope.region_q(prefix="community__"), organisation=organisation).exists()


def _validate_capacity(capacity: Any) -> None:
    if capacity is None or not isinstance(capacity, int) or capacity < 1:
        raise ValidationError({"capacity": _("总量必须是大于 0 的整数。")})


def _resource_communities(scope: Any, organisation: Organisation,
                          communities: Iterable[Any] | None) -> list[Any]:
    partnered = Partnership.objects.filter(organisation=organisation, status=PartnershipStatus.ACTIVE)
    if communities is None:
        qs = partnered.select_related("community")
        if not scope.is_superuser and organisation.pk not in scope.org_ids:
            qs = qs.filter(scope.region_q(prefix="community__"))
        return [p.community for p in qs]
    chosen = list(communities)
    allowed = set(partnered.values_list("community_id", flat=True))
    if any(c.pk not in allowed for c in chosen):
        raise ValidationError({"communities": _("所选社区不是该单位的联建社区。")})
    if not scope.is_superuser and organisation.pk not in scope.org_ids and \
            any(not scope.covers_region(c) for c in chosen):
        # Staff place a shared unit's resource only in the communities they run.
        raise ValidationError({"communities": _("只能选择您负责的社区。")})
    return chosen


@transaction.atomic
def resource_create(*, actor: Actor, organisation: Organisation, title: str, category: Category | None,
                    capacity: int, capacity_unit: str = "人", description: str = "",
                    beneficiary_groups: Iterable[BeneficiaryGroup] = (),
                    communities: Iterable[Any] | None = None,
                    **fields: Any) -> Resource:
    """Offer a resource of *organisation* to its communities (all partnered ones by default)."""
    scope = get_scope(actor)
    if not _may_act_for(scope, organisation):
        raise PermissionDenied
    _check_unknown(fields, RESOURCE_FIELDS, "resource")
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": _("请填写资源标题。")})
    _validate_category(category)
    _validate_capacity(capacity)
    groups = _validate_groups(beneficiary_groups)
    served = _resource_communities(scope, organisation, communities)
    resource = Resource(organisation=organisation, title=title, category=category, capacity=capacity,
                        remaining=capacity, capacity_unit=_clean_text(capacity_unit) or "人",
                        description=_clean_text(description), created_by=person_of(actor), **fields)
    resource.full_clean()
    if resource.valid_from and resource.valid_until and resource.valid_until < resource.valid_from:
        raise ValidationError({"valid_until": _("有效期止不能早于有效期起。")})
    resource.save()
    if groups:
        resource.beneficiary_groups.set(groups)
    if served:
        resource.communities.set(served)
    record_activity(actor=actor, action="create", obj=resource,
                    changes=snapshot(resource, ["title", "category", "capacity", "capacity_unit",
                                                "organisation"]))
    return resource


@transaction.atomic
def resource_update(*, actor: Actor, resource: Resource,
                    beneficiary_groups: Iterable[BeneficiaryGroup] | None = None,
                    communities: Iterable[Any] | None = None, **data: Any) -> Resource:
    """Change a resource. A new capacity moves ``remaining`` by the same amount and may not
    fall below what confirmed claims already use."""
    scope = get_scope(actor)
    resource = Resource.objects.select_for_update().select_related("organisation").get(pk=resource.pk)
    if not _may_act_for(scope, resource.organisation):
        raise PermissionDenied
    _check_unknown(data, RESOURCE_FIELDS, "resource")
    if "title" in data:
        data["title"] = _clean_text(data["title"])
        if not data["title"]:
            raise ValidationError({"title": _("请填写资源标题。")})
    if "category" in data and data["category"] != resource.category:
        _validate_category(data["category"])
    new_capacity = data.pop("capacity", resource.capacity)
    _validate_capacity(new_capacity)
    changes = apply_changes(resource, data)
    if changes:
        resource.full_clean(exclude=["capacity", "remaining"])
        if resource.valid_from and resource.valid_until and resource.valid_until < resource.valid_from:
            raise ValidationError({"valid_until": _("有效期止不能早于有效期起。")})
        resource.save(update_fields=[*changes, "updated_at"])
    delta = new_capacity - resource.capacity
    if delta:
        # Only if the places already committed still fit: remaining + delta must stay >= 0.
        updated = Resource.objects.filter(pk=resource.pk, capacity=resource.capacity,
                                          remaining__gte=max(0, -delta)).update(
            capacity=new_capacity, remaining=F("remaining") + delta, updated_at=timezone.now())
        if not updated:
            resource.refresh_from_db(fields=["capacity", "remaining"])
            raise ValidationError({"capacity": _("总量不能少于已确认认领的数量（%(n)s）。")
                                   % {"n": resource.committed}})
        changes["capacity"] = [resource.capacity, new_capacity]
        resource.refresh_from_db(fields=["capacity", "remaining"])
    if beneficiary_groups is not None:
        resource.beneficiary_groups.set(_validate_groups(beneficiary_groups))
    if communities is not None:
        resource.communities.set(_resource_communities(scope, resource.organisation, communities))
        changes["communities"] = [None, sorted(c.name for c in resource.communities.all())]
    if changes:
        record_activity(actor=actor, action="update", obj=resource, changes=changes)
    return resource


@transaction.atomic
def resource_set_status(*, actor: Actor, resource: Resource, status: str, reason: str = "") -> Resource:
    """Pause, resume or withdraw a resource; a withdrawn resource cannot come back."""
    scope = get_scope(actor)
    resource = Resource.objects.select_for_update().select_related("organisation").get(pk=resource.pk)
    if not _may_act_for(scope, resource.organisation):
        raise PermissionDenied
    if status not in ResourceStatus.values:
        raise ValidationError({"status": _("未知的状态。")})
    if resource.status == ResourceStatus.WITHDRAWN and status != ResourceStatus.WITHDRAWN:
        raise ValidationError({"status": _("已撤回的资源不能恢复，请重新发布。")})
    changes = apply_changes(resource, {"status": status})
    if changes:
        resource.save(update_fields=[*changes, "updated_at"])
        record_activity(actor=actor, action="set_status", obj=resource, changes=changes, note=reason)
    return resource
