"""Projects API, mounted at /api/v1/projects.

Every endpoint reads through the scope-checked selectors and writes through one service.
Unknown and out-of-scope ids are 404; bad input is 422 with ``{"error": {...}}`` and writes
nothing. Progress and completion accept JSON, or multipart/form-data with ``photos`` files.
"""

import json
from typing import Any

import pydantic
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.auth import public_write_auth
from lianjian.api.base import document_schema, patch_values
from lianjian.api.errors import ERROR_RESPONSES, resolve_id
from lianjian.api.pagination import Pages, ShapedQuerySet
from lianjian.core.net import client_ip
from lianjian.lists.models import Category
from lianjian.lists.selectors import need_get
from lianjian.orgs.selectors import partner_unit_for, partner_unit_of

from . import selectors, services
from .api_schemas import (
    STATUSES,
    CancelIn,
    CompleteIn,
    MilestoneIn,
    MilestoneOut,
    ProgressIn,
    ProgressOut,
    ProjectDetailOut,
    ProjectFilter,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    RatingIn,
    RatingOut,
    RatingSummaryOut,
    StartIn,
)
from .devices import rating_device, remember_device
from .models import Project

router = Router()


def _photo_out(request: HttpRequest, photo: Any) -> dict[str, str]:
    return {
        "url": request.build_absolute_uri(photo.original_url),
        "public_url": request.build_absolute_uri(photo.public_url),
        "thumbnail_url": request.build_absolute_uri(photo.thumbnail_url),
        "caption": photo.caption,
    }


# ---- shaping ----------------------------------------------------------------------------------
def _out(request: HttpRequest, p: Project) -> dict[str, Any]:
    return {
        **{
            f: getattr(p, f)
            for f in (
                "id",
                "title",
                "year",
                "status",
                "community_id",
                "category_id",
                "lead_org_id",
                "need_id",
                "description",
                "plan",
                "budget",
                "material_value",
                "start_date",
                "end_date",
                "completed_on",
                "summary",
                "cancel_reason",
                "people_served",
                "volunteer_hours",
                "rating_count",
            )
        },
        "status_label": str(p.get_status_display()),
        "community_name": p.community.name,
        "category_name": p.category.name,
        "lead_org_name": p.lead_org.name,
        "rating_average": p.average_rating,
        "public_url": request.build_absolute_uri(p.get_public_url()),
    }


def _detail(request: HttpRequest, p: Project) -> dict[str, Any]:
    d = selectors.project_detail(project=p)
    return {
        **_out(request, p),
        "units": [
            {
                "organisation_id": u.organisation_id,
                "organisation_name": u.organisation.name,
                "role": u.role,
                "claim_id": u.claim_id,
            }
            for u in d.units
        ],
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "due_date": m.due_date,
                "done_on": m.done_on,
                "overdue": getattr(m, "is_overdue", False),
            }
            for m in d.milestones
        ],
        "progress": [
            {
                "id": u.id,
                "text": u.text,
                "happened_on": u.happened_on,
                "people_served": u.people_served,
                "volunteer_hours": u.volunteer_hours,
                "is_completion": u.is_completion,
                "organisation_name": u.organisation.name if u.organisation else None,
                "photos": [_photo_out(request, ph) for ph in u.photos.all()],
            }
            for u in d.updates
        ],
        "ratings": [{"stars": r.stars, "comment": r.comment, "created_at": r.created_at} for r in d.ratings],
    }


def _payload(request: HttpRequest, schema: type[Schema]) -> tuple[Any, list[Any]]:
    """Validate a JSON body or a multipart form (with ``photos`` files) against *schema*."""
    files: list[Any] = []
    if (request.content_type or "").startswith("multipart/form-data"):
        data: Any = request.POST.dict()
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
            [{"loc": ["body", *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()]
        ) from None


def _body_doc(schema: type[Schema]) -> dict[str, Any]:
    document_schema(schema)
    ref = {"$ref": f"#/components/schemas/{schema.__name__}"}
    multipart = {
        "allOf": [
            ref,
            {
                "type": "object",
                "properties": {"photos": {"type": "array", "maxItems": services.MAX_PHOTOS,
                                          "items": {"type": "string", "format": "binary"}}},
            },
        ]
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref}, "multipart/form-data": {"schema": multipart}},
        }
    }


