
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.base import Id, People, patch_values
from lianjian.api.errors import ERROR_RESPONSES
from lianjian.api.limits import MAX_TEXT
from lianjian.api.pagination import Pages, ShapedQuerySet
from lianjian.regions.selectors import region_get

from . import selectors, services
from .models import Organisation, OrgKind

router = Router()
KINDS = tuple(OrgKind.values)


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    party_org_name: str
    party_member_count: int
    member_count: int
    address: str
    region_id: int
    contact_name: str
    contact_phone: str = Field(..., description="Masked unless the caller may change the unit")
    description: str
    is_active: bool


def _out(request: HttpRequest, org: Organisation) -> dict[str, Any]:
    may_see_phone = get_scope(request.user).can_change(org)
    return {
        **{f: getattr(org, f) for f in ("id", "name", "short_name", "kind", "party_org_name", "party_member_count",
                                         "member_count", "address", "region_id", "contact_name", "description",
                                         "is_active")},
        "kind_label": str(org.get_kind_display()),
        "contact_phone": org.contact_phone if may_see_phone else org.masked_contact_phone,
    }


class OrganisationFilter(Schema):
    region_id: Id | None = None
    community_id: Id | None = None
    kind: str = ""
    q: str = ""


class OrganisationIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: str = Field(..., max_length=20, description=f"One of {', '.join(KINDS)}")
    region_id: Id
    short_name: str = Field("", max_length=40)
    party_org_name: str = Field("", max_length=120)
    party_member_count: People = 0
    member_count: People = 0
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    description: str = Field("", max_length=MAX_TEXT)


class OrganisationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: str | None = Field(None, max_length=20)
    region_id: Id | None = None
    short_name: str | None = Field(None, max_length=40)
    party_org_name: str | None = Field(None, max_length=120)
    party_member_count: People | None = None
    member_count: People | None = None
    address: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=MAX_TEXT)
    is_active: bool | None = None


@router.get("", response=list[OrganisationOut], summary="Units in the caller's scope")
@paginate(Pages, page_size=50)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> list[dict[str, Any]]:
    region = region_get(user=request.user, pk=filters.region_id) if filters.region_id else None
    community = region_get(user=request.user, pk=filters.community_id) if filters.community_id else None
    qs = selectors.organisation_list(user=request.user, region=region, kind=filters.kind, q=filters.q,
                                     partner_of=community)
    return ShapedQuerySet(request, qs, _out)  # type: ignore[return-value]


@router.get("/{id:org_id}", response={200: OrganisationOut, **ERROR_RESPONSES})
def get_organisation(request: HttpRequest, org_id: int) -> dict[str, Any]:
    return _out(request, selectors.organisation_get(user=request.user, pk=org_id))


@router.post("", response={201: OrganisationOut, **ERROR_RESPONSES})
def create_organisation(request: AuthenticatedHttpRequest, payload: OrganisationIn) -> Status:
    data = payload.dict()
    region = region_get(user=request.user, pk=data.pop("region_id"))
    org = services.organisation_create(actor=request.user, region=region, **data)
    return Status(201, _out(request, org))


@router.patch("/{id:org_id}", response={200: OrganisationOut, **ERROR_RESPONSES})
def update_organisation(request: AuthenticatedHttpRequest, org_id: int, payload: OrganisationPatch) -> dict[str, Any]:
    org = selectors.organisation_for(request.user, org_id, change=True)
    data = patch_values(payload)
    if "region_id" in data:
        data["region"] = region_get(user=request.user, pk=data.pop("region_id"))
    return _out(request, services.organisation_update(actor=request.user, organisation=org, **data))
