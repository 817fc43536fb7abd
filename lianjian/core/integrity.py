"""Which uniqueness rule a failed write broke, read from the database's own report.

Codes drawn at random (check-in codes, redemption codes, private links) are kept unique by the
database rather than by a look-up before every insert: a clash is a one-in-billions event, and the
look-up cost a query on every registration of a run's rush. The writer draws again when
:func:`breaks_unique` says the clash was on the drawn value, and reports anything else as it is.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError


def breaks_unique(exc: IntegrityError, model: Any, *fields: str) -> bool:
    """True when *exc* reports that a row broke the uniqueness of *model*'s *fields* together."""
    columns = [model._meta.get_field(name).column for name in fields]
    diag = getattr(exc.__cause__, "diag", None)
    detail = getattr(diag, "message_detail", None)
    if detail:  # PostgreSQL: 'Key (event_id, phone)=(3, 139…) already exists.'
        return str(detail).startswith(f"Key ({', '.join(columns)})=")
    # SQLite: 'UNIQUE constraint failed: events_registration.event_id, events_registration.phone'
    table = model._meta.db_table
    return str(exc).strip() == "UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)
