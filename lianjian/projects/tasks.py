"""Background tasks of projects: flagging overdue milestones (replaces the cron line)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianjian.accounts.permissions import SYSTEM

from .services import milestones_flag_overdue

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="7"), name="projects.check_overdue")
def check_overdue() -> int:
    """Every hour: flag milestones that passed their due date, once each (a second run in the same
    hour, or two consumers at once, flag nothing more: the flag is a conditional UPDATE)."""
    flagged = milestones_flag_overdue(actor=SYSTEM)
    logger.info("check_overdue: %d overdue milestones flagged", len(flagged))
    return len(flagged)
