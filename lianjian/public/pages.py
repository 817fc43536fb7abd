"""Reads for the public overview pages (home, district, street, community): the year's headline
figures from the analytics selectors, upcoming public events, the latest stories.

The figures of a region are the ones its dashboard and annual report show (one definition, in
``lianjian.analytics.selectors``); the year is the current one, or the latest with completed
projects when the current year has none yet (a January page shows last year's results).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from lianjian.analytics.selectors import Figures, latest_year_with_data, region_stats
from lianjian.events.models import Event, EventStatus
from lianjian.regions.models import Level, Region
from lianjian.stories.selectors import latest_with_cover
from lianjian.workers.selectors import public_merchants, public_stations

FIGURES_CACHE_SECONDS = 120
EVENTS_SHOWN = 5
STORIES_SHOWN = 5


@dataclass
class Overview:
    region: Region | None
    year: int
    figures: Figures
    events: list[Event] = field(default_factory=list)
    stories: list[Any] = field(default_factory=list)


def figures_year(region: Region) -> int:
    today = timezone.localdate()
    return latest_year_with_data(region=region, until=today.year) or today.year


def region_headline(region: Region) -> Figures:
    """The region's figures for its year, cached briefly (public pages are read far more than written)."""
    key = f"public:figures:{region.pk}"
    hit = cache.get(key)
    if hit is None:
        hit = region_stats(region=region, year=figures_year(region)).current
        cache.set(key, hit, FIGURES_CACHE_SECONDS)
    return hit


def site_headline() -> Figures:
    """Every city's figures added up (a deployment usually serves one city)."""
    key = "public:figures:site"
    hit = cache.get(key)
    if hit is None:
        cities = list(Region.objects.filter(level=Level.CITY).order_by("code"))
        parts = [region_headline(c) for c in cities]
        hit = Figures(year=max((p.year for p in parts), default=timezone.localdate().year))
        for p in parts:
            hit.joint_units += p.joint_units
            hit.projects_completed += p.projects_completed
            hit.people_served += p.people_served
            hit.volunteer_hours += p.volunteer_hours
            hit.rating_sum += p.rating_sum
            hit.rating_count += p.rating_count
        cache.set(key, hit, FIGURES_CACHE_SECONDS)
    return hit


def upcoming_events(region: Region | None, *, limit: int = EVENTS_SHOWN, now: dt.datetime | None = None) -> list[Event]:
    """Public events still to come in the region's subtree, plus its street's (a street's run is
    open to each of its communities); the whole site when *region* is None."""
    qs = Event.objects.filter(is_public=True, status=EventStatus.OPEN, ends_at__gte=now or timezone.now())
    if region is not None:
        q = Region.subtree_q(region, prefix="region__")
        for ancestor in (region.street_id, region.district_id):
            if ancestor:
                q |= Q(region_id=ancestor)
        qs = qs.filter(q)
    return list(qs.select_related("region").only(
        "id", "title", "starts_at", "ends_at", "venue", "region__name", "capacity", "taken", "status", "waitlist",
        "registration_closes_at", "registration_opens_at").order_by("starts_at", "id")[:limit])


def overview(region: Region | None) -> Overview:
    figures = region_headline(region) if region is not None else site_headline()
    return Overview(region=region, year=figures.year, figures=figures, events=upcoming_events(region),
                    stories=latest_with_cover(region=region, limit=STORIES_SHOWN))


# Templates other apps add to every community page (stations, friendly merchants…): each is
# included with the page's context (``node`` is the community) plus what its ``context`` function
# returns for the community. ``PublicConfig.ready`` registers the domain apps' sections.
COMMUNITY_INCLUDES: list[str] = []
COMMUNITY_CONTEXTS: dict[str, Callable[[Region], dict[str, Any]]] = {}


def register_community_include(template: str, context: Callable[[Region], dict[str, Any]] | None = None) -> None:
    if template not in COMMUNITY_INCLUDES:
        COMMUNITY_INCLUDES.append(template)
    if context is not None:
        COMMUNITY_CONTEXTS[template] = context


def community_include_context(community: Region) -> dict[str, Any]:
    """What the registered sections need, for the templates still registered."""
    out: dict[str, Any] = {}
    for template in COMMUNITY_INCLUDES:
        if template in COMMUNITY_CONTEXTS:
            out |= COMMUNITY_CONTEXTS[template](community)
    return out


def register_community_sections() -> None:
    """The rider stations and friendly merchants of the community (the workers app's public reads)."""
    register_community_include("workers/includes/public_stations.html",
                               lambda community: {"stations": list(public_stations(community))})
    register_community_include("workers/includes/public_merchants.html",
                               lambda community: {"merchants": public_merchants(community)})
