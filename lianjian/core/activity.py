"""The audit trail: who changed what, when, from where.

Every service that writes a domain object calls :func:`record_activity` inside its transaction,
so an aborted write leaves no audit row and a committed one always has one. The *source* of a
change (web, api, cli, import) is carried in a context variable that the entry points set.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import models

SOURCES = ("web", "api", "cli", "import", "system")
_source: contextvars.ContextVar[str] = contextvars.ContextVar("activity_source", default="system")


def current_source() -> str:
    return _source.get()


@contextlib.contextmanager
def activity_source(source: str) -> Iterator[None]:
    """Mark every change recorded inside the block as coming from *source*."""
    if source not in SOURCES:
        raise ValueError(f"unknown activity source {source!r}")
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def _plain(value: Any) -> Any:
    """Return a JSON-friendly representation of a field value for the change log."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def apply_changes(instance: models.Model, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the given fields on *instance* and return ``{field: [before, after]}`` for real changes."""
    changes: dict[str, list[Any]] = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(instance, field, new)
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    """Return a creation-style change set ``{field: [None, value]}`` for the given fields."""
    return {f: [None, _plain(getattr(instance, f))] for f in fields}


def record_activity(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    source: str | None = None,
    note: str = "",
) -> Any:
    """Append one row to the audit trail for *obj*."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Activity

    user = actor if getattr(actor, "is_authenticated", False) else None
    return Activity.objects.create(
        actor=user,
        actor_repr=str(actor) if actor is not None else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=dict(changes or {}),
        source=source or current_source(),
        note=note[:500],
    )
