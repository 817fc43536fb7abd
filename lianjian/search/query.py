"""Answering a search: the query is cut into words the way the index was, matched with the
database's full-text index, and the results grouped by kind with the words highlighted.

- One or two characters (井盖, 灯): substring matching on titles and text, because a short word
  may sit inside a longer indexed word (窨井盖) that the full-text index only knows whole.
- Longer queries: every word must match (FTS5 ``MATCH`` with each word quoted, so ``"``, ``*``,
  ``:``, ``(``, ``AND``, ``NEAR``… are just text; PostgreSQL ``plainto_tsquery``). When that
  finds nothing, substring matching on the whole query is tried before giving up.
- The query is cut to ``QUERY_MAX`` characters and ``WORDS_MAX`` words first; symbols and emoji
  are dropped; nothing a visitor types reaches SQL except as a bound parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .index import segment
from .models import SearchEntry
from .sources import ORDER, SOURCES

QUERY_MAX = 100
WORDS_MAX = 12
PER_KIND = 20
SNIPPET = 110
SHORT = 2
_SPACE = re.compile(r"\s+")


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: str
    title_html: SafeString
    snippet_html: SafeString
    happened_on: Any = None


@dataclass
class Group:
    kind: str
    label: Any
    hits: list[Hit] = field(default_factory=list)


@dataclass
class Answer:
    query: str  # what was searched (cleaned and cut)
    words: list[str]
    groups: list[Group]
    truncated: bool = False

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def clean_query(raw: Any) -> tuple[str, bool]:
    text = _SPACE.sub(" ", str(raw or "")).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:QUERY_MAX], len(text) > QUERY_MAX


def _fts_sqlite_available() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_fts'")
        return cursor.fetchone() is not None


def _fulltext(qs: QuerySet[SearchEntry], words: list[str]) -> QuerySet[SearchEntry]:
    if connection.vendor == "sqlite":
        if not _fts_sqlite_available():
            return _substring(qs, words)
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        return qs.extra(where=["search_searchentry.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"],
                        params=[match])
    if connection.vendor == "postgresql":
        return qs.extra(where=["to_tsvector('simple', search_searchentry.terms) @@ plainto_tsquery('simple', %s)"],
                        params=[" ".join(words)])
    return _substring(qs, words)


def _substring(qs: QuerySet[SearchEntry], words: list[str]) -> QuerySet[SearchEntry]:
    for w in words:
        qs = qs.filter(Q(title__icontains=w) | Q(body__icontains=w))
    return qs


def _highlight(text: str, words: list[str]) -> SafeString:
    """Escape *text* first, then wrap each word (escaped the same way) in <mark>."""
    escaped = escape(text)
    marks = sorted({escape(w) for w in words if w}, key=len, reverse=True)
    if not marks:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile("|".join(re.escape(m) for m in marks), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


def _snippet(body: str, words: list[str]) -> str:
    lower = body.lower()
    at = min((i for i in (lower.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(at - SNIPPET // 3, 0)
    piece = body[start:start + SNIPPET]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(body) else "")


def search(raw: Any, *, per_kind: int = PER_KIND, kinds: list[str] | None = None) -> Answer:
    """Search the public index for *raw* (whatever a visitor typed)."""
    query, truncated = clean_query(raw)
    words = segment(query)[:WORDS_MAX]
    answer = Answer(query=query, words=words, groups=[], truncated=truncated)
    if not words:
        return answer
    compact = "".join(words)
    base = SearchEntry.objects.only("kind", "object_id", "title", "url", "body", "happened_on")
    for kind in kinds or ORDER:
        qs = base.filter(kind=kind)
        rows: list[SearchEntry] = []
        try:
            if len(compact) <= SHORT:
                rows = list(_substring(qs, [compact]).order_by("-happened_on", "-id")[:per_kind])
            else:
                with transaction.atomic():  # a savepoint: a refused query must not break the request's transaction
                    rows = list(_fulltext(qs, words).order_by("-happened_on", "-id")[:per_kind])
                if not rows:
                    rows = list(_substring(qs, [query]).order_by("-happened_on", "-id")[:per_kind])
        except DatabaseError:  # a query the full-text parser still refuses: answer with substrings
            rows = list(_substring(qs, [query]).order_by("-happened_on", "-id")[:per_kind])
        if not rows:
            continue
        marks = [*words, compact] if len(compact) <= SHORT else words
        group = Group(kind=kind, label=SOURCES[kind].label)
        for row in rows:
            snippet = _snippet(row.body, marks)
            group.hits.append(Hit(kind=kind, title=row.title, url=row.url, snippet=snippet,
                                  title_html=_highlight(row.title, marks), snippet_html=_highlight(snippet, marks),
                                  happened_on=row.happened_on))
        answer.groups.append(group)
    return answer
