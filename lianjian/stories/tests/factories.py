"""Stories for tests: drafts by a world's community staff, published by the street admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lianjian.stories import services
from lianjian.stories.models import Story
from lianjian.testing import World

BODY = "## 现场\n社区为快递小哥准备了年夜饭，居民带来家常菜。\n\n- 34 道家常菜\n- 8 道商家菜"


def draft(world: World, *, author: Any = None, **fields: Any) -> Story:
    data: dict[str, Any] = {"region": world.community, "title": "社区请快递小哥吃年夜饭", "body": BODY,
                            "happened_on": dt.date(2025, 1, 9), "reporter": "华西社区报记者 李玥林",
                            "photo_credit": "受访者供图"}
    data |= fields
    return services.story_create(actor=author or world.staff, **data)


def published(world: World, **fields: Any) -> Story:
    """A published story: written by the community's staff (or *author*), published by the street admin
    (or the district admin when the street admin wrote it)."""
    story = draft(world, **fields)
    reviewer = world.district_admin if fields.get("author") == world.street_admin else world.street_admin
    story = services.story_submit(actor=story.author, story=story)
    return services.story_publish(actor=reviewer, story=story)
