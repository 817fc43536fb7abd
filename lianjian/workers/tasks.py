"""Timed work of the worker stations: low-stock alerts to the community's staff."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import stations

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"), name="workers.low_stock")
def low_stock() -> int:
    """Every 15 minutes: staff hear once about each supply that fell to its low-stock threshold;
    restocked supplies end their episode. Each episode is claimed by a conditional update, so
    overlapping runs send nothing twice."""
    told = stations.alert_low_stock()
    logger.info("low_stock: %d low-stock alerts sent", told)
    return told
