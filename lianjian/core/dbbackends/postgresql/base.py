"""Django's PostgreSQL backend, batching its bulk statements under the protocol's parameter limit.

With server-side binding (``OPTIONS["server_side_binding"]``, see settings) every value is a
protocol parameter, and one statement may carry at most 65,535 of them. Django 5.2 batches
``bulk_create``, ``bulk_update`` and cascade deletes only by ``bulk_batch_size``, which for
PostgreSQL puts every row in one statement; here it keeps each batch under the limit.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, operations

MAX_PARAMETERS = 65535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Any, objs: Any) -> int:
        size = super().bulk_batch_size(fields, objs)
        if not self.connection.features.uses_server_side_binding:
            return size
        columns = len(fields) or 1
        return max(1, min(size, MAX_PARAMETERS // columns))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
