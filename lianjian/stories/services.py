"""Writes to stories: write, link, add photos, submit, review and publish, withdraw.

Rules, each in one place:
- Only staff whose scope covers the story's community (or street) write, review or withdraw it.
- A story is published only from review, and only by a staff member who is not its author (the
  second pair of eyes of the newspaper's desk); returning it to its author needs the same.
- A published story is not edited in place: it is withdrawn first, changed, and reviewed again.
- The body is stored sanitised (``body.clean_body``); links are resolved through the writer's
  scope by the registry (``linking``), never taken on trust.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from lianjian.accounts.actors import SYSTEM, Actor
from lianjian.accounts.models import User
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import apply_changes, record_activity, snapshot
from lianjian.core.images import check_photos, delete_files, store_photo
from lianjian.notifications.services import notify
from lianjian.regions.models import Level, Region

from . import linking
from .body import clean_body, excerpt
from .models import BODY_MAX, MAX_LINKS, MAX_PHOTOS, Story, StoryKind, StoryLink, StoryPhoto, StoryStatus
from .personal import mask

EDITABLE = ("kind", "title", "subtitle", "body", "reporter", "photo_credit", "happened_on", "place")


def may_write(actor: Any, region: Region | None) -> bool:
    """Staff (or admins) whose scope covers *region* write its stories."""
    scope = get_scope(actor)
    return region is not None and scope.is_staff_like and scope.covers_region(region)


def _require_staff(actor: Actor, region: Region | None) -> None:
    if not may_write(actor, region):
        raise PermissionDenied(_("只有本社区（街道）的工作人员可以编辑宣传报道。"))


def _check_region(region: Region) -> None:
    if region.level not in (Level.STREET, Level.COMMUNITY):
        raise ValidationError({"region": _("报道属于一个社区或街道。")})


def _prepare_body(value: str) -> str:
    if len(value or "") > BODY_MAX:
        raise ValidationError({"body": _("正文最多 %(n)d 个字符。") % {"n": BODY_MAX}})
    body = clean_body(value)
    if not body:
        raise ValidationError({"body": _("请填写正文。")})
    return body


def _resolve_links(actor: Actor, links: list[tuple[str, Any]]) -> list[tuple[str, int, linking.LinkTarget]]:
    if len(links) > MAX_LINKS:
        raise ValidationError({"links": _("最多关联 %(n)d 项。") % {"n": MAX_LINKS}})
    out: dict[tuple[str, int], linking.LinkTarget] = {}
    for kind, object_id in links:
        try:
            target = linking.resolve(actor, kind, object_id)
        except Http404:
            raise ValidationError({"links": _("找不到要关联的对象，或无权查看。")}) from None
        out[(kind, int(object_id))] = target
    return [(k, pk, t) for (k, pk), t in out.items()]


def _write_links(story: Story, resolved: list[tuple[str, int, linking.LinkTarget]]) -> None:
    keep = {(k, pk) for k, pk, _t in resolved}
    for old in list(story.links.all()):
        if (old.kind, old.object_id) not in keep:
            old.delete()
    have = {(row.kind, row.object_id): row for row in story.links.all()}
    for kind, pk, target in resolved:
        values = {"title": mask(target.title)[:200], "url": target.url[:200], "staff_url": target.staff_url[:200]}
        link = have.get((kind, pk))
        if link is None:
            new = StoryLink(story=story, kind=kind, object_id=pk, **values)
            new.full_clean()
            new.save()
        elif any(getattr(link, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(link, f, v)
            link.save(update_fields=list(values))


def _add_photos(actor: Actor, story: Story, photos: list[Any], captions: list[str] | None = None) -> list[StoryPhoto]:
    prepared = check_photos(photos, max_files=MAX_PHOTOS)
    if story.photos.count() + len(prepared) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每篇报道最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}})
    start = story.photos.count()
    rows = []
    for i, photo in enumerate(prepared):
        caption = (captions[i] if captions and i < len(captions) else "") or photo.caption
        with Image.open(io.BytesIO(photo.public.read())) as img:
            width, height = img.size
        photo.public.seek(0)
        row = StoryPhoto(story=story, caption=(caption or "")[:100], position=start + i, width=width, height=height,
                         uploaded_by=actor if isinstance(actor, User) else None)
        store_photo(row, photo)
        try:
            row.full_clean(exclude=["image", "public_image", "thumbnail"])
            row.save()
        except Exception:
            delete_files(row)
            raise
        rows.append(row)
    return rows


@transaction.atomic
def story_create(*, actor: Actor, region: Region, title: str, body: str, happened_on: dt.date,
                 kind: str = StoryKind.REPORT, subtitle: str = "", reporter: str = "", photo_credit: str = "",
                 place: str = "", links: list[tuple[str, Any]] | None = None, photos: list[Any] | None = None,
                 captions: list[str] | None = None) -> Story:
    """Write a draft story about *region*'s work, with its links and photos."""
    _require_staff(actor, region)
    _check_region(region)
    story = Story(region=region, kind=kind, title=(title or "").strip(), subtitle=(subtitle or "").strip(),
                  body=_prepare_body(body), reporter=(reporter or "").strip(),
                  photo_credit=(photo_credit or "").strip(), happened_on=happened_on, place=(place or "").strip(),
                  author=actor if isinstance(actor, User) else None)
    story.excerpt = excerpt(story.body)
    story.full_clean()
    resolved = _resolve_links(actor, links or [])
    story.save()
    _write_links(story, resolved)
    if photos:
        _add_photos(actor, story, photos, captions)
    record_activity(actor=actor, action="create", obj=story,
                    changes=snapshot(story, ["kind", "title", "happened_on", "status"]))
    return story


