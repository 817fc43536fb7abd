"""The annual report (年度工作总结) of one community: DOCX, PDF and XLSX from the same data.

:func:`build_report` (``data``) gathers everything from the selectors; the three renderers
(``docx_file``, ``pdf_file``, ``xlsx_file``) only lay it out. A year without data still gives a
document, which says so.
"""

from __future__ import annotations

from .data import CONTENT_TYPES, FORMATS, MeetingPart, ReportData, build_report
from .docx_file import render_docx
from .pdf_file import _warmed as _warmed  # the warm-up's state, read by the tests
from .pdf_file import render_html, render_pdf, warm_up, warm_up_in_background
from .xlsx_file import render_xlsx

__all__ = ["CONTENT_TYPES", "FORMATS", "MeetingPart", "ReportData", "build_report", "render", "render_docx",
           "render_html", "render_pdf", "render_xlsx", "warm_up", "warm_up_in_background"]


def render(data: ReportData, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return {"docx": render_docx, "pdf": render_pdf, "xlsx": render_xlsx}[fmt](data)
