"""Stories API, mounted at /api/v1/stories.

Anyone reads published stories (list and detail); staff of a story's community or street
create, change, submit, review (return or publish: a second staff member, never the author)
and withdraw them. Link targets and the region are resolved through the caller's scope: one
out of reach is the JSON 404 naming the field.
"""


import datetime as dt
from typing import Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import PageNumberPagination, paginate

from lianjian.accounts.models import User
from lianjian.api.auth import TokenAuth
from lianjian.api.base import Id, patch_values
from lianjian.api.errors import ERROR_RESPONSES, UnknownId, resolve_id
from lianjian.api.pagination import ShapedQuerySet
from lianjian.core import ranges
from lianjian.regions.models import Region

from . import linking, selectors, services
from .models import BODY_MAX, MAX_LINKS, Story, StoryKind, StoryStatus

router = Router()
# Reads need no login (the OpenAPI document says so: no security); a session, or a bearer token
# when one is sent, still identifies staff, who also see their drafts.
PUBLIC_READ = None


def _viewer(request: HttpRequest) -> None:
    """Authenticate a bearer token if the request carries one (a wrong token is a 401)."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        if TokenAuth()(request) is None:
            raise AuthenticationError



def _actor(request: HttpRequest) -> User:
    """The signed-in person acting (views and endpoints that write require a login first)."""
    return cast(User, request.user)


class StoryLinkIn(Schema):
    kind: str = Field(..., min_length=1, max_length=20, description="project, event, meeting …")
    object_id: Id


class StoryIn(Schema):
    region_id: Id = Field(..., description="the community (or street) the story is about")
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=BODY_MAX,
                      description="HTML (sanitised) or plain text with ## headings")
    happened_on: dt.date = Field(..., ge=ranges.DATE_MIN, le=ranges.DATE_MAX)
    kind: StoryKind = StoryKind.REPORT
    subtitle: str = Field("", max_length=200)
    reporter: str = Field("", max_length=60)
    photo_credit: str = Field("", max_length=60)
    place: str = Field("", max_length=120)
    links: list[StoryLinkIn] = Field(default_factory=list, max_length=MAX_LINKS)


class StoryPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    body: str | None = Field(None, min_length=1, max_length=BODY_MAX)
    happened_on: dt.date | None = Field(None, ge=ranges.DATE_MIN, le=ranges.DATE_MAX)
    kind: StoryKind | None = None
    subtitle: str | None = Field(None, max_length=200)
    reporter: str | None = Field(None, max_length=60)
    photo_credit: str | None = Field(None, max_length=60)
    place: str | None = Field(None, max_length=120)
    links: list[StoryLinkIn] | None = Field(None, max_length=MAX_LINKS)


class StoryReviewIn(Schema):
    decision: Literal["publish", "return"] = Field(..., description="publish, or return to the author")
    note: str = Field("", max_length=500)


class StoryNoteIn(Schema):
    note: str = Field("", max_length=500)


class StoryLinkOut(Schema):
    kind: str
    object_id: int
    title: str
    url: str


class StoryPhotoOut(Schema):
    url: str
    thumbnail_url: str
    width: int
    height: int
    caption: str


class StoryOut(Schema):
    id: int
    url: str
    region_id: int
    region: str
    kind: str
    title: str
    subtitle: str
    excerpt: str
    reporter: str
    photo_credit: str
    happened_on: dt.date
    place: str
    status: str
    published_at: dt.datetime | None


class StoryDetailOut(StoryOut):
    body: str = Field(..., description="sanitised HTML")
    links: list[StoryLinkOut]
    photos: list[StoryPhotoOut]
    review_note: str | None = None


class StoryFilter(Schema):
    region: str | None = Field(None, max_length=20, description="a region code: its subtree's stories")
    status: StoryStatus | None = Field(None, description="staff only: their stories in this status")


class StoryCreatedOut(Schema):
    id: int


def _out(story: Story) -> dict[str, Any]:
    return {"id": story.pk, "url": story.get_absolute_url(), "region_id": story.region_id,
            "region": story.region.name, "kind": story.kind, "title": story.title, "subtitle": story.subtitle,
            "excerpt": story.excerpt, "reporter": story.reporter, "photo_credit": story.photo_credit,
            "happened_on": story.happened_on, "place": story.place, "status": story.status,
            "published_at": story.published_at}


def _detail(request: HttpRequest, story: Story) -> dict[str, Any]:
    staff = services.may_write(request.user, story.region)
    return _out(story) | {
        "body": story.body,
        "links": [{"kind": link.kind, "object_id": link.object_id, "title": link.title,
                   "url": link.url or (link.staff_url if staff else "")} for link in story.links.all()],
        "photos": [{"url": p.public_url, "thumbnail_url": p.thumbnail_url, "width": p.width, "height": p.height,
                    "caption": p.caption} for p in story.photos.all()],
        "review_note": story.review_note if staff else None,
    }


def _links(request: HttpRequest, links: list[StoryLinkIn]) -> list[tuple[str, int]]:
    for link in links:
        resolve_id("links", linking.resolve, request.user, link.kind, link.object_id)
    return [(link.kind, link.object_id) for link in links]


@router.get("", response=list[StoryOut], auth=PUBLIC_READ, summary="Published stories (staff: theirs by status)")
@paginate(PageNumberPagination, page_size=50)
def list_stories(request: HttpRequest, filters: Query[StoryFilter]) -> Any:
    _viewer(request)
    if filters.status is not None:
        qs = selectors.staff_stories(user=request.user, status=filters.status)
    else:
        region = None
        if filters.region:
            region = Region.objects.filter(code=filters.region).first()
            if region is None:
                raise UnknownId("region")
        qs = selectors.published_stories(region=region)
    return ShapedQuerySet(request, qs, lambda req, s: _out(s))


@router.get("/{int:story_id}", response={200: StoryDetailOut, **ERROR_RESPONSES}, auth=PUBLIC_READ,
            summary="One story (published, or any of the caller's as staff)")
def get_story(request: HttpRequest, story_id: int) -> dict[str, Any]:
    _viewer(request)
    return _detail(request, selectors.story_for(request.user, story_id))


@router.post("", response={201: StoryCreatedOut, **ERROR_RESPONSES}, summary="Write a draft story (staff)")
def create_story(request: HttpRequest, payload: StoryIn) -> Status:
    region = selectors.staff_regions(user=request.user).filter(pk=payload.region_id).first()
    if region is None:
        raise UnknownId("region_id")
    links = _links(request, payload.links)
    data = payload.dict(exclude={"region_id", "links"})
    story = services.story_create(actor=_actor(request), region=region, links=links, **data)
    return Status(201, {"id": story.pk})


@router.patch("/{int:story_id}", response={200: StoryDetailOut, **ERROR_RESPONSES},
              summary="Change a story that is not published (staff)")
def update_story(request: HttpRequest, story_id: int, payload: StoryPatch) -> dict[str, Any]:
    story = selectors.story_for(request.user, story_id, change=True)
    data = patch_values(payload)
    raw_links = data.pop("links", None)
    links = _links(request, payload.links or []) if raw_links is not None else None
    story = services.story_update(actor=_actor(request), story=story, data=data, links=links)
    return _detail(request, selectors.story_for(request.user, story.pk))


@router.post("/{int:story_id}/submit", response={200: StoryOut, **ERROR_RESPONSES}, summary="Send to review")
def submit_story(request: HttpRequest, story_id: int) -> dict[str, Any]:
    story = selectors.story_for(request.user, story_id, change=True)
    return _out(services.story_submit(actor=_actor(request), story=story))


@router.post("/{int:story_id}/review", response={200: StoryOut, **ERROR_RESPONSES},
             summary="Review a story: publish it or return it (a staff member other than the author)")
def review_story(request: HttpRequest, story_id: int, payload: StoryReviewIn) -> dict[str, Any]:
    story = selectors.story_for(request.user, story_id, change=True)
    if payload.decision == "publish":
        return _out(services.story_publish(actor=_actor(request), story=story, note=payload.note))
    return _out(services.story_return(actor=_actor(request), story=story, note=payload.note))


@router.post("/{int:story_id}/publish", response={200: StoryOut, **ERROR_RESPONSES},
             summary="Publish a story in review (a staff member other than the author)")
def publish_story(request: HttpRequest, story_id: int, payload: StoryNoteIn) -> dict[str, Any]:
    story = selectors.story_for(request.user, story_id, change=True)
    return _out(services.story_publish(actor=_actor(request), story=story, note=payload.note))


@router.post("/{int:story_id}/unpublish", response={200: StoryOut, **ERROR_RESPONSES},
             summary="Withdraw a published story (staff)")
def unpublish_story(request: HttpRequest, story_id: int, payload: StoryNoteIn) -> dict[str, Any]:
    story = selectors.story_for(request.user, story_id, change=True)
    return _out(services.story_unpublish(actor=_actor(request), story=story, reason=payload.note))
