from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from lianjian.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lj_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Authenticate when credentials are given, otherwise act as an anonymous visitor."""

    def __call__(self, request: HttpRequest) -> Any:
        from django.contrib.auth.models import AnonymousUser

        return getattr(request, "user", None) or AnonymousUser()


# Browser sessions (with CSRF) or a bearer token.
default_auth = [TokenAuth(), SessionAuth()]
