"""Search API: GET /api/v1/search?q= (public, no login): results grouped by kind."""


import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .query import search

router = Router()
# Search is public: no login, the same answer for everyone.
PUBLIC_READ = None



class SearchQueryIn(Schema):
    q: str = Field("", max_length=10_000, description="what to look for; cut to 100 characters")


class SearchHitOut(Schema):
    title: str
    url: str
    snippet: str
    highlighted: str = Field(..., description="the snippet as HTML, escaped, matched words in <mark>")
    date: dt.date | None


class SearchGroupOut(Schema):
    kind: str
    label: str
    results: list[SearchHitOut]


class SearchOut(Schema):
    query: str
    words: list[str]
    truncated: bool
    total: int
    groups: list[SearchGroupOut]


@router.get("", response=SearchOut, auth=PUBLIC_READ, summary="Search public needs, projects, events and stories")
def search_api(request: HttpRequest, filters: Query[SearchQueryIn]) -> dict[str, Any]:
    answer = search(filters.q)
    return {"query": answer.query, "words": answer.words, "truncated": answer.truncated, "total": answer.total,
            "groups": [{"kind": g.kind, "label": str(g.label),
                        "results": [{"title": h.title, "url": h.url, "snippet": h.snippet,
                                     "highlighted": str(h.snippet_html), "date": h.happened_on} for h in g.hits]}
                       for g in answer.groups]}
