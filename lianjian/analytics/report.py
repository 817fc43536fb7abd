"""The annual report (年度工作总结) of one community: DOCX, PDF and XLSX from the same data.

:func:`build_report` gathers everything from the selectors; the three renderers only lay it out.
A year without data still gives a document, which says so.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import io
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from lianjian.core.text import printable
from lianjian.events.selectors import region_event_rows
from lianjian.meetings.models import Meeting, MeetingKind
from lianjian.meetings.selectors import attending_unit_count, meeting_claims, proposals_of
from lianjian.regions.models import Region

from . import charts, selectors

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


# ---- DOCX ------------------------------------------------------------------------------------------


def _docx_fonts(document: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid", "Caption"):
        try:
            style = document.styles[style_name]
        except KeyError:
            continue
        style.font.name = "Microsoft YaHei"
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), "WenQuanYi Micro Hei")
        if style_name == "Normal":
            style.font.size = Pt(11)


def _docx_table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)


def render_docx(data: ReportData) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = Document()
    _docx_fonts(doc)
    doc.core_properties.title = data.title
    doc.core_properties.author = data.community.name
    heading = doc.add_heading(data.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(
        f"{data.community.full_name or data.community.name} · 生成于{data.generated_at:%Y年%m月%d日}"
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph(data.overview)
    _docx_table(doc, ["指标", f"{data.year}年", f"{data.year - 1}年"], [list(r) for r in data.figure_rows()])

    if data.is_empty:
        doc.add_paragraph(f"{data.year}年暂无已完成的联建项目，以下各部分从略。")
    else:
        doc.add_heading("二、项目完成情况", level=1)
        doc.add_heading("（一）按类别", level=2)
        _docx_table(doc, ["类别", "完成项目（个）"], [[n, str(c)] for n, c in data.figures.by_category])
        if data.category_chart:
            doc.add_picture(io.BytesIO(data.category_chart), width=Cm(15))
        doc.add_heading("（二）按月份", level=2)
        if data.month_chart:
            doc.add_picture(io.BytesIO(data.month_chart), width=Cm(15))
        else:
            _docx_table(doc, MONTHS, [[str(v) for v in data.figures.by_month]])

        doc.add_heading("三、各联建单位完成情况", level=1)
        _docx_table(
            doc,
            ["单位", "类型", "完成项目", "其中牵头", "服务人次", "志愿时长（小时）"],
            [
                [u.name, u.kind, str(u.projects), str(u.led), str(u.people_served), _hours(u.volunteer_hours)]
                for u in data.units
            ],
        )

        doc.add_heading("四、亮点项目", level=1)
        for h in data.highlights:
            doc.add_heading(h.title, level=2)
            rating = f"，居民评价{h.average_rating}分" if h.average_rating is not None else ""
            doc.add_paragraph(f"类别：{h.category}；实施单位：{h.units}；服务{h.people_served}人次{rating}。")
            if h.summary:
                doc.add_paragraph(h.summary)
            if h.photo_path:
                try:
                    doc.add_picture(h.photo_path, width=Cm(12))
                    if h.photo_caption:
                        doc.add_paragraph(h.photo_caption, style="Caption")
                except Exception:  # a broken photo must not lose the whole report
                    logger.warning("report: cannot embed photo %s", h.photo_path, exc_info=True)

    doc.add_heading(f"五、{data.year + 1}年工作谋划", level=1)
    if data.meeting is None:
        doc.add_paragraph("尚未召开年度总结会，暂无会议提议。")
    else:
        m = data.meeting
        doc.add_paragraph(
            f"{m.date}，{data.community.name}在{m.venue}召开{m.title}，"
            f"{m.attending_units}家联建单位参加会议，会上提出议题{len(m.proposals)}项、"
            f"现场认领{len(m.claims)}项。"
        )
        if m.proposals:
            doc.add_heading("（一）会议提议", level=2)
            _docx_table(
                doc,
                ["议题", "提出方", "提出阶段", "处理情况", "对应需求"],
                [[p["title"], p["raiser"], p["stage"], p["status"], p["need"]] for p in m.proposals],
            )
        if m.claims:
            doc.add_heading("（二）会上认领", level=2)
            _docx_table(
                doc,
                ["需求", "认领单位", "角色", "数量", "状态"],
                [[c["need"], c["unit"], c["role"], c["quantity"], c["status"]] for c in m.claims],
            )
        if m.decisions:
            doc.add_heading("（三）会议决定", level=2)
            for line in m.decisions.splitlines():
                if line.strip():
                    doc.add_paragraph(line.strip())
    if data.events:
        doc.add_heading("六、活动开展情况", level=1)
        doc.add_paragraph(f"{data.year}年共开展活动{len(data.events)}场，到场"
                          f"{sum(e['checked_in'] for e in data.events)}人次，志愿者"
                          f"{sum(e['volunteers'] for e in data.events)}人次参与服务。")
        _docx_table(doc, EVENT_HEADER, [[str(c) for c in _event_cells(e)] for e in data.events])
    if data.projects:
        doc.add_heading(f"附：{data.year}年完成联建项目清单", level=1)
        _docx_table(
            doc,
            ["序号", "项目", "类别", "实施单位", "完成日期", "服务人次"],
            [
                [
                    str(i),
                    p.title,
                    p.category,
                    p.units,
                    p.completed_on.strftime("%Y-%m-%d") if p.completed_on else "",
                    str(p.people_served),
                ]
                for i, p in enumerate(data.projects, start=1)
            ],
        )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---- PDF -------------------------------------------------------------------------------------------


def _data_uri(png: bytes | None) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode() if png else ""


def render_html(data: ReportData) -> str:
    return render_to_string(
        "analytics/report_pdf.html",
        {
            "r": data,
            "font_path": charts.cjk_font_path(),
            "category_chart": _data_uri(data.category_chart),
            "month_chart": _data_uri(data.month_chart),
            "months": MONTHS,
            "month_cells": list(zip(MONTHS, data.figures.by_month, strict=True)),
            "figure_rows": data.figure_rows(),
        },
    )


def render_pdf(data: ReportData) -> bytes:
    from weasyprint import HTML

    # A server process warms the PDF stack in a background thread when it starts (warm_up_in_background);
    # the first report waits for that instead of doing the same work a second time beside it.
    _warmed.wait(timeout=WARM_UP_WAIT_SECONDS)
    return HTML(string=render_html(data), base_url="/").write_pdf()


# The first PDF of a process costs about a second more than the next ones (~1.2 s of ~1.8 s on the
# 2-core bench machine, more on a cold disk): importing WeasyPrint (CSS machinery; cffi finding and
# loading Pango, HarfBuzz and fontconfig through ctypes.util.find_library, which runs ldconfig) and
# python-docx, and Pango's first font set-up. It is per process, not per report: the bench reports
# it on its own line. Server processes pay it at start, off the request path.
WARM_UP_WAIT_SECONDS = 10
_warmed = threading.Event()
_warmed.set()  # nothing to wait for unless a warm-up was started
# A process forked during a warm-up (gunicorn --preload) has no warm-up thread: never wait in it.
os.register_at_fork(after_in_child=_warmed.set)


def warm_up() -> float:
    """Import the report's libraries and render a one-line PDF with the CJK font; returns seconds."""
    started = time.perf_counter()
    from docx import Document
    from weasyprint import HTML

    Document()  # python-docx parses its default template
    charts.bar_chart(["联建"], [1], title="联建")  # Pillow loads the CJK font for the charts
    font = charts.cjk_font_path()
    face = f'@font-face {{ font-family: "LJ CJK"; src: url("file://{font}"); }}' if font else ""
    HTML(string=f'<style>{face} body {{ font-family: "LJ CJK"; }}</style><p>联建 2024</p>', base_url="/").write_pdf()
    return time.perf_counter() - started