def _get_for_change(request: HttpRequest, project_id: int) -> Project:
    return selectors.project_get(user=request.user, pk=project_id)


def _category(pk: int) -> Category:
    """Categories are one shared taxonomy: any active one may be used."""
    category = Category.objects.filter(pk=pk, is_active=True).first()
    if category is None:
        raise Http404
    return category


# ---- endpoints --------------------------------------------------------------------------------
@router.get("", response=list[ProjectOut], summary="Projects in the caller's scope (filtered, paginated)")
@paginate(Pages, page_size=50)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    community = None
    if filters.community_id:
        community = selectors.community_choices(user=request.user).filter(pk=filters.community_id).first()
        if community is None:
            raise Http404
    if filters.status and filters.status not in STATUSES:
        raise HttpError(422, _("未知的状态。"))
    qs = selectors.project_list(
        user=request.user,
        community=community,
        category=filters.category_id,
        status=filters.status,
        organisation=filters.unit_id,
        year=filters.year,
        q=filters.q,
    )
    return ShapedQuerySet(request, qs, _out)


@router.get(
    "/{id:project_id}",
    response={200: ProjectDetailOut, **ERROR_RESPONSES},
    summary="A project with units, milestones, progress and ratings",
)
def get_project(request: HttpRequest, project_id: int) -> dict[str, Any]:
    return _detail(request, selectors.project_get(user=request.user, pk=project_id))


@router.post(
    "",
    response={201: ProjectDetailOut, **ERROR_RESPONSES},
    summary="Start a project that did not come from a need (staff, or the lead unit's liaison)",
)
def create_project(request: AuthenticatedHttpRequest, payload: ProjectIn) -> Status:
    data = payload.dict()
    community = selectors.community_choices(user=request.user).filter(pk=data.pop("community_id")).first()
    if community is None:
        raise Http404
    category = resolve_id("category_id", _category, data.pop("category_id"))
    # The lead is a joint unit the caller acts for; partners are active joint units of the community.
    lead_org = resolve_id("lead_org_id", partner_unit_for, user=request.user, community=community,
                          pk=data.pop("lead_org_id"))
    partners = [resolve_id("partner_ids", partner_unit_of, community=community, pk=pk)
                for pk in dict.fromkeys(data.pop("partner_ids"))]
    project = services.project_create(
        actor=request.user,
        community=community,
        category=category,
        lead_org=lead_org,
        partners=partners,
        **data,
    )
    return Status(201, _detail(request, selectors.project_get(user=request.user, pk=project.pk)))


@router.post(
    "/from-need/{id:need_id}",
    response={201: ProjectDetailOut, **ERROR_RESPONSES},
    summary="Turn a need's confirmed claims into its project (or add late claims to it)",
)
def create_from_need(request: AuthenticatedHttpRequest, need_id: int) -> Status:
    need = need_get(user=request.user, pk=need_id)
    if not get_scope(request.user).covers_region(need.community):
        raise Http404
    project = services.project_create_from_claims(actor=request.user, need=need)
    return Status(201, _detail(request, selectors.project_get(user=request.user, pk=project.pk)))


@router.patch(
    "/{id:project_id}",
    response={200: ProjectDetailOut, **ERROR_RESPONSES},
    summary="Change plan, budget, material value, dates or wording",
)
def update_project(request: AuthenticatedHttpRequest, project_id: int, payload: ProjectPatch) -> dict[str, Any]:
    project = _get_for_change(request, project_id)
    project = services.project_update(actor=request.user, project=project,
                                      **patch_values(payload, nullable=("start_date", "end_date")))
    return _detail(request, selectors.project_get(user=request.user, pk=project.pk))


@router.post(
    "/{id:project_id}/progress",
    response={201: ProgressOut, **ERROR_RESPONSES},
    summary="Report progress (JSON, or multipart/form-data with `photos` files)",
    openapi_extra=_body_doc(ProgressIn),
)
def add_progress(request: AuthenticatedHttpRequest, project_id: int) -> Status:
    project = _get_for_change(request, project_id)
    payload, photos = _payload(request, ProgressIn)
    update = services.progress_add(actor=request.user, project=project, photos=photos, **payload.dict())
    return Status(
        201,
        {
            "id": update.id,
            "text": update.text,
            "happened_on": update.happened_on,
            "people_served": update.people_served,
            "volunteer_hours": update.volunteer_hours,
            "is_completion": update.is_completion,
            "organisation_name": update.organisation.name if update.organisation else None,
            "photos": [_photo_out(request, ph) for ph in update.photos.all()],
        },
    )


