"""Receivers that keep the index current when public objects are saved or deleted."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from . import index
from .sources import SOURCES, Source


def _saved(source: Source) -> Any:
    def receiver(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
        if raw:
            return
        if update_fields is not None and not (set(update_fields) & source.fields):
            return  # a counter or a timestamp: nothing the index shows changed
        index.index_object(source.kind, instance)

    return receiver


def _deleted(source: Source) -> Any:
    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        index.remove(source.kind, instance.pk)

    return receiver


_RECEIVERS: list[Any] = []


def connect() -> None:
    for source in SOURCES.values():
        saved, deleted = _saved(source), _deleted(source)
        _RECEIVERS.extend([saved, deleted])  # signals hold receivers weakly
        post_save.connect(saved, sender=source.model, dispatch_uid=f"search.save.{source.kind}")
        post_delete.connect(deleted, sender=source.model, dispatch_uid=f"search.delete.{source.kind}")
