"""Reads of workers, stations and merchants: one access path per object, lists, usage figures.

Unknown ids and ids outside the reader's scope are the same 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.http import Http404
from django.utils import timezone

from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Region

from .models import CheckIn, Merchant, Offer, Station, StationPhoto, Supply, Worker, WorkerStatus


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


# ---- communities ---------------------------------------------------------------------------------

def staff_communities(*, user: Any) -> QuerySet[Region]:
    """Communities the user runs (for filters and for choosing where a station or merchant goes)."""
    return get_scope(user).filter_regions(Region.objects.communities()).order_by("code")


def registration_communities(*, user: Any) -> QuerySet[Region]:
    """Where a person may register: a self-service person in any community that runs stations
    (or their home community); staff record workers in the communities they run."""
    scope = get_scope(user)
    with_stations = Station.objects.values("community_id")
    if not scope.is_authenticated:  # registering with a phone code: the communities that run stations
        return Region.objects.communities().filter(pk__in=with_stations).order_by("code")
    if scope.is_staff_like:
        return staff_communities(user=user)
    if not scope.is_self_service:
        return Region.objects.none()
    home = scope.home_community
    q = Q(pk__in=with_stations) | (Q(pk=home.pk) if home is not None else Q(pk__in=[]))
    return Region.objects.communities().filter(q).order_by("code")


def community_for_registration(*, user: Any, pk: Any) -> Region:
    try:
        return registration_communities(user=user).get(pk=_pk(pk))
    except Region.DoesNotExist:
        raise Http404 from None


def staff_community(*, user: Any, pk: Any) -> Region:
    try:
        return staff_communities(user=user).get(pk=_pk(pk))
    except Region.DoesNotExist:
        raise Http404 from None


# ---- workers -----------------------------------------------------------------------------------

def worker_list(*, user: Any, community: Region | None = None, status: str = "", platform: str = "",
                grid_reporter: bool | None = None, q: str = "") -> QuerySet[Worker]:
    """Workers of the communities the user runs, newest first, filtered."""
    qs = get_scope(user).filter_scoped(Worker.objects.all(), region="community")
    if community is not None:
        qs = qs.filter(community=community)
    if status:
        qs = qs.filter(status=status)
    if platform:
        qs = qs.filter(platform=platform)
    if grid_reporter is not None:
        qs = qs.filter(is_grid_reporter=grid_reporter)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(station_name__icontains=q) | Q(phone__endswith=q)
                       | Q(work_area__icontains=q))
    return qs.select_related("community").order_by("-created_at", "-id")


def worker_for(user: Any, pk: Any, *, change: bool = False) -> Worker:
    """The worker *pk* as *user* may see it: themselves, or staff of the community (404 otherwise)."""
    worker = Worker.objects.select_related("community", "user", "verified_by", "certified_by").filter(
        pk=_pk(pk)).first()
    scope = get_scope(user)
    if worker is None or not scope.can_view(worker) or (change and not scope.can_change(worker)):
        raise Http404
    return worker


def my_worker(*, user: Any) -> Worker | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.select_related("community").filter(user=user).first()


def shows_phone(user: Any, worker: Worker) -> bool:
    """Phones are shown in full to the worker themselves and to staff of their community only."""
    return bool(get_scope(user).covers_region(worker.community) or (
        worker.user_id is not None and worker.user_id == getattr(user, "pk", None)))


def worker_counts(*, workers: QuerySet[Worker]) -> dict[str, int]:
    row = workers.order_by().aggregate(
        total=Count("id"), pending=Count("id", filter=Q(status=WorkerStatus.PENDING)),
        verified=Count("id", filter=Q(status=WorkerStatus.VERIFIED)),
        grid=Count("id", filter=Q(is_grid_reporter=True)))
    return {k: v or 0 for k, v in row.items()}


# ---- stations ----------------------------------------------------------------------------------

def station_list(*, user: Any, community: Region | None = None) -> QuerySet[Station]:
    """Stations the user runs (staff), with their supplies."""
    qs = get_scope(user).filter_scoped(Station.objects.all(), region="community")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.select_related("community").prefetch_related("supplies").order_by("community__code", "name")


def station_for(user: Any, pk: Any, *, change: bool = False) -> Station:
    """Anyone reads a station; ``change`` requires running its community (404 otherwise)."""
    station = Station.objects.select_related("community").filter(pk=_pk(pk)).first()
    if station is None or (change and not get_scope(user).can_change(station)):
        raise Http404
    return station


def supplies_of(*, station: Station) -> QuerySet[Supply]:
    return Supply.objects.filter(station=station).order_by("name", "id")


def supply_for(user: Any, station: Station, pk: Any, *, change: bool = False) -> Supply:
    supply = Supply.objects.filter(station=station, pk=_pk(pk)).first()
    if supply is None or (change and not get_scope(user).can_change(station)):
        raise Http404
    supply.station = station
    return supply


def station_photos(*, station: Station) -> QuerySet[StationPhoto]:
    return StationPhoto.objects.filter(station=station).order_by("id")


def station_photo_get(*, user: Any, pk: Any, original: bool) -> tuple[StationPhoto, bool]:
    """Public copies of a station's photos are public; originals only for its staff."""
    photo = StationPhoto.objects.select_related("station__community").filter(pk=_pk(pk)).first()
    if photo is None:
        raise Http404
    if not original:
        return photo, True
    if not get_scope(user).can_change(photo.station):
        raise Http404
    return photo, False


