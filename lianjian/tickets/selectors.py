"""Reads of street reports, always through the caller's scope."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianjian.accounts.permissions import get_scope
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.regions.models import Region

from .models import OPEN_STATUSES, RUNNING, Category, PhotoKind, Report, ReportPhoto, Status, Supporter

EARTH_RADIUS_M = 6_371_000
NEARBY_LIMIT = 10


def report_communities(*, user: Any) -> QuerySet[Region]:
    """Communities a person may report in: any community for residents and riders (they move around),
    the ones they run (staff) or their units serve (liaisons) for everyone else."""
    scope = get_scope(user)
    qs = Region.objects.communities()
    if scope.is_superuser or scope.is_self_service:
        return qs.order_by("name")
    partnered = Partnership.objects.filter(organisation_id__in=sorted(scope.org_ids),
                                           status=PartnershipStatus.ACTIVE).values("community_id")
    return qs.filter(Q(pk__in=scope.filter_regions(Region.objects.communities()).values("pk"))
                     | Q(pk__in=partnered)).order_by("name")


def report_community(*, user: Any, pk: Any) -> Region:
    try:
        return report_communities(user=user).get(pk=pk)
    except (Region.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def categories(*, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def category_get(code: Any, *, active_only: bool = True) -> Category:
    category = categories(active_only=active_only).filter(code=str(code)[:40]).first()
    if category is None:
        raise Http404
    return category


def _with_photos(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.select_related("category", "community", "unit", "reporter").prefetch_related(
        Prefetch("photos", queryset=ReportPhoto.objects.order_by("id")))


def visible_reports(*, user: Any) -> QuerySet[Report]:
    """Reports the user may open: staff over the community, the reporter, supporters, the unit's liaisons."""
    scope = get_scope(user)
    if scope.is_superuser:
        return Report.objects.all()
    q = Q(pk__in=[])
    if scope.region_nodes:
        q |= scope.region_q(prefix="community__")
    if scope.org_ids:
        q |= Q(unit_id__in=sorted(scope.org_ids))
    if scope.is_authenticated:
        q |= Q(reporter_id=user.pk) | Q(pk__in=Supporter.objects.filter(user_id=user.pk).values("report_id"))
    return Report.objects.filter(q)


