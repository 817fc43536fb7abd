"""Reads for the public pages (no login): the region tree, search by name, public projects.

Only public facts leave here: region names, unit names, project titles, progress, figures and
anonymous rating comments; never a resident's name, phone number or account.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.projects.models import ProgressPhoto, ProgressUpdate, Project, ProjectStatus, ProjectUnit, Rating
from lianjian.projects.selectors import PUBLIC_STATUSES
from lianjian.regions.models import Level, Region
from lianjian.regions.selectors import COMMUNITY_QUERY_MAX

SEARCH_LIMIT = 50
QUERY_MAX = COMMUNITY_QUERY_MAX  # one length for every search by place name


def districts() -> QuerySet[Region]:
    """Every district (区/县级市), in code order, with its city for the label."""
    return Region.objects.filter(level=Level.DISTRICT).select_related("city").order_by("code")


def children_of(nodes: list[Region]) -> dict[int, list[Region]]:
    """The direct children of *nodes*, one query, grouped by parent id."""
    grouped: dict[int, list[Region]] = defaultdict(list)
    for child in Region.objects.filter(parent__in=[n.pk for n in nodes]).order_by("code"):
        grouped[child.parent_id].append(child)  # type: ignore[index]
    return grouped


def area_get(*, code: str) -> Region:
    """A district or street by its code, else 404 (communities have their board)."""
    try:
        return Region.objects.select_related("city", "district").get(
            code=code, level__in=[Level.DISTRICT, Level.STREET])
    except Region.DoesNotExist:
        raise Http404 from None


def community_figures(communities: list[Region]) -> dict[int, dict[str, int]]:
    """Headline figures per community: completed and running projects, active joint units."""
    ids = [c.pk for c in communities]
    figures: dict[int, dict[str, int]] = {pk: {"completed": 0, "running": 0, "units": 0} for pk in ids}
    rows = (Project.objects.filter(community_id__in=ids, status__in=PUBLIC_STATUSES)
            .values("community_id").annotate(
                completed=Count("id", filter=Q(status=ProjectStatus.COMPLETED)),
                running=Count("id", filter=Q(status__in=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS]))))
    for cid, completed, running in rows.values_list("community_id", "completed", "running"):
        figures[cid].update(completed=completed, running=running)
    units = (Partnership.objects.filter(community_id__in=ids, status=PartnershipStatus.ACTIVE)
             .values("community_id").annotate(n=Count("organisation", distinct=True)))
    for cid, n in units.values_list("community_id", "n"):
        figures[cid]["units"] = n
    return figures


def street_figures(streets: list[Region]) -> dict[int, dict[str, int]]:
    """Per street: its communities, completed projects and active joint units."""
    ids = [s.pk for s in streets]
    figures: dict[int, dict[str, int]] = {pk: {"communities": 0, "completed": 0, "units": 0} for pk in ids}
    counted = [
        ("communities", Region.objects.filter(level=Level.COMMUNITY, street_id__in=ids)
         .values("street_id").annotate(n=Count("id")).values_list("street_id", "n")),
        ("completed", Project.objects.filter(community__street_id__in=ids, status=ProjectStatus.COMPLETED)
         .values("community__street_id").annotate(n=Count("id")).values_list("community__street_id", "n")),
        ("units", Partnership.objects.filter(community__street_id__in=ids, status=PartnershipStatus.ACTIVE)
         .values("community__street_id").annotate(n=Count("organisation", distinct=True))
         .values_list("community__street_id", "n")),
    ]
    for key, pairs in counted:
        for sid, n in pairs:
            if sid in figures:
                figures[sid][key] = n
    return figures


def region_search(*, q: str, limit: int = SEARCH_LIMIT) -> list[Region]:
    """Districts, streets and communities whose name contains *q* (communities first)."""
    q = " ".join((q or "").split())[:QUERY_MAX]
    if not q:
        return []
    return list(Region.objects.filter(level__gte=Level.DISTRICT, name__icontains=q)
                .select_related("district", "street").order_by("-level", "code")[:limit])


# ---- public projects --------------------------------------------------------------------------------

def public_project_get(*, pk: Any) -> Project:
    """A project shown on its community's public board (planned, running or completed), else 404."""
    try:
        return Project.objects.select_related("community__street", "community__district", "category",
                                              "lead_org").get(pk=pk, status__in=PUBLIC_STATUSES)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class PublicProject:
    project: Project
    units: list[ProjectUnit]
    updates: list[ProgressUpdate]
    completion: list[ProgressUpdate]
    comments: list[Rating]
    star_counts: list[tuple[int, int]]


def public_project_detail(*, project: Project, comment_limit: int = 30) -> PublicProject:
    """What a project's public page shows, in a fixed number of queries; no author, no rater."""
    units = list(project.project_units.select_related("organisation").order_by("role", "id"))
    updates = list(
        project.updates.select_related("organisation").only(
            "id", "project_id", "text", "happened_on", "people_served", "volunteer_hours", "is_completion",
            "organisation__name")
        .prefetch_related(Prefetch("photos", queryset=ProgressPhoto.objects.order_by("id")))
        .order_by("-happened_on", "-id"))
    comments = list(project.ratings.exclude(comment="").only("stars", "comment", "created_at", "project_id")
                    [:comment_limit])
    counts = dict(project.ratings.values_list("stars").annotate(n=Count("id")))
    return PublicProject(
        project=project, units=units,
        updates=[u for u in updates if not u.is_completion],
        completion=[u for u in updates if u.is_completion],
        comments=comments,
        star_counts=[(s, counts.get(s, 0)) for s in range(5, 0, -1)],
    )