def public_stations(community: Region) -> QuerySet[Station]:
    """The open stations of a community for its public page (no personal data)."""
    return (Station.objects.filter(community=community, is_open=True)
            .prefetch_related(Prefetch("supplies", queryset=Supply.objects.order_by("name", "id")))
            .order_by("name", "id"))


@dataclass
class Usage:
    days: list[dt.date]
    day_counts: list[int]
    hour_counts: list[int]
    total: int
    workers: int

    @property
    def day_rows(self) -> list[tuple[dt.date, int]]:
        return list(zip(self.days, self.day_counts, strict=True))

    @property
    def hour_rows(self) -> list[tuple[int, int]]:
        return [(h, n) for h, n in enumerate(self.hour_counts) if n]

    def chart(self) -> dict[str, Any]:
        return {"days": [d.strftime("%m-%d") for d in self.days], "day_counts": self.day_counts,
                "hours": [f"{h:02d}" for h in range(24)], "hour_counts": self.hour_counts}


def station_usage(*, station: Station, days: int = 14, today: dt.date | None = None) -> Usage:
    """Check-ins of the last *days* days by local day, and by local hour of day, in two queries."""
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    rows = CheckIn.objects.filter(station=station, created_at__gte=since)
    by_day = dict(rows.annotate(day=TruncDate("created_at", tzinfo=tz)).values("day").annotate(n=Count("id"))
                  .values_list("day", "n").order_by())
    by_hour = dict(rows.annotate(hour=ExtractHour("created_at", tzinfo=tz)).values("hour").annotate(n=Count("id"))
                   .values_list("hour", "n").order_by())
    dates = [first + dt.timedelta(days=i) for i in range(days)]
    day_counts = [int(by_day.get(d, 0)) for d in dates]
    workers = rows.values("worker_id").distinct().count()
    return Usage(days=dates, day_counts=day_counts, hour_counts=[int(by_hour.get(h, 0)) for h in range(24)],
                 total=sum(day_counts), workers=workers)


def my_checkins(*, worker: Worker, limit: int = 5) -> list[CheckIn]:
    return list(CheckIn.objects.filter(worker=worker).select_related("station").order_by("-created_at")[:limit])


# ---- merchants ---------------------------------------------------------------------------------

def _current_offers(today: dt.date) -> QuerySet[Offer]:
    return Offer.objects.filter(is_active=True, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)).order_by("valid_from", "id")


def merchant_list(*, user: Any, community: Region | None = None) -> QuerySet[Merchant]:
    """Merchants the user manages: all of their communities for staff, their own unit for liaisons."""
    scope = get_scope(user)
    qs = scope.filter_scoped(Merchant.objects.all(), region="community", organisation="organisation")
    if community is not None:
        qs = qs.filter(community=community)
    return (qs.select_related("organisation", "community")
            .prefetch_related(Prefetch("offers", queryset=Offer.objects.order_by("-is_active", "-valid_from", "id")))
            .order_by("community__code", "alliance", "organisation__name"))


def merchant_for(user: Any, pk: Any) -> Merchant:
    """A merchant the user manages (staff of its community or its own liaison), 404 otherwise."""
    merchant = Merchant.objects.select_related("organisation", "community").filter(pk=_pk(pk)).first()
    if merchant is None or not get_scope(user).can_change(merchant):
        raise Http404
    return merchant


def offer_for(user: Any, merchant: Merchant, pk: Any) -> Offer:
    offer = Offer.objects.filter(merchant=merchant, pk=_pk(pk)).first()
    if offer is None:
        raise Http404
    offer.merchant = merchant
    return offer


def public_merchants(community: Region, *, today: dt.date | None = None) -> list[Merchant]:
    """The community's friendly merchants with their offers valid today (for its public page)."""
    today = today or timezone.localdate()
    merchants = (Merchant.objects.filter(community=community, is_active=True, organisation__is_active=True)
                 .select_related("organisation")
                 .prefetch_related(Prefetch("offers", queryset=_current_offers(today), to_attr="current_offers"))
                 .order_by("alliance", "organisation__name", "id"))
    return list(merchants)


def offers_for_worker(*, worker: Worker, today: dt.date | None = None, limit: int = 6) -> list[Offer]:
    today = today or timezone.localdate()
    return list(_current_offers(today).filter(merchant__community=worker.community, merchant__is_active=True)
                .select_related("merchant__organisation")[:limit])