@transaction.atomic
def story_update(*, actor: Actor, story: Story, data: dict[str, Any], links: list[tuple[str, Any]] | None = None,
                 photos: list[Any] | None = None, captions: list[str] | None = None) -> Story:
    """Change a story that is not published; a story in review goes back to draft when changed."""
    story = Story.objects.select_for_update().select_related("region").get(pk=story.pk)
    _require_staff(actor, story.region)
    if story.status == StoryStatus.PUBLISHED:
        raise ValidationError({"status": _("已发布的报道需要先撤回再修改。")})
    values = {k: v for k, v in data.items() if k in EDITABLE}
    if "body" in values:
        values["body"] = _prepare_body(values["body"])
    for key in ("title", "subtitle", "reporter", "photo_credit", "place"):
        if key in values:
            values[key] = (values[key] or "").strip()
    changes = apply_changes(story, values)
    if "body" in changes:
        story.excerpt = excerpt(story.body)
    resolved = _resolve_links(actor, links) if links is not None else None
    if changes or resolved is not None or photos:
        if story.status == StoryStatus.REVIEW:
            changes["status"] = [story.status, StoryStatus.DRAFT]
            story.status = StoryStatus.DRAFT
    story.full_clean()
    if changes:
        fields = set(changes) | ({"excerpt"} if "body" in changes else set())
        story.save(update_fields=[*sorted(fields), "updated_at"])
    if resolved is not None:
        _write_links(story, resolved)
    if photos:
        _add_photos(actor, story, photos, captions)
        changes["photos"] = [None, len(photos)]
    if changes or resolved is not None:
        record_activity(actor=actor, action="update", obj=story, changes=changes)
    return story


@transaction.atomic
def story_photo_remove(*, actor: Actor, photo: StoryPhoto) -> None:
    story = photo.story
    _require_staff(actor, story.region)
    if story.status == StoryStatus.PUBLISHED:
        raise ValidationError({"status": _("已发布的报道需要先撤回再修改。")})
    caption = photo.caption
    files = [photo.image.name, photo.public_image.name, photo.thumbnail.name]
    storage = photo.image.storage
    photo.delete()

    def delete_files_later() -> None:
        for name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(delete_files_later)
    record_activity(actor=actor, action="photo_remove", obj=story, note=caption[:200])


def _locked(story: Story) -> Story:
    return Story.objects.select_for_update().select_related("region").get(pk=story.pk)


