"""Writes to notifications. Other apps call :func:`notify`; it never fails their transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction

from lianjian.accounts.actors import Actor, require_person

from .models import Notification, NotificationKind

logger = logging.getLogger(__name__)


def _recipient_ids(recipients: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for r in recipients:
        pk = r if isinstance(r, int) else getattr(r, "pk", None)
        if pk is not None and pk not in ids:
            ids.append(pk)
    return ids


def notify(*, recipients: Iterable[Any], text: str, url: str = "", kind: str = NotificationKind.INFO) -> None:
    """Tell each recipient (users or user ids, duplicates ignored) *text* with a link to *url*.

    The rows are written after the surrounding transaction commits, so a rolled-back change
    never announces itself; e-mail goes out too when ``LIANJIAN_EMAIL_NOTIFICATIONS`` is on.
    """
    notify_each([(recipients, text, url, kind)])


def notify_each(messages: Iterable[tuple[Iterable[Any], str, str, str]]) -> None:
    """:func:`notify` for many messages at once, (recipients, text, url, kind) each: the same
    rows and e-mails, written in one INSERT after commit (a ledger import announcing its needs)."""
    batch = [(ids, str(text)[:300], str(url or "")[:300], str(kind))
             for recipients, text, url, kind in messages if (ids := _recipient_ids(recipients))]
    if batch:
        transaction.on_commit(lambda: _deliver(batch))


def _deliver(batch: list[tuple[list[int], str, str, str]]) -> None:
    from django.contrib.auth import get_user_model

    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, text=text, url=url, kind=kind) for ids, text, url, kind in batch
         for pk in ids], batch_size=1000)
    if not getattr(settings, "LIANJIAN_EMAIL_NOTIFICATIONS", False):
        return
    for ids, text, url, _kind in batch:
        emails = list(get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="")
                      .values_list("email", flat=True))
        body = f"{text}\n\n{url}" if url else text
        for email in emails:
            try:
                send_mail(subject=text[:80], message=body, from_email=None, recipient_list=[email])
            except Exception:  # a mail server outage must not break the request that notified
                logger.exception("notification e-mail to %s failed", email)


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if not notification.is_read:
        Notification.objects.filter(pk=notification.pk).update(is_read=True)
        notification.is_read = True
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Actor, since: Any = None) -> int:
    """Mark every unread notification of the actor read (those created since *since*, if given);
    return how many changed."""
    qs = Notification.objects.filter(recipient=require_person(actor), is_read=False)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.update(is_read=True)
