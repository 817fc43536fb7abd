"""Writes of the API app itself (not of any domain): housekeeping of stored idempotency keys."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .idempotency import key_ttl
from .models import IdempotencyKey


@transaction.atomic
def purge_idempotency_keys(now: dt.datetime | None = None) -> int:
    """Delete ``Idempotency-Key`` records older than ``IDEMPOTENCY_KEY_TTL`` (24 hours by default)
    and return how many went. Safe to run at any time and as often as wanted (a periodic job)."""
    cutoff = (now or timezone.now()) - key_ttl()
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
