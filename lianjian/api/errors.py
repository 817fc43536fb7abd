"""One error body for every 4xx: ``{"error": {"code": "...", "message": "...", "details": ...}}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

T = TypeVar("T")


class ErrorDetail(Schema):
    code: str
    message: str
    details: Any | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class UnknownId(Http404):
    """An id in the request body that the caller may not use there (unknown, out of scope, or not
    an active joint unit of the community): answered like an unknown path id, naming the field."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def resolve_id(field: str, lookup: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a scope-checked *lookup* for the body field *field*; its 404 names the field."""
    try:
        return lookup(*args, **kwargs)
    except UnknownId:
        raise
    except Http404:
        raise UnknownId(field) from None


ERROR_RESPONSES: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                            409: ErrorOut, 422: ErrorOut}


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
                   details: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = [{"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", "")} for e in exc.errors]
        return error_response(api, request, 422, "invalid", _("请求数据不正确。"), details)

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            details: Any = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            details = {"__all__": [str(m) for m in exc.messages]}
        return error_response(api, request, 422, "invalid", _("数据校验未通过。"), details)

    @api.exception_handler(OverflowError)
    def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # A number too large for the database or the calendar, wherever it slipped in.
        return error_response(api, request, 422, "invalid", _("数值超出允许范围。"))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        field = getattr(exc, "field", None)
        return error_response(api, request, 404, "not_found", _("对象不存在。"),
                              {"field": field} if field else None)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", _("没有权限执行此操作。"))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "unauthenticated", _("请先登录或提供有效的接口令牌。"))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 422: "invalid", 429: "throttled"}
        return error_response(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))
