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

from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.http import Http404

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.lists.models import Category
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.projects.models import CompletedUnit, ProgressPhoto, Project, ProjectStatus, ProjectUnit
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


def _active_in(year: int, prefix: str = "") -> Q:
    """Partnerships whose agreement ran at some time of *year*."""
    return Q(**{f"{prefix}start_date__lte": dt.date(year, 12, 31)}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": dt.date(year, 1, 1)})
    )


def _child_of_community(region: Region) -> dict[int, int] | None:
    """For a city or district: community id → the child node (district or street) it lies in.

    A street's children are its communities themselves (None); a community has no children.
    One small query over regions instead of joining every project row to its community.
    """
    field_ = CHILD_FIELD.get(Level(region.level))
    if field_ is None or field_ == "community":
        return None
    return dict(
        Region.objects.filter(_subtree(region, ""), level=Level.COMMUNITY)
        .order_by()
        .values_list("pk", f"{field_.removeprefix('community__')}_id")
    )


def region_stats(*, region: Region, year: int) -> RegionStats:
    """Everything a dashboard shows, in a fixed number of grouped queries whatever the region's size.

    Projects are read through the covering index ``project_dashboard_idx`` (status, year,
    community, then every summed column) and never joined to their community's row:

    1. completed projects of both years grouped by (community, year) — totals, children and the
       year-over-year change (communities are mapped to the child street/district in Python
       from one query over the region's communities);
    2. this year's completed projects grouped by (completion date, category) — months and
       categories (dates are bucketed into months in Python, no per-row SQL functions);
    3. units taking part in those projects: above a community COUNT DISTINCT over the
       ``CompletedUnit`` summary (totals of both years, then per child); for one community its
       projects' units directly;
    4. distinct units with a partnership active in each year, in total and per child (SQL
       COUNT DISTINCT, no rows shipped to Python).
    """
    is_leaf = region.level == Level.COMMUNITY
    in_region = _subtree(region, "community__")
    # The region's communities as a subquery: projects are filtered on their own community_id
    # column (in the covering index) instead of being joined row by row to their community.
    communities = Region.objects.filter(_subtree(region, ""), level=Level.COMMUNITY).values("pk")
    child_of = _child_of_community(region)
    children = (
        {} if is_leaf else {c.pk: ChildRow(region=c) for c in Region.objects.filter(parent=region).order_by("code")}
    )

    def child_id(community_id: int) -> int | None:
        return child_of.get(community_id) if child_of is not None else community_id

    completed = Project.objects.filter(community_id__in=communities, status=ProjectStatus.COMPLETED).order_by()
    cur, prev = Figures(year=year), Figures(year=year - 1)
    for r in (
        completed.filter(year__in=[year, year - 1])
        .values("community_id", "year")
        .annotate(
            n=Count("id"),
            people=Sum("people_served"),
            hours=Sum("volunteer_hours"),
            rsum=Sum("rating_sum"),
            rcount=Sum("rating_count"),
        )
    ):
        fig = cur if r["year"] == year else prev
        fig.projects_completed += r["n"]
        fig.people_served += r["people"] or 0
        fig.volunteer_hours += r["hours"] or Decimal(0)
        fig.rating_sum += r["rsum"] or 0
        fig.rating_count += r["rcount"] or 0
        child = children.get(child_id(r["community_id"]))  # type: ignore[arg-type]
        if child is None:
            continue
        if r["year"] == year:
            child.projects_completed += r["n"]
            child.people_served += r["people"] or 0
            child.volunteer_hours += r["hours"] or Decimal(0)
            child.rating_sum += r["rsum"] or 0
            child.rating_count += r["rcount"] or 0
        else:
            child.previous_projects += r["n"]

    cat_counts: dict[int, int] = {}
    for completed_on, cid, n in (
        completed.filter(year=year)
        .values("completed_on", "category_id")
        .annotate(n=Count("id"))
        .values_list("completed_on", "category_id", "n")
    ):
        # Months count completions within the year itself (a 2024 project finished in January
        # 2025 counts for 2024 but in no month of it).
        if completed_on is not None and completed_on.year == year:
            cur.by_month[completed_on.month - 1] += n
        cat_counts[cid] = cat_counts.get(cid, 0) + n
    if cat_counts:
        names = {cid: (order, name) for cid, name, order in Category.objects.values_list("id", "name", "sort_order")}
        cur.by_category = [
            (names[cid][1], n) for cid, n in sorted(cat_counts.items(), key=lambda kv: (-kv[1], names[kv[0]])) if n
        ]

    child_units: dict[int, int] = {}
    if is_leaf:
        # One community: its few completed projects joined to their units, live (as the report).
        units: dict[int, set[int]] = {year: set(), year - 1: set()}
        for y, org_id in (
            ProjectUnit.objects.filter(
                project__community_id=region.pk,
                project__status=ProjectStatus.COMPLETED,
                project__year__in=[year, year - 1],
            )
            .order_by()
            .values_list("project__year", "organisation_id")
            .distinct()
        ):
            units[y].add(org_id)
        cur.units_with_completed, prev.units_with_completed = len(units[year]), len(units[year - 1])
    else:
        # Above a community, from the summary the projects' services keep in the same transaction
        # (CompletedUnit: a few rows per community and year instead of every completed project).
        # One query: COUNT DISTINCT units per year (both years) UNION ALL per child (this year);
        # rows of the second part carry year 0.
        summary = CompletedUnit.objects.filter(community_id__in=communities).order_by()
        key = "community_id" if child_of is None else f"{CHILD_FIELD[Level(region.level)]}_id"
        per_year = (
            summary.filter(year__in=[year, year - 1])
            .values("year")
            .annotate(child=Value(0, output_field=IntegerField()), n=Count("organisation_id", distinct=True))
            .values_list("year", "child", "n")
        )
        per_child = (
            summary.filter(year=year)
            .values(key)
            .annotate(y=Value(0, output_field=IntegerField()), n=Count("organisation_id", distinct=True))
            .values_list("y", key, "n")
        )
        for y, child_pk, n in per_year.union(per_child, all=True):
            if y == 0:
                child_units[child_pk] = n
            elif y == year:
                cur.units_with_completed = n
            else:
                prev.units_with_completed = n

    partnerships = Partnership.objects.filter(in_region, status=PartnershipStatus.ACTIVE).order_by()
    joint = partnerships.aggregate(
        now=Count("organisation_id", distinct=True, filter=_active_in(year)),
        before=Count("organisation_id", distinct=True, filter=_active_in(year - 1)),
    )
    cur.joint_units, prev.joint_units = joint["now"], joint["before"]
    for cid, row in children.items():
        row.units_with_completed = child_units.get(cid, 0)
    if children:
        key = "community_id" if child_of is None else f"{CHILD_FIELD[Level(region.level)]}_id"
        for child_pk, n in (
            partnerships.filter(_active_in(year)).values(key).annotate(n=Count("organisation_id", distinct=True))
        ).values_list(key, "n"):
            if child_pk in children:
                children[child_pk].joint_units = n
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
        _active_partnerships(region=community, year=year).select_related("organisation").order_by("organisation__name")
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
                # A report is a public document: it shows the public copy (resized, EXIF stripped).
                path = (photo.public_image or photo.image).path
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


def region_for_user(*, user: Viewer, pk: Any) -> Region:
    """A region node the user may see statistics of (staff: their community; admins: their subtree)."""
    try:
        region = Region.objects.select_related("city", "district", "street", "parent").get(pk=int(pk))
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not get_scope(user).covers_region(region):
        raise Http404
    return region


def home_region(*, user: Viewer) -> Region | None:
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
