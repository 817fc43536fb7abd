"""Reads of notifications: a person only ever sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Notification


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(is_read=False)
    return qs.order_by("-created_at", "-id")


def notification_get(*, user: Any, pk: Any) -> Notification:
    try:
        return notification_list(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, is_read=False).count()
