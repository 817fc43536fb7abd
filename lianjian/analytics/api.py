"""Analytics API: a region's figures for a year, and the annual report file of a community."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from lianjian.api.errors import ERROR_RESPONSES
from lianjian.core.ranges import YEAR_MAX, YEAR_MIN
from lianjian.regions.models import Level

from . import report, selectors

router = Router()


class CategoryCount(Schema):
    category: str
    projects: int


class FiguresOut(Schema):
    region_id: int
    region: str
    year: int
    joint_units: int
    units_with_completed: int
    projects_completed: int
    people_served: int
    volunteer_hours: float
    average_rating: float | None
    by_category: list[CategoryCount]
    by_month: list[int]


@router.get(
    "/regions/{id:region_id}",
    response={200: FiguresOut, **ERROR_RESPONSES},
    summary="Headline figures of a region (community, street, district) for a year",
)
def region_figures(request: HttpRequest, region_id: int, year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX)) -> Any:
    region = selectors.region_for_user(user=request.user, pk=region_id)
    f = selectors.region_figures(region=region, year=year)
    return {
        "region_id": region.pk,
        "region": region.name,
        "year": year,
        "joint_units": f.joint_units,
        "units_with_completed": f.units_with_completed,
        "projects_completed": f.projects_completed,
        "people_served": f.people_served,
        "volunteer_hours": float(f.volunteer_hours),
        "average_rating": f.average_rating,
        "by_category": [{"category": n, "projects": c} for n, c in f.by_category],
        "by_month": f.by_month,
    }


@router.get(
    "/regions/{id:region_id}/report",
    response={200: None, **ERROR_RESPONSES},
    summary="The community's annual report as docx, pdf or xlsx",
)
def report_file(request: HttpRequest, region_id: int, year: int = Query(..., ge=YEAR_MIN, le=YEAR_MAX),
                format: str = "docx") -> Any:
    region = selectors.region_for_user(user=request.user, pk=region_id)
    if region.level != Level.COMMUNITY:
        raise HttpError(422, "年度工作总结按社区生成。")
    if format not in report.FORMATS:
        raise HttpError(422, "format 只能是 docx、pdf 或 xlsx。")
    data = report.build_report(community=region, year=year)
    response = HttpResponse(report.render(data, format), content_type=report.CONTENT_TYPES[format])
    response["Content-Disposition"] = (
        f"attachment; filename=\"report.{format}\"; filename*=UTF-8''{quote(data.filename_stem)}.{format}"
    )
    return response
