"""Reads of the region tree, always through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from lianjian.accounts.permissions import get_scope

from .models import Region, RegionQuerySet


def region_list(*, user: Any, parent_id: int | None = None, level: int | None = None,
                q: str = "") -> RegionQuerySet:
    qs = get_scope(user).filter_regions(Region.objects.all()).select_related("parent")
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if level is not None:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def region_get(*, user: Any, pk: int) -> Region:
    """Return the region if the user may see it; 404 otherwise (do not reveal existence)."""
    try:
        return get_scope(user).filter_regions(Region.objects.select_related("parent")).get(pk=pk)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def region_children_with_counts(*, user: Any, region: Region) -> RegionQuerySet:
    return (region_list(user=user, parent_id=region.pk)
            .annotate(n_children=Count("children", distinct=True)))
