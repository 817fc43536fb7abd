"""Bounds on what one API request may ask of a worker.

* Body size: ``API_MAX_JSON_BYTES`` (1 MB) for JSON and other bodies, ``API_MAX_MULTIPART_BYTES``
  for multipart uploads (photos: 9 × 8 MB plus the form); larger requests get 413 with the API's
  JSON error body before anything is read or parsed.
* Item counts and text lengths: every list and string in a request schema has ``max_length``
  (pydantic ``Field``), so the OpenAPI document states them and a longer one is a 422.
* Heavy endpoints: :func:`require_roles` restricts them to the roles that need them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from pydantic import Field

from lianjian.accounts.permissions import get_scope

API_PREFIX = "/api/v1/"


def max_body_bytes(content_type: str) -> int:
    if content_type.startswith("multipart/"):
        return int(getattr(settings, "API_MAX_MULTIPART_BYTES", 80 * 1024 * 1024))
    return int(getattr(settings, "API_MAX_JSON_BYTES", 1024 * 1024))


class BodySizeLimitMiddleware:
    """413 JSON for an API request whose declared body is larger than its kind allows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            content_type = request.META.get("CONTENT_TYPE", "")
            limit = max_body_bytes(content_type)
            if length < 0:
                return JsonResponse({"error": {"code": "bad_request", "message": _("Content-Length 不正确。")}},
                                    status=400, json_dumps_params={"ensure_ascii": False})
            if length > limit:
                message = _("请求体太大：最多 %(size)s。") % {"size": _human(limit)}
                return JsonResponse({"error": {"code": "payload_too_large", "message": message,
                                               "details": {"max_bytes": limit}}},
                                    status=413, json_dumps_params={"ensure_ascii": False})
        return self.get_response(request)


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def require_roles(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only users holding one of *roles* (or superusers) call the decorated API handler; others
    get 403. For endpoints whose work is heavy and that only some roles need."""
    import functools

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            scope = get_scope(request.user)
            if not scope.is_superuser and not scope.roles & set(roles):
                raise PermissionDenied(_("您的角色不能使用这个功能。"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# Shared bounds for request schemas (``Field(max_length=…)`` on strings and lists).
MAX_TEXT = 5000  # free text: descriptions, plans, summaries
MAX_CODES = 20  # codes in one list (beneficiary groups …)
MAX_IDS = 200  # ids in one list (communities, partners …)
Code = Annotated[str, Field(max_length=40)]  # a category or beneficiary-group code


def decimal_amount(max_digits: int, decimal_places: int) -> Any:
    """A non-negative decimal with at most *max_digits* digits (as the model column), given as a
    number or a string; the OpenAPI document states the bounds of both forms."""
    from decimal import Decimal

    from pydantic import WithJsonSchema

    whole = max_digits - decimal_places
    largest = float(Decimal(10) ** whole - Decimal(1).scaleb(-decimal_places))
    schema = {"anyOf": [
        {"type": "number", "minimum": 0, "maximum": largest},
        {"type": "string", "maxLength": max_digits + 1, "pattern": rf"^\d{{1,{whole}}}(\.\d{{1,{decimal_places}}})?$"},
    ]}
    return Annotated[Decimal, Field(ge=0, max_digits=max_digits, decimal_places=decimal_places),
                     WithJsonSchema(schema)]


Money = decimal_amount(12, 2)  # yuan, as Project.budget / material_value
Hours = decimal_amount(8, 1)  # volunteer hours of one progress report
Kilometres = decimal_amount(5, 2)  # a volunteer post's place on a route, as VolunteerPost.km
