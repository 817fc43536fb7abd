"""Read needs and resources for matching from UTF-8 CSV or XLSX files.

Needs:     id,title,description[,category]
Resources: id,title,description,unit[,category][,beneficiaries,remaining,valid_from,valid_until]

Headers may also be written in Chinese (编号,标题,描述,单位,类别 …). Unknown columns are
ignored. Every problem raises ``MatchInputError`` whose message is Chinese first, then
English, and names the file, row and column where it can.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from lianjian.core.spreadsheets import SpreadsheetRejected, XlsxLimits, check_position, inspect_xlsx
from lianjian.matching.engine import NeedDoc, ResourceDoc

NEED_COLUMNS = ("id", "title", "description")
RESOURCE_COLUMNS = ("id", "title", "description", "unit")

HEADER_ALIASES = {
    "编号": "id",
    "序号": "id",
    "标题": "title",
    "名称": "title",
    "描述": "description",
    "内容": "description",
    "说明": "description",
    "单位": "unit",
    "提供单位": "unit",
    "类别": "category",
    "分类": "category",
    "服务对象": "beneficiaries",
    "剩余名额": "remaining",
    "开始日期": "valid_from",
    "有效期起": "valid_from",
    "截止日期": "valid_until",
    "有效期至": "valid_until",
}

XLSX_SUFFIXES = {".xlsx", ".xlsm"}

# Long descriptions are legitimate; the csv module's default field limit (128 KiB)
# would turn them into a confusing parser error.
csv.field_size_limit(2**31 - 1)


class MatchInputError(Exception):
    """A needs/resources file cannot be used; the message is meant for the user."""


def _error(zh: str, en: str) -> MatchInputError:
    return MatchInputError(f"{zh}\n{en}")


def _normalize_header(name: object) -> str:
    text = str(name or "").replace("\ufeff", "").strip()
    return HEADER_ALIASES.get(text, text.lower())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _read_rows(path: Path, kind_zh: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number as shown in a spreadsheet, cells), header included."""
    if not path.exists():
        raise _error(f"找不到{kind_zh}文件：{path}", f"File not found: {path}")
    if path.is_dir():
        raise _error(f"{kind_zh}文件路径是一个目录：{path}", f"Path is a directory, not a file: {path}")
    if path.suffix.lower() == ".xls":
        raise _error(
            f"不支持旧版 Excel（.xls）：{path.name}，请另存为 .xlsx 或 UTF-8 CSV。",
            f"Legacy .xls is not supported: {path.name}; save it as .xlsx or UTF-8 CSV.",
        )
    if path.suffix.lower() in XLSX_SUFFIXES:
        yield from _read_xlsx(path, kind_zh)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _error(f"无法读取{kind_zh}文件 {path}：{exc}", f"Cannot read {path}: {exc}") from exc
    if data[:2] == b"PK":
        # A spreadsheet saved under a .csv name: read it as what it is.
        yield from _read_xlsx(path, kind_zh)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(
            f"{kind_zh}文件 {path.name} 不是 UTF-8 编码（第 {exc.start + 1} 个字节无法解码），"
            "请在 Excel 中“另存为 CSV UTF-8”，或用 .xlsx 文件。",
            f"{path.name} is not UTF-8 text (undecodable byte at offset {exc.start}); "
            "save it as 'CSV UTF-8' or use .xlsx.",
        ) from exc
    if "\x00" in text:
        raise _error(
            f"{kind_zh}文件 {path.name} 含有空字符，可能是 UTF-16 或二进制文件，请另存为 UTF-8 CSV。",
            f"{path.name} contains NUL bytes (UTF-16 or binary?); save it as UTF-8 CSV.",
        )
    try:
        for index, cells in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
            yield index, [c.strip() for c in cells]
    except csv.Error as exc:
        raise _error(
            f"{kind_zh}文件 {path.name} 的 CSV 格式有误：{exc}", f"Malformed CSV in {path.name}: {exc}"
        ) from exc


# Matching reads whole lists (a city's resources), so it allows more rows than a ledger import.
XLSX_LIMITS = XlsxLimits(max_rows=200_000, max_columns=200, max_file_bytes=64 * 1024 * 1024)


