"""Every figure of the dashboards and the annual report, computed from the data in one place.

Definitions (the report and the dashboards say the same thing because they call the same code):

- *joint units* (联建单位): distinct units with an active partnership with a community of the
  region whose agreement ran during the year;
- *completed projects* of year Y: projects of year Y (the 项目清单 they belong to) with status
  completed; by month uses their completion date;
- *units with completed projects*: distinct units taking part (lead or partner) in those projects;
- *people served*, *volunteer hours*: sums of the projects' counters; *average rating*: all their
  ratings' stars over all their ratings (not an average of averages).

Every function aggregates with GROUP BY in a fixed number of queries, whatever the size of the
region: a district of 3,000 communities costs the same handful of queries as one community.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from lianjian.accounts.permissions import get_scope
from lianjian.lists.models import Category
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.projects.models import Project, ProjectStatus, ProjectUnit
from lianjian.regions.models import Level, Region

# The Region column on Project.community that groups a node's children.
CHILD_FIELD = {
    Level.CITY: "community__district",
    Level.DISTRICT: "community__street",
    Level.STREET: "community",
}


@dataclass
class Figures:
    """The headline figures of one region and year."""

    year: int
    joint_units: int = 0
    units_with_completed: int = 0
    projects_completed: int = 0
    people_served: int = 0
    volunteer_hours: Decimal = Decimal(0)
    rating_sum: int = 0
    rating_count: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_month: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def is_empty(self) -> bool:
        return self.projects_completed == 0 and self.joint_units == 0

    @property
    def categories_text(self) -> str:
        return "、".join(name for name, _n in self.by_category)


def _subtree(region: Region, prefix: str) -> Q:
    return Region.subtree_q(region, prefix=prefix)


def completed_projects(*, region: Region, year: int) -> QuerySet[Project]:
    return Project.objects.filter(_subtree(region, "community__"), year=year, status=ProjectStatus.COMPLETED)


def _active_partnerships(*, region: Region, year: int) -> QuerySet[Partnership]:
    """Partnerships of the region's communities that were active at some time of *year*."""
    return Partnership.objects.filter(
        _subtree(region, "community__"),
        status=PartnershipStatus.ACTIVE,
        start_date__lte=dt.date(year, 12, 31),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1)))


def _child_key(region: Region) -> str:
    """The Project lookup that groups a region's rows by child (a community groups by itself)."""
    field_ = CHILD_FIELD.get(Level(region.level))
    return f"{field_}_id" if field_ and field_ != "community" else "community_id"


@dataclass
class ChildRow:
    region: Region
    projects_completed: int = 0
    people_served: int = 0
    volunteer_hours: Decimal = Decimal(0)
    rating_sum: int = 0
    rating_count: int = 0
    joint_units: int = 0
    units_with_completed: int = 0
    previous_projects: int = 0

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def change(self) -> int:
        return self.projects_completed - self.previous_projects


@dataclass
class RegionStats:
    """A region's figures for a year and the year before, and the same per child node."""

    current: Figures
    previous: Figures
    children: list[ChildRow]


