from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lianjian.accounts.permissions import get_scope
from lianjian.core.jobs import job_start
from lianjian.events.selectors import region_event_rows
from lianjian.lists.taxonomy import display_names
from lianjian.regions.models import Level

from . import report, selectors


def _year(request: HttpRequest, region: Any = None) -> int:
    """The year asked for, else the latest year with completed projects (up to last year)."""
    last_year = timezone.localdate().year - 1
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    if 2000 <= year <= 2999:
        return year
    if region is not None:
        latest = selectors.latest_year_with_data(region=region, until=last_year)
        if latest:
            return latest
    return last_year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    region = selectors.home_region(user=request.user)
    if region is None:
        raise PermissionDenied
    return redirect("analytics:region", pk=region.pk)


@login_required
def region_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Figures of a district, street or community, with its children and the year before."""
    region = selectors.region_for_user(user=request.user, pk=pk)
    year = _year(request, region)
    stats, computed_at = selectors.region_stats_cached(region=region, year=year)
    figures, previous, children = stats.current, stats.previous, stats.children
    is_community = region.level == Level.COMMUNITY
    names = display_names()
    category_rows = [(names.get(n, n), c) for n, c in figures.by_category]
    chart = {
        "categories": [n for n, _c in category_rows],
        "category_counts": [c for _n, c in figures.by_category],
        "months": [_("%(m)d月") % {"m": m} for m in range(1, 13)],
        "month_counts": figures.by_month,
        "children": [c.region.name for c in children],
        "children_now": [c.projects_completed for c in children],
        "children_before": [c.previous_projects for c in children],
        "year": year,
    }
    crumbs = [a for a in region.ancestors() if get_scope(request.user).covers_region(a)]
    return render(
        request,
        "analytics/dashboard.html",
        {
            "region": region,
            "year": year,
            "years": list(range(timezone.localdate().year, 2019, -1)),
            "figures": figures,
            "previous": previous,
            "children": children,
            "chart": chart,
            "category_rows": category_rows,
            "crumbs": crumbs,
            "is_community": is_community,
        "computed_at": computed_at,
            "units": selectors.unit_rows(community=region, year=year) if is_community else [],
            "events": region_event_rows(region=region, year=year),
        },
    )


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The annual report of a community the user may see, as DOCX, PDF or XLSX."""
    region = selectors.region_for_user(user=request.user, pk=pk)
    if region.level != Level.COMMUNITY:
        raise PermissionDenied(_("年度工作总结按社区生成。"))
    fmt = request.GET.get("format", "docx")
    if fmt not in report.FORMATS:
        fmt = "docx"
    data = report.build_report(community=region, year=_year(request, region))
    response = HttpResponse(report.render(data, fmt), content_type=report.CONTENT_TYPES[fmt])
    filename = f"{data.filename_stem}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
@require_POST
def reports_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The annual report of every community of a street or district, as a background job."""
    region = selectors.region_for_user(user=request.user, pk=pk)
    if region.level == Level.COMMUNITY:
        raise PermissionDenied(_("批量生成用于街道或区。"))
    fmt = request.POST.get("format", "docx")
    if fmt not in report.FORMATS:
        fmt = "docx"
    year = _year(request, region)
    try:
        year = int(request.POST.get("year") or year)
    except ValueError:
        pass
    if not 2000 <= year <= 2999:
        year = timezone.localdate().year - 1
    job = job_start(actor=request.user, kind="analytics.reports",
                    params={"region": region.pk, "year": year, "format": fmt},
                    title=_("%(region)s各社区%(year)d年度工作总结（%(fmt)s）")
                    % {"region": region.name, "year": year, "fmt": fmt.upper()})
    return redirect(job)
