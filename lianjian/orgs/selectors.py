"""Reads of units and partnerships, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope, require_access
from lianjian.regions.models import Region

from .models import Organisation, Partnership, PartnershipStatus


def organisation_list(*, user: Viewer, region: Region | None = None, kind: str = "", q: str = "",
                      partner_of: Region | None = None) -> QuerySet[Organisation]:
    """Units the user may see, optionally those partnered with a community or under a region."""
    qs = get_scope(user).filter_organisations(Organisation.objects.all())
    if region is not None:
        partnered = Partnership.objects.filter(Region.subtree_q(region, prefix="community__")).values(
            "organisation_id")
        qs = qs.filter(Region.subtree_q(region, prefix="region__") | Q(pk__in=partnered))
    if partner_of is not None:
        qs = qs.filter(partnerships__community=partner_of)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    return qs.select_related("region").order_by("name")


def organisation_for(user: Viewer, pk: Any, *, change: bool = False) -> Organisation:
    """The unit *pk* if *user* may see it (and change it, with ``change``), else Http404 /
    PermissionDenied."""
    try:
        organisation = organisation_list(user=user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return require_access(user, organisation, change=True) if change else organisation  # the list is scoped


def organisation_get(*, user: Viewer, pk: Any) -> Organisation:
    return organisation_for(user, pk)


def partnerships_of_community(*, user: Viewer, community: Region) -> QuerySet[Partnership]:
    scope = get_scope(user)
    qs = Partnership.objects.filter(community=community).select_related("organisation", "liaison", "community")
    if not scope.covers_region(community):
        qs = qs.filter(organisation_id__in=scope.org_ids)
    return qs.order_by("organisation__name")


def partnerships_of_organisation(*, user: Viewer, organisation: Organisation) -> QuerySet[Partnership]:
    scope = get_scope(user)
    qs = Partnership.objects.filter(organisation=organisation).select_related("community", "liaison")
    if organisation.pk not in scope.org_ids and not scope.is_superuser:
        qs = qs.filter(scope.region_q(prefix="community__"))
    return qs


def community_unit_counts(*, communities: QuerySet[Region]) -> dict[int, int]:
    """Number of active joint units per community, in one query."""
    rows = (Partnership.objects.filter(community__in=communities, status=PartnershipStatus.ACTIVE)
            .values("community_id").annotate(n=Count("id")))
    return {r["community_id"]: r["n"] for r in rows}


# ---- resolving ids that arrive in requests -----------------------------------------------------
def partner_units_for(community: Region) -> QuerySet[Organisation]:
    """The active joint units of *community*: units with an ACTIVE partnership, themselves active."""
    return Organisation.objects.filter(
        is_active=True,
        pk__in=Partnership.objects.filter(community=community, status=PartnershipStatus.ACTIVE)
        .values("organisation_id"),
    )


def is_active_partner(organisation: Organisation, community: Region) -> bool:
    return partner_units_for(community).filter(pk=organisation.pk).exists()


def partner_unit_for(*, user: Viewer, community: Region, pk: Any) -> Organisation:
    """A unit *user* may act for in *community*: one of its active joint units that is the user's own
    (liaisons) or any of them for staff over the community; 404 otherwise."""
    scope = get_scope(user)
    qs = partner_units_for(community)
    if not scope.covers_region(community):
        qs = qs.filter(pk__in=sorted(scope.org_ids))
    try:
        return qs.get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def partner_unit_of(*, community: Region, pk: Any) -> Organisation:
    """Any active joint unit of *community* (for partners named on the community's own objects);
    404 for a unit that is not one."""
    try:
        return partner_units_for(community).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def partnered_communities(*, user: Viewer, organisation: Organisation) -> QuerySet[Region]:
    """Communities the unit is an active partner of, as far as *user* may place its resources:
    all of them for the unit's own liaisons, those in the user's regions for staff."""
    scope = get_scope(user)
    qs = Region.objects.communities().filter(
        pk__in=Partnership.objects.filter(organisation=organisation, status=PartnershipStatus.ACTIVE)
        .values("community_id"))
    if not scope.is_superuser and organisation.pk not in scope.org_ids:
        qs = scope.filter_regions(qs)
    return qs


def region_page_units(request: Any, region: Region) -> dict[str, Any]:
    """What a region's page shows of its units: a community's partnerships, else the unit counts
    of the communities below and the number of units in the region (see ``core.pages``)."""
    if region.is_community:
        return {"partnerships": partnerships_of_community(user=request.user, community=region)}
    return {"unit_counts": community_unit_counts(communities=Region.objects.under(region).communities()),
            "unit_total": organisation_list(user=request.user, region=region).count()}
