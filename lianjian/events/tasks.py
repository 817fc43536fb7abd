"""Timed work of events: waitlist offers that lapse pass on, posts short of people are reported."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services, volunteers

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"), name="events.expire_offers")
def expire_offers() -> int:
    """Every five minutes: offers past their deadline lapse and the place goes to the next person.
    Each offer is resolved exactly once (a conditional update), so overlapping runs are harmless."""
    lapsed = services.expire_offers()
    logger.info("expire_offers: %d waitlist offers lapsed", lapsed)
    return lapsed


@db_periodic_task(crontab(minute="17"), name="events.short_posts")
def short_posts() -> int:
    """Hourly: staff hear once about volunteer posts still short of people two days before."""
    told = volunteers.notify_short_posts()
    logger.info("short_posts: %d posts reported short of people", told)
    return told
