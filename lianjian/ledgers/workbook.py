"""Reading ledger sheets and writing templates and exports with openpyxl.

The template and the export are the same workbook (an export is a template with rows), so
whatever the platform writes it can read back: a data sheet with the header row frozen,
drop-downs for option columns, phone numbers stored as text and dates as dates; a hidden
选项 sheet holding the drop-down lists; a 说明 sheet describing every column.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter, quote_sheetname
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from .cells import normalise_header, parse_text
from .kinds.base import CHOICE, DATE, DECIMAL, INT, LIST, PHONE, LedgerSpec

HELP_SHEET = "说明"
OPTIONS_SHEET = "选项"
IGNORED_HEADERS = {"序号", "行号"}
MAX_ROWS = 100_000
HEADER_SCAN_ROWS = 10
VALIDATION_ROWS = 2000  # how far down an empty template offers drop-downs

TYPE_FORMAT = {
    DATE: "日期，如 2025-01-10、2025/1/10 或 2025年1月10日",
    PHONE: "11 位手机号，如 13912345678",
    INT: "整数",
    DECIMAL: "数字，最多两位小数",
    CHOICE: "从下拉列表选择",
    LIST: "可填多个，用顿号“、”分隔",
}


class LedgerFileError(Exception):
    """The file as a whole cannot be imported; ``str(exc)`` is the Chinese reason."""


@dataclass
class Sheet:
    """The data rows of an uploaded ledger: Excel row numbers and the cell of each column key."""

    title: str
    header_row: int
    positions: dict[str, int]  # column key -> 0-based index in the row tuple
    rows: Iterator[tuple[int, tuple[Any, ...]]]
    close: Any


# ---- reading -----------------------------------------------------------------------------------

def _sniff(file: IO[bytes]) -> None:
    """Reject what is plainly not an .xlsx workbook before openpyxl trips over it."""
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFileError(
            _("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中“另存为”.xlsx 格式后再导入。"))
    if not head.startswith(b"PK") or not zipfile.is_zipfile(file):
        raise LedgerFileError(_("文件不是 Excel（.xlsx）工作簿，请使用下载的模板填写后上传。"))
    file.seek(0)


def open_sheet(file: IO[bytes], spec: LedgerSpec) -> Sheet:
    """Open *file* and locate the data sheet and its header row; raise LedgerFileError if unusable."""
    _sniff(file)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken or foreign zip files
        raise LedgerFileError(_("无法读取该 Excel 文件（%(reason)s），请确认文件未损坏且为 .xlsx 格式。")
                              % {"reason": type(exc).__name__}) from None
    try:
        names = [n for n in wb.sheetnames if n not in (HELP_SHEET, OPTIONS_SHEET)]
        if not names:
            raise LedgerFileError(_("工作簿中没有数据工作表。"))
        ws = wb[spec.label] if spec.label in names else wb[names[0]]
        known = {normalise_header(c.header): c.key for c in spec.columns}
        header_row = 0
        header: tuple[Any, ...] = ()
        best = 0
        top = ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True)
        for number, cells in enumerate(top, 1):
            hits = sum(1 for c in cells if normalise_header(c) in known)
            if hits > best:
                best, header_row, header = hits, number, cells
        if not best:
            raise LedgerFileError(
                _("在工作表“%(sheet)s”的前 %(n)d 行中没有找到“%(kind)s”模板的表头。应有的列：%(cols)s。")
                % {"sheet": ws.title, "n": HEADER_SCAN_ROWS, "kind": spec.label,
                   "cols": "、".join(c.header for c in spec.columns)})
        positions: dict[str, int] = {}
        problems: list[str] = []
        for index, cell in enumerate(header):
            name = normalise_header(cell)
            if not name or name in IGNORED_HEADERS:
                continue
            key = known.get(name)
            if key is None:
                problems.append(_("第 %(col)s 列“%(name)s”不是“%(kind)s”模板的列")
                                % {"col": get_column_letter(index + 1), "name": parse_text(cell),
                                   "kind": spec.label})
            elif key in positions:
                problems.append(_("列“%(name)s”出现了两次") % {"name": parse_text(cell)})
            else:
                positions[key] = index
        missing = [c.header for c in spec.columns if c.required and c.key not in positions]
        if missing:
            problems.append(_("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
        if problems:
            raise LedgerFileError(_("表头不正确（第 %(row)d 行）：%(problems)s。请使用下载的模板。")
                                  % {"row": header_row, "problems": "；".join(problems)})
    except LedgerFileError:
        wb.close()
        raise
    except Exception as exc:
        wb.close()
        raise LedgerFileError(
            _("无法读取该 Excel 文件（%(reason)s）。") % {"reason": type(exc).__name__}) from None
    try:
        rows = _fast_rows(ws, after=header_row)
    except AttributeError:  # openpyxl internals moved: fall back to its (slower) reader
        rows = enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1)
    return Sheet(title=ws.title, header_row=header_row, positions=positions, rows=rows, close=wb.close)


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _TEXT = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}t"


def _fast_rows(ws: Any, *, after: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield (Excel row number, cell values) for rows below *after*, streaming the sheet's XML.

    openpyxl's read-only reader builds an object per cell and costs most of a 20,000-row
    import; this reads the same XML with the C ``iterparse`` and uses openpyxl's own shared
    strings, date styles and epoch, so values come out as openpyxl would give them. Rows absent
    from the XML (never touched) come out empty, so row numbers stay those Excel shows.
    """
    shared, date_styles, epoch = ws._shared_strings, ws.parent._date_formats, ws.parent.epoch
    source = ws._get_source()

    def generate() -> Iterator[tuple[int, tuple[Any, ...]]]:
        expected = 1
        try:
            # Same parser openpyxl uses without defusedxml: ElementTree never fetches external
            # entities, and expat ≥ 2.4.1 (CPython 3.11 ships 2.5) refuses entity-expansion bombs.
            for _event, element in ElementTree.iterparse(source, events=("end",)):  # noqa: S314
                if element.tag != _ROW:
                    continue
                number = int(element.get("r") or expected)
                if number > after:
                    for gap in range(max(expected, after + 1), number):
                        yield gap, ()
                    yield number, _row_values(element, shared, date_styles, epoch)
                expected = number + 1
                element.clear()
        finally:
            source.close()

    return generate()


