
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.api.base import Id, patch_values
from lianjian.api.errors import ERROR_RESPONSES
from lianjian.api.pagination import Pages

from . import selectors, services
from .models import Region

router = Router()


class RegionOut(Schema):
    id: int
    code: str
    name: str
    full_name: str
    level: int
    kind: str
    parent_id: int | None


class RegionFilter(Schema):
    parent_id: Id | None = None
    level: int | None = Field(None, ge=1, le=4)
    q: str = ""


class RegionIn(Schema):
    parent_id: Id = Field(..., description="The node to create the region under")
    code: str = Field(..., min_length=2, max_length=20, pattern=r"^\d+$")
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["district", "county_city", "county", "street", "town", "community", "village"]


class RegionPatch(Schema):
    code: str | None = Field(None, min_length=2, max_length=20, pattern=r"^\d+$")
    name: str | None = Field(None, min_length=1, max_length=100)


@router.get("", response=list[RegionOut], summary="Regions in the caller's scope")
@paginate(Pages, page_size=50)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]) -> list[Region]:
    return selectors.region_list(user=request.user, parent_id=filters.parent_id, level=filters.level,
                                 q=filters.q)  # type: ignore[return-value]


@router.get("/{id:region_id}", response={200: RegionOut, **ERROR_RESPONSES})
def get_region(request: HttpRequest, region_id: int) -> Region:
    return selectors.region_get(user=request.user, pk=region_id)


@router.post("", response={201: RegionOut, **ERROR_RESPONSES})
def create_region(request: AuthenticatedHttpRequest, payload: RegionIn) -> Status:
    parent = selectors.region_get(user=request.user, pk=payload.parent_id)
    return Status(201, services.region_create(actor=request.user, parent=parent, code=payload.code,
                                              name=payload.name, kind=payload.kind))


@router.patch("/{id:region_id}", response={200: RegionOut, **ERROR_RESPONSES})
def update_region(request: AuthenticatedHttpRequest, region_id: int, payload: RegionPatch) -> Region:
    region = selectors.region_for(request.user, region_id, change=True)
    return services.region_update(actor=request.user, region=region, **patch_values(payload))
