"""The CJK font every generated file (charts, reports, certificates) embeds."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

# Installed by the set-up (Debian's fonts-wqy-microhei).
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@functools.cache
def cjk_font_path() -> str | None:
    """The path of a font with Chinese glyphs: WenQuanYi Micro Hei, else whatever fc-match finds."""
    if Path(DEFAULT_FONT).is_file():
        return DEFAULT_FONT
    fc = shutil.which("fc-match")
    if fc:
        try:
            out = subprocess.run(
                [fc, "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, timeout=5, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and Path(out).is_file():
            return out
    return None


def font_face_css(family: str = "LJ CJK") -> str:
    """An @font-face rule for WeasyPrint that embeds the CJK font (empty when there is none)."""
    path = cjk_font_path()
    return f'@font-face {{ font-family: "{family}"; src: url("file://{path}"); }}' if path else ""
