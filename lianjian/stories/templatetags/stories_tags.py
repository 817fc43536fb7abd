"""Template tags other pages use to show stories without importing this app's code:

- ``{% stories_about "project" project.pk %}``: published stories about an object (back-links);
- ``{% story_draft_button "event" event.pk %}``: staff draft a story about it in one click;
- ``{% story_figure photo %}``: a story photo, resized copies in ``srcset``, lazy, sized.
"""

from __future__ import annotations

from typing import Any

from django import template

from lianjian.accounts.permissions import get_scope
from lianjian.stories import linking, selectors

register = template.Library()


@register.inclusion_tag("stories/_about.html")
def stories_about(kind: str, object_id: Any) -> dict[str, Any]:
    return {"about": selectors.stories_about(kind=kind, object_id=object_id)}


@register.inclusion_tag("stories/_draft_button.html", takes_context=True)
def story_draft_button(context: Any, kind: str, object_id: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    entry = linking.link_kinds().get(kind)
    show = bool(entry and entry.draft and user is not None and get_scope(user).is_staff_like)
    return {"show": show, "kind": kind, "object_id": object_id, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("stories/_figure.html", takes_context=True)
def story_figure(context: Any, photo: Any, eager: bool = False) -> dict[str, Any]:
    story = context.get("story")
    return {"photo": photo, "eager": eager, "story_title": getattr(story, "title", "")}
