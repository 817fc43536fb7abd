"""Importing ledgers (台账导入): validate every row, then write all of them or nothing.

One function, :func:`ledger_import`, serves the CLI (``lianjian import``) and the web upload
alike. It reads the sheet, parses each cell by its column type, lets the kind check the row
with the same rules as the app's services (model ``full_clean`` plus the services' own checks),
finds duplicates inside the file and against the database, and only when no row has an error
writes every row in one transaction. Each written row leaves an audit entry with source
``import``; so does the import as a whole, on the community.

A row whose identifying column (编号, or the unit's name) names one of the community's records
is compared with that record as the export writes it, cell by cell and with the same parsers:
an unchanged row is matched (nothing written, nothing checked beyond that), a changed one is an
update of the changed columns. So an export imports back unchanged with no error, and an edited
export updates what was edited instead of duplicating the rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import activity_source, record_activity
from lianjian.core.text import printable

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
from .kinds.base import (
    CHOICE,
    CREATE,
    DATE,
    DECIMAL,
    INT,
    LIST,
    PHONE,
    UNCHANGED,
    UPDATE,
    LedgerSpec,
    Plan,
    RowInvalid,
)
from .workbook import MAX_ROWS, LedgerFileError, cell_value, open_sheet

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
    updated: int = 0
    seconds: float = 0.0

    @property
    def to_create(self) -> int:
        return sum(1 for p in self.plans if p.kind == CREATE)

    @property
    def to_update(self) -> int:
        return sum(1 for p in self.plans if p.kind == UPDATE)

    @property
    def unchanged(self) -> int:
        return sum(1 for p in self.plans if p.kind == UNCHANGED)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        """One Chinese sentence on the outcome."""
        parts = {"kind": _(self.label), "rows": self.rows, "empty": self.empty_rows, "bad": self.bad_rows,
                 "errors": len(self.errors), "n": self.to_create, "created": self.created,
                 "u": self.to_update, "updated": self.updated, "same": self.unchanged}
        if self.errors:
            text = _("共 %(rows)d 行数据，其中 %(bad)d 行有误（%(errors)d 处错误），未写入任何数据。") % parts
        elif self.dry_run and not (self.to_update or self.unchanged):
            text = _("检查通过（试运行）：将导入 %(n)d 条%(kind)s，未写入任何数据。") % parts
        elif self.dry_run:
            text = _("检查通过（试运行）：将新建 %(n)d 条、更新 %(u)d 条%(kind)s，%(same)d 条与平台一致；"
                     "未写入任何数据。") % parts
        elif not (self.to_update or self.unchanged):
            text = _("导入成功：已写入 %(created)d 条%(kind)s。") % parts
        else:
            text = _("导入成功：新建 %(created)d 条、更新 %(updated)d 条%(kind)s，"
                     "%(same)d 条与平台一致无需修改。") % parts
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


def _canonical(column: Any, options: dict[str, dict[str, Any]], raw: Any) -> Any:
    """A cell as the comparison of a row with an existing record sees it.

    The value the importer would parse, or, when it does not parse (an inactive category, a
    status an import could not set), the cell's text: unchanged cells then compare equal either way.
    """
    if is_blank(raw):
        return _BLANK.get(column.type, "") if column.type != LIST else ()
    try:
        if column.type == CHOICE:
            text = parse_text(raw)
            mapping = options[column.options]
            return mapping[text] if text in mapping else ("text", text)
        if column.type == LIST:
            return tuple(sorted(parse_list(raw)))
        parser = _PARSERS.get(column.type)
        if parser is None:  # text: the export cleaned control characters and XML turned \r\n into \n
            return printable(parse_text(raw)).replace("\r\n", "\n").replace("\r", "\n")
        return parser(raw)
    except CellError:
        return ("text", parse_text(raw))


def _changed(spec: LedgerSpec, options: dict[str, dict[str, Any]], positions: dict[str, int],
             cells: tuple[Any, ...], current: dict[str, Any]) -> set[str]:
    """Keys of the columns present in the file whose cell differs from the record's export."""
    changed = set()
    for column in spec.columns:
        index = positions.get(column.key)
        if index is None or column.readonly or column.key == spec.id_column:
            continue
        raw = cells[index] if index < len(cells) else None
        stored = cell_value(column.type, current.get(column.key))
        if _canonical(column, options, raw) != _canonical(column, options, stored):
            changed.add(column.key)
    return changed


