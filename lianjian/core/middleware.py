from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .activity import activity_source
from .health import health_response


class HealthCheckMiddleware:
    """Answer ``GET /healthz`` first, before the rest of the stack.

    Load balancers probe by IP address over plain HTTP, often many times a second: the answer
    must not depend on the Host header (ALLOWED_HOSTS), the HTTPS redirect, sessions or CSRF, and
    should cost one ``SELECT 1`` on a kept connection, not the whole middleware chain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)


class ActivitySourceMiddleware:
    """Mark changes made while serving a request as coming from the web or the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith(("/api/", "/open311/")) else "web"
        with activity_source(source):
            return self.get_response(request)


class PreferredLanguageMiddleware:
    """Chinese first: use the language the person chose (cookie), otherwise the site default.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language, so a staff member
    whose office PC happens to run an English browser still gets the Chinese interface until they
    switch.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # override() restores the thread's previous language afterwards, so one English
        # request does not leak English into the next piece of work on the same thread.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# The Content-Security-Policy of every response. Scripts and style sheets come only from our own
# static files (no inline <script>, no on…= handlers, no <style> elements: see static/js/ and
# static/css/); style="" attributes stay allowed for the widths of progress bars. A deployment that
# serves media from another host (an object store) adds it with settings.CSP_EXTRA_SOURCES, e.g.
# {"img-src": ["https://media.example.cn"]}.
CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def content_security_policy() -> str:
    """The policy text: :data:`CSP_DIRECTIVES` plus the sources a deployment adds in settings."""
    from django.conf import settings

    extra: dict[str, list[str]] = getattr(settings, "CSP_EXTRA_SOURCES", {}) or {}
    parts = []
    for directive, sources in CSP_DIRECTIVES.items():
        values = list(sources) + [s for s in extra.get(directive, []) if s not in sources]
        parts.append(f"{directive} {' '.join(values)}")
    for directive, sources in extra.items():
        if directive not in CSP_DIRECTIVES:
            parts.append(f"{directive} {' '.join(sources)}")
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy on every response (a view may set its own first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
