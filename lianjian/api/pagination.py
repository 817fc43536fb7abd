"""Pagination helpers shared by the API routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest


class ShapedQuerySet:
    """Let ninja's paginator count and slice the queryset first, then shape only that page.

    ``shape(request, obj)`` turns one row into the output dict (masking, labels …); doing it
    after slicing keeps list endpoints at one page of work whatever the table size.
    """

    def __init__(self, request: HttpRequest, qs: Any, shape: Callable[[HttpRequest, Any], dict[str, Any]]) -> None:
        self.request, self.qs, self.shape = request, qs, shape

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.shape(self.request, obj) for obj in self.qs[item]]
