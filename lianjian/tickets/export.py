"""The staff list as an Excel workbook (write-only openpyxl: memory stays flat for 100,000 rows)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from lianjian.core.text import append_row

from .models import Report, Status

# Up to this many rows the page answers with the file at once; more go through a core.Job.
DIRECT_ROWS = 2000


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def workbook_bytes(qs: QuerySet[Report], progress: Callable[[int, int], None] | None = None) -> bytes:
    total = qs.count()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("随手拍"))
    append_row(ws, [_("编号"), _("类别"), _("社区"), _("状态"), _("问题描述"), _("地址"), _("纬度"), _("经度"),
                    _("提交时间"), _("责任单位/部门"), _("派单时间"), _("处置时限"), _("是否逾期"), _("升级时间"),
                    _("处置完成时间"), _("办结时间"), _("也遇到的人数")])
    labels = dict(Status.choices)
    done = 0
    for r in qs.select_related("category", "community", "unit").order_by("-created_at", "-id").iterator(
            chunk_size=2000):
        append_row(ws, [r.pk, r.category.name, r.community.name, str(labels.get(r.status, r.status)), r.description,
                        r.address, r.lat, r.lng, _when(r.created_at), r.responsible, _when(r.dispatched_at),
                        _when(r.deadline), _("是") if r.is_overdue else "", _when(r.escalated_at),
                        _when(r.resolved_at), _when(r.closed_at), r.supporter_count])
        done += 1
        if progress is not None and done % 1000 == 0:
            progress(done, total)
    if progress is not None:
        progress(total, total)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
