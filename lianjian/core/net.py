"""The client's address, for throttles and abuse limits."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """Return the client's IP address.

    Behind a reverse proxy every request comes from the proxy, so with ``TRUSTED_PROXY_COUNT=N``
    the address is taken from X-Forwarded-For, N hops from the right (the part our own proxies
    appended; anything further left is client-supplied and could be forged).
    """
    if request is None:
        return None
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
