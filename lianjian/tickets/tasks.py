"""Timed work of street reports: overdue reports escalate to the street; large exports run as jobs."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.jobs import Progress, register_job
from lianjian.core.models import Job

from . import selectors, services
from .export import workbook_bytes
from .filters import filters_from_params

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"), name="tickets.escalate_overdue")
def escalate_overdue() -> int:
    """Every ten minutes: reports past their deadline are escalated to their street, each once
    (a conditional update claims it, so overlapping runs escalate nothing twice)."""
    escalated = services.escalate_overdue(actor=SYSTEM)
    logger.info("escalate_overdue: %d overdue reports escalated to the street", escalated)
    return escalated


@register_job("tickets.export")
def export_reports(job: Job, progress: Progress) -> tuple[str, bytes]:
    """The staff list with the owner's filters, as the owner may see it."""
    filters = filters_from_params(user=job.owner, params=job.params)
    qs = selectors.staff_reports(user=job.owner, filters=filters)
    data = workbook_bytes(qs, progress)
    logger.info("tickets.export job %s: %d reports", job.pk, qs.count())
    return f"suishoupai-{timezone.localdate():%Y%m%d}.xlsx", data
