"""Bar charts as PNG bytes, drawn with Pillow and the installed CJK font (no matplotlib).

If no CJK font can be found the report shows the same numbers as a table instead (charts()
returns ``None``), because a chart with tofu boxes for labels is worse than no chart.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from lianjian.core.fonts import DEFAULT_FONT, cjk_font_path

__all__ = ["bar_chart", "cjk_font_path"]  # the report asks charts for the font too

RED = (200, 16, 46)
INK = (31, 35, 40)
MUTED = (102, 112, 133)
LINE = (228, 231, 236)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_path() or DEFAULT_FONT, size)


def bar_chart(
    labels: list[str],
    values: list[int],
    title: str,
    *,
    horizontal: bool = False,
    width: int = 1200,
    height: int = 600,
) -> bytes | None:
    """A simple bar chart; horizontal bars suit long Chinese category names."""
    if cjk_font_path() is None:
        return None
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    title_f, label_f, value_f = _font(34), _font(24), _font(22)
    d.text((width // 2, 20), title, font=title_f, fill=INK, anchor="ma")
    top, bottom, left, right = 90, height - 60, 60, width - 40
    peak = max([*values, 1])
    if horizontal:
        left = 40 + max((int(d.textlength(lbl, font=label_f)) for lbl in labels), default=0)
        left = min(left, width // 2)
        n = max(len(labels), 1)
        band = (bottom - top) / n
        bar_h = max(min(band * 0.65, 60), 4)
        for i, (lbl, v) in enumerate(zip(labels, values, strict=True)):
            y = top + i * band + (band - bar_h) / 2
            w = (right - 80 - left) * v / peak
            d.rectangle([left, y, left + w, y + bar_h], fill=RED)
            d.text((left - 12, y + bar_h / 2), lbl, font=label_f, fill=INK, anchor="rm")
            d.text((left + w + 10, y + bar_h / 2), str(v), font=value_f, fill=INK, anchor="lm")
    else:
        n = max(len(labels), 1)
        band = (right - left) / n
        bar_w = max(band * 0.6, 4)
        d.line([left, bottom, right, bottom], fill=LINE, width=2)
        for i, (lbl, v) in enumerate(zip(labels, values, strict=True)):
            x = left + i * band + (band - bar_w) / 2
            h = (bottom - top - 30) * v / peak
            if v:
                d.rectangle([x, bottom - h, x + bar_w, bottom], fill=RED)
            d.text((x + bar_w / 2, bottom - h - 6), str(v), font=value_f, fill=INK, anchor="md")
            d.text((x + bar_w / 2, bottom + 10), lbl, font=label_f, fill=MUTED, anchor="ma")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
