"""API authentication: personal bearer tokens (no CSRF) or the browser session (CSRF required).

* ``Authorization: Bearer lj_…`` — scripts and integrations. A browser never attaches this header
  to a cross-site request on its own, so no CSRF token is needed. Wrong tokens count as failed
  log-ins against the client address (the same counter as the log-in pages); while the address is
  locked every bearer attempt gets 429.
* The session cookie — the site's own pages. Every unsafe request (POST, PUT, PATCH, DELETE) must
  carry the CSRF token (``X-CSRFToken`` header, from the ``csrftoken`` cookie), or it is refused
  with a 403 JSON error before the handler runs.
* Anonymous writes (the public rating link) take :data:`public_write_auth`: a bearer token, a
  session with CSRF, or no login at all — but always with the CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from lianjian.accounts import throttle
from lianjian.accounts.services import api_token_authenticate
from lianjian.core.net import client_ip


def _require_csrf(request: HttpRequest) -> None:
    if getattr(request, "_ninja_csrf_exempt", False):
        return
    if check_csrf(request) is not None:
        raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试；脚本请使用接口令牌（Bearer）。"))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lj_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        ip = client_ip(request)
        if throttle.address_locked(ip):
            raise HttpError(429, throttle.lockout_message())
        user = api_token_authenticate(token)
        if user is None:
            throttle.register_address_failure(ip)
            return None
        request.user = user
        return user


class CsrfSessionAuth(SessionAuth):
    """The browser session; unsafe methods need the CSRF token (403 JSON otherwise)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key and getattr(request, "user", None) is not None and request.user.is_authenticated:
            _require_csrf(request)
        return key


class CsrfAnonymousAuth(APIKeyCookie):
    """No login needed, but an unsafe request must carry the CSRF token (cookie + header), so a
    foreign page cannot make a visitor's browser post on their behalf."""

    param_name: str = settings.CSRF_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        _require_csrf(request)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from django.contrib.auth.models import AnonymousUser

        user = getattr(request, "user", None)
        return user if user is not None else AnonymousUser()


class OptionalAuth:
    """Authenticate when credentials are given, otherwise act as an anonymous visitor."""

    def __call__(self, request: HttpRequest) -> Any:
        from django.contrib.auth.models import AnonymousUser

        return getattr(request, "user", None) or AnonymousUser()


# Browser sessions (with CSRF) or a bearer token.
default_auth = [TokenAuth(), CsrfSessionAuth()]
# Public writes (no login): a bearer token, or the CSRF token with or without a session.
public_write_auth = [TokenAuth(), CsrfAnonymousAuth()]
