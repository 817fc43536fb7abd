"""What every ledger kind (units, needs, resources, projects) declares, and the shared row checks.

A kind is a :class:`LedgerSpec`: its columns (the template, the export and the import share
them, so an export imports back unchanged), how one parsed row becomes a planned write
(``check_row``, which must apply the same rules as the app's services — model ``full_clean``
and the services' own checks), how planned rows are written, and how existing rows are exported.
The engine in :mod:`lianjian.ledgers.services` does the rest: reading, parsing cells, finding
duplicates, reporting, the transaction.

Re-importing an export: every kind names an identifying column (``id_column``: the 编号 the
export writes, or the unit's name, unique city-wide). A row whose identifier names an existing
record of the community is compared with that record as the export would write it: unchanged
rows are matched and left alone (whatever they hold, e.g. a status such as 已认领满 that an import
could not set), changed ones go through ``check_update`` and the app's update services. A row
without an identifier, or with one that is not the community's (a file exported from another
community), is a new record.
"""

from __future__ import annotations

import abc
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor
from lianjian.core.text import error_text
from lianjian.orgs.models import Organisation

TEXT, INT, DECIMAL, DATE, PHONE, CHOICE, LIST = "text", "int", "decimal", "date", "phone", "choice", "list"
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"  # what a planned row does


@dataclass(frozen=True)
class Column:
    """One column of a ledger sheet."""

    header: str  # Chinese header, also the name used in error reports; a data format, not translated
    key: str  # the key of the parsed value handed to ``check_row``
    type: str = TEXT
    required: bool = False
    fields: tuple[str, ...] = ()  # model fields whose validation errors belong to this column
    options: str = ""  # name of the option list (drop-down) for CHOICE columns
    suggest: str = ""  # name of a suggestion list: a drop-down that still accepts any text
    help: str = ""  # what to write, for the 说明 sheet
    example: str = ""
    width: int = 16
    readonly: bool = False  # exported for reading, ignored on import (剩余, 完成日期 …)


@dataclass
class Plan:
    """A validated row, ready to be written."""

    row: int
    action: str  # 新建 / 关联已有单位 …, shown in the preview
    label: str  # what the row is, for people: the title or name
    obj: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    kind: str = CREATE


class RowInvalid(Exception):
    """``check_row`` found problems: ``errors`` maps column keys to Chinese reasons."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def choice_labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Map each Chinese label (and the stored value) of a TextChoices to the stored value."""
    with translation.override("zh-hans"):
        mapping = {str(label): value for value, label in choices.choices}
    mapping.update({value: value for value in choices.values})
    return mapping


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    with translation.override("zh-hans"):
        return str(choices(value).label) if value in choices.values else value


