"""The NinjaAPI of lianjian: one OpenAPI contract for every operation, JSON for every unknown path.

- Every operation documents the error statuses any request can meet (400, 401, 403, 404, 409, 413,
  422, 429) with the one error body, so clients and schema checkers never see an undocumented status.
- Schemas that endpoints validate by hand (multipart bodies) are registered with
  :func:`document_schema` and land in ``components/schemas``, so every ``$ref`` resolves.
- Object ids in paths use the ``{id:name}`` converter (1–18 digits): anything else — a word, a
  negative number, a number past 64 bits — falls through to the JSON 404 of the catch-all route.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, get_args

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path, register_converter
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema

from lianjian.core import ranges

from .errors import ErrorOut, error_response

ERROR_STATUSES = {
    400: "Bad request (the body is not JSON, or not an object)",
    401: "Not authenticated",
    403: "Not allowed for this user",
    404: "Unknown id, or an object outside the caller's scope",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Invalid data (details name the fields)",
    429: "Too many requests",
}
MAX_ID = 2**63 - 1

_documented: list[type[Schema]] = []


class IdConverter:
    """A database id in a path: 1 to 18 digits (always fits a signed 64-bit integer)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(value)


register_converter(IdConverter, "id")


def document_schema(schema: type[Schema]) -> type[Schema]:
    """Put *schema* into the OpenAPI components (for bodies an endpoint parses itself)."""
    if schema not in _documented:
        _documented.append(schema)
    return schema


def _error_ref() -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}


class LianjianAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        extras: list[type[Schema]] = [ErrorOut, *_documented]
        for extra in extras:
            body = extra.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in body.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components.setdefault(extra.__name__, body)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": description, **_error_ref()})
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()

        @csrf_exempt  # nothing is changed here: any method on an unknown path is the JSON 404
        def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return error_response(self, request, 404, "not_found", _("对象不存在。"))

        urls.append(re_path(r"^[\s\S]*$", not_found, name="api-not-found"))
        return urls


# ---- bounded numbers for schemas (the same ranges as the models) ------------------------------
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="An object id")]
Year = Annotated[int, Field(ge=ranges.YEAR_MIN, le=ranges.YEAR_MAX)]
Quantity = Annotated[int, Field(ge=1, le=ranges.QUANTITY_MAX)]
People = Annotated[int, Field(ge=0, le=ranges.PEOPLE_MAX)]
# Decimal amounts are defined once, with their OpenAPI bounds, in limits.


def patch_values(payload: Schema, *, nullable: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a PATCH body sets. ``null`` empties a text field, clears a field listed in
    *nullable*, and is a 422 naming the field for anything else (a count, a category …)."""
    data = payload.dict(exclude_unset=True)
    errors: dict[str, list[str]] = {}
    for name, value in list(data.items()):
        if value is not None or name in nullable:
            continue
        if str in get_args(type(payload).model_fields[name].annotation):
            data[name] = ""
        else:
            errors[name] = [_("该项不能为空。")]
    if errors:
        raise ValidationError(errors)
    return data
