"""What the annual report says: :func:`build_report` gathers it from the selectors."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from lianjian.core.text import printable
from lianjian.events.selectors import region_event_rows
from lianjian.meetings.models import Meeting, MeetingKind
from lianjian.meetings.selectors import attending_unit_count, meeting_claims, proposals_of
from lianjian.regions.models import Region

from .. import charts, selectors

logger = logging.getLogger(__name__)

FORMATS = ("docx", "pdf", "xlsx")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MONTHS = [f"{m}月" for m in range(1, 13)]


@dataclass
class MeetingPart:
    title: str
    date: str
    venue: str
    attending_units: int
    proposals: list[dict[str, str]] = field(default_factory=list)
    claims: list[dict[str, str]] = field(default_factory=list)
    minutes: str = ""
    decisions: str = ""


@dataclass
class ReportData:
    community: Region
    year: int
    figures: selectors.Figures
    previous: selectors.Figures
    units: list[selectors.UnitRow]
    projects: list[selectors.ProjectRow]
    highlights: list[selectors.Highlight]
    meeting: MeetingPart | None
    events: list[dict[str, Any]]  # the year's events with their figures (see events.selectors)
    category_chart: bytes | None
    month_chart: bytes | None
    generated_at: dt.datetime

    @property
    def title(self) -> str:
        return f"{self.community.name}{self.year}年区域化党建联建工作总结"

    @property
    def is_empty(self) -> bool:
        return self.figures.projects_completed == 0

    @property
    def filename_stem(self) -> str:
        return self.title

    @property
    def overview(self) -> str:
        """The overview paragraph, every number taken from the figures."""
        f = self.figures
        name = self.community.name
        if self.is_empty:
            return (
                f"{self.year}年，{name}共有{f.joint_units}家联建单位，本年度暂无已完成的联建项目数据。"
                if f.joint_units
                else f"{self.year}年，{name}暂无联建单位和联建项目数据。"
            )
        parts = [
            f"{self.year}年，{name}与{f.joint_units}家联建单位携手开展区域化党建联建工作，"
            f"其中{f.units_with_completed}家单位共完成{f.projects_completed}个联建项目"
        ]
        if f.by_category:
            parts.append("，内容涵盖" + "、".join(f"{n}（{c}个）" for n, c in f.by_category))
        parts.append(f"；累计服务群众{f.people_served}人次，志愿服务{_hours(f.volunteer_hours)}小时")
        if f.average_rating is not None:
            parts.append(f"，居民评价平均{f.average_rating}分（共{f.rating_count}条评价）")
        parts.append("。")
        if self.previous.projects_completed:
            delta = f.projects_completed - self.previous.projects_completed
            trend = f"增加{delta}个" if delta > 0 else (f"减少{-delta}个" if delta < 0 else "持平")
            parts.append(f"与{self.year - 1}年（{self.previous.projects_completed}个）相比{trend}。")
        return "".join(parts)

    def figure_rows(self) -> list[tuple[str, str, str]]:
        f, p = self.figures, self.previous
        avg = "—" if f.average_rating is None else str(f.average_rating)
        pavg = "—" if p.average_rating is None else str(p.average_rating)
        return [
            ("联建单位（家）", str(f.joint_units), str(p.joint_units)),
            ("完成项目的单位（家）", str(f.units_with_completed), str(p.units_with_completed)),
            ("完成联建项目（个）", str(f.projects_completed), str(p.projects_completed)),
            ("服务群众（人次）", str(f.people_served), str(p.people_served)),
            ("志愿服务时长（小时）", _hours(f.volunteer_hours), _hours(p.volunteer_hours)),
            ("居民评价平均分", avg, pavg),
        ]


def _hours(value: Any) -> str:
    text = f"{value:.1f}" if value is not None else "0"
    return text[:-2] if text.endswith(".0") else text


def _meeting_part(community: Region, year: int) -> MeetingPart | None:
    """The summary meeting that reviewed *year* (or the first one held early the next year)."""

    meeting = (
        Meeting.objects.filter(community=community, review_year=year).order_by("starts_at").first()
        or Meeting.objects.filter(
            community=community,
            kind=MeetingKind.SUMMARY,
            starts_at__date__gte=dt.date(year, 12, 1),
            starts_at__date__lte=dt.date(year + 1, 3, 31),
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    proposals = [
        {
            "title": p.title,
            "raiser": p.raiser,
            "stage": str(p.get_stage_display()),
            "status": str(p.get_status_display()),
            "need": p.need.title if p.need is not None else "",
        }
        for p in proposals_of(meeting=meeting)
    ]
    claims = [
        {
            "need": mc.claim.need.title,
            "unit": mc.claim.organisation.name,
            "role": str(mc.claim.get_role_display()),
            "status": str(mc.claim.get_status_display()),
            "quantity": f"{mc.claim.quantity}{mc.claim.need.quantity_unit}",
        }
        for mc in meeting_claims(meeting=meeting)
        if mc.claim.is_live
    ]
    return MeetingPart(
        title=meeting.title,
        date=timezone.localtime(meeting.starts_at).strftime("%Y年%m月%d日"),
        venue=meeting.venue,
        attending_units=attending_unit_count(meeting=meeting),
        proposals=proposals,
        claims=claims,
        minutes=meeting.minutes,
        decisions=meeting.decisions,
    )


def _printable_tree(value: Any) -> Any:
    """*value* with every string in it passed through :func:`printable`: titles, names, minutes …

    Rows stored before control characters were refused (or written by another path) would
    otherwise stop python-docx and openpyxl ("All strings must be XML compatible") and the whole
    report with them. The three renderers share the cleaned data.
    """
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [_printable_tree(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_printable_tree(v) for v in value)
    if isinstance(value, dict):
        return {k: _printable_tree(v) for k, v in value.items()}
    if isinstance(value, Region):
        region = copy.copy(value)  # the caller's instance stays as it is
        region.name, region.full_name = printable(value.name), printable(value.full_name)
        return region
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _printable_tree(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def _event_rows(community: Region, year: int) -> list[dict[str, Any]]:
    """The community's events of the year as plain rows: what every renderer prints."""
    return [{"title": row.event.title, "date": timezone.localtime(row.event.starts_at).strftime("%Y-%m-%d"),
             "registered": row.registered, "checked_in": row.checked_in, "volunteers": row.volunteers,
             "hours": row.volunteer_hours, "pledges": row.pledges}
            for row in region_event_rows(region=community, year=year)]


