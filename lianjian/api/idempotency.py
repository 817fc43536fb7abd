"""``Idempotency-Key`` on every API create: a retried POST gets the first answer, not a duplicate.

A client whose connection dropped after the commit sends the same request again with the same
``Idempotency-Key`` header (any string of 1–255 visible ASCII characters, e.g. a UUID):

* same key, same request (method, path, body) by the same caller → the original status and body,
  with ``Idempotent-Replayed: true``; nothing runs twice;
* same key, another request → 409 ``idempotency_key_reused``;
* same key while the first request still runs → 409 ``idempotency_key_in_progress`` (retry later);
* keys are kept ``IDEMPOTENCY_KEY_TTL`` seconds (24 hours by default); after that the key may be
  used afresh. :func:`lianjian.api.services.purge_idempotency_keys` deletes expired keys.

Keys belong to the caller (the user behind the token or session; the address for anonymous
calls), so two callers who pick the same key never see each other's answers. Answers with a
server error (5xx), 401, 403 (e.g. a missing CSRF token), 408, 409 and 429 are not kept: the client may
retry them with the same key.

Implemented once, as a middleware around ``POST /api/v1/…``; handlers know nothing of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.models import ApiToken, hash_token
from lianjian.core.net import client_ip

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
API_PREFIX = "/api/v1/"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_NOT_KEPT = {401, 403, 408, 409, 429}


def key_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "IDEMPOTENCY_KEY_TTL", 24 * 3600)))


def _running_timeout() -> dt.timedelta:
    """How long a ``running`` key blocks retries; past it the first run is taken as lost (the
    worker died) and a retry runs the request."""
    return dt.timedelta(seconds=int(getattr(settings, "IDEMPOTENCY_RUNNING_TIMEOUT", 300)))


def _error(status: int, code: str, message: str) -> HttpResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _in_progress() -> HttpResponse:
    return _error(409, "idempotency_key_in_progress", _("使用这个 Idempotency-Key 的请求仍在处理中，请稍后重试。"))


def _caller(request: HttpRequest) -> str:
    """Who sends the request, before the API has authenticated it: the token's user, the session's
    user, or the client address."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        raw = auth[7:].strip()
        user_id = ApiToken.objects.active().filter(key_hash=hash_token(raw)).values_list("user_id", flat=True).first()
        if user_id is not None:
            return f"user:{user_id}"
        return "bearer:" + hashlib.sha256(raw.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{client_ip(request) or ''}"


def _fingerprint(request: HttpRequest, caller: str) -> str:
    """SHA-256 of the caller, method, path with query and body. A multipart body is hashed from its
    parsed fields and files (files may be larger than what Django keeps in memory)."""
    digest = hashlib.sha256()
    for part in (caller, request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\0")
    if request.content_type == "multipart/form-data":
        fields = sorted((k, request.POST.getlist(k)) for k in request.POST)
        digest.update(json.dumps(fields, ensure_ascii=False).encode() + b"\0")
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}".encode() + b"\0")
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _claim(scope_hash: str, fingerprint: str,
           request: HttpRequest) -> tuple[IdempotencyKey | None, HttpResponse | None]:
    """Insert the key as ``running`` (we run the request) or return the answer for a known key."""
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    scope_hash=scope_hash, fingerprint=fingerprint, method=request.method or "",
                    path=request.path[:500], created_at=now)
            return row, None
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(scope_hash=scope_hash).first()
        if existing is None:  # finished with an answer that is not kept, or purged: try again
            continue
        if existing.created_at < now - key_ttl():
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != fingerprint:
            return None, _error(409, "idempotency_key_reused",
                                _("这个 Idempotency-Key 已用于另一个请求，请为新请求换一个新的键。"))
        if existing.state == IdempotencyKey.State.RUNNING:
            if existing.created_at < now - _running_timeout():
                # The first run died without an answer; whoever moves the timestamp takes over.
                taken = IdempotencyKey.objects.filter(
                    pk=existing.pk, state=IdempotencyKey.State.RUNNING, created_at=existing.created_at,
                ).update(created_at=now)
                if taken:
                    existing.created_at = now
                    return existing, None
            return None, _in_progress()
        replay = HttpResponse(bytes(existing.body), status=existing.status_code or 200,
                              content_type=existing.content_type or "application/json")
        replay["Idempotent-Replayed"] = "true"
        return None, replay
    return None, _in_progress()


def _finish(row: IdempotencyKey, response: HttpResponse) -> None:
    keep = (response.status_code < 500 and response.status_code not in _NOT_KEPT
            and not getattr(response, "streaming", False))
    if not keep:
        IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
        return
    IdempotencyKey.objects.filter(pk=row.pk).update(
        state=IdempotencyKey.State.DONE, status_code=response.status_code,
        content_type=response.get("Content-Type", "")[:100], body=bytes(response.content))


class IdempotencyMiddleware:
    """Applies ``Idempotency-Key`` to every ``POST /api/v1/…`` that carries the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_key = request.headers.get(HEADER)
        if raw_key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = raw_key.strip()
        if not _VALID_KEY.match(key):
            return _error(400, "invalid_idempotency_key",
                          _("Idempotency-Key 必须是 1 到 255 个可见 ASCII 字符（例如 UUID）。"))
        caller = _caller(request)
        scope_hash = hashlib.sha256(f"{caller}\0{key}".encode()).hexdigest()
        row, answer = _claim(scope_hash, _fingerprint(request, caller), request)
        if answer is not None:
            return answer
        assert row is not None
        response: Any = None
        try:
            response = self.get_response(request)
        finally:
            if response is None:
                IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            else:
                _finish(row, response)
        return response
