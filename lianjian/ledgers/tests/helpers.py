"""Building small workbooks in memory for the ledger tests."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook


def xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]] = (), *, title: str = "Sheet1") -> io.BytesIO:
    """Return an .xlsx file object with *headers* in row 1 and *rows* below."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "test.xlsx"
    return out


def saved(workbook: Workbook) -> io.BytesIO:
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "export.xlsx"
    return out


def read_rows(data: bytes | io.BytesIO) -> list[tuple[Any, ...]]:
    """The first sheet's rows (header included) of a workbook."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return list(load_workbook(stream).worksheets[0].iter_rows(values_only=True))