def _row_values(row: Any, shared: Any, date_styles: Any, epoch: Any) -> tuple[Any, ...]:
    values: list[Any] = []
    for cell in row.iter(_CELL):
        ref = cell.get("r")
        if ref:
            column = column_index_from_string(ref.rstrip("0123456789"))
            if column > len(values) + 1:
                values.extend([None] * (column - len(values) - 1))
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            values.append("".join(t.text or "" for t in cell.iter(_TEXT)))
            continue
        raw = cell.findtext(_VALUE)
        if raw is None:
            values.append(None)
        elif kind == "s":
            values.append(str(shared[int(raw)]))
        elif kind == "n":
            number: Any = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            style = cell.get("s")
            if style is not None and int(style) in date_styles:
                number = from_excel(number, epoch)
            values.append(number)
        elif kind == "b":
            values.append(raw == "1")
        elif kind == "d":
            values.append(dt.datetime.fromisoformat(raw.rstrip("Z")))
        else:  # str (formula result), e (error)
            values.append(raw)
    return tuple(values)


# ---- writing -----------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="FDECEE")
_REQUIRED_FONT = Font(bold=True, color="B3261E")
_HEADER_FONT = Font(bold=True)


def _cell_value(column_type: str, value: Any) -> Any:
    if value is None:
        return None
    if column_type == LIST:
        return "、".join(str(v) for v in value)
    if column_type == PHONE:
        return str(value)
    if column_type == DATE and isinstance(value, dt.datetime):
        return value.date()
    return value


