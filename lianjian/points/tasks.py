"""Background work of points: paying domain events, voiding lapsed holds, expiring old points."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lianjian.accounts.models import User
from lianjian.regions.models import Region

from . import expiry, ledger, redemptions

logger = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=30, name="points.award")
def award_task(*, trigger: str, source_key: str, person_id: int | None, community_id: int | None,
               phone: str = "", occurred_at: str | None = None, minutes: int = 0, activity_key: str = "",
               category_code: str = "", title: str = "") -> int | None:
    """Pay one verified deed (idempotent: the source key pays once, however often this runs)."""
    person = User.objects.filter(pk=person_id).first() if person_id else None
    community = Region.objects.filter(pk=community_id).first() if community_id else None
    entry = ledger.award_for_event(
        trigger=trigger, source_key=source_key, person=person, community=community, phone=phone,
        occurred_at=dt.datetime.fromisoformat(occurred_at) if occurred_at else None, minutes=minutes,
        activity_key=activity_key, category_code=category_code, title=title)
    logger.info("award_task: %s → %s", source_key, entry.amount if entry else "nothing")
    return entry.pk if entry else None


@db_task(retries=5, retry_delay=30, name="points.reverse")
def reverse_task(*, source_key: str, reason: str = "") -> int | None:
    """A verification turned out false: reverse what it earned (once)."""
    entry = ledger.reverse_source(source_key=source_key, reason=reason)
    logger.info("reverse_task: %s → %s", source_key, entry.amount if entry else "nothing")
    return entry.pk if entry else None


@db_periodic_task(crontab(minute="*/10"), name="points.expire_holds")
def expire_holds() -> int:
    """Every ten minutes: codes not confirmed in time are voided; points and stock go back."""
    voided = redemptions.expire_holds()
    logger.info("expire_holds: %d holds voided", voided)
    return voided


@db_periodic_task(crontab(hour="2", minute="23"), name="points.expire_points")
def expire_points() -> int:
    """Nightly: points past their scheme's period expire (FIFO); once per account and day."""
    written = expiry.expire_points()
    logger.info("expire_points: %d expiry entries", written)
    return written


@db_periodic_task(crontab(hour="9", minute="13"), name="points.notify_expiring")
def notify_expiring() -> int:
    """Daily: people hear once, a month ahead, that points will expire."""
    told = expiry.notify_expiring()
    logger.info("notify_expiring: %d people told", told)
    return told
