"""Reads of needs, resources and claims, always through the user's scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.actors import Viewer, person_of
from lianjian.accounts.permissions import get_scope, require_access
from lianjian.core.models import Activity
from lianjian.orgs.models import Organisation, Partnership, PartnershipStatus
from lianjian.regions.models import Region

from .journey import CURRENT, DONE, STOPPED, WAITING, journey_prefetches, later_stages
from .models import (
    PUBLIC_NEED_STATUSES,
    BeneficiaryGroup,
    Category,
    Claim,
    ClaimStatus,
    Need,
    NeedPhoto,
    NeedStatus,
    Resource,
    ResourceStatus,
)


def category_list(*, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def beneficiary_group_list() -> QuerySet[BeneficiaryGroup]:
    return BeneficiaryGroup.objects.all()


def _partner_communities(scope: Any) -> QuerySet[Partnership, Mapping[str, Any]]:
    """``community_id`` rows of the active partnerships of the scope's units (for ``__in``)."""
    return Partnership.objects.filter(organisation_id__in=sorted(scope.org_ids),
                                      status=PartnershipStatus.ACTIVE).values("community_id")


def need_visibility_q(user: Viewer) -> Q | None:
    """The Q of needs *user* may see, or None when every need is visible (superusers)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return None
    q = Q(pk__in=[])
    if scope.region_nodes:
        q |= scope.region_q(prefix="community__")
    if scope.org_ids:
        q |= Q(community_id__in=_partner_communities(scope), status__in=PUBLIC_NEED_STATUSES)
        q |= Q(requester_org_id__in=sorted(scope.org_ids))
    if scope.is_authenticated:
        q |= Q(requester=user)
    return q


def need_list(*, user: Viewer, community: Region | None = None, category: Any = None, status: str = "",
              year: int | None = None, q: str = "", mine: bool = False) -> QuerySet[Need]:
    """Needs the user may see, newest first; filters map onto the (community, status, created)
    and (community, created) indexes."""
    scope = get_scope(user)
    qs = Need.objects.all()
    if mine:
        qs = qs.filter(requester=person_of(user)) if scope.is_authenticated else qs.none()
    elif community is not None and scope.covers_region(community):
        # The common staff case: the community filter alone is the scope, so the query stays
        # one index range instead of an OR over joins.
        qs = qs.filter(community=community)
    else:
        visible = need_visibility_q(user)
        if visible is not None:
            qs = qs.filter(visible)
        if community is not None:
            qs = qs.filter(community=community)
    if category:
        qs = qs.filter(category=category)
    if status == "open":
        qs = qs.filter(status=NeedStatus.PUBLISHED)
    elif status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q))
    return (qs.select_related("category", "community", "requester_org").defer("description")
            .order_by("-created_at", "-id"))


def need_for(user: Viewer, pk: Any, *, change: bool = False, lock: bool = False) -> Need:
    """The need *pk* if *user* may see it (and change it, with ``change``), else Http404 /
    PermissionDenied (see :func:`~lianjian.accounts.permissions.require_access`). ``lock`` reads
    it with ``SELECT … FOR UPDATE`` (inside the caller's transaction)."""
    qs = Need.objects.select_related("category", "community", "requester", "requester_org", "reviewed_by")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        need = qs.get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return require_access(user, need, change=change)


def need_get(*, user: Viewer, pk: Any) -> Need:
    """Return the need if the user may see it; 404 otherwise (never reveal existence)."""
    return need_for(user, pk)


def need_photo_get(*, user: Viewer, pk: Any, original: bool) -> tuple[NeedPhoto, bool]:
    """A need photo and whether it is public, or 404.

    The public copy and thumbnail of a published (or covered, closed) need are public; everything
    else — every original, and the copies while the need is under review — only for people who
    may see the need.
    """
    photo = NeedPhoto.objects.select_related("need__community").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if not original and photo.need.status in PUBLIC_NEED_STATUSES:
        return photo, True
    if not get_scope(user).can_view(photo.need):
        raise Http404
    return photo, False


def need_claims(*, need: Need) -> QuerySet[Claim]:
    return (Claim.objects.filter(need=need).select_related("organisation", "resource", "claimed_by",
                                                           "decided_by")
            .order_by("created_at", "id"))


def need_projects(*, need: Need) -> list[Any]:
    """Projects that grew out of the need (the projects app fills ``need.projects``)."""
    return list(need.projects.select_related("lead_org").order_by("-year", "-id"))


ACTION_LABELS = {
    "create": _("提交需求"), "update": _("修改"), "resubmit": _("修改后重新提交"),
    "publish": _("审核通过并发布"), "return": _("退回"), "close": _("关闭"), "add_photo": _("上传照片"),
    "claim": _("认领"), "confirm": _("确认认领"), "decline": _("认领未通过"), "withdraw": _("撤回认领"),
    "cover": _("认领数量更新"),
}


def need_timeline(*, need: Need, claims: list[Claim] | None = None) -> list[dict[str, Any]]:
    """Every step of the need and its claims from the audit trail, oldest first, as
    display-ready rows (no raw field values, so no personal data leaks to the requester)."""
    claims = list(claims if claims is not None else need_claims(need=need))
    need_ct = ContentType.objects.get_for_model(Need)
    claim_ct = ContentType.objects.get_for_model(Claim)
    by_id = {str(c.pk): c for c in claims}
    rows = (Activity.objects.filter(Q(content_type=need_ct, object_id=str(need.pk))
                                    | Q(content_type=claim_ct, object_id__in=list(by_id)))
            .order_by("created_at", "id"))
    timeline = []
    for a in rows:
        claim = by_id.get(a.object_id) if a.content_type_id == claim_ct.pk else None
        if a.action == "cover":
            continue  # the matching "confirm" row already tells the story
        timeline.append({
            "at": a.created_at, "actor": a.actor_repr, "action": a.action,
            "label": ACTION_LABELS.get(a.action, a.action),
            "unit": claim.organisation.name if claim else "",
            "quantity": claim.quantity if claim else None,
            "note": a.note,
        })
    return timeline


def review_queue(*, user: Viewer) -> dict[str, Any]:
    """What the user's communities must decide: needs awaiting review and pending claims."""
    scope = get_scope(user)
    if not scope.is_staff_like:
        return {"needs": Need.objects.none(), "claims": Claim.objects.none()}
    needs = Need.objects.filter(status=NeedStatus.SUBMITTED)
    claims = Claim.objects.filter(status=ClaimStatus.PENDING)
    if not scope.is_superuser:
        needs = needs.filter(scope.region_q(prefix="community__"))
        claims = claims.filter(scope.region_q(prefix="need__community__"))
    return {
        "needs": needs.select_related("category", "community", "requester_org").order_by("created_at", "id"),
        "claims": claims.select_related("need__community", "organisation", "resource").order_by("created_at",
                                                                                                "id"),
    }


def resource_list(*, user: Viewer, organisation: Organisation | None = None, community: Region | None = None,
                  category: Any = None, status: str = "", q: str = "") -> QuerySet[Resource]:
    """Resources the user may see: their own unit's, and those offered to communities they run
    or where their unit is a joint unit (the community's shared 资源清单)."""
    scope = get_scope(user)
    qs = Resource.objects.all()
    if not scope.is_superuser:
        visible = Q(organisation_id__in=sorted(scope.org_ids))
        if scope.region_nodes:
            visible |= Q(communities__in=Region.objects.filter(scope.region_q()))
            visible |= Q(organisation_id__in=Partnership.objects.filter(
                scope.region_q(prefix="community__")).values("organisation_id"))
        if scope.org_ids:
            visible |= Q(communities__in=_partner_communities(scope), status=ResourceStatus.ACTIVE)
        qs = qs.filter(pk__in=Resource.objects.filter(visible).values("pk"))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if community is not None:
        qs = qs.filter(communities=community)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.select_related("organisation", "category").order_by("-created_at", "-id")


def resource_for(user: Viewer, pk: Any, *, change: bool = False) -> Resource:
    """The resource *pk* if *user* may see it (and change it, with ``change``), else Http404 /
    PermissionDenied."""
    try:
        resource = resource_list(user=user).prefetch_related("communities", "beneficiary_groups").get(pk=pk)
    except (Resource.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    # resource_list already holds only what the user may see; ``change`` asks the write rule.
    return require_access(user, resource, change=True) if change else resource


def resource_get(*, user: Viewer, pk: Any) -> Resource:
    return resource_for(user, pk)


def resource_claims(*, resource: Resource) -> QuerySet[Claim]:
    return Claim.objects.filter(resource=resource).select_related("need__community").order_by("-created_at")


def claimable_resources(*, user: Viewer, organisation: Organisation) -> QuerySet[Resource]:
    """Active resources of the unit that still have places, for the claim form."""
    return (resource_list(user=user, organisation=organisation, status=ResourceStatus.ACTIVE)
            .filter(remaining__gt=0))


def claim_list(*, user: Viewer, need: Need | None = None, organisation: Organisation | None = None,
               status: str = "") -> QuerySet[Claim]:
    scope = get_scope(user)
    qs = Claim.objects.all()
    if not scope.is_superuser:
        visible = Q(organisation_id__in=sorted(scope.org_ids))
        if scope.region_nodes:
            visible |= scope.region_q(prefix="need__community__")
        qs = qs.filter(visible)
    if need is not None:
        qs = qs.filter(need=need)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("need__community", "need__category", "organisation", "resource").order_by(
        "-created_at", "-id")


def claim_for(user: Viewer, pk: Any, *, change: bool = False) -> Claim:
    """The claim *pk* if *user* may see it (and change it, with ``change``), else Http404 /
    PermissionDenied."""
    try:
        claim = claim_list(user=user).get(pk=pk)
    except (Claim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    # claim_list already holds only what the user may see; ``change`` asks the write rule.
    return require_access(user, claim, change=True) if change else claim


def claim_get(*, user: Viewer, pk: Any) -> Claim:
    return claim_for(user, pk)


def claims_of_organisation(user: Viewer, organisation: Organisation) -> QuerySet[Claim]:
    """Everything the unit claimed that *user* may see, with need, project links prefetched.

    The unit's own liaisons see all of it; community staff see the claims on their needs.
    """
    return claim_list(user=user, organisation=organisation).prefetch_related(*journey_prefetches("need__"))


def my_units(*, user: Viewer) -> QuerySet[Organisation]:
    """The units the user is a liaison of."""
    scope = get_scope(user)
    return Organisation.objects.filter(pk__in=sorted(scope.org_ids)).order_by("name")


def staff_communities(*, user: Viewer) -> QuerySet[Region]:
    return get_scope(user).filter_regions(Region.objects.communities()).order_by("code")


def need_filter_communities(*, user: Viewer) -> QuerySet[Region]:
    """Communities offered in the needs-list filter: those the user runs or partners with."""
    scope = get_scope(user)
    q = Q(pk__in=[])
    if scope.is_superuser:
        return Region.objects.communities().order_by("code")
    if scope.region_nodes:
        q |= scope.region_q()
    if scope.org_ids:
        q |= Q(pk__in=_partner_communities(scope))
    return Region.objects.communities().filter(q).order_by("code")


# ---- a requester's own needs ("我的需求") --------------------------------------------------------

def my_needs(*, user: Viewer) -> QuerySet[Need]:
    """The needs *user* posted, newest first, with what their journey rows show."""
    person = person_of(user)
    if person is None:
        return Need.objects.none()
    return (Need.objects.filter(requester=person).select_related("category", "community")
            .prefetch_related(
                Prefetch("claims", queryset=Claim.objects.filter(status__in=[ClaimStatus.PENDING,
                                                                             ClaimStatus.CONFIRMED])
                         .select_related("organisation").order_by("created_at", "id")),
                *journey_prefetches())
            .order_by("-created_at", "-id"))


def my_need_get(*, user: Viewer, pk: Any) -> Need:
    """One of *user*'s own needs, else 404 (someone else's need looks exactly like none)."""
    try:
        return my_needs(user=user).get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def need_journey(*, need: Need, user: Viewer, detail: bool = False) -> list[dict[str, Any]]:
    """The requester's view of their need: review, claim, project and rating, each a stage with a
    state (done / current / waiting / stopped) and display-ready facts. Only unit names appear,
    never a staff member's or another person's name. *need* comes from :func:`my_needs`. The
    project and rating stages come from the projects app (see :mod:`lianjian.lists.journey`)."""
    stages: list[dict[str, Any]] = [{"key": "submit", "label": _("提交需求"), "state": DONE,
                                     "at": need.created_at, "text": need.community.name}]
    status = need.status
    review: dict[str, Any] = {"key": "review", "label": _("社区审核"), "at": None, "text": ""}
    if status == NeedStatus.SUBMITTED:
        review.update(state=CURRENT, text=_("等待社区审核"))
    elif status == NeedStatus.RETURNED:
        review.update(state=STOPPED, text=_("已退回：%(reason)s") % {"reason": need.review_note or "—"},
                      edit=True)
    elif status == NeedStatus.CLOSED:
        note = (Activity.objects.filter(content_type=ContentType.objects.get_for_model(Need),
                                        object_id=str(need.pk), action="close")
                .order_by("-created_at").values_list("note", flat=True).first()) if detail else ""
        review.update(state=STOPPED, at=need.updated_at,
                      text=_("已关闭") + (f"：{note}" if note else ""))
    else:
        review.update(state=DONE, at=need.published_at,
                      text=_("已发布到社区需求清单") + (f"：{need.review_note}" if need.review_note else ""))
    stages.append(review)

    live = list(need.claims.all())  # pending and confirmed, prefetched by my_needs
    confirmed = [c for c in live if c.status == ClaimStatus.CONFIRMED]
    pending = [c for c in live if c.status == ClaimStatus.PENDING]
    claim: dict[str, Any] = {"key": "claim", "label": _("单位认领"), "at": None,
                             "units": [(c.organisation.name, c.quantity, c.get_role_display()) for c in confirmed],
                             "unit": need.quantity_unit}
    if status in (NeedStatus.SUBMITTED, NeedStatus.RETURNED):
        claim.update(state=WAITING, text=_("发布后，联建单位可以认领"))
    elif need.quantity_covered >= need.quantity_needed and confirmed:
        claim.update(state=DONE, text=_("已认领满"), at=max(c.decided_at or c.created_at for c in confirmed))
    elif confirmed:
        claim.update(state=CURRENT, text=_("部分认领：%(c)s / %(t)s %(u)s") % {
            "c": need.quantity_covered, "t": need.quantity_needed, "u": need.quantity_unit})
    elif status == NeedStatus.CLOSED:
        claim.update(state=STOPPED, text=_("没有单位认领"))
    else:
        claim.update(state=CURRENT, text=_("等待联建单位认领"))
    if pending and status in (NeedStatus.PUBLISHED, NeedStatus.COVERED):
        claim["pending"] = len(pending)
    stages.append(claim)

    stages.extend(later_stages(need, user, detail))
    return stages


def journey_summary(stages: list[dict[str, Any]]) -> dict[str, Any]:
    """The stage a need's row in 我的需求 shows: the first one not done (else the last)."""
    for stage in stages:
        if stage["state"] != DONE:
            return stage
    return stages[-1]
