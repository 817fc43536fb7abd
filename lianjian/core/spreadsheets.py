"""Look inside an uploaded .xlsx before any parser touches it, and refuse what could tie up a worker.

An .xlsx is a zip of XML files. A few kilobytes can declare two billion rows, a megabyte can
inflate to a gigabyte, and one shared string can be hundreds of megabytes; openpyxl would spend
minutes and gigabytes finding out. :func:`inspect_xlsx` reads only the zip's central directory,
``[Content_Types].xml`` and the first kilobytes of each worksheet, so it answers in milliseconds,
and refuses with a Chinese reason (:class:`SpreadsheetRejected`):

- content that is not an .xlsx whatever its name (an old .xls, a Word file, any other zip);
- password-protected workbooks (Office wraps them in an encrypted OLE container) and encrypted
  zip members; workbooks with macros (.xlsm);
- more members, more uncompressed bytes per member or in total, or a higher compression ratio than
  a real workbook of the allowed size has; compression methods other than stored and deflated;
- a worksheet that declares (``<dimension ref="A1:P2000000000"/>``) more rows or columns than the
  importer accepts.

Python's ``zipfile`` never inflates a member past the size its directory entry declares, so the
declared sizes checked here bound what the parsers read. Readers still check each row number,
column and cell they meet (:func:`check_cell_text`), for files that declare nothing.
"""

from __future__ import annotations

import re
import sys
import zipfile
from dataclasses import dataclass
from typing import IO

MB = 1024 * 1024
# Excel's own limit on the text of one cell.
MAX_CELL_CHARS = 32_767
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Za-z]{1,3})\$?(\d{1,12})"
                           rb"(?::\$?([A-Za-z]{1,3})\$?(\d{1,12}))?\"")
_SHEET_RE = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_SHARED_STRINGS = "xl/sharedstrings.xml"


def _(message: str) -> str:
    """gettext, or the Chinese source where Django is not set up: ``lianjian match`` reads
    spreadsheets without importing Django at all."""
    conf = sys.modules.get("django.conf")
    if conf is None or not conf.settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)


def NOT_A_WORKBOOK() -> str:
    return _("这是一个压缩包，而不是 Excel（.xlsx）工作簿，请上传 Excel 或 WPS 保存的 .xlsx 文件。")


class SpreadsheetRejected(ValueError):
    """The file is refused before parsing; ``str(exc)`` is the Chinese reason."""


