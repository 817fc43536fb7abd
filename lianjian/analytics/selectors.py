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
from django.db.models.functions import ExtractMonth
from django.http import Http404

from lianjian.accounts.permissions import get_scope
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


def _sums(qs: QuerySet[Project]) -> dict[str, Any]:
    return qs.aggregate(
        n=Count("id"),
        people=Sum("people_served"),
        hours=Sum("volunteer_hours"),
        rsum=Sum("rating_sum"),
        rcount=Sum("rating_count"),
    )


def _units_with_completed(projects: QuerySet[Project]) -> int:
    from lianjian.orgs.models import Organisation

    return Organisation.objects.filter(
        Q(pk__in=ProjectUnit.objects.filter(project__in=projects).values("organisation_id"))
        | Q(pk__in=projects.values("lead_org_id"))
    ).count()


def region_figures(*, region: Region, year: int, with_breakdown: bool = True) -> Figures:
    """The headline figures of *region* (any level) for *year*."""
    projects = completed_projects(region=region, year=year)
    s = _sums(projects)
    fig = Figures(
        year=year,
        joint_units=_active_partnerships(region=region, year=year)
        .values("organisation_id")
        .distinct()
        .count(),
        units_with_completed=_units_with_completed(projects) if s["n"] else 0,
        projects_completed=s["n"] or 0,
        people_served=s["people"] or 0,
        volunteer_hours=s["hours"] or Decimal(0),
        rating_sum=s["rsum"] or 0,
        rating_count=s["rcount"] or 0,
    )
    if with_breakdown and fig.projects_completed:
        _fill_breakdown(fig, projects)
    return fig


def _fill_breakdown(fig: Figures, projects: QuerySet[Project]) -> None:
    """By category and by month from one GROUP BY (category, month) query."""
    cats: dict[str, int] = {}
    order: dict[str, tuple[int, str]] = {}
    rows = (
        projects.order_by()
        .values("category__name", "category__sort_order")
        .annotate(month=ExtractMonth("completed_on"))
        .values("category__name", "category__sort_order", "month")
        .annotate(n=Count("id"))
    )
    for r in rows:
        name = r["category__name"]
        cats[name] = cats.get(name, 0) + r["n"]
        order[name] = (r["category__sort_order"], name)
        if r["month"]:
            fig.by_month[r["month"] - 1] += r["n"]
    fig.by_category = sorted(cats.items(), key=lambda kv: (-kv[1], order[kv[0]]))


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


def children_rows(*, region: Region, year: int) -> list[ChildRow]:
    """One row per child node (streets of a district, communities of a street) in five GROUP BYs."""
    child_field = CHILD_FIELD.get(Level(region.level))
    if child_field is None:
        return []
    children = list(Region.objects.filter(parent=region).order_by("code"))
    rows = {c.pk: ChildRow(region=c) for c in children}
    key = f"{child_field}_id" if child_field != "community" else "community_id"
    for r in (
        completed_projects(region=region, year=year)
        .order_by()
        .values(key)
        .annotate(
            n=Count("id"),
            people=Sum("people_served"),
            hours=Sum("volunteer_hours"),
            rsum=Sum("rating_sum"),
            rcount=Sum("rating_count"),
        )
    ):
        row = rows.get(r[key])
        if row:
            row.projects_completed, row.people_served = r["n"], r["people"] or 0
            row.volunteer_hours, row.rating_sum, row.rating_count = (
                r["hours"] or 0,
                r["rsum"] or 0,
                r["rcount"] or 0,
            )
    for r in completed_projects(region=region, year=year - 1).order_by().values(key).annotate(n=Count("id")):
        if r[key] in rows:
            rows[r[key]].previous_projects = r["n"]
    for r in (
        _active_partnerships(region=region, year=year)
        .order_by()
        .values(key)
        .annotate(n=Count("organisation_id", distinct=True))
    ):
        if r[key] in rows:
            rows[r[key]].joint_units = r["n"]
    pu_key = f"project__{key}"
    for r in (
        ProjectUnit.objects.filter(project__in=completed_projects(region=region, year=year))
        .order_by()
        .values(pu_key)
        .annotate(n=Count("organisation_id", distinct=True))
    ):
        if r[pu_key] in rows:
            rows[r[pu_key]].units_with_completed = r["n"]
    return list(rows.values())


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
        ph = photos.get(p.pk)
        path = ""
        if ph is not None:
            try:
                path = ph.image.path
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
                photo_caption=(ph.caption if ph else ""),
            )
        )
    return out


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
