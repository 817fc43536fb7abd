"""Reads of the region tree, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope, require_access

from .models import Region, RegionQuerySet


def region_list(*, user: Viewer, parent_id: int | None = None, level: int | None = None,
                q: str = "") -> RegionQuerySet:
    qs = get_scope(user).filter_regions(Region.objects.all()).select_related("parent")
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if level is not None:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def region_for(user: Viewer, pk: Any, *, change: bool = False) -> Region:
    """The region node *pk* if *user* may see it (and change it, with ``change``: an admin above
    it), else Http404 (existence not revealed) / PermissionDenied."""
    try:
        region = get_scope(user).filter_regions(Region.objects.select_related("parent")).get(pk=pk)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return require_access(user, region, change=True) if change else region  # the list is scoped


def region_get(*, user: Viewer, pk: int) -> Region:
    """Return the region if the user may see it; 404 otherwise (do not reveal existence)."""
    return region_for(user, pk)


def region_children_with_counts(*, user: Viewer, region: Region) -> RegionQuerySet:
    return (region_list(user=user, parent_id=region.pk)
            .annotate(n_children=Count("children", distinct=True)))


# The longest search text a public or self-service search looks at.
COMMUNITY_QUERY_MAX = 40


def community_search(*, q: str, limit: int = 20) -> list[Region]:
    """Communities whose name (or street's name) contains *q*, for choosing one's community."""
    q = " ".join((q or "").split())[:COMMUNITY_QUERY_MAX]
    if not q:
        return []
    return list(Region.objects.communities().filter(Q(name__icontains=q) | Q(street__name__icontains=q))
                .select_related("district", "street").order_by("code")[:limit])
