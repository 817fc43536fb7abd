from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .activity import activity_source


class ActivitySourceMiddleware:
    """Mark changes made while serving a request as coming from the web or the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith(("/api/", "/open311/")) else "web"
        with activity_source(source):
            return self.get_response(request)
