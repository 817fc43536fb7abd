"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests (GET and
POST), one request, tokens — JSON and XML for each, errors as the spec's arrays.

* ``jurisdiction_id`` is a community's region code; a POST without it goes to the reporter's
  home community. A POST needs ``api_key`` = a personal API token (403 without a valid one).
* Statuses map to ``open`` (new … reopened) and ``closed`` (resolved, confirmed, merged);
  refused reports are not published. ``expected_datetime`` is the dispatch deadline,
  ``agency_responsible`` the unit or department it was dispatched to, ``media_url`` the public
  copy of the first photo (EXIF and location removed).
* Requests are throttled per client address (and per key for POST): 429 with an error array.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from lianjian.accounts.permissions import get_scope
from lianjian.accounts.services import api_token_authenticate
from lianjian.core.net import client_ip
from lianjian.regions.models import Region

from . import selectors, services
from .models import MAX_DESCRIPTION, OPEN_STATUSES, Category, Report, Status
from .open311_format import errors, respond, w3c

DEFAULT_DAYS = 90
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MAX_IDS = 100
CHANGESET = "2026-11-30T00:00:00+08:00"
GET_PER_MINUTE = 300
POST_PER_MINUTE = 20


def _throttled(request: HttpRequest, kind: str, limit: int, extra: str = "") -> bool:
    key = f"open311:{kind}:{client_ip(request)}:{extra}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 60)
        count = 1
    return count > limit


def _service(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "service_name": category.name, "description": category.description,
            "metadata": category.has_metadata, "type": "realtime", "keywords": category.keywords,
            "group": category.group}


def _attribute(question: dict[str, Any]) -> dict[str, Any]:
    return {"variable": True, "code": question["code"], "datatype": question["datatype"],
            "required": bool(question["required"]), "datatype_description": question.get("datatype_description", ""),
            "order": int(question.get("order", 0)), "description": question["description"],
            "values": [{"key": v["key"], "name": v["name"]} for v in question.get("values", [])]}


STATUS_LABELS = dict(Status.choices)


def _status_notes(row: dict[str, Any]) -> str:
    if row["status"] == Status.MERGED and row["duplicate_of_id"]:
        return f"合并到 #{row['duplicate_of_id']}"
    if row["status"] in (Status.RESOLVED, Status.CONFIRMED):
        return str(row["resolution_note"])
    return str(STATUS_LABELS.get(row["status"], ""))


def _request_out(row: dict[str, Any], media: str) -> dict[str, Any]:
    """One request; *media* is the absolute URL of photo 0's public copy (``0`` is replaced by the id)."""
    return {
        "service_request_id": str(row["pk"]),
        "status": "open" if row["status"] in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(row),
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["description"],
        "agency_responsible": row["unit__name"] or row["department"],
        "service_notice": "",
        "requested_datetime": w3c(row["created_at"]),
        "updated_datetime": w3c(row["updated_at"]),
        "expected_datetime": w3c(row["deadline"]),
        "address": row["address"],
        "lat": row["lat"],
        "long": row["lng"],
        "media_url": media.replace("/photos/0/", f"/photos/{row['photo_id']}/", 1) if row["photo_id"] else "",
    }