class LedgerSpec(abc.ABC):
    """Base class of a ledger kind; subclasses fill in the class attributes and hooks."""

    kind: str = ""
    label: str = ""  # 联建单位, 需求清单 … (sheet name and UI label)
    noun: str = ""  # 单位, 需求 … (“新建 3 条需求”)
    columns: tuple[Column, ...] = ()
    notes: tuple[str, ...] = ()  # extra lines for the 说明 sheet
    id_column: str = "id"  # key of the column that names an existing record

    @property
    def display_label(self) -> str:
        """The label in the active language, for pages (sheet names stay Chinese: ``label``)."""
        return _(self.label)

    # ---- declared data --------------------------------------------------------------------
    def option_lists(self) -> dict[str, dict[str, Any]]:
        """Option lists by name: {Chinese label or accepted alias: value}; the first keys are shown."""
        return {}

    def dropdown(self, name: str) -> list[str]:
        """The labels offered in a drop-down: the first label of each value (aliases such as codes follow)."""
        seen: set[Any] = set()
        labels = []
        for label, value in self.option_lists().get(name, {}).items():
            if value not in seen:
                seen.add(value)
                labels.append(label)
        return labels

    def suggestions(self, *, community: Any = None) -> dict[str, list[str]]:
        """Suggestion lists by name for ``Column.suggest``; *community* is known for exports."""
        return {}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    # ---- hooks ------------------------------------------------------------------------------
    def prepare(self, *, actor: Actor, community: Any, values: list[dict[str, Any]]) -> Any:
        """Load what rows are checked against (lookups, existing duplicates) in a few queries.

        *values* are the parsed rows, so lookups can be limited to the names the file uses.
        """
        return None

    @abc.abstractmethod
    def check_row(self, row: int, values: dict[str, Any], *, ctx: Any, community: Any, actor: Actor) -> Plan:
        """Return the planned write for one row or raise :class:`RowInvalid`."""

    def duplicate_key(self, plan: Plan) -> Hashable | None:
        """Two rows of one file with the same key are duplicates."""
        return None

    duplicate_column: str = ""  # key of the column duplicate errors are reported under

    @abc.abstractmethod
    def write(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: Any) -> int:
        """Write every planned row (inside the caller's transaction) and return how many."""

    @abc.abstractmethod
    def export_rows(self, *, community: Any) -> Iterable[dict[str, Any]]:
        """The community's rows as {column key: value}, values as the import accepts them."""

    @abc.abstractmethod
    def export_row(self, obj: Any) -> dict[str, Any]:
        """One record as :meth:`export_rows` writes it (objects come from :meth:`existing`)."""

    @abc.abstractmethod
    def existing(self, *, community: Any, keys: set[Any]) -> dict[Any, Any]:
        """The community's records named by *keys* (values of ``id_column``), by key."""

    @abc.abstractmethod
    def check_update(self, row: int, values: dict[str, Any], obj: Any, changed: set[str], *, ctx: Any,
                     community: Any, actor: Actor) -> Plan:
        """Plan the update of *obj* by the *changed* column keys or raise :class:`RowInvalid`."""

    @abc.abstractmethod
    def write_updates(self, plans: list[Plan], *, actor: Actor, community: Any, ctx: Any) -> int:
        """Apply the planned updates through the app's services; return how many."""

    def refuse_changes(self, changed: set[str], allowed: set[str], obj: Any) -> None:
        """Raise RowInvalid for changed columns an import may not change on an existing record."""
        errors = {key: _("已有记录的“%(col)s”不能通过导入修改，请在平台中操作，或改回导出时的内容。")
                  % {"col": self.column(key).header} for key in sorted(changed - allowed)}
        if errors:
            raise RowInvalid(errors)

    # ---- helpers for subclasses ----------------------------------------------------------------
    def errors_from(self, exc: ValidationError, known: dict[str, str] | None = None) -> dict[str, str]:
        """Map a model ValidationError onto column keys (unknown fields go to the first column).

        When the caller already found errors (*known*), non-field errors — Django's generic
        constraint messages — are dropped: the caller's own wording says the same.
        """
        by_field = {f: c.key for c in self.columns for f in (c.fields or (c.key,))}
        errors: dict[str, str] = {}
        details = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for name, messages in details.items():
            if name == NON_FIELD_ERRORS and known:
                continue  # constraints are reported in words on their column by the caller
            key = by_field.get(name, self.columns[0].key)
            text = error_text(messages)
            errors[key] = f"{errors[key]}；{text}" if key in errors else text
        return errors


def lookup_org(name: str, *, by_name: dict[str, Any], by_short: dict[str, list[Any]]) -> Any:
    """Find a unit by its exact name, then by its short name; raise ValueError with the reason."""
    if name in by_name:
        return by_name[name]
    matches = by_short.get(name, [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValueError(_("简称“%(name)s”对应多个单位，请填写单位全称。") % {"name": name})
    raise ValueError(_("找不到单位“%(name)s”，请先导入联建单位或填写单位全称。") % {"name": name})


@dataclass
class OrgIndex:
    """Units a file refers to, by exact name and by short name."""

    by_name: dict[str, Any] = field(default_factory=dict)
    by_short: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, names: set[str]) -> OrgIndex:
        from django.db.models import Q

        index = cls()
        if not names:
            return index
        for org in Organisation.objects.filter(Q(name__in=names) | Q(short_name__in=names)):
            index.by_name[org.name] = org
            if org.short_name:
                index.by_short.setdefault(org.short_name, []).append(org)
        return index

    def find(self, name: str) -> Any:
        return lookup_org(name, by_name=self.by_name, by_short=self.by_short)
