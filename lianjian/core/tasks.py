"""Background tasks of core: running the long jobs people start (see ``lianjian.core.jobs``) and
removing their files after a week.

Each app's ``tasks.py`` is imported by the consumer (and at start-up, see ``CoreConfig.ready``),
which registers its tasks with the queue.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.storage import default_storage
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .images import photo_orphans
from .jobs import jobs_cleanup, run_job

logger = logging.getLogger(__name__)

__all__ = ["old_jobs_cleanup", "orphan_photos_cleanup", "run_job"]


@db_periodic_task(crontab(hour="3", minute="37"), name="core.jobs_cleanup")
def old_jobs_cleanup() -> int:
    """Daily: jobs finished over a week ago go, with their files (a second run finds none)."""
    removed = jobs_cleanup()
    logger.info("jobs_cleanup: %d finished jobs older than a week deleted", removed)
    return removed


@db_periodic_task(crontab(hour="3", minute="47"), name="core.photos_cleanup")
def orphan_photos_cleanup() -> int:
    """Daily: photo files left by rolled-back uploads (older than a day, no row refers to them)."""
    orphans = photo_orphans(older_than=dt.timedelta(hours=24))
    for path in orphans:
        default_storage.delete(path)
    logger.info("photos_cleanup: %d orphaned photo files deleted", len(orphans))
    return len(orphans)