def report_get(*, user: Any, pk: Any) -> Report:
    try:
        return _with_photos(visible_reports(user=user)).get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def report_supportable(*, user: Any, pk: Any) -> Report:
    """A report the user may say "我也遇到了" to: one they see, or any open one for residents and riders
    (they find them among the nearby suggestions)."""
    try:
        return report_get(user=user, pk=pk)
    except Http404:
        if not get_scope(user).is_self_service:
            raise
    try:
        return _with_photos(Report.objects.filter(status__in=OPEN_STATUSES)).get(pk=pk)
    except (Report.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def my_reports(*, user: Any) -> QuerySet[Report]:
    """The user's own reports and those they follow, newest first, with photos and the timeline."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    qs = Report.objects.filter(Q(reporter_id=user.pk) | Q(pk__in=Supporter.objects.filter(user_id=user.pk)
                                                              .values("report_id")))
    return _with_photos(qs).prefetch_related("timeline").order_by("-created_at", "-id")


@dataclass
class Filters:
    status: str = ""
    category: str = ""
    community: Region | None = None
    overdue: bool = False
    unit_id: int | None = None
    assignee: str = ""  # "unit", "department", "none"
    q: str = ""


def staff_reports(*, user: Any, filters: Filters | None = None) -> QuerySet[Report]:
    """The staff list: reports of communities the user runs, filtered, newest first."""
    f = filters or Filters()
    scope = get_scope(user)
    if not scope.is_staff_like:
        return Report.objects.none()
    qs = Report.objects.all()
    if not scope.is_superuser:
        # The communities in scope as a list of ids (not a join on regions): the indexes that start
        # with community or status then serve the filter and the order.
        qs = qs.filter(community_id__in=list(scope.filter_regions(Region.objects.communities())
                                             .values_list("pk", flat=True)))
    if f.community is not None:
        qs = qs.filter(community_id__in=list(Region.objects.communities().filter(Region.subtree_q(f.community))
                                             .values_list("pk", flat=True)))
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.overdue:
        qs = qs.filter(status__in=RUNNING, deadline__lt=timezone.now())
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.assignee == "unit":
        qs = qs.filter(unit__isnull=False)
    elif f.assignee == "department":
        qs = qs.exclude(department="")
    elif f.assignee == "none":
        qs = qs.filter(unit__isnull=True, department="")
    if f.q:
        qs = qs.filter(description__icontains=f.q[:50])
    return qs.select_related("category", "community", "unit").order_by("-created_at", "-id")


# What a row of the staff list shows: loading only these keeps a page of 30 rows cheap.
LIST_FIELDS = ("status", "description", "address", "deadline", "created_at", "escalated_at", "department",
               "category__code", "category__name", "category__name_en", "community__name", "unit__name")


def staff_list_page_rows(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.only(*LIST_FIELDS)


def inbox(*, user: Any, done: bool = False) -> QuerySet[Report]:
    """A liaison's work: reports dispatched to their units, open first, nearest deadline first."""
    scope = get_scope(user)
    if not scope.org_ids:
        return Report.objects.none()
    qs = Report.objects.filter(unit_id__in=sorted(scope.org_ids))
    if done:
        qs = qs.exclude(status__in=[Status.DISPATCHED, Status.ACKNOWLEDGED]).order_by("-updated_at", "-id")
    else:
        qs = qs.filter(status__in=[Status.DISPATCHED, Status.ACKNOWLEDGED]).order_by("deadline", "id")
    return _with_photos(qs)


def dispatch_units(report: Report) -> QuerySet[Any]:
    from lianjian.orgs.selectors import partner_units_for

    return partner_units_for(report.community).order_by("name")


def liaisons_of(report: Report) -> list[Any]:
    if not report.unit_id:
        return []
    return [p.liaison for p in Partnership.objects.filter(
        organisation_id=report.unit_id, community_id=report.community_id, status=PartnershipStatus.ACTIVE,
        liaison__isnull=False).select_related("liaison")]


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby_open(*, category: Category, lat: float, lng: float, exclude_pk: Any = None,
                limit: int = NEARBY_LIMIT) -> list[Report]:
    """Open reports of *category* within its duplicate radius of (lat, lng), nearest first.

    A bounding box on the indexed columns picks candidates; the haversine distance decides."""
    radius = category.duplicate_radius_m
    dlat = radius / 111_320
    dlng = radius / max(1.0, 111_320 * math.cos(math.radians(lat)))
    qs = (Report.objects.filter(category=category, status__in=OPEN_STATUSES, lat__gte=lat - dlat,
                                lat__lte=lat + dlat, lng__gte=lng - dlng, lng__lte=lng + dlng)
          .select_related("category", "community").prefetch_related(
              Prefetch("photos", queryset=ReportPhoto.objects.filter(kind=PhotoKind.REPORT).order_by("id")))
          .order_by("-created_at")[:200])
    found = []
    for report in qs:
        if exclude_pk is not None and report.pk == exclude_pk:
            continue
        d = distance_m(lat, lng, report.lat or 0.0, report.lng or 0.0)
        if d <= radius:
            report.distance_m = round(d)  # type: ignore[attr-defined]
            found.append(report)
    found.sort(key=lambda r: r.distance_m)  # type: ignore[attr-defined]
    return found[:limit]


def photo_get(*, user: Any, pk: Any, original: bool) -> tuple[ReportPhoto, bool]:
    """A report photo: public copies are public (no EXIF, no location) unless the report was refused;
    originals only for people who may see the report."""
    photo = ReportPhoto.objects.select_related("report__community").filter(pk=pk).first()
    if photo is None:
        raise Http404
    report = photo.report
    if not original and report.status != Status.REJECTED:
        return photo, True
    scope = get_scope(user)
    if original:
        # Originals keep their EXIF (where and when): the reporter, the unit and staff only, not supporters.
        allowed = (scope.covers_region(report.community) or (report.unit_id in scope.org_ids)
                   or report.reporter_id == getattr(user, "pk", None))
    else:
        allowed = scope.can_view(report)
    if not allowed:
        raise Http404
    return photo, False


OPEN311_FIELDS = ("pk", "status", "description", "address", "lat", "lng", "created_at", "updated_at", "deadline",
                  "resolution_note", "duplicate_of_id", "department", "category__code", "category__name", "unit__name")


def open311_requests(*, ids: list[int] | None = None, category: Category | None = None, status: str = "",
                     start: dt.datetime | None = None, end: dt.datetime | None = None,
                     limit: int = 100) -> list[dict[str, Any]]:
    """Public requests for Open311 as plain rows (every report but refused ones), newest first, each
    with ``photo_id``: its first report photo (the public copy is what ``media_url`` points at)."""
    qs = Report.objects.exclude(status=Status.REJECTED)
    if ids:
        qs = qs.filter(pk__in=ids)
    else:
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
    if category is not None:
        qs = qs.filter(category=category)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    rows = list(qs.order_by("-created_at", "-id").values(*OPEN311_FIELDS)[:limit])
    photos: dict[int, int] = {}
    for report_id, photo_id in (ReportPhoto.objects.filter(report_id__in=[r["pk"] for r in rows],
                                                           kind=PhotoKind.REPORT)
                                .order_by("-id").values_list("report_id", "id")):
        photos[report_id] = photo_id  # the lowest id wins: the first photo
    for row in rows:
        row["photo_id"] = photos.get(row["pk"])
    return rows


def timeline_of(report: Report) -> list[Any]:
    return list(report.timeline.select_related("actor").order_by("at", "id"))
