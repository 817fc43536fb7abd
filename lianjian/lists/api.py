"""JSON API of needs, resources, claims and the taxonomy, mounted at /api/v1/.

Endpoints validate the payload, resolve ids through scope-checked selectors (unknown or
out-of-scope ids are 404) and call one service; bad input is a 422 ``{"error": …}``.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from lianjian.accounts.actors import Viewer
from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.base import patch_values
from lianjian.api.errors import ERROR_RESPONSES, UnknownId, resolve_id
from lianjian.api.pagination import Pages, ShapedQuerySet
from lianjian.orgs.models import Organisation
from lianjian.orgs.selectors import organisation_get, partner_unit_for, partnered_communities
from lianjian.regions.models import Region

from . import selectors, services
from .api_schemas import (
    CategoryOut,
    ClaimFilter,
    ClaimIn,
    ClaimOut,
    GroupOut,
    NeedFilter,
    NeedIn,
    NeedOut,
    NeedPatch,
    ReasonIn,
    ResourceFilter,
    ResourceIn,
    ResourceOut,
    ResourcePatch,
    ResourceStatusIn,
)
from .models import BeneficiaryGroup, Category, Claim, Need, Resource

router = Router()


# ---- shaping ---------------------------------------------------------------------------------

def _need_out(request: HttpRequest, need: Need) -> dict[str, Any]:
    may_see_phone = get_scope(request.user).can_change(need)
    return {
        **{f: getattr(need, f) for f in (
            "id", "community_id", "title", "description", "beneficiary_count", "quantity_needed",
            "quantity_unit",
            "quantity_covered", "place", "urgency", "wanted_by", "year", "source", "status", "review_note",
            "requester_org_id", "contact_name", "published_at", "created_at")},
        "community_name": need.community.name,
        "category": need.category.code, "category_name": need.category.name,
        "beneficiary_groups": [g.code for g in need.beneficiary_groups.all()],
        "status_label": str(need.get_status_display()),
        "contact_phone": need.contact_phone if may_see_phone else need.masked_contact_phone,
        "url": need.get_absolute_url(),
    }


def _resource_out(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    may_see_phone = get_scope(request.user).can_change(resource)
    return {
        **{f: getattr(resource, f) for f in (
            "id", "organisation_id", "title", "description", "capacity", "capacity_unit", "remaining",
            "valid_from", "valid_until", "contact_name", "status", "created_at")},
        "organisation_name": resource.organisation.name,
        "category": resource.category.code, "category_name": resource.category.name,
        "beneficiary_groups": [g.code for g in resource.beneficiary_groups.all()],
        "community_ids": [c.pk for c in resource.communities.all()],
        "contact_phone": resource.contact_phone if may_see_phone else resource.masked_contact_phone,
    }


def _claim_out(claim: Claim) -> dict[str, Any]:
    return {
        **{f: getattr(claim, f) for f in (
            "id", "need_id", "organisation_id", "resource_id", "quantity", "role", "status", "note", "reason",
            "channel", "created_at", "decided_at")},
        "need_title": claim.need.title, "organisation_name": claim.organisation.name,
        "status_label": str(claim.get_status_display()),
    }


# ---- lookups ---------------------------------------------------------------------------------

def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise ValidationError({"category": _("未知的类别代码：%(code)s") % {"code": code}})
    return category


def _groups(codes: list[str]) -> list[BeneficiaryGroup]:
    groups = list(BeneficiaryGroup.objects.filter(code__in=codes))
    unknown = set(codes) - {g.code for g in groups}
    if unknown:
        raise ValidationError({"beneficiary_groups": _("未知的受益群体代码：%(codes)s")
                               % {"codes": "、".join(sorted(unknown))}})
    return groups


def _community(user: Viewer, pk: int) -> Region:
    """A community the caller may post to: any community for residents, in scope for the rest."""
    community = Region.objects.filter(pk=pk).first()
    if community is None:
        raise Http404
    scope = get_scope(user)
    if (scope.is_staff_like or scope.is_liaison) and not scope.covers_region(community) and \
            not selectors.need_filter_communities(user=user).filter(pk=pk).exists():
        raise Http404
    return community


def _organisation(user: Viewer, pk: int) -> Organisation:
    return organisation_get(user=user, pk=pk)


def _communities(user: Viewer, organisation: Organisation, ids: list[int]) -> list[Region]:
    """Communities a resource of *organisation* may serve: its active partner communities that the
    caller may place it in; any other id is a 404 naming ``community_ids``."""
    wanted = set(ids)
    communities = list(partnered_communities(user=user, organisation=organisation).filter(pk__in=wanted))
    if len(communities) != len(wanted):
        raise UnknownId("community_ids")
    return communities


# ---- taxonomy --------------------------------------------------------------------------------

@router.get("/categories", response=list[CategoryOut], summary="The managed category taxonomy")
def list_categories(request: HttpRequest) -> Any:
    return selectors.category_list(active_only=False)


@router.get("/beneficiary-groups", response=list[GroupOut], summary="Beneficiary groups")
def list_groups(request: HttpRequest) -> Any:
    return selectors.beneficiary_group_list()


# ---- needs -----------------------------------------------------------------------------------

def _need_qs_for_page(qs: Any) -> Any:
    return qs.defer(None).prefetch_related("beneficiary_groups")


@router.get("/needs", response=list[NeedOut], summary="Needs in the caller's scope, newest first")
@paginate(Pages, page_size=50)
def list_needs(request: HttpRequest, filters: Query[NeedFilter]) -> Any:
    community = Region.objects.filter(pk=filters.community_id).first() if filters.community_id else None
    if filters.community_id and community is None:
        raise Http404
    qs = selectors.need_list(user=request.user, community=community, category=_category(filters.category),
                             status=filters.status, year=filters.year, q=filters.q.strip(), mine=filters.mine)
    return ShapedQuerySet(request, _need_qs_for_page(qs), _need_out)


@router.get("/needs/{id:need_id}", response={200: NeedOut, **ERROR_RESPONSES})
def get_need(request: HttpRequest, need_id: int) -> Any:
    return _need_out(request, selectors.need_get(user=request.user, pk=need_id))


@router.post("/needs", response={201: NeedOut, **ERROR_RESPONSES}, summary="Post a need (it awaits review)")
def create_need(request: AuthenticatedHttpRequest, payload: NeedIn) -> Any:
    data = payload.dict()
    community = _community(request.user, data.pop("community_id"))
    org_id = data.pop("requester_org_id")
    requester_org = resolve_id("requester_org_id", partner_unit_for, user=request.user, community=community,
                               pk=org_id) if org_id else None
    category = _category(data.pop("category"))
    groups = _groups(data.pop("beneficiary_groups"))
    if data.get("year") is None:
        data.pop("year")
    need = services.need_create(actor=request.user, community=community, category=category,
                                beneficiary_groups=groups, requester_org=requester_org, **data)
    return Status(201, _need_out(request, need))


@router.patch("/needs/{id:need_id}", response={200: NeedOut, **ERROR_RESPONSES})
def update_need(request: AuthenticatedHttpRequest, need_id: int, payload: NeedPatch) -> Any:
    need = selectors.need_get(user=request.user, pk=need_id)
    data = patch_values(payload, nullable=("beneficiary_count", "wanted_by", "beneficiary_groups"))
    if "category" in data:
        data["category"] = _category(data["category"])
    groups = _groups(data.pop("beneficiary_groups")) if data.get("beneficiary_groups") is not None else None
    data.pop("beneficiary_groups", None)
    need = services.need_update(actor=request.user, need=need, beneficiary_groups=groups, **data)
    return _need_out(request, need)


@router.post("/needs/{id:need_id}/publish", response={200: NeedOut, **ERROR_RESPONSES})
def publish_need(request: AuthenticatedHttpRequest, need_id: int, payload: ReasonIn | None = None) -> Any:
    need = selectors.need_get(user=request.user, pk=need_id)
    note = payload.reason if payload else ""
    return _need_out(request, services.need_publish(actor=request.user, need=need, note=note))


@router.post("/needs/{id:need_id}/return", response={200: NeedOut, **ERROR_RESPONSES},
             summary="Return a need under review with a reason")
def return_need(request: AuthenticatedHttpRequest, need_id: int, payload: ReasonIn) -> Any:
    need = selectors.need_get(user=request.user, pk=need_id)
    return _need_out(request, services.need_return(actor=request.user, need=need, reason=payload.reason))


@router.post("/needs/{id:need_id}/close", response={200: NeedOut, **ERROR_RESPONSES})
def close_need(request: AuthenticatedHttpRequest, need_id: int, payload: ReasonIn | None = None) -> Any:
    need = selectors.need_get(user=request.user, pk=need_id)
    reason = payload.reason if payload else ""
    return _need_out(request, services.need_close(actor=request.user, need=need, reason=reason))


# ---- resources -------------------------------------------------------------------------------

@router.get("/resources", response=list[ResourceOut], summary="Resources the caller may see")
@paginate(Pages, page_size=50)
def list_resources(request: HttpRequest, filters: Query[ResourceFilter]) -> Any:
    org = _organisation(request.user, filters.organisation_id) if filters.organisation_id else None
    community = Region.objects.filter(pk=filters.community_id).first() if filters.community_id else None
    qs = selectors.resource_list(user=request.user, organisation=org, community=community,
                                 category=_category(filters.category), status=filters.status,
                                 q=filters.q.strip())
    qs = qs.prefetch_related("beneficiary_groups", "communities")
    return ShapedQuerySet(request, qs, _resource_out)


@router.get("/resources/{id:resource_id}", response={200: ResourceOut, **ERROR_RESPONSES})
def get_resource(request: HttpRequest, resource_id: int) -> Any:
    return _resource_out(request, selectors.resource_get(user=request.user, pk=resource_id))


@router.post("/resources", response={201: ResourceOut, **ERROR_RESPONSES})
def create_resource(request: AuthenticatedHttpRequest, payload: ResourceIn) -> Any:
    data = payload.dict()
    org = resolve_id("organisation_id", _organisation, request.user, data.pop("organisation_id"))
    ids = data.pop("community_ids")
    resource = services.resource_create(
        actor=request.user, organisation=org, category=_category(data.pop("category")),
        beneficiary_groups=_groups(data.pop("beneficiary_groups")),
        communities=_communities(request.user, org, ids) if ids is not None else None, **data)
    return Status(201, _resource_out(request, resource))


@router.patch("/resources/{id:resource_id}", response={200: ResourceOut, **ERROR_RESPONSES})
def update_resource(request: AuthenticatedHttpRequest, resource_id: int, payload: ResourcePatch) -> Any:
    resource = selectors.resource_get(user=request.user, pk=resource_id)
    data = patch_values(payload, nullable=("valid_from", "valid_until", "beneficiary_groups", "community_ids"))
    if "category" in data:
        data["category"] = _category(data["category"])
    extra: dict[str, Any] = {}
    if data.get("beneficiary_groups") is not None:
        extra["beneficiary_groups"] = _groups(data["beneficiary_groups"])
    if data.get("community_ids") is not None:
        extra["communities"] = _communities(request.user, resource.organisation, data["community_ids"])
    data.pop("beneficiary_groups", None)
    data.pop("community_ids", None)
    resource = services.resource_update(actor=request.user, resource=resource, **extra, **data)
    return _resource_out(request, resource)


@router.post("/resources/{id:resource_id}/status", response={200: ResourceOut, **ERROR_RESPONSES},
             summary="Pause, resume or withdraw a resource")
def set_resource_status(request: AuthenticatedHttpRequest, resource_id: int, payload: ResourceStatusIn) -> Any:
    resource = selectors.resource_get(user=request.user, pk=resource_id)
    resource = services.resource_set_status(actor=request.user, resource=resource, status=payload.status,
                                            reason=payload.reason)
    return _resource_out(request, resource)


# ---- claims ----------------------------------------------------------------------------------

@router.get("/claims", response=list[ClaimOut], summary="Claims the caller may see")
@paginate(Pages, page_size=50)
def list_claims(request: HttpRequest, filters: Query[ClaimFilter]) -> Any:
    need = selectors.need_get(user=request.user, pk=filters.need_id) if filters.need_id else None
    org = _organisation(request.user, filters.organisation_id) if filters.organisation_id else None
    qs = selectors.claim_list(user=request.user, need=need, organisation=org, status=filters.status)
    return ShapedQuerySet(request, qs, lambda _request, claim: _claim_out(claim))


@router.get("/claims/{id:claim_id}", response={200: ClaimOut, **ERROR_RESPONSES})
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    return _claim_out(selectors.claim_get(user=request.user, pk=claim_id))


@router.post("/claims", response={201: ClaimOut, **ERROR_RESPONSES},
             summary="Claim a published need for a unit (awaits the community's confirmation)")
def create_claim(request: AuthenticatedHttpRequest, payload: ClaimIn) -> Any:
    need = resolve_id("need_id", selectors.need_get, user=request.user, pk=payload.need_id)
    org = resolve_id("organisation_id", partner_unit_for, user=request.user, community=need.community,
                     pk=payload.organisation_id)
    resource = None
    if payload.resource_id:
        resource = resolve_id("resource_id", selectors.resource_get, user=request.user, pk=payload.resource_id)
        if resource.organisation_id != org.pk:
            raise UnknownId("resource_id")
    claim = services.claim_create(actor=request.user, need=need, organisation=org, resource=resource,
                                  quantity=payload.quantity, role=payload.role, note=payload.note,
                                  channel="api")
    return Status(201, _claim_out(claim))


@router.post("/claims/{id:claim_id}/confirm", response={200: ClaimOut, **ERROR_RESPONSES})
def confirm_claim(request: AuthenticatedHttpRequest, claim_id: int) -> Any:
    claim = selectors.claim_get(user=request.user, pk=claim_id)
    return _claim_out(services.claim_confirm(actor=request.user, claim=claim))


@router.post("/claims/{id:claim_id}/decline", response={200: ClaimOut, **ERROR_RESPONSES})
def decline_claim(request: AuthenticatedHttpRequest, claim_id: int, payload: ReasonIn) -> Any:
    claim = selectors.claim_get(user=request.user, pk=claim_id)
    return _claim_out(services.claim_decline(actor=request.user, claim=claim, reason=payload.reason))


@router.post("/claims/{id:claim_id}/withdraw", response={200: ClaimOut, **ERROR_RESPONSES})
def withdraw_claim(request: AuthenticatedHttpRequest, claim_id: int, payload: ReasonIn) -> Any:
    claim = selectors.claim_get(user=request.user, pk=claim_id)
    return _claim_out(services.claim_withdraw(actor=request.user, claim=claim, reason=payload.reason))