def _record_key(spec: LedgerSpec, positions: dict[str, int], cells: tuple[Any, ...]) -> Any:
    index = positions.get(spec.id_column)
    raw = cells[index] if index is not None and index < len(cells) else None
    if spec.column(spec.id_column).type == INT:
        try:
            return parse_int(raw)
        except CellError:
            return None
    return parse_text(raw) or None


def _validate(spec: LedgerSpec, report: ImportReport, *, actor: Actor, file: IO[bytes]) -> Any:
    """Fill *report* with the plan of every good row and the errors of every bad one."""
    community = report.community
    sheet = open_sheet(file, spec)
    options = spec.option_lists()
    headers = {c.key: c.header for c in spec.columns}
    parsed: list[tuple[int, dict[str, Any]]] = []
    rows: list[tuple[int, tuple[Any, ...]]] = []
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
            rows.append((row, cells))
    finally:
        sheet.close()
    if not report.rows:
        raise LedgerFileError(_("文件中没有数据行（表头下方为空）。"))

    keys = {_record_key(spec, sheet.positions, cells) for _row, cells in rows} - {None}
    records = spec.existing(community=community, keys=keys) if keys else {}
    matched: list[tuple[int, dict[str, Any], Any, set[str]]] = []
    seen_records: dict[Any, int] = {}
    for row, cells in rows:
        values, errors = _parse_cells(spec, options, sheet.positions, cells)
        key = _record_key(spec, sheet.positions, cells)
        record = records.get(key) if key is not None else None
        if record is not None:
            if key in seen_records:
                report.errors.append(RowError(row, headers[spec.id_column],
                                              _("与第 %(row)d 行是同一条记录。") % {"row": seen_records[key]}))
                continue
            seen_records[key] = row
            changed = _changed(spec, options, sheet.positions, cells, spec.export_row(record))
            # Cells left as exported are not checked again: what the record holds stays.
            errors = {k: m for k, m in errors.items() if k in changed}
            if errors:
                report.errors.extend(RowError(row, headers[k], m) for k, m in errors.items())
            else:
                matched.append((row, values, record, changed))
            continue
        if errors:
            report.errors.extend(RowError(row, headers[k], m) for k, m in errors.items())
        else:
            parsed.append((row, values))

    ctx = spec.prepare(actor=actor, community=community,
                       values=[v for _row, v in parsed] + [v for _row, v, _r, _c in matched])
    for row, values, record, changed in matched:
        if not changed:
            label = str(spec.export_row(record).get(spec.duplicate_column) or record)
            report.plans.append(Plan(row=row, action=_("无变化"), label=label, obj=record, kind=UNCHANGED))
            continue
        try:
            plan = spec.check_update(row, values, record, changed, ctx=ctx, community=community, actor=actor)
        except RowInvalid as exc:
            report.errors.extend(RowError(row, headers[k], m) for k, m in exc.errors.items())
            continue
        plan.kind = UPDATE
        report.plans.append(plan)
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
    report.plans.sort(key=lambda p: p.row)
    report.errors.sort(key=lambda e: e.row)
    return ctx


def ledger_import(*, actor: Actor, kind: str, community: Any, file: IO[bytes], dry_run: bool = False,
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
                        creates = [p for p in report.plans if p.kind == CREATE]
                        updates = [p for p in report.plans if p.kind == UPDATE]
                        if creates:
                            report.created = spec.write(creates, actor=actor, community=community, ctx=ctx)
                        if updates:
                            report.updated = spec.write_updates(updates, actor=actor, community=community,
                                                                ctx=ctx)
                        record_activity(actor=actor, action="ledger_import", obj=community, source="import",
                                        changes={"kind": [None, kind], "rows": [None, report.created],
                                                 "updated": [None, report.updated]},
                                        note=filename)
        except (ValidationError, IntegrityError) as exc:
            # Rows passed the checks but the database refused one (e.g. someone else created the
            # same record meanwhile); the transaction is rolled back, so nothing is written.
            report.created = report.updated = 0
            raise LedgerFileError(_("写入时发生冲突，未写入任何数据，请重新导入：%(reason)s")
                                  % {"reason": "；".join(getattr(exc, "messages", [str(exc)]))}) from None
    report.seconds = time.perf_counter() - started
    return report