EVENT_HEADER = ["活动", "日期", "报名人数", "到场人数", "志愿者", "志愿时长（小时）", "认捐（项）"]


def _event_cells(e: dict[str, Any]) -> list[Any]:
    return [e["title"], e["date"], e["registered"], e["checked_in"], e["volunteers"], e["hours"], e["pledges"]]


def build_report(*, community: Region, year: int) -> ReportData:
    community = _printable_tree(community)
    stats = selectors.region_stats(region=community, year=year)
    figures, previous = _printable_tree(stats.current), _printable_tree(stats.previous)
    category_chart = month_chart = None
    if figures.projects_completed:
        category_chart = charts.bar_chart(
            [n for n, _c in figures.by_category],
            [c for _n, c in figures.by_category],
            f"{year}年联建项目类别分布（个）",
            horizontal=True,
        )
        month_chart = charts.bar_chart(MONTHS, figures.by_month, f"{year}年各月完成项目数（个）")
    return ReportData(
        community=community,
        year=year,
        figures=figures,
        previous=previous,
        units=_printable_tree(selectors.unit_rows(community=community, year=year)),
        projects=_printable_tree(selectors.project_rows(community=community, year=year)),
        highlights=_printable_tree(selectors.highlights(community=community, year=year)),
        meeting=_printable_tree(_meeting_part(community, year)),
        events=_printable_tree(_event_rows(community, year)),
        category_chart=category_chart,
        month_chart=month_chart,
        generated_at=timezone.localtime(),
    )
