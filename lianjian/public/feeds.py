"""Atom feeds of published stories: the whole site and each district, street or community.

Django's syndication framework writes them (``Atom1Feed``): it is part of Django, escapes every
field, sets the feed's ``updated`` from the newest entry and needs no extra dependency (feedgen
would add one for the same XML).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from lianjian.regions.models import Region
from lianjian.stories.models import Story
from lianjian.stories.selectors import published_stories

ENTRIES = 30
SH = ZoneInfo("Asia/Shanghai")


class SiteStoriesFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("联建 · 宣传报道")

    def subtitle(self) -> str:
        return _("各社区区域化党建联建的最新报道")

    def link(self) -> str:
        return reverse("public:home")

    def items(self) -> list[Story]:
        return list(published_stories()[:ENTRIES])

    def item_title(self, item: Story) -> str:
        return item.title

    def item_description(self, item: Story) -> str:
        return item.subtitle + ("：" if item.subtitle else "") + item.excerpt

    def item_link(self, item: Story) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Story) -> dt.datetime:
        return item.published_at or dt.datetime.combine(item.happened_on, dt.time(9), tzinfo=SH)

    def item_updateddate(self, item: Story) -> dt.datetime:
        return self.item_pubdate(item)

    def item_author_name(self, item: Story) -> str:
        return item.reporter or item.region.name

    def item_categories(self, item: Story) -> list[str]:
        return [str(item.get_kind_display()), item.region.name]


class RegionStoriesFeed(SiteStoriesFeed):
    def get_object(self, request: HttpRequest, code: str) -> Region:  # type: ignore[override]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise Http404
        return region

    def title(self, obj: Any = None) -> str:  # type: ignore[override]
        return _("%(name)s · 宣传报道") % {"name": obj.name}

    def subtitle(self, obj: Any = None) -> str:  # type: ignore[override]
        return _("%(name)s区域化党建联建的最新报道") % {"name": obj.name}

    def link(self, obj: Any = None) -> str:  # type: ignore[override]
        return reverse("public:community" if obj.is_community else "public:area", args=[obj.code])

    def items(self, obj: Any = None) -> list[Story]:  # type: ignore[override]
        return list(published_stories(region=obj)[:ENTRIES])
