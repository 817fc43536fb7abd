"""Domain events: the seam through which one app tells the others what happened without importing them.

An app that does something others may reward or count sends one of these signals with
``emit(signal, ...)``; the signal is sent only after the surrounding transaction commits, so a
receiver never sees a change that was rolled back. Receivers (the points scheme, the public site's
search index…) live in the listening app and are connected in its AppConfig.ready().

Every event carries:
- ``source_key`` — a stable string naming the thing that happened, unique across the platform
  (``"events.attendance:123"``, ``"reports.verified:45"``). A receiver must treat the same key
  arriving twice (a retried task, two workers) as one event: it is the idempotency key.
- ``person`` — the ``accounts.User`` the event is about, or ``None`` when they have no account
  (then ``phone`` may name them).
- ``community`` — the ``regions.Region`` (a community or a street) whose scheme it belongs to.
- ``occurred_at`` — an aware datetime.
Signal-specific keyword arguments are listed beside each signal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.dispatch import Signal

#: A confirmed registration was checked in at an event. kwargs: ``event_id``, ``event_title``.
attendance_verified = Signal()

#: A volunteer's hours at a post were verified (check-out at the post, or self-reported hours approved
#: by staff). kwargs: ``minutes`` (int), ``activity_key`` (one key per event: caps apply per activity),
#: ``title``.
volunteer_hours_verified = Signal()

#: A street report was verified by staff (accepted as real). kwargs: ``category_code``, ``title``.
report_verified = Signal()

#: Something that was verified turned out false (a fake report, faked hours): what it earned is
#: reversed. kwargs: ``reason``. ``source_key`` is the key of the original event.
verification_voided = Signal()

#: A resident rated a completed project. kwargs: ``project_id``.
rating_given = Signal()


def emit(signal: Signal, *, source_key: str, person: Any, community: Any, occurred_at: dt.datetime,
         phone: str = "", **kwargs: Any) -> None:
    """Send ``signal`` once the current transaction commits (at once outside a transaction)."""

    def send() -> None:
        signal.send(sender=signal, source_key=source_key, person=person, community=community,
                    occurred_at=occurred_at, phone=phone, **kwargs)

    transaction.on_commit(send, robust=True)