def warm_up_in_background() -> threading.Thread | None:
    """Run :func:`warm_up` in a daemon thread (called by lianjian.wsgi / asgi, so only servers do it;
    commands and tests never import those modules). LIANJIAN_WARM_REPORTS=0 turns it off."""
    if os.environ.get("LIANJIAN_WARM_REPORTS", "1") == "0" or not _warmed.is_set():
        return None
    _warmed.clear()

    def run() -> None:
        try:
            logger.info("report: PDF stack warmed in %.2f s", warm_up())
        except Exception:  # a warm-up must never take the server down; the first report will say why
            logger.warning("report: warm-up failed", exc_info=True)
        finally:
            _warmed.set()

    thread = threading.Thread(target=run, name="lianjian-report-warm-up", daemon=True)
    thread.start()
    return thread


# ---- XLSX ------------------------------------------------------------------------------------------


def render_xlsx(data: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False) -> None:
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        ws.append(header)
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append(row)
        for i, _h in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 22 if i == 1 else 14

    f = data.figures
    sheet(
        "总体情况",
        ["指标", f"{data.year}年", f"{data.year - 1}年"],
        [[label, _num(a), _num(b)] for label, a, b in data.figure_rows()],
        first=True,
    )
    wb.active.append([])
    wb.active.append([data.overview])
    sheet("按类别", ["类别", "完成项目（个）"], [[n, c] for n, c in f.by_category])
    sheet("按月份", ["月份", "完成项目（个）"], [[m, v] for m, v in zip(MONTHS, f.by_month, strict=True)])
    sheet(
        "各单位",
        ["单位", "类型", "完成项目", "其中牵头", "服务人次", "志愿时长（小时）"],
        [[u.name, u.kind, u.projects, u.led, u.people_served, float(u.volunteer_hours)] for u in data.units],
    )
    sheet(
        "亮点项目",
        ["项目", "类别", "实施单位", "服务人次", "评分", "完成日期"],
        [
            [h.title, h.category, h.units, h.people_served, h.average_rating, h.completed_on]
            for h in data.highlights
        ],
    )
    sheet("活动", EVENT_HEADER, [_event_cells(e) for e in data.events])
    sheet(
        "项目清单",
        ["项目", "类别", "实施单位", "完成日期", "服务人次", "评分"],
        [
            [p.title, p.category, p.units, p.completed_on, p.people_served, p.average_rating]
            for p in data.projects
        ],
    )
    m = data.meeting
    sheet(
        "会议提议",
        ["议题", "提出方", "提出阶段", "处理情况", "对应需求"],
        [[p["title"], p["raiser"], p["stage"], p["status"], p["need"]] for p in (m.proposals if m else [])],
    )
    sheet(
        "会上认领",
        ["需求", "认领单位", "角色", "数量", "状态"],
        [[c["need"], c["unit"], c["role"], c["quantity"], c["status"]] for c in (m.claims if m else [])],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _num(text: str) -> Any:
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def render(data: ReportData, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return {"docx": render_docx, "pdf": render_pdf, "xlsx": render_xlsx}[fmt](data)
