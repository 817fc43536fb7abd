"""Background tasks of ledgers: removing abandoned uploads daily, and the export of every
community of a street or district as a job with progress."""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from lianjian.core.jobs import Progress, register_job
from lianjian.core.models import Job
from lianjian.regions.models import Region

from .kinds import SPECS
from .selectors import ledger_communities, ledger_export
from .uploads import MAX_AGE, uploads_cleanup

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="17"), name="ledgers.cleanup")
def ledgers_cleanup() -> int:
    """Daily: delete uploads nobody confirmed within the token's lifetime (running it twice
    deletes nothing more)."""
    removed = uploads_cleanup(older_than=dt.timedelta(seconds=MAX_AGE))
    logger.info("ledgers_cleanup: %d abandoned upload files deleted", len(removed))
    return len(removed)


@register_job("ledgers.export")
def export_region(job: Job, progress: Progress) -> tuple[str, bytes]:
    """Every community of a street or district (those the owner may export) as one .xlsx each in
    a .zip; each workbook is the community's ordinary export (``ledger_export``)."""
    kind = str(job.params.get("kind", ""))
    if kind not in SPECS:
        raise ValidationError(_("未知的台账类型。"))
    region = Region.objects.filter(pk=job.params.get("region")).first()
    if region is None:
        raise ValidationError(_("该区划已不存在。"))
    communities = list(ledger_communities(user=job.owner).filter(Region.subtree_q(region)))
    if not communities:
        raise PermissionDenied(_("该区划下没有您可以导出的社区。"))
    label = SPECS[kind].label
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        progress(0, len(communities))
        for done, community in enumerate(communities, start=1):
            workbook = ledger_export(user=job.owner, kind=kind, community=community)
            out = io.BytesIO()
            workbook.save(out)
            archive.writestr(f"{community.code}-{community.name}-{label}.xlsx", out.getvalue())
            progress(done, len(communities))
    logger.info("ledgers.export job %s: %d communities of %s", job.pk, len(communities), region)
    return f"{region.name}-{label}-{timezone.localdate():%Y%m%d}.zip", buffer.getvalue()