@transaction.atomic
def story_submit(*, actor: Actor, story: Story) -> Story:
    """Send a draft (or a withdrawn story) to review."""
    story = _locked(story)
    _require_staff(actor, story.region)
    if story.status not in (StoryStatus.DRAFT, StoryStatus.WITHDRAWN):
        raise ValidationError({"status": _("只有草稿或已撤回的报道可以提交审核。")})
    before = story.status
    story.status = StoryStatus.REVIEW
    story.save(update_fields=["status", "updated_at"])
    record_activity(actor=actor, action="submit", obj=story, changes={"status": [before, story.status]})
    return story


def _second_pair_of_eyes(actor: Actor, story: Story) -> None:
    _require_staff(actor, story.region)
    if story.status != StoryStatus.REVIEW:
        raise ValidationError({"status": _("这篇报道不在待审核状态。")})
    if actor is not SYSTEM and story.author_id is not None and story.author_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("报道需由另一位工作人员审核，作者本人不能审核发布。"))


@transaction.atomic
def story_publish(*, actor: Actor, story: Story, note: str = "") -> Story:
    """A second staff member publishes a story in review; link titles and URLs are refreshed."""
    story = _locked(story)
    _second_pair_of_eyes(actor, story)
    resolved = []
    for link in story.links.all():
        try:
            resolved.append((link.kind, link.object_id, linking.resolve(SYSTEM, link.kind, link.object_id)))
        except Http404:
            continue  # the object is gone: the link goes with it
    _write_links(story, resolved)
    story.status = StoryStatus.PUBLISHED
    story.published_at = story.published_at or timezone.now()
    story.reviewed_by = actor if isinstance(actor, User) else None
    story.review_note = (note or "").strip()[:500]
    story.full_clean()
    story.save(update_fields=["status", "published_at", "reviewed_by", "review_note", "updated_at"])
    record_activity(actor=actor, action="publish", obj=story,
                    changes={"status": [StoryStatus.REVIEW, StoryStatus.PUBLISHED]}, note=story.review_note)
    if story.author_id and isinstance(actor, User):
        notify(recipients=[story.author_id], text=_("您的报道《%(t)s》已发布。") % {"t": story.title},
               url=story.get_absolute_url())
    return story


@transaction.atomic
def story_return(*, actor: Actor, story: Story, note: str) -> Story:
    """A second staff member sends a story in review back to draft with what to change."""
    story = _locked(story)
    _second_pair_of_eyes(actor, story)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明需要修改的地方。")})
    story.status = StoryStatus.DRAFT
    story.review_note = note[:500]
    story.full_clean()
    story.save(update_fields=["status", "review_note", "updated_at"])
    record_activity(actor=actor, action="return", obj=story,
                    changes={"status": [StoryStatus.REVIEW, StoryStatus.DRAFT]}, note=story.review_note)
    if story.author_id and isinstance(actor, User):
        notify(recipients=[story.author_id], text=_("您的报道《%(t)s》被退回修改。") % {"t": story.title},
               url=story.get_staff_url())
    return story


@transaction.atomic
def story_unpublish(*, actor: Actor, story: Story, reason: str = "") -> Story:
    """Take a published story off the public pages (it keeps its links and can be resubmitted)."""
    story = _locked(story)
    _require_staff(actor, story.region)
    if story.status != StoryStatus.PUBLISHED:
        raise ValidationError({"status": _("这篇报道尚未发布。")})
    story.status = StoryStatus.WITHDRAWN
    story.save(update_fields=["status", "updated_at"])
    record_activity(actor=actor, action="unpublish", obj=story,
                    changes={"status": [StoryStatus.PUBLISHED, StoryStatus.WITHDRAWN]}, note=(reason or "")[:200])
    return story


@transaction.atomic
def story_draft_from(*, actor: Actor, kind: str, object_id: Any) -> Story:
    """A draft about a project, an event or a meeting with its facts filled in (one click)."""
    entry = linking.get_kind(kind)
    if entry.draft is None:
        raise Http404
    linking.resolve(actor, kind, object_id)  # 404 outside the actor's scope
    facts = entry.draft(actor, int(object_id))
    # Facts come from other records' free text: numbers typed there are masked, not refused.
    return story_create(actor=actor, region=facts.region, title=mask(facts.title)[:120],
                        subtitle=mask(facts.subtitle)[:200], body=mask(facts.body), happened_on=facts.happened_on,
                        place=mask(facts.place)[:120],
                        links=[(kind, int(object_id)), *facts.links])