def _read_xlsx(path: Path, kind_zh: str) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open("rb") as handle:
            inspect_xlsx(handle, limits=XLSX_LIMITS)
    except SpreadsheetRejected as exc:
        raise _error(f"无法读取 Excel 文件 {path.name}：{exc}", f"{path.name} refused: {exc}") from None
    except OSError as exc:
        raise _error(f"无法读取{kind_zh}文件 {path}：{exc}", f"Cannot read {path}: {exc}") from exc
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _error(
            f"无法读取 Excel 文件 {path.name}：文件损坏或不是 .xlsx 格式（{type(exc).__name__}）。",
            f"Cannot read {path.name} as an .xlsx workbook ({type(exc).__name__}: {exc}).",
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for index, values in enumerate(sheet.iter_rows(values_only=True), 1):
            # A sheet that declares no <dimension> is bounded here, row by row.
            check_position(row=index, column=len(values), limits=XLSX_LIMITS)
            yield index, [_cell(v) for v in values]
    except SpreadsheetRejected as exc:
        raise _error(f"{kind_zh}文件 {path.name} 被拒绝：{exc}", f"{path.name} refused: {exc}") from None
    except Exception as exc:
        raise _error(
            f"读取 Excel 文件 {path.name} 时出错：{exc}", f"Error while reading {path.name}: {exc}"
        ) from exc
    finally:
        workbook.close()


def _read_table(path: Path | str, required: tuple[str, ...], kind_zh: str) -> list[dict[str, str]]:
    path = Path(path)
    header: list[str] | None = None
    records: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for rownum, cells in _read_rows(path, kind_zh):
        if not any(cells):
            continue
        if header is None:
            header = [_normalize_header(c) for c in cells]
            missing = [c for c in required if c not in header]
            if missing:
                raise _error(
                    f"{kind_zh}文件 {path.name} 缺少列：{', '.join(missing)}"
                    f"（需要 {','.join(required)}；读到的表头是 {','.join(cells)}）",
                    f"{path.name} is missing column(s): {', '.join(missing)} "
                    f"(required: {','.join(required)}).",
                )
            continue
        record = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        record["_row"] = str(rownum)
        rid = record.get("id", "")
        if not rid:
            raise _error(
                f"{kind_zh}文件 {path.name} 第 {rownum} 行缺少 id。",
                f"{path.name} row {rownum}: empty id.",
            )
        if not (record.get("title") or record.get("description")):
            raise _error(
                f"{kind_zh}文件 {path.name} 第 {rownum} 行（id {rid}）标题和描述都为空。",
                f"{path.name} row {rownum} (id {rid}): both title and description are empty.",
            )
        if rid in seen:
            duplicates.append(f"{rid}（第 {seen[rid]} 行和第 {rownum} 行）")
        else:
            seen[rid] = rownum
        records.append(record)
    if header is None:
        raise _error(f"{kind_zh}文件 {path.name} 是空的。", f"{path.name} is empty.")
    if duplicates:
        raise _error(
            f"{kind_zh}文件 {path.name} 有重复的 id：{'；'.join(duplicates[:10])}",
            f"{path.name} has duplicate ids: {', '.join(d.split('（')[0] for d in duplicates[:10])}",
        )
    if not records:
        raise _error(
            f"{kind_zh}文件 {path.name} 只有表头，没有数据行（0 条{kind_zh}）。",
            f"{path.name} has a header but no data rows (0 records).",
        )
    return records


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[,，、;；/|]", value or "") if p.strip())


def _int_or_none(record: dict[str, str], column: str, path: Path) -> int | None:
    value = record.get(column, "")
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise _error(
            f"资源文件 {path.name} 第 {record['_row']} 行的 {column} 不是整数：{value}",
            f"{path.name} row {record['_row']}: {column} is not an integer: {value!r}",
        ) from None


def _date_or_none(record: dict[str, str], column: str, path: Path) -> str | None:
    from datetime import date

    value = record.get(column, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10].replace("/", "-")).isoformat()
    except ValueError:
        raise _error(
            f"资源文件 {path.name} 第 {record['_row']} 行的 {column} 不是日期（YYYY-MM-DD）：{value}",
            f"{path.name} row {record['_row']}: {column} is not a YYYY-MM-DD date: {value!r}",
        ) from None


def read_needs(path: Path | str) -> list[NeedDoc]:
    """Read needs (id,title,description[,category]) in file order."""
    records = _read_table(path, NEED_COLUMNS, "需求")
    return [
        NeedDoc(
            id=r["id"],
            title=r.get("title", ""),
            description=r.get("description", ""),
            category=r.get("category") or None,
            beneficiaries=_split_list(r.get("beneficiaries", "")),
        )
        for r in records
    ]


def read_resources(path: Path | str) -> list[ResourceDoc]:
    """Read resources (id,title,description,unit[,category] and optional signals)."""
    path = Path(path)
    records = _read_table(path, RESOURCE_COLUMNS, "资源")
    return [
        ResourceDoc(
            id=r["id"],
            title=r.get("title", ""),
            description=r.get("description", ""),
            unit=r.get("unit", ""),
            category=r.get("category") or None,
            beneficiaries=_split_list(r.get("beneficiaries", "")),
            remaining=_int_or_none(r, "remaining", path),
            valid_from=_date_or_none(r, "valid_from", path),
            valid_until=_date_or_none(r, "valid_until", path),
        )
        for r in records
    ]
