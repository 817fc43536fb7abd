"""What each kind of public object puts in the index, and which objects are public.

Only public facts are indexed, masked like the public pages mask them (a phone number typed
into a need's description is indexed as 139****5678): the index feeds a public page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lianjian.events.models import Event, EventStatus
from lianjian.lists.models import Need, NeedStatus
from lianjian.projects.models import Project
from lianjian.projects.selectors import PUBLIC_STATUSES
from lianjian.stories.body import plain_text
from lianjian.stories.models import Story, StoryStatus
from lianjian.stories.personal import mask as mask_personal


@dataclass(frozen=True)
class Document:
    title: str
    url: str
    text: str
    region_id: int | None
    happened_on: Any = None


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any
    model: type[Model]
    public: Callable[[], QuerySet[Any]]
    document: Callable[[Any], Document]
    fields: frozenset[str]  # a save that touches none of these leaves the entry as it is


def _need(n: Need) -> Document:
    return Document(title=mask_personal(n.title), url=reverse("public:board", args=[n.community.code]),
                    text=mask_personal(n.description), region_id=n.community_id, happened_on=n.created_at.date())


def _project(p: Project) -> Document:
    text = "\n".join(x for x in (p.description, p.summary, p.lead_org.name if p.lead_org_id else "") if x)
    return Document(title=mask_personal(p.title), url=reverse("public:project", args=[p.pk]),
                    text=mask_personal(text), region_id=p.community_id, happened_on=p.completed_on or p.start_date)


def _event(e: Event) -> Document:
    text = "\n".join(x for x in (e.description, e.venue, e.address) if x)
    return Document(title=e.title, url=e.get_absolute_url(), text=mask_personal(text), region_id=e.region_id,
                    happened_on=e.starts_at.date())


def _story(s: Story) -> Document:
    text = "\n".join(x for x in (s.subtitle, plain_text(s.body), s.place, s.reporter, s.photo_credit) if x)
    return Document(title=s.title, url=s.get_absolute_url(), text=mask_personal(text), region_id=s.region_id,
                    happened_on=s.happened_on)


SOURCES: dict[str, Source] = {
    "story": Source("story", _("报道"), Story, lambda: Story.objects.filter(status=StoryStatus.PUBLISHED),
                    _story, frozenset({"status", "title", "subtitle", "body", "place", "reporter", "photo_credit",
                                       "happened_on"})),
    "project": Source("project", _("项目"), Project,
                      lambda: Project.objects.filter(status__in=PUBLIC_STATUSES).select_related("lead_org"),
                      _project, frozenset({"status", "title", "description", "summary", "lead_org", "completed_on",
                                           "start_date"})),
    "event": Source("event", _("活动"), Event,
                    lambda: Event.objects.filter(is_public=True).exclude(status=EventStatus.CANCELLED),
                    _event, frozenset({"status", "is_public", "title", "description", "venue", "address",
                                       "starts_at"})),
    "need": Source("need", _("需求"), Need,
                   lambda: Need.objects.filter(status__in=[NeedStatus.PUBLISHED, NeedStatus.COVERED])
                   .select_related("community"),
                   _need, frozenset({"status", "title", "description"})),
}
ORDER = ["story", "project", "event", "need"]


def source_for(model: type[Model]) -> Source | None:
    return next((s for s in SOURCES.values() if s.model is model), None)


def iter_public(kind: str, batch: int = 500) -> Iterable[Any]:
    yield from SOURCES[kind].public().order_by("pk").iterator(chunk_size=batch)
