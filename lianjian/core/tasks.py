"""Background tasks of core: running the long jobs people start (see ``lianjian.core.jobs``) and
removing their files after a week.

Each app's ``tasks.py`` is imported by the consumer (and at start-up, see ``CoreConfig.ready``),
which registers its tasks with the queue.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .jobs import jobs_cleanup, run_job

logger = logging.getLogger(__name__)

__all__ = ["old_jobs_cleanup", "run_job"]


@db_periodic_task(crontab(hour="3", minute="37"), name="core.jobs_cleanup")
def old_jobs_cleanup() -> int:
    """Daily: jobs finished over a week ago go, with their files (a second run finds none)."""
    removed = jobs_cleanup()
    logger.info("jobs_cleanup: %d finished jobs older than a week deleted", removed)
    return removed
