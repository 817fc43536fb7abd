"""Reads of stories: the one access path per story, staff lists, public lists and back-links."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from lianjian.accounts.permissions import get_scope
from lianjian.regions.models import Level, Region

from .models import Story, StoryLink, StoryPhoto, StoryStatus

LIST_FIELDS = ("id", "region_id", "kind", "title", "subtitle", "excerpt", "reporter", "photo_credit", "happened_on",
               "place", "status", "published_at", "region__name", "region__code", "region__level")


def _int(pk: Any) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not 0 < value <= 2**63 - 1:
        raise Http404
    return value


def story_for(user: Any, pk: Any, *, change: bool = False) -> Story:
    """The story *pk* as *user* may see it (404 otherwise); ``change`` also requires writing it."""
    story = Story.objects.select_related("region", "author", "reviewed_by").filter(pk=_int(pk)).first()
    if story is None:
        raise Http404
    scope = get_scope(user)
    if not scope.can_view(story):
        raise Http404
    if change and not (scope.is_staff_like and scope.can_change(story)):
        raise PermissionDenied
    return story


def _with_media(qs: QuerySet[Story]) -> QuerySet[Story]:
    return qs.prefetch_related(Prefetch("photos", queryset=StoryPhoto.objects.order_by("position", "id")),
                               Prefetch("links", queryset=StoryLink.objects.order_by("id")))


def public_story_get(*, pk: Any) -> Story:
    """A published story with its photos and links, else 404."""
    story = _with_media(Story.objects.published().select_related("region__street", "region__district")).filter(
        pk=_int(pk)).first()
    if story is None:
        raise Http404
    return story


def staff_stories(*, user: Any, status: str = "", q: str = "") -> QuerySet[Story]:
    """Stories of the regions the staff member covers, newest first."""
    scope = get_scope(user)
    if not scope.is_staff_like:
        return Story.objects.none()
    qs = scope.filter_scoped(Story.objects.all(), region="region")
    if status in StoryStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q[:60])
    return qs.select_related("region", "author").order_by("-updated_at", "-id")


def published_stories(*, region: Region | None = None) -> QuerySet[Story]:
    """Published stories (of *region*'s subtree when given), newest first, light columns only."""
    qs = Story.objects.published()
    if region is not None:
        qs = qs.filter(Region.subtree_q(region, prefix="region__"))
    return qs.select_related("region").only(*LIST_FIELDS).order_by("-happened_on", "-id")


def latest_with_cover(*, region: Region | None = None, limit: int = 5) -> list[Story]:
    """The latest published stories with their first photo (two queries)."""
    stories = list(published_stories(region=region)[:limit])
    covers: dict[int, StoryPhoto] = {}
    for photo in StoryPhoto.objects.filter(story_id__in=[s.pk for s in stories]).order_by("story_id", "position",
                                                                                          "id"):
        covers.setdefault(photo.story_id, photo)
    for s in stories:
        s.cover = covers.get(s.pk)  # type: ignore[attr-defined]
    return stories


def stories_about(*, kind: str, object_id: Any) -> list[Story]:
    """Published stories linked to an object (its page links back to them)."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError, OverflowError):
        return []
    return list(Story.objects.published().filter(links__kind=kind, links__object_id=pk)
                .only("id", "title", "happened_on", "kind").order_by("-happened_on", "-id").distinct())


def photo_get(*, user: Any, pk: Any, original: bool) -> tuple[StoryPhoto, bool]:
    """A story photo: public copies of published stories for anyone; the rest for its staff."""
    photo = StoryPhoto.objects.select_related("story__region").filter(pk=_int(pk)).first()
    if photo is None:
        raise Http404
    if not original and photo.story.is_published:
        return photo, True
    scope = get_scope(user)
    if not (scope.is_staff_like and scope.covers_region(photo.story.region)):
        raise Http404
    return photo, False


def staff_regions(*, user: Any) -> QuerySet[Region]:
    """Communities and streets a staff member may write stories for."""
    scope = get_scope(user)
    return scope.filter_regions(Region.objects.filter(level__in=[Level.STREET, Level.COMMUNITY])).order_by("code")
