"""Reads of joint projects, always through the reader's scope (or, for public pages, only
what may be shown without logging in)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope, require_access
from lianjian.lists.models import Category, Need, NeedStatus
from lianjian.orgs.models import Organisation
from lianjian.orgs.selectors import partner_units_for
from lianjian.regions.models import Region

from .models import Milestone, ProgressPhoto, ProgressUpdate, Project, ProjectStatus, ProjectUnit, Rating

PUBLIC_STATUSES = [ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED]


def _participates(org: Any) -> Any:
    """Projects *org* leads or partners in."""
    org_id = getattr(org, "pk", org)
    return Q(lead_org_id=org_id) | Exists(ProjectUnit.objects.filter(project=OuterRef("pk"), organisation_id=org_id))


def project_scope_q(user: Viewer) -> Any:
    """Q of the projects *user* may see, or None for "all of them"."""
    scope = get_scope(user)
    if scope.is_superuser:
        return None
    q: Any = Q(pk__in=[])
    if scope.region_nodes:
        q |= scope.region_q(prefix="community__")
    if scope.org_ids:
        ids = sorted(scope.org_ids)
        q |= Q(lead_org_id__in=ids) | Exists(
            ProjectUnit.objects.filter(project=OuterRef("pk"), organisation_id__in=ids)
        )
    return q


def project_list(
    *,
    user: Viewer,
    community: Region | None = None,
    category: Any = None,
    status: str = "",
    organisation: Any = None,
    year: int | None = None,
    q: str = "",
) -> QuerySet[Project]:
    """Projects the user may see, filtered; newest year first."""
    qs = Project.objects.all()
    scoped = project_scope_q(user)
    if scoped is not None:
        qs = qs.filter(scoped)
    return _filter(
        qs, community=community, category=category, status=status, organisation=organisation, year=year, q=q
    ).select_related("community", "category", "lead_org")


def _filter(
    qs: QuerySet[Project],
    *,
    community: Any = None,
    category: Any = None,
    status: str = "",
    organisation: Any = None,
    year: int | None = None,
    q: str = "",
) -> QuerySet[Project]:
    if community is not None:
        qs = qs.filter(community=community)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if organisation:
        qs = qs.filter(_participates(organisation))
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def project_for(user: Viewer, pk: Any, *, change: bool = False) -> Project:
    """The project *pk* if *user* may see it (and change it, with ``change``), else Http404 (out of
    scope looks exactly like unknown) / PermissionDenied."""
    try:
        project = Project.objects.select_related("community", "category", "lead_org", "need", "created_by").get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return require_access(user, project, change=change)


def project_get(*, user: Viewer, pk: Any) -> Project:
    """One project the user may see, else 404 (out of scope looks exactly like unknown)."""
    return project_for(user, pk)


def photo_get(*, user: Viewer, pk: Any, original: bool) -> tuple[ProgressPhoto, bool]:
    """A progress photo and whether it is public, or 404.

    The public copy and thumbnail of a project on the public board (not cancelled) are public;
    originals, and the copies of a cancelled project, only for people who may see the project.
    """
    photo = ProgressPhoto.objects.select_related("update__project__community").filter(pk=pk).first()
    if photo is None:
        raise Http404
    project = photo.update.project
    if not original and project.status in PUBLIC_STATUSES:
        return photo, True
    if not get_scope(user).can_view(project):
        raise Http404
    return photo, False


def milestone_for(user: Viewer, pk: Any, *, change: bool = False) -> Milestone:
    """The milestone *pk* if *user* may see its project (and change it, with ``change``)."""
    try:
        milestone = Milestone.objects.select_related("project__community").get(pk=pk)
    except (Milestone.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require_access(user, milestone.project, change=change)
    return milestone


def milestone_get(*, user: Viewer, pk: Any) -> Milestone:
    return milestone_for(user, pk)


@dataclass
class ProjectDetail:
    project: Project
    units: list[ProjectUnit]
    milestones: list[Milestone]
    updates: list[ProgressUpdate]
    ratings: list[Rating]
    today: dt.date


def project_detail(*, project: Project, rating_limit: int = 20) -> ProjectDetail:
    """Everything the project page shows, in a fixed number of queries."""
    units = list(project.project_units.select_related("organisation", "claim").order_by("role", "id"))
    milestones = list(project.milestones.all())
    updates = list(
        project.updates.select_related("author", "organisation").prefetch_related(
            Prefetch("photos", queryset=ProgressPhoto.objects.order_by("id"))
        )
    )
    ratings = list(project.ratings.all()[:rating_limit])
    today = timezone.localdate()
    for m in milestones:
        m.is_overdue = m.done_on is None and m.due_date < today and project.is_open  # type: ignore[attr-defined]
    return ProjectDetail(
        project=project, units=units, milestones=milestones, updates=updates, ratings=ratings, today=today
    )


def project_by_token(*, token: str) -> Project:
    """The project behind a public rating link (any status; the page explains what applies)."""
    try:
        return Project.objects.select_related("community", "lead_org", "category").get(public_token=token)
    except Project.DoesNotExist:
        raise Http404 from None


def milestones_overdue(*, today: dt.date | None = None) -> QuerySet[Milestone]:
    """Milestones past their due date, not done, of projects still open."""
    today = today or timezone.localdate()
    return (
        Milestone.objects.filter(
            done_on__isnull=True,
            due_date__lt=today,
            project__status__in=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS],
        )
        .select_related("project__community", "project__lead_org")
        .order_by("due_date", "id")
    )


def projects_of_organisation(
    user: Viewer, organisation: Organisation, *, status: str = ProjectStatus.COMPLETED, limit: int | None = None
) -> QuerySet[Project]:
    """Projects a unit delivered (completed by default), with their ratings, as the reader may see them."""
    qs = project_list(user=user, organisation=organisation, status=status).order_by("-completed_on", "-id")
    return qs[:limit] if limit else qs


def organisation_project_stats(user: Viewer, organisation: Organisation) -> dict[str, Any]:
    """Totals for a unit's page: projects delivered, people served, average rating."""
    qs = project_list(user=user, organisation=organisation, status=ProjectStatus.COMPLETED)
    row = qs.aggregate(n=Count("id"), people=Sum("people_served"), ratings=Sum("rating_count"), stars=Sum("rating_sum"))
    row["average"] = round(row["stars"] / row["ratings"], 1) if row["ratings"] else None
    return row


