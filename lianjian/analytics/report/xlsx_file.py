"""The annual report as an Excel workbook."""

from __future__ import annotations

import io
import logging
from typing import Any

from .data import EVENT_HEADER, MONTHS, ReportData, _event_cells

logger = logging.getLogger(__name__)

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
