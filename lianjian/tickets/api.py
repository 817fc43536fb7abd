"""Street reports API, mounted at /api/v1/tickets.

Creating a report, resolving and reopening take multipart/form-data with ``photos`` files (a JSON
body is accepted too, but those steps need a photo). A step the report's status does not allow any
more (someone else was quicker) answers 409 ``state_changed``; ids are resolved through the
caller's scope (404 otherwise), a unit for dispatch among the community's active joint units.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.base import Id, document_schema
from lianjian.api.errors import ERROR_RESPONSES, UnknownId, resolve_id
from lianjian.core.paging import count_page
from lianjian.orgs.selectors import partner_unit_of

from . import lists_bridge, selectors, services
from .filters import filters_from_params
from .models import MAX_DESCRIPTION, MAX_PHOTOS, Category, Report

router = Router()
Answer = Annotated[str, Field(max_length=500)]


class TicketPhotoOut(Schema):
    kind: str
    public_url: str
    thumbnail_url: str


class TicketStepOut(Schema):
    step: str
    label: str
    actor: str
    at: dt.datetime
    note: str


class TicketReportOut(Schema):
    id: int
    status: str
    status_label: str
    category: str
    category_name: str
    community_id: int
    community: str
    description: str
    address: str
    lat: float | None
    lng: float | None
    occurred_at: dt.datetime
    created_at: dt.datetime
    deadline: dt.datetime | None
    is_overdue: bool
    escalated_at: dt.datetime | None
    unit_id: int | None
    responsible: str
    supporter_count: int
    need_id: int | None
    duplicate_of_id: int | None
    photos: list[TicketPhotoOut]


class TicketReportDetailOut(TicketReportOut):
    timeline: list[TicketStepOut]


class TicketReportPage(Schema):
    count: int
    page: int
    pages: int
    items: list[TicketReportOut]


class TicketCategoryOut(Schema):
    code: str
    name: str
    description: str
    response_hours: int
    duplicate_radius_m: int
    keywords: str
    group: str
    attributes: list[dict[str, Any]]
    is_active: bool


class TicketCategoryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=40)
    name_en: str | None = Field(None, max_length=60)
    description: str | None = Field(None, max_length=300)
    response_hours: int | None = Field(None, ge=1, le=720)
    duplicate_radius_m: int | None = Field(None, ge=10, le=5000)
    keywords: str | None = Field(None, max_length=200)
    group: str | None = Field(None, max_length=40)
    attributes: list[dict[str, Any]] | None = Field(None, max_length=20)
    is_active: bool | None = None


class TicketReportIn(Schema):
    community_id: Id
    category: str = Field(..., min_length=1, max_length=40, description="a category code (GET /tickets/categories)")
    description: str = Field(..., min_length=1, max_length=MAX_DESCRIPTION)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    occurred_at: dt.datetime | None = None
    attributes: dict[str, Answer] = Field(default_factory=dict, max_length=20,
                                       description="answers to the category's questions by code")


class TicketReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class TicketResolveIn(Schema):
    note: str = Field(..., min_length=1, max_length=500)


class TicketMergeIn(Schema):
    into_report_id: Id


class TicketDispatchIn(Schema):
    organisation_id: Id | None = Field(None, description="an active joint unit of the report's community")
    department: str = Field("", max_length=100, description="or a named department")


class TicketNeedIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    category_id: Id = Field(..., description="a category of the needs taxonomy")


class TicketCreatedNeedOut(Schema):
    need_id: int


class TicketSupportOut(Schema):
    added: bool
    supporter_count: int


def _report_out(report: Report, *, timeline: bool = False) -> dict[str, Any]:
    out = {
        "id": report.pk, "status": report.status, "status_label": report.get_status_display(),
        "category": report.category.code, "category_name": report.category.name,
        "community_id": report.community_id, "community": report.community.name,
        "description": report.description, "address": report.address, "lat": report.lat, "lng": report.lng,
        "occurred_at": report.occurred_at, "created_at": report.created_at, "deadline": report.deadline,
        "is_overdue": report.is_overdue, "escalated_at": report.escalated_at, "unit_id": report.unit_id,
        "responsible": report.responsible, "supporter_count": report.supporter_count, "need_id": report.need_id,
        "duplicate_of_id": report.duplicate_of_id,
        "photos": [{"kind": p.kind, "public_url": p.public_url, "thumbnail_url": p.thumbnail_url}
                   for p in report.photos.all()],
    }
    if timeline:
        out["timeline"] = [{"step": s.step, "label": s.get_step_display(), "actor": s.actor_label, "at": s.at,
                            "note": s.note} for s in selectors.timeline_of(report)]
    return out


def _payload(request: AuthenticatedHttpRequest, schema: type[Schema]) -> tuple[Any, list[Any]]:
    """A JSON body, or a multipart form with ``photos`` files, validated against *schema*."""
    files: list[Any] = []
    if (request.content_type or "").startswith("multipart/form-data"):
        data: Any = request.POST.dict()
        if "attributes" in data:
            try:
                data["attributes"] = json.loads(data["attributes"])
            except ValueError:
                raise HttpError(400, _("attributes 应为 JSON 对象。")) from None
        files = request.FILES.getlist("photos")
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, _("请求体不是有效的 JSON。")) from None
        if not isinstance(data, dict):
            raise HttpError(400, _("请求体应为 JSON 对象。"))
    try:
        return schema.model_validate(data), files
    except pydantic.ValidationError as exc:
        raise NinjaValidationError(
            [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()]) from None


def _body_doc(schema: type[Schema]) -> dict[str, Any]:
    document_schema(schema)
    ref = {"$ref": f"#/components/schemas/{schema.__name__}"}
    multipart = {"allOf": [ref, {"type": "object", "properties": {"photos": {
        "type": "array", "maxItems": MAX_PHOTOS, "items": {"type": "string", "format": "binary"}}}}]}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref},
                                                          "multipart/form-data": {"schema": multipart}}}}


def _step(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except services.StateConflict as exc:
        raise HttpError(409, exc.messages[0]) from None


def _get(request: AuthenticatedHttpRequest, report_id: int) -> Report:
    return selectors.report_get(user=request.user, pk=report_id)


# ---- categories -------------------------------------------------------------------------------
def _category_out(c: Category) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "description": c.description, "response_hours": c.response_hours,
            "duplicate_radius_m": c.duplicate_radius_m, "keywords": c.keywords, "group": c.group,
            "attributes": c.sorted_attributes(), "is_active": c.is_active}


@router.get("/categories", response=list[TicketCategoryOut], summary="Report categories with their questions")
def list_categories(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    return [_category_out(c) for c in selectors.categories(active_only=False)]


@router.patch("/categories/{code}", response={200: TicketCategoryOut, **ERROR_RESPONSES},
              summary="Change a category (region admins)")
def patch_category(request: AuthenticatedHttpRequest, code: str, payload: TicketCategoryPatch) -> dict[str, Any]:
    category = selectors.category_get(code, active_only=False)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _category_out(services.category_update(actor=request.user, category=category, data=data))


# ---- reports ----------------------------------------------------------------------------------
class TicketListFilter(Schema):
    status: str = Field("", max_length=12)
    category: str = Field("", max_length=40)
    community: int | None = Field(None, ge=1, le=2**53)
    overdue: bool = False
    assignee: str = Field("", max_length=12)
    page: int = Field(1, ge=1, le=100_000)


@router.get("/reports", response=TicketReportPage,
            summary="Staff: the reports of their communities (filters); everyone else: their own")
def list_reports(request: AuthenticatedHttpRequest, filters: Query[TicketListFilter]) -> dict[str, Any]:
    if get_scope(request.user).is_staff_like:
        params = {**filters.dict(), "overdue": "1" if filters.overdue else ""}
        qs = selectors.staff_reports(user=request.user, filters=filters_from_params(user=request.user, params=params))
    else:
        qs = selectors.my_reports(user=request.user)
    page = count_page(qs.prefetch_related("photos"), filters.page, 30)
    return {"count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "items": [_report_out(r) for r in page.object_list]}


@router.get("/inbox", response=list[TicketReportOut], summary="A liaison's reports to handle (done=true: handled)")
def list_inbox(request: AuthenticatedHttpRequest, done: bool = False) -> list[dict[str, Any]]:
    return [_report_out(r) for r in selectors.inbox(user=request.user, done=done)[:200]]


@router.get("/nearby", response=list[TicketReportOut], summary="Open reports of a category near a point (duplicates)")
def nearby(request: AuthenticatedHttpRequest, category: str = Query(..., max_length=40),
           lat: float = Query(..., ge=-90, le=90), lng: float = Query(..., ge=-180, le=180)) -> list[dict[str, Any]]:
    found = selectors.categories().filter(code=category).first()
    if found is None:
        raise ValidationError({"category": _("未知的类别。")})
    return [_report_out(r) for r in selectors.nearby_open(category=found, lat=lat, lng=lng)]


@router.post("/reports", response={201: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="Report a problem (multipart/form-data with 1–6 `photos`)",
             openapi_extra=_body_doc(TicketReportIn))
def create_report(request: AuthenticatedHttpRequest) -> Status:
    payload, photos = _payload(request, TicketReportIn)
    community = resolve_id("community_id", selectors.report_community, user=request.user, pk=payload.community_id)
    category = selectors.categories().filter(code=payload.category).first()
    if category is None:
        raise ValidationError({"category": _("未知的类别。")})
    report = services.report_create(
        actor=request.user, community=community, category=category, description=payload.description,
        photos=photos, lat=payload.lat, lng=payload.lng, address=payload.address, occurred_at=payload.occurred_at,
        attributes=payload.attributes)
    return Status(201, _report_out(selectors.report_get(user=request.user, pk=report.pk), timeline=True))


@router.get("/reports/{id:report_id}", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
            summary="One report with its timeline")
def get_report(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    return _report_out(_get(request, report_id), timeline=True)


@router.post("/reports/{id:report_id}/supporters", response={200: TicketSupportOut, **ERROR_RESPONSES},
             summary="我也遇到了: follow an open report instead of reporting it again")
def support(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    report = selectors.report_supportable(user=request.user, pk=report_id)
    added = services.support_add(actor=request.user, report=report)
    return {"added": added, "supporter_count": report.supporter_count}


def _done(request: AuthenticatedHttpRequest, report: Report) -> dict[str, Any]:
    return _report_out(selectors.report_get(user=request.user, pk=report.pk), timeline=True)


@router.post("/reports/{id:report_id}/accept", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="Staff: accept (verify) a new report")
def accept(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    report = _get(request, report_id)
    return _done(request, _step(services.accept, actor=request.user, report=report))


@router.post("/reports/{id:report_id}/reject", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="Staff: refuse a report with a reason")
def reject(request: AuthenticatedHttpRequest, report_id: int, payload: TicketReasonIn) -> dict[str, Any]:
    report = _get(request, report_id)
    return _done(request, _step(services.reject, actor=request.user, report=report, reason=payload.reason))


@router.post("/reports/{id:report_id}/merge", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="Staff: merge a duplicate into another report")
def merge(request: AuthenticatedHttpRequest, report_id: int, payload: TicketMergeIn) -> dict[str, Any]:
    report = _get(request, report_id)
    into = resolve_id("into_report_id", selectors.report_get, user=request.user, pk=payload.into_report_id)
    return _done(request, _step(services.merge, actor=request.user, report=report, into=into))


@router.post("/reports/{id:report_id}/dispatch", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="Staff: send to a joint unit of the community or a named department")
def dispatch(request: AuthenticatedHttpRequest, report_id: int, payload: TicketDispatchIn) -> dict[str, Any]:
    report = _get(request, report_id)
    unit = None
    if payload.organisation_id is not None:
        unit = resolve_id("organisation_id", partner_unit_of, community=report.community, pk=payload.organisation_id)
    if not services.may_triage(request.user, report):
        raise PermissionDenied
    return _done(request, _step(services.dispatch, actor=request.user, report=report, unit=unit,
                                department=payload.department))


@router.post("/reports/{id:report_id}/acknowledge", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="The unit's liaison acknowledges a dispatched report")
def acknowledge(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    report = _get(request, report_id)
    return _done(request, _step(services.acknowledge, actor=request.user, report=report))


@router.post("/reports/{id:report_id}/resolve", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="The unit resolves it (multipart/form-data with after-`photos`)",
             openapi_extra=_body_doc(TicketResolveIn))
def resolve(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    report = _get(request, report_id)
    payload, photos = _payload(request, TicketResolveIn)
    return _done(request, _step(services.resolve, actor=request.user, report=report, note=payload.note,
                                photos=photos))


@router.post("/reports/{id:report_id}/confirm", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="The reporter confirms it is fixed")
def confirm(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    report = _get(request, report_id)
    return _done(request, _step(services.confirm, actor=request.user, report=report))


@router.post("/reports/{id:report_id}/reopen", response={200: TicketReportDetailOut, **ERROR_RESPONSES},
             summary="The reporter reopens it (multipart/form-data with `photos`)",
             openapi_extra=_body_doc(TicketReasonIn))
def reopen(request: AuthenticatedHttpRequest, report_id: int) -> dict[str, Any]:
    report = _get(request, report_id)
    payload, photos = _payload(request, TicketReasonIn)
    return _done(request, _step(services.reopen, actor=request.user, report=report, reason=payload.reason,
                                photos=photos))


@router.post("/reports/{id:report_id}/need", response={201: TicketCreatedNeedOut, **ERROR_RESPONSES},
             summary="Staff: turn the report into a need of the service chain")
def to_need(request: AuthenticatedHttpRequest, report_id: int, payload: TicketNeedIn) -> Status:
    report = _get(request, report_id)
    category = lists_bridge.need_category(payload.category_id)
    if category is None:
        raise UnknownId("category_id")
    need = _step(services.to_need, actor=request.user, report=report, title=payload.title, category=category)
    return Status(201, {"need_id": need.pk})