def region_stats(*, region: Region, year: int) -> RegionStats:
    """Everything a dashboard shows, in three scans whatever the size of the region.

    1. completed projects of both years grouped by (child, year), with conditional counts per
       month (date ranges, no per-row functions) and per category — totals, months, categories,
       children and the year-over-year change all come from these rows;
    2. distinct (year, child, unit) pairs of the units that took part in them;
    3. (child, unit, agreement dates) of the active partnerships.
    """
    key = _child_key(region)
    is_leaf = region.level == Level.COMMUNITY
    categories = list(Category.objects.values_list("id", "name", "sort_order"))
    ann: dict[str, Any] = {
        "n": Count("id"),
        "people": Sum("people_served"),
        "hours": Sum("volunteer_hours"),
        "rsum": Sum("rating_sum"),
        "rcount": Sum("rating_count"),
    }
    for m in range(1, 13):
        first = dt.date(year, m, 1)
        nxt = dt.date(year + (m == 12), m % 12 + 1, 1)
        ann[f"m{m}"] = Count("id", filter=Q(completed_on__gte=first, completed_on__lt=nxt))
    for cid, _name, _order in categories:
        ann[f"c{cid}"] = Count("id", filter=Q(category_id=cid))
    rows = list(
        Project.objects.filter(
            _subtree(region, "community__"), status=ProjectStatus.COMPLETED, year__in=[year, year - 1]
        )
        .order_by()
        .values(key, "year")
        .annotate(**ann)
    )
    cur, prev = Figures(year=year), Figures(year=year - 1)
    children = (
        {}
        if is_leaf
        else {c.pk: ChildRow(region=c) for c in Region.objects.filter(parent=region).order_by("code")}
    )
    cat_counts: dict[int, int] = {}
    for r in rows:
        fig = cur if r["year"] == year else prev
        fig.projects_completed += r["n"]
        fig.people_served += r["people"] or 0
        fig.volunteer_hours += r["hours"] or Decimal(0)
        fig.rating_sum += r["rsum"] or 0
        fig.rating_count += r["rcount"] or 0
        child = children.get(r[key])
        if r["year"] == year:
            for m in range(12):
                cur.by_month[m] += r[f"m{m + 1}"]
            for cid, _name, _order in categories:
                cat_counts[cid] = cat_counts.get(cid, 0) + r[f"c{cid}"]
            if child is not None:
                child.projects_completed += r["n"]
                child.people_served += r["people"] or 0
                child.volunteer_hours += r["hours"] or Decimal(0)
                child.rating_sum += r["rsum"] or 0
                child.rating_count += r["rcount"] or 0
        elif child is not None:
            child.previous_projects += r["n"]
    names = {cid: (order, name) for cid, name, order in categories}
    cur.by_category = [
        (names[cid][1], n)
        for cid, n in sorted(cat_counts.items(), key=lambda kv: (-kv[1], names[kv[0]]))
        if n
    ]

    units: dict[int, set[int]] = {year: set(), year - 1: set()}
    child_units: dict[int, set[int]] = {}
    pairs = (
        ProjectUnit.objects.filter(
            _subtree(region, "project__community__"),
            project__status=ProjectStatus.COMPLETED,
            project__year__in=[year, year - 1],
        )
        .order_by()
        .values_list("project__year", f"project__{key}", "organisation_id")
        .distinct()
    )
    for y, child_id, org_id in pairs:
        units[y].add(org_id)
        if y == year and child_id in children:
            child_units.setdefault(child_id, set()).add(org_id)
    cur.units_with_completed, prev.units_with_completed = len(units[year]), len(units[year - 1])

    joint: dict[int, set[int]] = {year: set(), year - 1: set()}
    child_joint: dict[int, set[int]] = {}
    for child_id, org_id, start, end in (
        Partnership.objects.filter(_subtree(region, "community__"), status=PartnershipStatus.ACTIVE)
        .order_by()
        .values_list(key, "organisation_id", "start_date", "end_date")
    ):
        for y in (year, year - 1):
            if start <= dt.date(y, 12, 31) and (end is None or end >= dt.date(y, 1, 1)):
                joint[y].add(org_id)
                if y == year and child_id in children:
                    child_joint.setdefault(child_id, set()).add(org_id)
    cur.joint_units, prev.joint_units = len(joint[year]), len(joint[year - 1])
    for cid, row in children.items():
        row.units_with_completed = len(child_units.get(cid, ()))
        row.joint_units = len(child_joint.get(cid, ()))
    return RegionStats(current=cur, previous=prev, children=list(children.values()))


# Dashboards above a community aggregate whole streets or districts (200,000 projects in a big
# district); they are served from the cache for a few minutes. A community's own page and every
# report are always computed live.
STATS_CACHE_SECONDS = 300


def region_stats_cached(*, region: Region, year: int) -> tuple[RegionStats, dt.datetime]:
    """region_stats() and when it was computed; cached for regions above community level."""
    from django.core.cache import cache
    from django.utils import timezone

    if region.level == Level.COMMUNITY:
        return region_stats(region=region, year=year), timezone.now()
    key = f"analytics:region-stats:{region.pk}:{year}"
    hit = cache.get(key)
    if hit is None:
        hit = (region_stats(region=region, year=year), timezone.now())
        cache.set(key, hit, STATS_CACHE_SECONDS)
    return hit


def region_figures(*, region: Region, year: int) -> Figures:
    """The headline figures of *region* (any level) for *year*."""
    return region_stats(region=region, year=year).current


def children_rows(*, region: Region, year: int) -> list[ChildRow]:
    """One row per child node (streets of a district, communities of a street)."""
    return region_stats(region=region, year=year).children


@dataclass
class UnitRow:
    name: str
    kind: str
    projects: int = 0
    led: int = 0
    people_served: int = 0
    volunteer_hours: Decimal = Decimal(0)


