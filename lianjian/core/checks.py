from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def sqlite_wal_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Warn when the embedded SQLite database is configured without WAL."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and "WAL" not in db.get("OPTIONS", {}).get("init_command", ""):
        return [Warning("SQLite is not in WAL mode; concurrent readers will block.", id="lianjian.W001")]
    return []