@dataclass(frozen=True)
class XlsxLimits:
    """What an acceptable workbook may hold. The defaults fit a 50,000-row ledger several times over."""

    max_rows: int = 50_000
    max_columns: int = 200
    max_file_bytes: int = 20 * MB
    max_members: int = 2_000
    max_sheet_bytes: int = 160 * MB  # one worksheet's XML (a 20,000-row needs ledger is ~22 MB)
    max_shared_strings_bytes: int = 64 * MB
    max_other_bytes: int = 16 * MB  # styles, workbook, theme, drawings …
    max_total_bytes: int = 256 * MB
    # Worksheet XML compresses 10-20 times; zip bombs 1000 times. Small members are not checked.
    max_ratio: int = 100
    ratio_floor_bytes: int = 1 * MB


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27 (no upper bound is assumed, unlike openpyxl's helper)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _size(file: IO[bytes]) -> int:
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _refuse_ole(file: IO[bytes], limits: XlsxLimits) -> None:
    """An OLE2 container is either a legacy .xls/.doc or an encrypted (password-protected) OOXML file."""
    file.seek(0)
    data = file.read(limits.max_file_bytes)
    file.seek(0)
    if _ENCRYPTED_STREAM in data:
        raise SpreadsheetRejected(
            _("该 Excel 文件设置了打开密码（已加密），无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再上传。"))
    raise SpreadsheetRejected(
        _("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中“另存为”.xlsx 格式后再导入。"))


def check_dimension(first_bytes: bytes, *, limits: XlsxLimits) -> None:
    """Refuse a worksheet whose ``<dimension>`` declares more rows or columns than allowed."""
    match = _DIMENSION_RE.search(first_bytes)
    if match is None:
        return
    col_a, row_a, col_b, row_b = match.groups()
    rows = max(int(row_a), int(row_b or 0))
    columns = max(column_number(col_a.decode()), column_number((col_b or b"A").decode()))
    check_position(row=rows, column=columns, limits=limits)


def check_position(*, row: int, column: int, limits: XlsxLimits) -> None:
    """Refuse a row number or column index past the limits (readers call it for every row they meet)."""
    if row > limits.max_rows:
        raise SpreadsheetRejected(
            _("工作表的数据范围达到第 %(row)s 行，超过一次导入的上限（%(max)s 行）。"
              "请删除多余的行（包括带格式的空行）或拆分文件后再导入。")
            % {"row": f"{row:,}", "max": f"{limits.max_rows:,}"})
    if column > limits.max_columns:
        raise SpreadsheetRejected(
            _("工作表的数据范围达到第 %(col)s 列，超过上限（%(max)s 列）。请删除多余的列后再导入。")
            % {"col": f"{column:,}", "max": f"{limits.max_columns:,}"})


def check_cell_text(text: str, *, row: int, column: int) -> str:
    """Return *text* if a cell may hold it (Excel's 32,767 characters), else refuse the file."""
    if len(text) > MAX_CELL_CHARS:
        raise SpreadsheetRejected(
            _("第 %(row)d 行第 %(col)d 列的文字有 %(n)s 个字符，超过 Excel 单元格的上限（32,767 个字符）。")
            % {"row": row, "col": column, "n": f"{len(text):,}"})
    return text


def inspect_xlsx(file: IO[bytes], *, limits: XlsxLimits | None = None) -> None:
    """Refuse *file* unless it is a plain .xlsx workbook within *limits*; leave it at offset 0.

    Reads the zip directory and a few small parts only; never the worksheets in full.
    """
    limits = limits or XlsxLimits()
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head == _OLE_MAGIC:
        _refuse_ole(file, limits)
    if not head.startswith(b"PK"):
        raise SpreadsheetRejected(
            _("文件内容不是 Excel（.xlsx）工作簿（可能只是改了扩展名），请使用 Excel 或 WPS 保存的 .xlsx 文件。"))
    if _size(file) > limits.max_file_bytes:
        raise SpreadsheetRejected(_("文件太大（上限 %(n)d MB），请拆分后分批导入。")
                                  % {"n": limits.max_file_bytes // MB})
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise SpreadsheetRejected(_("文件已损坏或不是完整的 .xlsx 文件，请重新保存后再上传。")) from None
    try:
        _inspect_archive(archive, limits)
    finally:
        archive.close()
        file.seek(0)


def _inspect_archive(archive: zipfile.ZipFile, limits: XlsxLimits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise SpreadsheetRejected(_("文件包含的部件过多（%(n)d 个），不是正常的 Excel 工作簿。") % {"n": len(members)})
    names = {m.filename.lower(): m for m in members}
    if any(m.flag_bits & 0x1 for m in members):
        raise SpreadsheetRejected(
            _("该 Excel 文件设置了打开密码（已加密），无法读取。请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再上传。"))
    content_types = names.get("[content_types].xml")
    if content_types is None or content_types.file_size > limits.max_other_bytes:
        raise SpreadsheetRejected(NOT_A_WORKBOOK())
    total = 0
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetRejected(_("文件使用了 Excel 不会使用的压缩方式，不是正常的 .xlsx 工作簿。"))
        name = member.filename.lower()
        if _SHEET_RE.match(member.filename):
            bound = limits.max_sheet_bytes
        elif name == _SHARED_STRINGS:
            bound = limits.max_shared_strings_bytes
        else:
            bound = limits.max_other_bytes
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > bound or total > limits.max_total_bytes or (
                member.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio):
            raise SpreadsheetRejected(
                _("文件解压后过大（部件 %(name)s 解压后 %(size)s MB，压缩比 %(ratio)d 倍），"
                  "不像正常的台账文件，已拒绝。请删除多余的行、图片后另存再上传。")
                % {"name": member.filename[:80], "size": f"{member.file_size / MB:,.1f}", "ratio": ratio})
    with archive.open(content_types) as handle:
        types = handle.read(limits.max_other_bytes)
    if b"macroEnabled" in types or "xl/vbaproject.bin" in names:
        raise SpreadsheetRejected(
            _("这是含宏的 Excel 文件（.xlsm），为安全起见不能导入。请“另存为”普通的 .xlsx 工作簿后再上传。"))
    if b"wordprocessingml" in types:
        raise SpreadsheetRejected(_("这是 Word 文档，不是 Excel 工作簿，请上传 .xlsx 文件。"))
    if b"presentationml" in types:
        raise SpreadsheetRejected(_("这是 PowerPoint 演示文稿，不是 Excel 工作簿，请上传 .xlsx 文件。"))
    if b"spreadsheetml.sheet.main" not in types and b"spreadsheetml.template.main" not in types:
        raise SpreadsheetRejected(NOT_A_WORKBOOK())
    for member in members:
        if _SHEET_RE.match(member.filename):
            with archive.open(member) as handle:
                # The <dimension> element comes before <sheetData>, after a few small elements.
                check_dimension(handle.read(64 * 1024), limits=limits)