def build_workbook(spec: LedgerSpec, rows: Iterable[dict[str, Any]] = (), *, community: Any = None) -> Workbook:
    """Return the kind's workbook: header, *rows*, drop-downs, 选项 and 说明 sheets.

    With *community*, suggestion drop-downs may list that community's own values (its units).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = spec.label
    ws.append([c.header for c in spec.columns])
    for index, column in enumerate(spec.columns, 1):
        cell = ws.cell(row=1, column=index)
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    count = 0
    types = [c.type for c in spec.columns]
    for count, row in enumerate(rows, 1):  # noqa: B007 - the count is used below
        ws.append([_cell_value(t, row.get(c.key)) for t, c in zip(types, spec.columns, strict=True)])
    last = max(count + 1, VALIDATION_ROWS)
    # Text format keeps phone numbers from turning into numbers; dates show as dates. The column
    # style covers rows typed later; written cells get it one by one (no empty cells are created,
    # so a template does not read back as thousands of empty rows).
    for index, column in enumerate(spec.columns, 1):
        if column.type not in (PHONE, DATE):
            continue
        fmt = "@" if column.type == PHONE else "yyyy-mm-dd"
        ws.column_dimensions[get_column_letter(index)].number_format = fmt
        if count:
            for (cell,) in ws.iter_rows(min_row=2, max_row=count + 1, min_col=index, max_col=index):
                cell.number_format = fmt
    suggestions = spec.suggestions(community=community)
    _add_dropdowns(wb, ws, spec, last, suggestions)
    _add_help(wb, spec, suggestions)
    return wb


def _add_dropdowns(wb: Workbook, ws: Any, spec: LedgerSpec, last: int, suggestions: dict[str, list[str]]) -> None:
    """Strict drop-downs for CHOICE columns; suggestion drop-downs (any text allowed) for ``suggest``."""
    lists = {c.options: spec.dropdown(c.options) for c in spec.columns if c.type == CHOICE and c.options}
    lists = {name: labels for name, labels in lists.items() if labels}
    hints = {c.suggest: suggestions.get(c.suggest, []) for c in spec.columns if c.suggest}
    hints = {name: labels for name, labels in hints.items() if labels}
    if not lists and not hints:
        return
    options = wb.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    ranges: dict[tuple[bool, str], str] = {}
    named = [((True, n), labels) for n, labels in lists.items()] + [((False, n), labels) for n, labels in hints.items()]
    for index, (key, labels) in enumerate(named, 1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=key[1])
        for r, label in enumerate(labels, 2):
            options.cell(row=r, column=index, value=label)
        ranges[key] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
    for index, column in enumerate(spec.columns, 1):
        strict = (True, column.options) in ranges
        key = (True, column.options) if strict else (False, column.suggest)
        if key not in ranges:
            continue
        if strict:
            dv = DataValidation(type="list", formula1=ranges[key], allow_blank=True,
                                showErrorMessage=True, errorTitle=_("无效的选项"),
                                error=_("请从下拉列表中选择“%(col)s”。") % {"col": column.header})
        else:
            # Offered, not enforced: Excel and WPS accept any other text when the error is off.
            dv = DataValidation(type="list", formula1=ranges[key], allow_blank=True, showErrorMessage=False)
        letter = get_column_letter(index)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def _add_help(wb: Workbook, spec: LedgerSpec, suggestions: dict[str, list[str]]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    ws.append([_("%(kind)s导入模板说明") % {"kind": spec.label}])
    ws["A1"].font = Font(bold=True, size=14)
    general = [
        _("在“%(sheet)s”工作表第 2 行起每行填写一条，不要修改第 1 行表头；红色表头为必填列。")
        % {"sheet": spec.label},
        _("导入前会逐行检查全部数据：只要有一行有误，就不会写入任何数据，并列出每个错误的行号、列名和原因。"),
        _("整行为空的行会被跳过；“序号”列可以保留，导入时忽略。"),
        *spec.notes,
    ]
    for line in general:
        ws.append([line])
    ws.append([])
    ws.append([_("列名"), _("是否必填"), _("格式"), _("可选值 / 说明"), _("示例")])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column in spec.columns:
        allowed = "、".join(spec.dropdown(column.options)) if column.options else ""
        common = "、".join(suggestions.get(column.suggest, [])[:30]) if column.suggest else ""
        described = "；".join(p for p in (allowed and _("可选：%(v)s") % {"v": allowed},
                                         common and _("常用：%(v)s") % {"v": common}, column.help) if p)
        ws.append([column.header, _("必填") if column.required else _("选填"),
                   TYPE_FORMAT.get(column.type, _("文本")), described, column.example])
    for letter, width in zip("ABCDE", (16, 10, 36, 60, 24), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")


def build_error_report(errors: Iterable[Any], *, summary: str = "") -> bytes:
    """Every row error (row, column, reason) as an .xlsx file, streamed for large reports."""
    import io

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("错误报告"))
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 80
    ws.freeze_panes = "A2"
    ws.append([_("行号"), _("列"), _("原因")])
    for error in errors:
        ws.append([error.row, error.column, error.message])
    if summary:
        ws.append([])
        ws.append(["", "", summary])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
