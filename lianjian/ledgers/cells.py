"""Turn the raw value of one spreadsheet cell into a Python value, or explain in Chinese why not.

Excel hands us whatever the person typed or the program guessed: a phone number that became
the float ``13912345678.0``, a date typed as text in three different styles, a count that came
out as ``12.0``. Each parser accepts the forms people actually produce and raises
:class:`CellError` with a reason fit for the row report otherwise.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from django.utils.translation import gettext as _

# Text dates: 2025-01-10, 2025/1/10, 2025.1.10, 2025年1月10日 (with optional spaces).
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_PHONE_STRIP_RE = re.compile(r"[\s\-－()（）]")
# Separators between several names in one cell: 、 ， , ； ; / and line breaks.
_LIST_SPLIT_RE = re.compile(r"[、，,；;/\n]+")


class CellError(ValueError):
    """A cell's value cannot be used; ``str(exc)`` is the Chinese reason."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: Any) -> str:
    """Return the cell as stripped text; numbers keep no trailing ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_int(value: Any) -> int | None:
    """A whole number ≥ 0; ``12.0`` and ``"12"`` are fine, ``12.5`` and ``"十二"`` are not."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("请填写整数。"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("请填写整数，不能有小数。"))
        number = int(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        if re.fullmatch(r"[+-]?\d+(\.0+)?", text) is None:
            raise CellError(_("请填写整数，例如 20。"))
        number = int(text.split(".")[0])
    if number < 0:
        raise CellError(_("不能小于 0。"))
    return number


def parse_decimal(value: Any, *, places: int = 2) -> decimal.Decimal | None:
    """A non-negative amount such as a budget in yuan; ``"1,200.50"`` and ``"1200元"`` are fine."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("请填写数字。"))
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise CellError(_("请填写数字，例如 1200.50。")) from None
    if not number.is_finite():
        raise CellError(_("请填写数字，例如 1200.50。"))
    if number < 0:
        raise CellError(_("不能小于 0。"))
    return number.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


def parse_date(value: Any) -> dt.date | None:
    """An Excel date, an Excel serial number, or text like 2025-01-10, 2025/1/10, 2025年1月10日."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell whose format was lost arrives as Excel's serial day number.
        if 1 <= value < 2958466:
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise CellError(_("日期格式不正确，请写成 2025-01-10。"))
    match = _DATE_RE.match(str(value).strip())
    if match is None:
        raise CellError(_("日期格式不正确，请写成 2025-01-10、2025/1/10 或 2025年1月10日。"))
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("日期不存在：%(text)s。") % {"text": str(value).strip()}) from None


def parse_phone(value: Any) -> str:
    """An 11-digit mobile number; Excel may have turned it into a number or added spaces/dashes."""
    if is_blank(value):
        return ""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("请输入 11 位中国大陆手机号。"))
        value = int(value)
    text = _PHONE_STRIP_RE.sub("", str(value).strip())
    if text.startswith("+86"):
        text = text[3:]
    if re.fullmatch(r"1[3-9]\d{9}", text) is None:
        raise CellError(_("请输入 11 位中国大陆手机号。"))
    return text


def parse_list(value: Any) -> list[str]:
    """Several names in one cell, separated by 、 ， , ； or line breaks."""
    if is_blank(value):
        return []
    return [part.strip() for part in _LIST_SPLIT_RE.split(parse_text(value)) if part.strip()]


def normalise_header(value: Any) -> str:
    """A header as people write it: ignore spaces, a trailing * for required, full-width brackets."""
    text = parse_text(value)
    text = re.sub(r"\s+", "", text).rstrip("*＊").replace("（", "(").replace("）", ")")
    return text
