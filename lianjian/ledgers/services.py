"""Importing ledgers (台账导入): validate every row, then write all of them or nothing.

One function, :func:`ledger_import`, serves the CLI (``lianjian import``) and the web upload
alike. It reads the sheet, parses each cell by its column type, lets the kind check the row
with the same rules as the app's services (model ``full_clean`` plus the services' own checks),
finds duplicates inside the file and against the database, and only when no row has an error
writes every row in one transaction. Each written row leaves an audit entry with source
``import``; so does the import as a whole, on the community.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import activity_source, record_activity

from .cells import (
    CellError,
    is_blank,
    parse_date,
    parse_decimal,
    parse_int,
    parse_list,
    parse_phone,
    parse_text,
)
from .kinds import get_spec
from .kinds.base import CHOICE, DATE, DECIMAL, INT, LIST, PHONE, LedgerSpec, Plan, RowInvalid
from .workbook import MAX_ROWS, LedgerFileError, open_sheet

__all__ = ["ImportReport", "LedgerFileError", "RowError", "ledger_import"]

_PARSERS: dict[str, Callable[[Any], Any]] = {INT: parse_int, DECIMAL: parse_decimal, DATE: parse_date,
                                              PHONE: parse_phone, LIST: parse_list}
_BLANK: dict[str, Any] = {INT: None, DECIMAL: None, DATE: None, CHOICE: None, LIST: []}


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as Excel shows it
    column: str  # the column header
    message: str  # the reason, in Chinese

    def __str__(self) -> str:
        return _("第 %(row)d 行【%(column)s】%(message)s") % {
            "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import found and did."""

    kind: str
    label: str
    community: Any
    dry_run: bool
    filename: str = ""
    rows: int = 0  # non-empty data rows
    empty_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    created: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        """One Chinese sentence on the outcome."""
        parts = {"kind": _(self.label), "rows": self.rows, "empty": self.empty_rows, "bad": self.bad_rows,
                 "errors": len(self.errors), "n": len(self.plans), "created": self.created}
        if self.errors:
            text = _("共 %(rows)d 行数据，其中 %(bad)d 行有误（%(errors)d 处错误），未写入任何数据。") % parts
        elif self.dry_run:
            text = _("检查通过（试运行）：将导入 %(n)d 条%(kind)s，未写入任何数据。") % parts
        else:
            text = _("导入成功：已写入 %(created)d 条%(kind)s。") % parts
        if self.empty_rows:
            text += _("已跳过 %(empty)d 个空行。") % parts
        return text


def _parse_cells(spec: LedgerSpec, options: dict[str, dict[str, Any]], positions: dict[str, int],
                 cells: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    width = len(cells)
    for column in spec.columns:
        index = positions.get(column.key)
        raw = cells[index] if index is not None and index < width else None
        if is_blank(raw):
            values[column.key] = _BLANK.get(column.type, "")
            if column.required:
                errors[column.key] = _("必填项，不能为空。")
            continue
        try:
            if column.type == CHOICE:
                text = parse_text(raw)
                mapping = options[column.options]
                if text not in mapping:
                    allowed = "、".join(spec.dropdown(column.options)[:30])
                    raise CellError(_("“%(value)s”不是有效的选项，可选：%(allowed)s。")
                                    % {"value": text, "allowed": allowed})
                values[column.key] = mapping[text]
            else:
                values[column.key] = _PARSERS.get(column.type, parse_text)(raw)
        except CellError as exc:
            errors[column.key] = str(exc)
    return values, errors


def _validate(spec: LedgerSpec, report: ImportReport, *, actor: Any, file: IO[bytes]) -> Any:
    """Fill *report* with the plan of every good row and the errors of every bad one."""
    community = report.community
    sheet = open_sheet(file, spec)
    options = spec.option_lists()
    headers = {c.key: c.header for c in spec.columns}
    parsed: list[tuple[int, dict[str, Any]]] = []
    blank_run = 0  # empty rows count only when data follows them, not the sheet's empty tail
    try:
        for row, cells in sheet.rows:
            if all(is_blank(c) for c in cells):
                blank_run += 1
                continue
            report.empty_rows += blank_run
            blank_run = 0
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise LedgerFileError(_("一次最多导入 %(n)d 行，请拆分文件。") % {"n": MAX_ROWS})
            values, errors = _parse_cells(spec, options, sheet.positions, cells)
            if errors:
                report.errors.extend(RowError(row, headers[k], m) for k, m in errors.items())
            else:
                parsed.append((row, values))
    finally:
        sheet.close()
    if not report.rows:
        raise LedgerFileError(_("文件中没有数据行（表头下方为空）。"))

    ctx = spec.prepare(actor=actor, community=community, values=[v for _row, v in parsed])
    seen: dict[Any, int] = {}
    for row, values in parsed:
        try:
            plan = spec.check_row(row, values, ctx=ctx, community=community, actor=actor)
        except RowInvalid as exc:
            report.errors.extend(RowError(row, headers[k], m) for k, m in exc.errors.items())
            continue
        key = spec.duplicate_key(plan)
        if key is not None and key in seen:
            report.errors.append(RowError(row, headers[spec.duplicate_column],
                                          _("与第 %(row)d 行重复。") % {"row": seen[key]}))
            continue
        if key is not None:
            seen[key] = row
        report.plans.append(plan)
    report.errors.sort(key=lambda e: e.row)
    return ctx


def ledger_import(*, actor: Any, kind: str, community: Any, file: IO[bytes], dry_run: bool = False,
                  filename: str = "") -> ImportReport:
    """Validate every row of *file* as a *kind* ledger of *community*; write all rows or none.

    Rules: the actor must administer the community; any bad row (a cell that does not parse, a
    rule of the model or service, a duplicate within the file or of an existing record) means
    nothing is written and every error is reported. File-level problems (not Excel, wrong headers)
    raise :class:`LedgerFileError`. With ``dry_run`` nothing is ever written.
    """
    started = time.perf_counter()
    if not community.is_community or not get_scope(actor).covers_region(community):
        raise PermissionDenied(_("您无权向该社区导入数据。"))
    spec = get_spec(kind)
    report = ImportReport(kind=kind, label=spec.label, community=community, dry_run=dry_run,
                          filename=filename)
    if dry_run:
        _validate(spec, report, actor=actor, file=file)
    else:
        try:
            # Validation runs inside the transaction too, so the duplicate checks still hold
            # when the rows are written.
            with transaction.atomic():
                ctx = _validate(spec, report, actor=actor, file=file)
                if report.ok:
                    with activity_source("import"):
                        report.created = spec.write(report.plans, actor=actor, community=community, ctx=ctx)
                        record_activity(actor=actor, action="ledger_import", obj=community, source="import",
                                        changes={"kind": [None, kind], "rows": [None, report.created]},
                                        note=filename)
        except (ValidationError, IntegrityError) as exc:
            # Rows passed the checks but the database refused one (e.g. someone else created the
            # same record meanwhile); the transaction is rolled back, so nothing is written.
            report.created = 0
            raise LedgerFileError(_("写入时发生冲突，未写入任何数据，请重新导入：%(reason)s")
                                  % {"reason": "；".join(getattr(exc, "messages", [str(exc)]))}) from None
    report.seconds = time.perf_counter() - started
    return report