@router.post("/{id:project_id}/start", response={200: ProjectOut, **ERROR_RESPONSES}, summary="Planned → in progress")
def start_project(request: AuthenticatedHttpRequest, project_id: int, payload: StartIn) -> dict[str, Any]:
    project = services.project_start(
        actor=request.user, project=_get_for_change(request, project_id), start_date=payload.start_date
    )
    return _out(request, project)


@router.post(
    "/{id:project_id}/complete",
    response={200: ProjectDetailOut, **ERROR_RESPONSES},
    summary="Complete with a summary and evidence photos (multipart), or after a completion "
    "progress report with photos (JSON)",
    openapi_extra=_body_doc(CompleteIn),
)
def complete_project(request: AuthenticatedHttpRequest, project_id: int) -> dict[str, Any]:
    project = _get_for_change(request, project_id)
    payload, photos = _payload(request, CompleteIn)
    services.project_complete(actor=request.user, project=project, photos=photos, **payload.dict())
    return _detail(request, selectors.project_get(user=request.user, pk=project_id))


@router.post(
    "/{id:project_id}/cancel",
    response={200: ProjectOut, **ERROR_RESPONSES},
    summary="Cancel an open project with a reason (community staff)",
)
def cancel_project(request: AuthenticatedHttpRequest, project_id: int, payload: CancelIn) -> dict[str, Any]:
    project = services.project_cancel(
        actor=request.user, project=_get_for_change(request, project_id), reason=payload.reason
    )
    return _out(request, project)


@router.post("/{id:project_id}/milestones", response={201: MilestoneOut, **ERROR_RESPONSES}, summary="Add a milestone")
def add_milestone(request: AuthenticatedHttpRequest, project_id: int, payload: MilestoneIn) -> Status:
    m = services.milestone_add(actor=request.user, project=_get_for_change(request, project_id), **payload.dict())
    return Status(201, {"id": m.id, "title": m.title, "due_date": m.due_date, "done_on": m.done_on, "overdue": False})


@router.post(
    "/milestones/{id:milestone_id}/done",
    response={200: MilestoneOut, **ERROR_RESPONSES},
    summary="Mark a milestone reached",
)
def done_milestone(request: AuthenticatedHttpRequest, milestone_id: int) -> dict[str, Any]:
    m = selectors.milestone_for(request.user, milestone_id, change=True)
    m = services.milestone_done(actor=request.user, milestone=m)
    return {"id": m.id, "title": m.title, "due_date": m.due_date, "done_on": m.done_on, "overdue": False}


@router.get(
    "/{id:project_id}/ratings",
    response={200: list[RatingOut], **ERROR_RESPONSES},
    summary="Residents' ratings of a project",
)
def list_ratings(request: HttpRequest, project_id: int) -> list[Any]:
    project = selectors.project_get(user=request.user, pk=project_id)
    return list(project.ratings.values("stars", "comment", "created_at")[:200])


@router.post(
    "/ratings/{token}",
    auth=public_write_auth,
    response={201: RatingSummaryOut, **ERROR_RESPONSES},
    summary="Public: rate a completed project by its public token (no login; one per device)",
    description="Without a bearer token the CSRF token is required (`X-CSRFToken` header and the "
    "`csrftoken` cookie). The device is identified by a signed cookie the server sets; the "
    "`device_id` field is ignored. One address may rate one project a limited number of times a day.",
)
def rate_project(request: HttpRequest, response: HttpResponse, token: str, payload: RatingIn) -> Status:
    project = selectors.project_by_token(token=token)
    device_id, new_device = rating_device(request)
    services.rating_add(
        project=project,
        stars=payload.stars,
        comment=payload.comment,
        device_hash=services.device_hash_for(device_id),
        rater=getattr(request, "user", None),
        ip=client_ip(request),
    )
    if new_device:
        remember_device(request, response, device_id)
    project.refresh_from_db(fields=["rating_count", "rating_sum"])
    return Status(
        201,
        {
            "project_id": project.pk,
            "title": project.title,
            "rating_count": project.rating_count,
            "rating_average": project.average_rating,
        },
    )
