"""Login throttling: lock an account or a client address after repeated failures.

Two counters, checked on every path that verifies a secret (site log-in, admin log-in, any other
``authenticate()`` call through :class:`~lianjian.accounts.backends.PhoneOrUsernameBackend`, and
bearer-token guesses on the API):

* one per **account**: whatever identifier was typed — the username, the phone number, the phone
  number with spaces, dashes, full-width digits or a ``+86`` prefix — is resolved to the account,
  so switching identifiers does not reset the count. An identifier that names no account gets its
  own counter under its normalised form;
* one per **client address** (``lianjian.core.net.client_ip``), across all accounts, with a higher
  limit (``LOGIN_MAX_FAILURES_PER_ADDRESS``, by default four times the per-account limit).

Counts live in the shared database cache, so every app server sees the same numbers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.utils.translation import gettext as _

_PHONE_NOISE = re.compile(r"[\s\-()（）.]+")
_CN_PREFIX = re.compile(r"^(?:\+86|0086|86)(1[3-9]\d{9})$")


def _cache():  # type: ignore[no-untyped-def]
    return caches["throttle"]


def normalise_identifier(identifier: str) -> str:
    """The canonical form of a typed log-in name: NFKC (full-width → ASCII), trimmed; a mainland
    mobile number loses separators and a ``+86``/``0086``/``86`` prefix."""
    text = unicodedata.normalize("NFKC", identifier or "").strip()
    compact = _PHONE_NOISE.sub("", text)
    if compact.lstrip("+").isdigit():
        match = _CN_PREFIX.match(compact)
        return match.group(1) if match else compact
    return text


def resolve_user(identifier: str) -> Any:
    """The one active-or-not account a typed identifier names (username or phone), or None."""
    from django.contrib.auth import get_user_model

    ident = normalise_identifier(identifier)
    if not ident:
        return None
    User = get_user_model()
    raw = (identifier or "").strip()
    matches = list(User.objects.filter(Q(username=raw) | Q(username=ident) | Q(phone=ident))[:2])
    if len(matches) == 1:
        return matches[0]
    # A username that looks like someone else's phone number: the exact username wins.
    exact = [u for u in matches if u.username == raw]
    return exact[0] if len(exact) == 1 else None


def _account_key(identifier: str, user: Any = None) -> str:
    if user is None:
        user = resolve_user(identifier)
    if user is not None:
        return f"login-fail:acct:{user.pk}"
    digest = hashlib.sha256(normalise_identifier(identifier).lower().encode()).hexdigest()
    return "login-fail:id:" + digest


def _address_key(ip: str) -> str:
    return "login-fail:ip:" + hashlib.sha256(ip.encode()).hexdigest()[:40]


def _address_limit() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES_PER_ADDRESS", 0) or settings.LOGIN_MAX_FAILURES * 4)


def _count(key: str) -> int:
    return int(_cache().get(key) or 0)


def _bump(key: str) -> None:
    cache = _cache()
    if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def address_locked(ip: str | None) -> bool:
    return bool(ip) and _count(_address_key(ip or "")) >= _address_limit()


def is_locked(identifier: str, ip: str | None, *, user: Any = None) -> bool:
    """True while the account the identifier names, or the client address, is locked."""
    if address_locked(ip):
        return True
    if not (identifier or "").strip() and user is None:
        return False
    return _count(_account_key(identifier, user)) >= settings.LOGIN_MAX_FAILURES


def register_failure(identifier: str, ip: str | None, *, user: Any = None) -> None:
    """Count one failed attempt against the account (or unknown identifier) and the address."""
    if (identifier or "").strip() or user is not None:
        _bump(_account_key(identifier, user))
    if ip:
        _bump(_address_key(ip))


def register_address_failure(ip: str | None) -> None:
    """Count a failure that names no account (a guessed API token) against the address only."""
    if ip:
        _bump(_address_key(ip))


def reset(identifier: str, *, user: Any = None) -> None:
    """Forget the account's failures after a successful log-in (the address count stays)."""
    _cache().delete(_account_key(identifier, user))


def lockout_message() -> str:
    minutes = max(1, (settings.LOGIN_LOCKOUT_SECONDS + 59) // 60)
    return _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
