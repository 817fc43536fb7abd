"""Reading ledger sheets and writing templates and exports with openpyxl.

The template and the export are the same workbook (an export is a template with rows), so
whatever the platform writes it can read back: a data sheet with the header row frozen,
drop-downs for option columns, phone numbers stored as text and dates as dates; a hidden
选项 sheet holding the drop-down lists; a 说明 sheet describing every column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from lianjian.core.spreadsheets import (
    SpreadsheetRejected,
    XlsxLimits,
    check_cell_text,
    check_position,
    column_number,
    inspect_xlsx,
)
from lianjian.core.text import append_row, printable

from .cells import normalise_header, parse_text
from .kinds.base import CHOICE, DATE, DECIMAL, INT, LIST, PHONE, LedgerSpec

HELP_SHEET = "说明"
OPTIONS_SHEET = "选项"
IGNORED_HEADERS = {"序号", "行号"}
MAX_ROWS = 50_000  # data rows of one import
HEADER_SCAN_ROWS = 10
MAX_COLUMNS = 100
# What an uploaded workbook may hold, checked before parsing (the sheet may have blank rows and
# a header a few rows down, hence the margin over MAX_ROWS).
LIMITS = XlsxLimits(max_rows=MAX_ROWS + 1_000, max_columns=MAX_COLUMNS)
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
    """Refuse what is not a plain .xlsx workbook, or one too big to read, before openpyxl opens it."""
    try:
        inspect_xlsx(file, limits=LIMITS)
    except SpreadsheetRejected as exc:
        raise LedgerFileError(str(exc)) from None


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
        top = _top_rows(ws)
        for number, cells in top:
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
    except SpreadsheetRejected as exc:
        wb.close()
        raise LedgerFileError(str(exc)) from None
    except Exception as exc:
        wb.close()
        raise LedgerFileError(
            _("无法读取该 Excel 文件（%(reason)s）。") % {"reason": type(exc).__name__}) from None
    return Sheet(title=ws.title, header_row=header_row, positions=positions, rows=_rows(ws, after=header_row),
                 close=wb.close)


def _rows(ws: Any, *, after: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        return _fast_rows(ws, after=after)
    except AttributeError:  # openpyxl internals moved: fall back to its (slower) reader
        return _bounded(enumerate(ws.iter_rows(min_row=after + 1, values_only=True), after + 1))


def _top_rows(ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
    """The first HEADER_SCAN_ROWS rows, read with the same bounded reader as the data rows."""
    rows = _rows(ws, after=0)
    top = []
    try:
        for number, cells in rows:
            if number > HEADER_SCAN_ROWS:
                break
            top.append((number, cells))
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    return top


def _bounded(rows: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, cells in rows:
        try:
            check_position(row=number, column=len(cells), limits=LIMITS)
        except SpreadsheetRejected as exc:
            raise LedgerFileError(str(exc)) from None
        yield number, cells


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
        expected, previous, number, cells, in_row = 1, 0, 0, 0, False
        # Elements outside rows, innermost last: each is dropped from its parent once read, so
        # neither rows nor anything else (merge ranges, hyperlinks …) piles up in memory.
        stack: list[Any] = []
        try:
            # Same parser openpyxl uses without defusedxml: ElementTree never fetches external
            # entities, and expat ≥ 2.4.1 (CPython 3.11 ships 2.5) refuses entity-expansion bombs.
            # Rows and cells are bounded when they start, before their content is built.
            for event, element in ElementTree.iterparse(source, events=("start", "end")):  # noqa: S314
                tag = element.tag
                if event == "start":
                    if tag == _ROW:
                        number = int(element.get("r") or expected)
                        if number <= previous:
                            raise LedgerFileError(_("工作表的行号重复或顺序颠倒（第 %(row)d 行），"
                                                    "请在 Excel 或 WPS 中重新保存后再导入。") % {"row": number})
                        # Checked before the gap is filled: a row numbered 2,000,000,000 is
                        # refused at once instead of yielding two billion empty rows.
                        check_position(row=number, column=1, limits=LIMITS)
                        in_row, cells = True, 0
                    elif in_row and tag == _CELL:
                        cells += 1
                        check_position(row=number, column=cells, limits=LIMITS)
                    elif not in_row:
                        stack.append(element)
                    continue
                if tag == _ROW:
                    in_row, previous = False, number
                    if number > after:
                        for gap in range(max(expected, after + 1), number):
                            yield gap, ()
                        yield number, _row_values(element, shared, date_styles, epoch, number)
                    expected = number + 1
                    element.clear()
                    if stack:
                        stack[-1].remove(element)
                elif not in_row and stack and stack[-1] is element:
                    stack.pop()
                    element.clear()
                    if stack:
                        stack[-1].remove(element)
        except SpreadsheetRejected as exc:
            raise LedgerFileError(str(exc)) from None
        except (ElementTree.ParseError, ValueError, IndexError, KeyError) as exc:
            raise LedgerFileError(_("无法读取该 Excel 文件（%(reason)s），请确认文件未损坏且为 .xlsx 格式。")
                                  % {"reason": type(exc).__name__}) from None
        finally:
            source.close()

    return generate()


def _row_values(row: Any, shared: Any, date_styles: Any, epoch: Any, row_number: int) -> tuple[Any, ...]:
    values: list[Any] = []
    for cell in row.iter(_CELL):
        ref = cell.get("r")
        if ref:
            column = column_number(ref.rstrip("0123456789"))
            check_position(row=row_number, column=column, limits=LIMITS)
            if column > len(values) + 1:
                values.extend([None] * (column - len(values) - 1))
        else:
            check_position(row=row_number, column=len(values) + 1, limits=LIMITS)
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(_TEXT))
            values.append(check_cell_text(text, row=row_number, column=len(values) + 1))
            continue
        raw = cell.findtext(_VALUE)
        if raw is None:
            values.append(None)
        elif kind == "s":
            values.append(check_cell_text(str(shared[int(raw)]), row=row_number, column=len(values) + 1))
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
            values.append(check_cell_text(raw, row=row_number, column=len(values) + 1))
    return tuple(values)


# ---- writing -----------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="FDECEE")
_REQUIRED_FONT = Font(bold=True, color="B3261E")
_HEADER_FONT = Font(bold=True)


def cell_value(column_type: str, value: Any) -> Any:
    """A value of an exported row as the cell is written (lists joined, dates as dates)."""
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
        append_row(ws, [cell_value(t, row.get(c.key)) for t, c in zip(types, spec.columns, strict=True)])
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
            options.cell(row=r, column=index, value=printable(label))
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
        _("一个文件最多 %(rows)s 行数据、不超过 20 MB；设置了密码或含宏（.xlsm）的文件不能导入。")
        % {"rows": f"{MAX_ROWS:,}"},
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
        append_row(ws, [column.header, _("必填") if column.required else _("选填"),
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
        append_row(ws, [error.row, error.column, error.message])
    if summary:
        ws.append([])
        ws.append(["", "", summary])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
