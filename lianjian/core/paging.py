"""Pages of long lists whose row count does not cost a full scan on every request.

``count_page(qs, number, per_page)`` counts without the list's joins and ordering, and keeps a
*large* count (over ``CACHE_ABOVE`` rows: a district's 100,000 needs) in the cache for
``COUNT_TTL`` seconds, keyed by the count's SQL and parameters, so the same filter of the same
scope is counted once a minute, not on every page view. Small counts are always exact: a list
anyone can check by eye never shows a stale total.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

CACHE_ABOVE = 5_000
COUNT_TTL = 60


def fast_count(qs: QuerySet[Any]) -> int:
    counted = qs.select_related(None).only("pk").order_by()
    sql, params = counted.query.sql_with_params()
    key = "count:" + hashlib.sha256(repr((qs.db, sql, params)).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    count = counted.count()
    if count > CACHE_ABOVE:
        cache.set(key, count, COUNT_TTL)
    return count


def count_page(qs: QuerySet[Any], number: Any, per_page: int) -> Page:
    """The page *number* of *qs* (bad or out-of-range numbers give the first or last page)."""
    paginator = Paginator(qs, per_page)
    paginator.count = fast_count(qs)  # type: ignore[misc]
    return paginator.get_page(number)
