"""Reads for matching: suggestions for a need, needs a unit could meet, the match sheet.

Ranking runs over every active resource (the engine's IDF needs the whole corpus); what is
shown is then cut down to what the viewer may see: the units partnered with the need's
community, or the viewer's own unit. Matches below the engine's confidence line (``weak``) are
not suggested: the need page then says "暂无合适资源" and lists the community's joint units by
kind (``invite_units_for_need``), those without any listed resource included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.utils import translation

from lianjian.accounts.actors import Viewer
from lianjian.accounts.models import Role, RoleAssignment
from lianjian.accounts.permissions import get_scope
from lianjian.lists.models import LIVE_CLAIM_STATUSES, Claim, Need, NeedStatus, Resource, ResourceStatus
from lianjian.orgs.models import Organisation, OrgKind, Partnership, PartnershipStatus
from lianjian.regions.models import Region

from .engine import CONFIDENCE_LINE, Match
from .index import INDEX, need_doc
from .models import ClaimInvitation

# How deep into the global ranking we look for resources the viewer may see.
OVERFETCH = 200
MAX_CANDIDATE_NEEDS = 300
# Longest unit-name search on the need page.
MAX_QUERY_CHARS = 50


@dataclass
class Suggestion:
    resource: Resource
    score: float
    reasons: list[str]
    invitation: ClaimInvitation | None = None
    claimed: bool = False

    @property
    def organisation(self) -> Organisation:
        return self.resource.organisation

    @property
    def confidence(self) -> float:
        return self.score

    @property
    def weak(self) -> bool:
        return self.score < CONFIDENCE_LINE

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class NeedSuggestion:
    need: Need
    resource: Resource
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _need_queryset() -> QuerySet[Need]:
    return Need.objects.select_related("community", "category").prefetch_related("beneficiary_groups")


def _partner_org_ids(community: Region) -> set[int]:
    return set(Partnership.objects.filter(community=community, status=PartnershipStatus.ACTIVE)
               .values_list("organisation_id", flat=True))


def _resources_by_id(ids: list[str]) -> dict[str, Resource]:
    rows = Resource.objects.filter(pk__in=[int(i) for i in ids]).select_related("organisation", "category")
    return {str(r.pk): r for r in rows}


def suggestions_for_need(*, user: Viewer, need: Need, top_k: int = 5, include_weak: bool = False
                         ) -> list[Suggestion]:
    """The best resources of the community's joint units for *need*, with reasons (staff only).

    Only matches above the confidence line, unless *include_weak* (then weak ones follow,
    flagged ``weak``)."""
    scope = get_scope(user)
    if not scope.covers_region(need.community):
        raise PermissionDenied
    need = _need_queryset().get(pk=need.pk)
    matches = INDEX.engine().rank(need_doc(need), top_k=max(OVERFETCH, top_k))
    allowed = _partner_org_ids(need.community)
    resources = _resources_by_id([m.resource_id for m in matches])
    invitations = {i.organisation_id: i for i in ClaimInvitation.objects.filter(need=need)}
    claimed = set(Claim.objects.filter(need=need, status__in=LIVE_CLAIM_STATUSES)
                  .values_list("organisation_id", flat=True))
    out: list[Suggestion] = []
    for match in matches:
        resource = resources.get(match.resource_id)
        if resource is None or resource.organisation_id not in allowed or (match.weak and not include_weak):
            continue
        out.append(Suggestion(resource=resource, score=match.score, reasons=match.reasons,
                              invitation=invitations.get(resource.organisation_id),
                              claimed=resource.organisation_id in claimed))
        if len(out) >= top_k:
            break
    return out


def _open_needs_for(org: Organisation) -> QuerySet[Need]:
    communities = Partnership.objects.filter(organisation=org, status=PartnershipStatus.ACTIVE).values(
        "community_id")
    already = Claim.objects.filter(organisation=org, status__in=LIVE_CLAIM_STATUSES
                                   ).values("need_id")
    return (_need_queryset().filter(community_id__in=communities, status=NeedStatus.PUBLISHED)
            .exclude(pk__in=already).order_by("-published_at", "-id"))


def needs_for_organisation(*, user: Viewer, organisation: Organisation, resource: Resource | None = None,
                           top_k: int = 10) -> list[NeedSuggestion]:
    """Open needs of the unit's communities that one of its resources (or *resource*) could meet."""
    scope = get_scope(user)
    if not scope.can_view(organisation):
        raise PermissionDenied
    needs = list(_open_needs_for(organisation)[:MAX_CANDIDATE_NEEDS])
    if not needs:
        return []
    own = {str(r.pk): r for r in Resource.objects.filter(organisation=organisation).select_related(
        "organisation", "category")}
    if resource is not None:
        own = {k: v for k, v in own.items() if v.pk == resource.pk}
    ranked = INDEX.engine().rank_many([need_doc(n) for n in needs], top_k=20)
    out: list[NeedSuggestion] = []
    for need in needs:
        best: Match | None = next((m for m in ranked.get(str(need.pk), []) if m.resource_id in own), None)
        if best is not None and not best.weak:
            out.append(NeedSuggestion(need=need, resource=own[best.resource_id], score=best.score,
                                      reasons=best.reasons))
    out.sort(key=lambda s: s.score, reverse=True)
    return out[:top_k]


