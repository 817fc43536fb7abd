"""The process-wide matching index over the database's resources.

The index is built once per process and then kept current incrementally: each use picks up the
resources changed since the last sync (edited rows, and rows whose remaining capacity moved
because a claim was confirmed or withdrawn) and re-indexes only those. A cheap count check
catches deletions and falls back to a rebuild.

The engine is told the names of every region (they are never evidence of a match) and of the
beneficiary groups (who is served, not what); a change to either rebuilds the index.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from lianjian.lists.models import BeneficiaryGroup, Claim, Resource, ResourceStatus
from lianjian.projects.models import Project, ProjectStatus
from lianjian.regions.models import Region

from .engine import MatchEngine, NeedDoc, ResourceDoc

# Clock skew between app servers and the database is absorbed by re-reading a little overlap.
_OVERLAP = dt.timedelta(seconds=5)


def _unit_records(org_ids: Iterable[int] | None = None) -> dict[tuple[int, int], tuple[int, float | None]]:
    """(organisation, category) -> (completed projects it led, average rating)."""

    qs = Project.objects.filter(status=ProjectStatus.COMPLETED)
    if org_ids is not None:
        qs = qs.filter(lead_org_id__in=list(org_ids))
    rows = qs.values("lead_org_id", "category_id").annotate(
        n=Count("id"), rating_sum=Sum("rating_sum"), rating_count=Sum("rating_count"))
    return {
        (r["lead_org_id"], r["category_id"]): (
            r["n"], round(r["rating_sum"] / r["rating_count"], 2) if r["rating_count"] else None)
        for r in rows
    }


def resource_docs(resources: Iterable[Any], records: dict[tuple[int, int], tuple[int, float | None]]
                  ) -> list[ResourceDoc]:
    """Turn Resource rows (with organisation, category, groups and communities loaded) into documents."""
    docs = []
    for r in resources:
        completed, rating = records.get((r.organisation_id, r.category_id), (0, None))
        docs.append(ResourceDoc(
            id=str(r.pk), title=r.title, description=r.description, unit=r.organisation.name,
            category=r.category.name, beneficiaries=tuple(g.name for g in r.beneficiary_groups.all()),
            remaining=r.remaining, capacity_unit=r.capacity_unit, valid_from=r.valid_from,
            valid_until=r.valid_until, region_ids=tuple(str(c.pk) for c in r.communities.all()),
            unit_completed_in_category=completed, unit_avg_rating=rating, lat=r.lat, lng=r.lng,
        ))
    return docs


def need_doc(need: Any) -> NeedDoc:
    community = need.community
    path = tuple(str(x) for x in (community.street_id, community.district_id, community.city_id) if x)
    return NeedDoc(
        id=str(need.pk), title=need.title, description=need.description, category=need.category.name,
        beneficiaries=tuple(g.name for g in need.beneficiary_groups.all()), region_id=str(community.pk),
        region_name=community.name, wanted_by=need.wanted_by, lat=need.lat, lng=need.lng, region_path=path,
    )


def _active_resources() -> Any:
    return (Resource.objects.filter(status=ResourceStatus.ACTIVE)
            .select_related("organisation", "category")
            .prefetch_related("beneficiary_groups", "communities"))


def _vocabulary_state() -> tuple[Any, ...]:
    """Changes whenever a region or a beneficiary group is added, renamed or removed."""

    regions = Region.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    groups = tuple(BeneficiaryGroup.objects.order_by("pk").values_list("pk", "name"))
    return regions["n"], regions["changed"], groups


def new_engine() -> MatchEngine:
    """An empty engine that knows the deployment's region names and beneficiary groups."""

    return MatchEngine(places=Region.objects.values_list("name", flat=True).iterator(chunk_size=5000),
                       who_words=BeneficiaryGroup.objects.values_list("name", flat=True))


class ResourceIndex:
    """A MatchEngine mirrored from the database, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: MatchEngine | None = None
        self._synced_at: dt.datetime | None = None
        self._vocabulary: tuple[Any, ...] | None = None

    def engine(self) -> MatchEngine:
        with self._lock:
            now = timezone.now()
            vocabulary = _vocabulary_state()
            if self._engine is None or self._synced_at is None or vocabulary != self._vocabulary:
                self._vocabulary = vocabulary
                self._rebuild()
            else:
                self._refresh(since=self._synced_at - _OVERLAP)
            self._synced_at = now
            assert self._engine is not None
            return self._engine

    def reset(self) -> None:
        with self._lock:
            self._engine = None
            self._synced_at = None
            self._vocabulary = None

    def _rebuild(self) -> None:
        engine = new_engine()
        engine.add_many(resource_docs(_active_resources().iterator(chunk_size=2000), _unit_records()))
        self._engine = engine

    def _refresh(self, *, since: dt.datetime) -> None:
        assert self._engine is not None
        touched = set(Resource.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
        touched |= set(Claim.objects.filter(Q(updated_at__gte=since) | Q(decided_at__gte=since),
                                            resource__isnull=False).values_list("resource_id", flat=True))
        if touched:
            rows = list(_active_resources().filter(pk__in=touched))
            active = {r.pk for r in rows}
            records = _unit_records({r.organisation_id for r in rows})
            for doc in resource_docs(rows, records):
                self._engine.add(doc)
            for pk in touched - active:
                self._engine.remove(str(pk))
        if Resource.objects.filter(status=ResourceStatus.ACTIVE).count() != len(self._engine):
            self._rebuild()


INDEX = ResourceIndex()
