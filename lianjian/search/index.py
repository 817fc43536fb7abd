"""Keeping the index current: segment an object's words, write (or remove) its entry."""

from __future__ import annotations

import logging
import re
from typing import Any

import jieba
from django.db import connection

from .models import BODY_MAX, SearchEntry
from .sources import SOURCES, iter_public

logger = logging.getLogger(__name__)
WORD = re.compile(r"\w", re.UNICODE)
TERMS_MAX = 20_000


def segment(text: str) -> list[str]:
    """The words of *text* for the index and for queries: jieba's search-mode cut (long words also
    give their shorter parts), lower-cased, punctuation and symbols (emoji) dropped."""
    words = []
    for word in jieba.cut_for_search(text or ""):
        word = word.strip().lower()
        if word and WORD.search(word):
            words.append(word)
    return words


def index_object(kind: str, obj: Any) -> SearchEntry | None:
    """Write the entry of *obj* if it is public, else remove any entry it had."""
    source = SOURCES[kind]
    if not source.public().filter(pk=obj.pk).exists():
        remove(kind, obj.pk)
        return None
    obj = source.public().get(pk=obj.pk)
    doc = source.document(obj)
    body = doc.text[:BODY_MAX]
    terms = " ".join(segment(f"{doc.title}\n{body}"))[:TERMS_MAX]
    entry, _created = SearchEntry.objects.update_or_create(
        kind=kind, object_id=obj.pk,
        defaults={"title": doc.title[:200], "url": doc.url[:200], "body": body, "terms": terms,
                  "region_id": doc.region_id, "happened_on": doc.happened_on})
    return entry


def remove(kind: str, pk: Any) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=pk).delete()


def reindex(kinds: list[str] | None = None) -> dict[str, int]:
    """Rebuild the entries of *kinds* (all by default): public objects indexed, the rest removed."""
    counts: dict[str, int] = {}
    for kind in kinds or list(SOURCES):
        seen: set[int] = set()
        for obj in iter_public(kind):
            index_object(kind, obj)
            seen.add(obj.pk)
        stale = SearchEntry.objects.filter(kind=kind).exclude(object_id__in=seen) if len(seen) < 50_000 else None
        if stale is not None:
            stale.delete()
        counts[kind] = len(seen)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'")
            if cursor.fetchone():
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    logger.info("search reindex: %s", counts)
    return counts