def projects_of_need(*, user: Viewer, need: Need) -> QuerySet[Project]:
    """A need's projects (the other half of the trace), visible to whoever may see the need."""
    return (
        Project.objects.filter(need=need)
        .select_related("lead_org", "category")
        .prefetch_related(
            Prefetch("project_units", queryset=ProjectUnit.objects.select_related("organisation")),
            Prefetch("updates", queryset=ProgressUpdate.objects.prefetch_related("photos")),
        )
        .order_by("created_at")
    )


def community_choices(*, user: Viewer) -> QuerySet[Region]:
    """Communities whose project list the user may open."""
    scope = get_scope(user)
    qs = Region.objects.communities()
    if scope.is_superuser:
        return qs
    q = Q(pk__in=[])
    if scope.region_nodes:
        q |= scope.region_q()
    if scope.org_ids:
        q |= Q(partnerships__organisation_id__in=sorted(scope.org_ids))
    return qs.filter(q).distinct().order_by("code")


def community_units(*, community: Region) -> QuerySet[Organisation]:
    """The units a new project of *community* may have: its active joint units."""

    return partner_units_for(community).order_by("name")


def unit_choices(*, community: Region) -> list[tuple[int, str]]:
    """(id, name) of every unit that was ever a joint unit of the community, for filter bars."""
    return list(Organisation.objects.filter(partnerships__community=community).order_by("name")
                .values_list("pk", "name"))


def category_choices() -> list[tuple[int, str]]:
    return list(Category.objects.filter(is_active=True).values_list("pk", "name"))


# ---- public board -----------------------------------------------------------------------------
def public_community(*, code: str) -> Region:
    try:
        return Region.objects.communities().get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def board_projects(
    *,
    community: Region,
    category: Any = None,
    status: str = "",
    organisation: Any = None,
    year: int | None = None,
    q: str = "",
) -> QuerySet[Project]:
    """Projects on the public board: not cancelled ones, with *q* in the title; no personal data
    is read."""
    qs = Project.objects.filter(community=community, status__in=PUBLIC_STATUSES)
    if status and status not in PUBLIC_STATUSES:
        return qs.none()
    if q:
        qs = qs.filter(title__icontains=q)
    return (
        _filter(qs, category=category, status=status, organisation=organisation, year=year)
        .select_related("category", "lead_org")
        .only(
            "id",
            "title",
            "year",
            "status",
            "completed_on",
            "start_date",
            "people_served",
            "rating_count",
            "rating_sum",
            "public_token",
            "category__name",
            "category__name_en",
            "lead_org__name",
            "community_id",
            "created_at",
        )
    )


def board_needs(
    *, community: Region, category: Any = None, year: int | None = None, organisation: Any = None
) -> QuerySet[Need]:
    """Published needs (open or fully claimed) without any personal data."""
    qs = Need.objects.filter(community=community, status__in=[NeedStatus.PUBLISHED, NeedStatus.COVERED])
    if category:
        qs = qs.filter(category=category)
    if year:
        qs = qs.filter(year=year)
    if organisation:
        qs = qs.filter(claims__organisation=organisation, claims__status="confirmed").distinct()
    # Only public columns: never the requester, contact name or phone.
    return qs.select_related("category").only(
        "id",
        "title",
        "description",
        "year",
        "status",
        "quantity_needed",
        "quantity_unit",
        "quantity_covered",
        "wanted_by",
        "category__name",
        "category__name_en",
        "published_at",
        "created_at",
    )


def board_totals(*, community: Region, year: int | None = None) -> dict[str, Any]:
    qs = Project.objects.filter(community=community, status=ProjectStatus.COMPLETED)
    if year:
        qs = qs.filter(year=year)
    row = qs.aggregate(projects=Count("id"), people=Sum("people_served"), n=Sum("rating_count"), s=Sum("rating_sum"))
    row["average"] = round(row["s"] / row["n"], 1) if row["n"] else None
    # Units that completed projects: leads and partners alike (as the annual report counts them).
    row["units"] = Organisation.objects.filter(
        Q(pk__in=qs.values("lead_org_id"))
        | Q(pk__in=ProjectUnit.objects.filter(project__in=qs).values("organisation_id"))
    ).count()
    return row


def organisation_page_projects(request: Any, organisation: Organisation) -> dict[str, Any]:
    """What a unit's page shows of its projects (see ``core.pages``)."""
    return {"unit_projects": projects_of_organisation(request.user, organisation, limit=50),
            "project_stats": organisation_project_stats(request.user, organisation)}
