"""Request and response schemas of the needs, resources and claims API (lianjian.lists.api)."""

import datetime as dt

from ninja import Field, Schema

from lianjian.api.base import Id, People, Quantity, Year
from lianjian.api.limits import MAX_CODES, MAX_IDS, MAX_TEXT, Code

from .models import ClaimRole, ResourceStatus


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool


class GroupOut(Schema):
    id: int
    code: str
    name: str


class NeedOut(Schema):
    id: int
    community_id: int
    community_name: str
    title: str
    description: str
    category: str = Field(..., description="Category code")
    category_name: str
    beneficiary_groups: list[str] = Field(..., description="Beneficiary group codes")
    beneficiary_count: int | None
    quantity_needed: int
    quantity_unit: str
    quantity_covered: int
    place: str
    urgency: str
    wanted_by: dt.date | None
    year: int
    source: str
    status: str
    status_label: str
    review_note: str
    requester_org_id: int | None
    contact_name: str
    contact_phone: str = Field(..., description="Masked unless the caller may change the need")
    published_at: dt.datetime | None
    created_at: dt.datetime
    url: str


class NeedFilter(Schema):
    community_id: Id | None = None
    category: str = Field("", description="Category code")
    status: str = Field("",
                        description="submitted, returned, published, covered, closed, or open (= published)")
    year: Year | None = None
    q: str = ""
    mine: bool = False


class NeedIn(Schema):
    community_id: Id
    title: str = Field(..., max_length=100)
    category: str = Field(..., max_length=40, description="Category code")
    description: str = Field("", max_length=MAX_TEXT)
    beneficiary_groups: list[Code] = Field(default_factory=list, max_length=MAX_CODES,
                                           description="Beneficiary group codes")
    beneficiary_count: People | None = None
    quantity_needed: Quantity = 1
    quantity_unit: str = Field("项", max_length=10)
    place: str = Field("", max_length=100)
    urgency: str = Field("low", max_length=10)
    wanted_by: dt.date | None = None
    year: Year | None = None
    requester_org_id: Id | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class NeedPatch(Schema):
    title: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=MAX_TEXT)
    beneficiary_groups: list[Code] | None = Field(None, max_length=MAX_CODES)
    beneficiary_count: People | None = None
    quantity_needed: Quantity | None = None
    quantity_unit: str | None = Field(None, max_length=10)
    place: str | None = Field(None, max_length=100)
    urgency: str | None = Field(None, max_length=10)
    wanted_by: dt.date | None = None
    year: Year | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class ResourceOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    title: str
    description: str
    category: str
    category_name: str
    beneficiary_groups: list[str]
    capacity: int
    capacity_unit: str
    remaining: int
    valid_from: dt.date | None
    valid_until: dt.date | None
    community_ids: list[int]
    contact_name: str
    contact_phone: str
    status: str
    created_at: dt.datetime


class ResourceFilter(Schema):
    organisation_id: Id | None = None
    community_id: Id | None = None
    category: str = ""
    status: str = ""
    q: str = ""


class ResourceIn(Schema):
    organisation_id: Id
    title: str = Field(..., max_length=100)
    category: str = Field(..., max_length=40)
    capacity: Quantity = Field(..., description="Total places or items, at least 1")
    capacity_unit: str = Field("人", max_length=10)
    description: str = Field("", max_length=MAX_TEXT)
    beneficiary_groups: list[Code] = Field(default_factory=list, max_length=MAX_CODES)
    community_ids: list[Id] | None = Field(None, max_length=MAX_IDS,
                                            description="Default: every community the unit partners with")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class ResourcePatch(Schema):
    title: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=40)
    capacity: Quantity | None = None
    capacity_unit: str | None = Field(None, max_length=10)
    description: str | None = Field(None, max_length=MAX_TEXT)
    beneficiary_groups: list[Code] | None = Field(None, max_length=MAX_CODES)
    community_ids: list[Id] | None = Field(None, max_length=MAX_IDS)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)


class ResourceStatusIn(Schema):
    status: str = Field(..., max_length=20, description=", ".join(ResourceStatus.values))
    reason: str = Field("", max_length=300)


class ClaimOut(Schema):
    id: int
    need_id: int
    need_title: str
    organisation_id: int
    organisation_name: str
    resource_id: int | None
    quantity: int
    role: str
    status: str
    status_label: str
    note: str
    reason: str
    channel: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ClaimFilter(Schema):
    need_id: Id | None = None
    organisation_id: Id | None = None
    status: str = ""


class ClaimIn(Schema):
    need_id: Id
    organisation_id: Id
    resource_id: Id | None = None
    quantity: Quantity = Field(1, description="At least 1, at most what the need (and resource) still has")
    role: ClaimRole = Field(ClaimRole.LEAD, description="lead or partner")
    note: str = Field("", max_length=300)
