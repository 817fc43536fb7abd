"""The annual report as HTML and PDF (WeasyPrint), and the warm-up servers run at start."""

from __future__ import annotations

import base64
import logging
import os
import threading
import time

from django.template.loader import render_to_string

from .. import charts
from .data import MONTHS, ReportData

logger = logging.getLogger(__name__)

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
