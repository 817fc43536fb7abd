"""Request and response schemas of the projects API (lianjian.projects.api)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from lianjian.api.base import Id, People, Year
from lianjian.api.limits import MAX_TEXT, Hours, Money

from .models import ProjectStatus

STATUSES = tuple(ProjectStatus.values)


class ProjectOut(Schema):
    id: int
    title: str
    year: int
    status: str
    status_label: str
    community_id: int
    community_name: str
    category_id: int
    category_name: str
    lead_org_id: int
    lead_org_name: str
    need_id: int | None
    description: str
    plan: str
    budget: Decimal
    material_value: Decimal
    start_date: dt.date | None
    end_date: dt.date | None
    completed_on: dt.date | None
    summary: str
    cancel_reason: str
    people_served: int
    volunteer_hours: Decimal
    rating_count: int
    rating_average: float | None
    public_url: str = Field(..., description="The short public rating link (absolute)")


class UnitOut(Schema):
    organisation_id: int
    organisation_name: str
    role: str
    claim_id: int | None


class MilestoneOut(Schema):
    id: int
    title: str
    due_date: dt.date
    done_on: dt.date | None
    overdue: bool


class PhotoOut(Schema):
    url: str = Field(description="The private original (needs the same access as the project)")
    public_url: str = Field(description="Public copy: long edge at most 1600 px, EXIF stripped")
    thumbnail_url: str = Field(description="Thumbnail: long edge at most 400 px, EXIF stripped")
    caption: str


class ProgressOut(Schema):
    id: int
    text: str
    happened_on: dt.date
    people_served: int
    volunteer_hours: Decimal
    is_completion: bool
    organisation_name: str | None
    photos: list[PhotoOut]


class RatingOut(Schema):
    stars: int
    comment: str
    created_at: dt.datetime


class ProjectDetailOut(ProjectOut):
    units: list[UnitOut]
    milestones: list[MilestoneOut]
    progress: list[ProgressOut]
    ratings: list[RatingOut]


class ProjectFilter(Schema):
    community_id: Id | None = None
    category_id: Id | None = None
    status: str = Field("", description=f"One of {', '.join(STATUSES)}")
    unit_id: Id | None = Field(None, description="Projects this unit leads or partners in")
    year: Year | None = None
    q: str = ""


MAX_PARTNERS = 20  # partner units of one project


class ProjectIn(Schema):
    community_id: Id
    year: Year
    title: str = Field(..., min_length=1, max_length=120)
    category_id: Id
    lead_org_id: Id
    partner_ids: list[Id] = Field([], max_length=MAX_PARTNERS)
    description: str = Field("", max_length=MAX_TEXT)
    plan: str = Field("", max_length=MAX_TEXT)
    budget: Money = Decimal(0)
    material_value: Money = Decimal(0)
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class ProjectPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=MAX_TEXT)
    plan: str | None = Field(None, max_length=MAX_TEXT)
    budget: Money | None = None
    material_value: Money | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class ProgressIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    happened_on: dt.date
    people_served: People = 0
    volunteer_hours: Hours = Decimal(0)
    is_completion: bool = Field(False, description="Completion evidence (photos required for completion)")


class CompleteIn(Schema):
    summary: str = Field(..., min_length=1, max_length=5000)
    completed_on: dt.date
    people_served: People = 0
    volunteer_hours: Hours = Decimal(0)


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class StartIn(Schema):
    start_date: dt.date | None = None


class MilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    due_date: dt.date


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)
    device_id: str = Field("", max_length=100,
                           description="Ignored (old clients): the server identifies devices by a signed cookie")


class RatingSummaryOut(Schema):
    project_id: int
    title: str
    rating_count: int
    rating_average: float | None