@dataclass
class SheetRow:
    need: Need
    suggestions: list[Suggestion]


def match_sheet(*, user: Viewer, community: Region, top_k: int = 3) -> list[SheetRow]:
    """Every open need of the community with its top suggestions, for the annual meeting."""
    if not get_scope(user).covers_region(community):
        raise PermissionDenied
    needs = list(_need_queryset().filter(community=community, status=NeedStatus.PUBLISHED)
                 .order_by("category__sort_order", "-published_at", "id"))
    if not needs:
        return []
    ranked = INDEX.engine().rank_many([need_doc(n) for n in needs], top_k=OVERFETCH)
    allowed = _partner_org_ids(community)
    ids = {m.resource_id for ms in ranked.values() for m in ms}
    resources = _resources_by_id(sorted(ids))
    rows = []
    for need in needs:
        picked: list[Suggestion] = []
        for m in ranked.get(str(need.pk), []):
            r = resources.get(m.resource_id)
            if r is not None and r.organisation_id in allowed and not m.weak:
                picked.append(Suggestion(resource=r, score=m.score, reasons=m.reasons))
                if len(picked) >= top_k:
                    break
        rows.append(SheetRow(need=need, suggestions=picked))
    return rows


@dataclass
class InviteUnit:
    """A joint unit of the need's community that staff can invite, with or without resources."""

    organisation: Organisation
    resource_count: int
    has_liaison: bool
    invitation: ClaimInvitation | None = None
    claimed: bool = False


@dataclass
class InviteGroup:
    kind: str
    label: str
    units: list[InviteUnit]


def _kinds_named(q: str) -> list[str]:
    """Unit kinds whose name (in the page's language or in Chinese) contains *q*."""
    q = q.lower()
    with translation.override(None):
        source = {value: str(label).lower() for value, label in OrgKind.choices}
    return [value for value, label in OrgKind.choices
            if q == value or q in str(label).lower() or q in source[value]]


def invite_units_for_need(*, user: Viewer, need: Need, q: str = "", kind: str = "") -> list[InviteGroup]:
    """The active joint units of the need's community grouped by unit kind, for inviting by
    hand when no listed resource fits - units with no resource at all included (a bus company
    offers buses, not list entries). *q* searches name, short name and kind; *kind* filters."""
    if not get_scope(user).covers_region(need.community):
        raise PermissionDenied
    orgs = Organisation.objects.filter(partnerships__community_id=need.community_id,
                                       partnerships__status=PartnershipStatus.ACTIVE)
    q = (q or "").strip()[:MAX_QUERY_CHARS]
    if q:
        kinds = _kinds_named(q)
        orgs = orgs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(kind__in=kinds))
    if kind:
        orgs = orgs.filter(kind=kind)
    rows = list(orgs.annotate(n_resources=Count("resources", filter=Q(resources__status=ResourceStatus.ACTIVE),
                                                distinct=True)).order_by("name"))
    ids = [o.pk for o in rows]
    with_liaison = set(RoleAssignment.objects.filter(role=Role.LIAISON, organisation_id__in=ids)
                       .values_list("organisation_id", flat=True))
    invitations = {i.organisation_id: i for i in ClaimInvitation.objects.filter(need=need, organisation_id__in=ids)}
    claimed = set(Claim.objects.filter(need=need, organisation_id__in=ids,
                                       status__in=LIVE_CLAIM_STATUSES)
                  .values_list("organisation_id", flat=True))
    groups: list[InviteGroup] = []
    for value, label in OrgKind.choices:
        units = [InviteUnit(organisation=o, resource_count=o.n_resources,  # type: ignore[attr-defined]
                            has_liaison=o.pk in with_liaison, invitation=invitations.get(o.pk),
                            claimed=o.pk in claimed) for o in rows if o.kind == value]
        if units:
            groups.append(InviteGroup(kind=value, label=str(label), units=units))
    return groups


def invitable_unit(*, user: Viewer, need: Need, organisation_id: Any) -> Organisation | None:
    """The active joint unit of the need's community with this id, or None (any other id)."""
    if not get_scope(user).covers_region(need.community):
        raise PermissionDenied
    try:
        pk = int(str(organisation_id).strip())
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Organisation.objects.filter(pk=pk, partnerships__community_id=need.community_id,
                                       partnerships__status=PartnershipStatus.ACTIVE).first()


def invitations_for(*, user: Viewer) -> QuerySet[ClaimInvitation]:
    """Invitations to the user's own units that are not answered yet."""
    scope = get_scope(user)
    return (ClaimInvitation.objects.filter(organisation_id__in=sorted(scope.org_ids), claim__isnull=True,
                                      need__status=NeedStatus.PUBLISHED)
            .select_related("need__community", "organisation", "resource").order_by("-created_at"))
