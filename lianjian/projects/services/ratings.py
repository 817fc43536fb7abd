"""Residents' ratings of completed projects, with or without an account, throttled per device
and address."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from lianjian.core.activity import record_activity
from lianjian.core.domain_events import emit, rating_given

from ..models import Project, ProjectStatus, Rating


class AnonymousRater:
    """The audit-trail actor for a rating given without logging in."""

    is_authenticated = False
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return _("匿名居民")


# ---- ratings ----------------------------------------------------------------------------------
def device_hash_for(device_id: str) -> str:
    """Hash a device id (a signed cookie value or client-supplied id) for storage."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{device_id}".encode()).hexdigest()


def _rating_count(key: str, window: int) -> int:
    cache = caches["throttle"]
    if cache.add(key, 1, window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _rating_throttle(ip: str | None, project: Project) -> None:
    """Limits that do not rest on the device id (which a client can change at will):

    * at most ``RATING_MAX_PER_IP`` ratings per address per hour, over all projects;
    * at most ``RATING_MAX_PER_ADDRESS_PER_PROJECT`` ratings of one project (one rating link)
      per address per day — a household or a community centre may share one address, a script
      inventing device ids may not stuff the ballot.
    """
    if not ip:
        return
    address = hashlib.sha256(ip.encode()).hexdigest()[:32]
    per_project = getattr(settings, "RATING_MAX_PER_ADDRESS_PER_PROJECT", 10)
    if _rating_count(f"rating:project:{project.pk}:ip:{address}", 24 * 3600) > per_project:
        raise ValidationError({"__all__": _("这个网络已经提交了很多条评价，请明天再试。")}, code="throttled")
    if _rating_count("rating:ip:" + address, 3600) > getattr(settings, "RATING_MAX_PER_IP", 30):
        raise ValidationError({"__all__": _("评价太频繁了，请稍后再试。")}, code="throttled")


@transaction.atomic
def rating_add(
    *,
    project: Project,
    stars: Any,
    comment: str = "",
    device_hash: str,
    rater: Any = None,
    ip: str | None = None,
) -> Rating:
    """A resident rates a completed project: 1–5 stars and a comment, once per person and device.

    The unique constraints are the last word on "once": two submissions at the same moment
    produce one rating and one clear message, and the counters move with ``F()``.
    """
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise ValidationError({"stars": _("请选择 1 到 5 颗星。")}) from None
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("请选择 1 到 5 颗星。")})
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ValidationError({"comment": _("评价内容不能超过 300 字。")})
    if not device_hash:
        raise ValidationError({"__all__": _("无法识别您的设备，请允许浏览器保存 Cookie 后重试。")})
    rater = rater if getattr(rater, "is_authenticated", False) else None
    if project.status != ProjectStatus.COMPLETED:
        raise ValidationError({"__all__": _("项目完成后才能评价。")})
    already = Q(device_hash=device_hash) | (Q(rater=rater) if rater else Q(pk__in=[]))
    if Rating.objects.filter(already, project=project).exists():
        raise ValidationError({"__all__": _("您已经评价过这个项目了，谢谢您的参与！")}, code="duplicate")
    _rating_throttle(ip, project)
    rating = Rating(project=project, stars=stars, comment=comment, rater=rater, device_hash=device_hash)
    rating.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ValidationError({"__all__": _("您已经评价过这个项目了，谢谢您的参与！")}, code="duplicate") from None
    Project.objects.filter(pk=project.pk).update(rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars)
    record_activity(actor=rater or AnonymousRater(), action="rate", obj=project, changes={"stars": [None, stars]})
    if rater is not None:  # a logged-in resident's rating may earn points in the community's scheme
        emit(rating_given, source_key=f"projects.rating:{rating.pk}", person=rater, community=project.community,
             occurred_at=rating.created_at, project_id=project.pk)
    return rating
