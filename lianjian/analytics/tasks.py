"""Background jobs of analytics: the annual report of every community of a street (or district)."""

from __future__ import annotations

import io
import logging
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import get_scope
from lianjian.core.jobs import Progress, register_job
from lianjian.core.models import Job
from lianjian.regions.models import Region

from . import report

logger = logging.getLogger(__name__)


def report_communities(*, user: Viewer, region: Region) -> list[Region]:
    """The communities under *region* whose reports *user* may write, by code."""
    return list(get_scope(user).filter_regions(
        Region.objects.communities().filter(Region.subtree_q(region))).order_by("code"))


@register_job("analytics.reports")
def reports_for_region(job: Job, progress: Progress) -> tuple[str, bytes]:
    """One annual report per community (``report.build_report`` + ``report.render``, as the
    single download and ``lianjian report`` do), zipped."""
    fmt, year = str(job.params.get("format", "")), int(job.params.get("year") or 0)
    if fmt not in report.FORMATS or not 2000 <= year <= 2999:
        raise ValidationError(_("报告格式或年度不正确。"))
    region = Region.objects.filter(pk=job.params.get("region")).first()
    if region is None:
        raise ValidationError(_("该区划已不存在。"))
    if not get_scope(job.owner).covers_region(region):
        raise PermissionDenied(_("您无权查看该区划的统计。"))
    communities = report_communities(user=job.owner, region=region)
    if not communities:
        raise ValidationError(_("该区划下没有社区。"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        progress(0, len(communities))
        for done, community in enumerate(communities, start=1):
            data = report.build_report(community=community, year=year)
            archive.writestr(f"{community.code}-{data.filename_stem}.{fmt}", report.render(data, fmt))
            progress(done, len(communities))
    logger.info("analytics.reports job %s: %d reports of %s %d", job.pk, len(communities), region, year)
    return _("%(region)s%(year)d年度工作总结.zip") % {"region": region.name, "year": year}, buffer.getvalue()
