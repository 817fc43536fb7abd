"""Login throttling: lock an identifier or an address after repeated failures.

Counts live in the shared database cache, so every app server sees the same numbers.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches


def _cache():  # type: ignore[no-untyped-def]
    return caches["throttle"]


def _keys(identifier: str, ip: str | None) -> list[str]:
    keys = ["login-fail:id:" + hashlib.sha256(identifier.strip().lower().encode()).hexdigest()]
    if ip:
        keys.append("login-fail:ip:" + ip)
    return keys


def is_locked(identifier: str, ip: str | None) -> bool:
    cache = _cache()
    limits = {"id": settings.LOGIN_MAX_FAILURES, "ip": settings.LOGIN_MAX_FAILURES * 4}
    for key in _keys(identifier, ip):
        kind = key.split(":")[1]
        if (cache.get(key) or 0) >= limits[kind]:
            return True
    return False


def register_failure(identifier: str, ip: str | None) -> None:
    cache = _cache()
    for key in _keys(identifier, ip):
        if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def reset(identifier: str) -> None:
    _cache().delete(_keys(identifier, None)[0])
