"""Reads of notifications: a person only ever sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from lianjian.accounts.actors import Viewer, person_of

from .models import Notification


def notification_list(*, user: Viewer, unread_only: bool = False) -> QuerySet[Notification]:
    person = person_of(user)
    if person is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=person)
    if unread_only:
        qs = qs.filter(is_read=False)
    return qs.order_by("-created_at", "-id")


def notification_get(*, user: Viewer, pk: Any) -> Notification:
    try:
        return notification_list(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unread_count(*, user: Viewer) -> int:
    person = person_of(user)
    if person is None:
        return 0
    return Notification.objects.filter(recipient=person, is_read=False).count()
