"""The annual report as a Word document."""

from __future__ import annotations

import io
import logging
from typing import Any

from .data import EVENT_HEADER, MONTHS, ReportData, _event_cells, _hours

logger = logging.getLogger(__name__)

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