def unit_rows(*, community: Region, year: int) -> list[UnitRow]:
    """Every joint unit of the community with what it completed in *year* (two queries)."""
    partnerships = (
        _active_partnerships(region=community, year=year)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    rows = {
        p.organisation_id: UnitRow(name=p.organisation.name, kind=p.organisation.get_kind_display())
        for p in partnerships
    }
    for r in (
        ProjectUnit.objects.filter(project__in=completed_projects(region=community, year=year))
        .order_by()
        .values("organisation_id", "organisation__name", "organisation__kind")
        .annotate(
            n=Count("project_id", distinct=True),
            led=Count("id", filter=Q(role="lead")),
            people=Sum("project__people_served"),
            hours=Sum("project__volunteer_hours"),
        )
    ):
        row = rows.setdefault(r["organisation_id"], UnitRow(name=r["organisation__name"], kind=""))
        row.projects, row.led = r["n"], r["led"]
        row.people_served, row.volunteer_hours = r["people"] or 0, r["hours"] or Decimal(0)
    return sorted(rows.values(), key=lambda r: (-r.projects, r.name))


@dataclass
class ProjectRow:
    title: str
    category: str
    units: str
    completed_on: dt.date | None
    people_served: int
    average_rating: float | None


def project_rows(*, community: Region, year: int) -> list[ProjectRow]:
    """The year's completed projects (the annex of the report), in two queries."""
    projects = list(
        completed_projects(region=community, year=year)
        .select_related("category", "lead_org")
        .order_by("category__sort_order", "completed_on", "id")
    )
    partners: dict[int, list[str]] = {}
    for pu in (
        ProjectUnit.objects.filter(project__in=[p.pk for p in projects], role="partner")
        .select_related("organisation")
        .order_by("id")
    ):
        partners.setdefault(pu.project_id, []).append(pu.organisation.name)
    return [
        ProjectRow(
            title=p.title,
            category=p.category.name,
            units="、".join([p.lead_org.name, *partners.get(p.pk, [])]),
            completed_on=p.completed_on,
            people_served=p.people_served,
            average_rating=p.average_rating,
        )
        for p in projects
    ]


@dataclass
class Highlight:
    title: str
    category: str
    units: str
    summary: str
    people_served: int
    average_rating: float | None
    completed_on: dt.date | None
    photo_path: str = ""  # absolute file path, empty if none
    photo_caption: str = ""


def highlights(*, community: Region, year: int, limit: int = 3) -> list[Highlight]:
    """The best-rated, most-served completed projects, each with a photo if one exists."""
    from lianjian.projects.models import ProgressPhoto

    projects = list(
        completed_projects(region=community, year=year)
        .select_related("category", "lead_org")
        .annotate(score=F("rating_sum") * 1000 / (F("rating_count") + 1) + F("people_served"))
        .order_by("-score", "-people_served", "id")[:limit]
    )
    photos: dict[int, Any] = {}
    for ph in (
        ProgressPhoto.objects.filter(update__project__in=[p.pk for p in projects])
        .select_related("update")
        .order_by("-update__is_completion", "-update__happened_on", "id")
    ):
        photos.setdefault(ph.update.project_id, ph)
    partners: dict[int, list[str]] = {}
    for pu in ProjectUnit.objects.filter(project__in=[p.pk for p in projects]).select_related("organisation"):
        partners.setdefault(pu.project_id, []).append(pu.organisation.name)
    out = []
    for p in projects:
        photo = photos.get(p.pk)
        path = ""
        if photo is not None:
            try:
                path = photo.image.path
            except (ValueError, NotImplementedError):
                path = ""
        names = partners.get(p.pk) or [p.lead_org.name]
        out.append(
            Highlight(
                title=p.title,
                category=p.category.name,
                units="、".join(dict.fromkeys(names)),
                summary=p.summary or p.description,
                people_served=p.people_served,
                average_rating=p.average_rating,
                completed_on=p.completed_on,
                photo_path=path,
                photo_caption=(photo.caption if photo else ""),
            )
        )
    return out


def latest_year_with_data(*, region: Region, until: int) -> int | None:
    """The most recent year (not after *until*) with a completed project in the region."""
    return (
        Project.objects.filter(_subtree(region, "community__"), status=ProjectStatus.COMPLETED, year__lte=until)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


# ---- regions the user may look at -----------------------------------------------------------------


def region_for_user(*, user: Any, pk: Any) -> Region:
    """A region node the user may see statistics of (staff: their community; admins: their subtree)."""
    try:
        region = Region.objects.select_related("city", "district", "street", "parent").get(pk=int(pk))
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not get_scope(user).covers_region(region):
        raise Http404
    return region


def home_region(*, user: Any) -> Region | None:
    """The highest node of the user's scope (the dashboard's starting point)."""
    scope = get_scope(user)
    if scope.region_nodes:
        return min(scope.region_nodes, key=lambda r: (r.level, r.code))
    if scope.is_superuser:
        return Region.objects.filter(level=Level.CITY).order_by("code").first()
    return None


def find_community(name: str) -> tuple[Region | None, list[str]]:
    """Resolve a community by name (or code); otherwise return close matches for the message."""
    import difflib

    name = (name or "").strip()
    qs = Region.objects.filter(level=Level.COMMUNITY)
    exact = list(qs.filter(Q(name=name) | Q(code=name) | Q(full_name=name))[:2])
    if len(exact) == 1:
        return exact[0], []
    names = list(qs.values_list("name", flat=True))
    if len(exact) > 1:
        return None, [f"{r.full_name or r.name}（{r.code}）" for r in exact]
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.3)
    close += [n for n in names if name and (name in n or n in name) and n not in close][:5]
    return None, close[:5]