def _requests_out(request: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    media = request.build_absolute_uri(reverse("tickets:photo", args=[0, "public"]))
    return [_request_out(row, media) for row in rows]


# ---- discovery and services -------------------------------------------------------------------
@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:index"))
    return respond(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": getattr(settings, "DEFAULT_FROM_EMAIL", "") or "",
        "key_service": request.build_absolute_uri(reverse("accounts:tokens")) if _has_tokens_page() else "",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


def _has_tokens_page() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("accounts:tokens")
    except NoReverseMatch:
        return False
    return True


@require_GET
def discovery_default(request: HttpRequest) -> HttpResponse:
    return discovery(request, "json")


@require_GET
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if _throttled(request, "get", GET_PER_MINUTE):
        return errors(fmt, 429, "Too many requests; try again in a minute.")
    return respond(fmt, "services", [_service(c) for c in selectors.categories()])


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = selectors.categories().filter(code=code).first()
    if category is None:
        return errors(fmt, 404, "service_code not found")
    return respond(fmt, "service_definition", {
        "service_code": category.code, "attributes": [_attribute(q) for q in category.sorted_attributes()]})


# ---- requests ---------------------------------------------------------------------------------
def _when(value: str) -> dt.datetime | None:
    moment = parse_datetime(value.strip().replace(" ", "+"))
    if moment is None:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    if _throttled(request, "get", GET_PER_MINUTE):
        return errors(fmt, 429, "Too many requests; try again in a minute.")
    params = request.GET
    ids: list[int] = []
    if params.get("service_request_id"):
        raw = _list(params["service_request_id"])
        if len(raw) > MAX_IDS or not all(v.isdigit() and len(v) < 19 for v in raw):
            return errors(fmt, 400, f"service_request_id must be up to {MAX_IDS} comma-separated numbers")
        ids = [int(v) for v in raw]
        # A list of ids overrides every other argument (GeoReport v2).
        return respond(fmt, "service_requests", _requests_out(request, selectors.open311_requests(ids=ids,
                                                                                                  limit=MAX_IDS)))
    codes = _list(params.get("service_code", ""))
    categories = list(Category.objects.filter(code__in=codes)) if codes else []
    if codes and len(categories) != len(set(codes)):
        return errors(fmt, 400, "service_code not found")
    statuses = set(_list(params.get("status", "")))
    if statuses - {"open", "closed"}:
        return errors(fmt, 400, "status must be open or closed")
    try:
        start = _when(params["start_date"]) if params.get("start_date") else None
        end = _when(params["end_date"]) if params.get("end_date") else None
    except (ValueError, OverflowError):
        return errors(fmt, 400, "start_date and end_date must be W3C datetimes, e.g. 2026-11-30T10:00:00+08:00")
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
    elif start is None and end is not None:
        start = end - dt.timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and end < start:
        return errors(fmt, 400, "end_date is before start_date")
    try:
        size = min(max(int(params.get("page_size", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except ValueError:
        return errors(fmt, 400, "page_size must be a number")
    status = next(iter(statuses)) if len(statuses) == 1 else ""
    rows: list[dict[str, Any]] = []
    for category in categories or [None]:  # type: ignore[list-item]
        rows += selectors.open311_requests(category=category, status=status, start=start, end=end, limit=size)
    rows = sorted(rows, key=lambda r: (r["created_at"], r["pk"]), reverse=True)[:size]
    return respond(fmt, "service_requests", _requests_out(request, rows))


def _community(request: HttpRequest, user: Any) -> Region | None:
    code = (request.POST.get("jurisdiction_id") or "").strip()
    if code:
        return Region.objects.communities().filter(code=code[:20]).first()
    return get_scope(user).home_community


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = (request.POST.get("api_key") or "").strip()
    if _throttled(request, "post", POST_PER_MINUTE, key[:16]):
        return errors(fmt, 429, "Too many requests; try again in a minute.")
    if not key:
        return errors(fmt, 403, "api_key was not provided")
    user = api_token_authenticate(key[:200])
    if user is None:
        return errors(fmt, 403, "api_key is not valid")
    code = (request.POST.get("service_code") or "").strip()
    if not code:
        return errors(fmt, 400, "service_code was not provided")
    category = selectors.categories().filter(code=code[:40]).first()
    if category is None:
        return errors(fmt, 404, "service_code not found")
    if request.POST.get("jurisdiction_id") and _community(request, user) is None:
        return errors(fmt, 404, "jurisdiction_id not found")
    community = _community(request, user)
    if community is None:
        return errors(fmt, 400, "jurisdiction_id was not provided (the account has no home community)")
    lat_raw, lng_raw = request.POST.get("lat", "").strip(), request.POST.get("long", "").strip()
    address = (request.POST.get("address_string") or "").strip()
    lat = lng = None
    if lat_raw or lng_raw:
        try:
            lat, lng = float(lat_raw), float(lng_raw)
        except ValueError:
            return errors(fmt, 400, "lat and long must both be numbers")
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return errors(fmt, 400, "lat must be within -90..90 and long within -180..180")
    elif not address:
        return errors(fmt, 400, "lat and long, or address_string, are required")
    if len(address) > 200:
        return errors(fmt, 400, "address_string is longer than 200 characters")
    description = request.POST.get("description") or ""
    if len(description) > MAX_DESCRIPTION:
        return errors(fmt, 400, f"description is longer than {MAX_DESCRIPTION} characters")
    answers: dict[str, Any] = {}
    for name in request.POST:
        if name.startswith("attribute[") and name.endswith("]"):
            values = request.POST.getlist(name)
            answers[name[10:-1]] = values if len(values) > 1 else values[0]
    missing = [q["code"] for q in category.sorted_attributes() if q["required"] and not answers.get(q["code"])]
    if missing:
        return errors(fmt, 400, *[f"attribute[{m}] is required" for m in missing])
    try:
        report = services.report_create(
            actor=user, community=community, category=category, description=description or category.name,
            photos=request.FILES.getlist("media")[:6], lat=lat, lng=lng, address=address, attributes=answers,
            require_photo=False)
    except PermissionDenied:
        return errors(fmt, 403, "the account may not report here")
    except ValidationError as exc:
        return errors(fmt, 400, *exc.messages)
    return respond(fmt, "service_requests", [{"service_request_id": str(report.pk), "service_notice": "",
                                              "account_id": str(user.pk)}])


@require_GET
def request_one(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    if _throttled(request, "get", GET_PER_MINUTE):
        return errors(fmt, 429, "Too many requests; try again in a minute.")
    rows = selectors.open311_requests(ids=[int(pk)], limit=1) if pk.isdigit() and len(pk) < 19 else []
    if not rows:
        return errors(fmt, 404, "service_request_id not found")
    return respond(fmt, "service_requests", _requests_out(request, rows))


@require_GET
def token_view(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    report = Report.objects.exclude(status=Status.REJECTED).filter(token=token[:20]).only("pk", "token").first()
    if report is None:
        return errors(fmt, 404, "token not found")
    return respond(fmt, "service_requests", [{"service_request_id": str(report.pk), "token": report.token}])
