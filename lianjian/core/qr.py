"""QR codes: one way to draw them, so every code in the product shows in any browser and prints well.

Every QR (meeting sign-in, project rating, …) is made here. The SVG is a standalone document with
its XML namespace (an ``<img>`` shows nothing without it), black on white with the four-module
quiet zone the standard asks for, so a phone camera reads it off a screen or a printed poster.
The PNG is large enough to print at poster size (about 6 cm at 300 dpi).
"""

from __future__ import annotations

import io
from typing import Literal

import segno
from django.http import HttpResponse

QRFormat = Literal["svg", "png"]
SVG_SCALE = 8  # px per module on screen; the SVG is vector and scales for print
PNG_SCALE = 20  # px per module: a version-4 code becomes ~660 px, sharp when printed
BORDER = 4  # the quiet zone the QR standard requires


def _make(data: str) -> segno.QRCode:
    return segno.make(data, error="m", micro=False)


def qr_svg(data: str, *, title: str = "") -> bytes:
    """A standalone SVG document encoding *data*."""
    qr = _make(data)
    buf = io.BytesIO()
    # omitsize gives a viewBox, so the code scales to whatever box shows it (an <img> of another
    # size would crop an SVG without one); the natural size goes back in as width and height.
    qr.save(buf, kind="svg", scale=SVG_SCALE, border=BORDER, dark="#000", light="#fff",
            xmldecl=True, svgns=True, title=title or None, omitsize=True)
    width, height = qr.symbol_size(scale=SVG_SCALE, border=BORDER)
    return buf.getvalue().replace(b"<svg ", f'<svg width="{width}" height="{height}" '.encode(), 1)


def qr_png(data: str) -> bytes:
    """A PNG encoding *data*, big enough to print."""
    buf = io.BytesIO()
    _make(data).save(buf, kind="png", scale=PNG_SCALE, border=BORDER, dark="#000", light="#fff")
    return buf.getvalue()


def qr_response(data: str, *, fmt: QRFormat, filename: str, download: bool = False, title: str = "") -> HttpResponse:
    """The QR code of *data* as an SVG or PNG response, as an attachment when *download*."""
    if fmt == "svg":
        response = HttpResponse(qr_svg(data, title=title), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(data), content_type="image/png")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    # The code may carry a secret link (meeting sign-in): only the viewer's browser keeps it.
    response["Cache-Control"] = "private, max-age=300"
    return response
