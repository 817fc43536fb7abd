"""Pagination helpers shared by the API routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


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


MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    """Page-number pagination with bounded numbers: a page past ``MAX_PAGE`` or a page size past
    64 bits is a 422, not an offset the database cannot hold."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=1000)
