"""Project pages: the community project list, a project's page and its forms, the QR code."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.images import serve_photo
from lianjian.core.paging import count_page
from lianjian.core.qr import QRFormat, qr_response
from lianjian.lists.models import Need

from . import selectors, services
from .forms import (
    CancelForm,
    CompleteForm,
    MilestoneForm,
    ProgressForm,
    ProjectEditForm,
    ProjectFilterForm,
    ProjectForm,
)
from .models import Project
from .rules import project_abilities

PAGE_SIZE = 20


def _form_error(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        form.add_error(None, exc)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """A community's projects (项目清单), filtered by category, status, unit and year; paginated."""
    # One query reads every community on offer (id, name, code); the chosen one is among them.
    communities = list(selectors.community_choices(user=request.user).only("id", "name", "code"))
    if not communities:
        raise PermissionDenied
    wanted = request.GET.get("community")
    community = next((c for c in communities if str(c.pk) == wanted), None) if wanted else communities[0]
    if community is None:
        raise Http404
    form = ProjectFilterForm(
        request.GET or None,
        communities=[(c.pk, c.name) for c in communities],
        units=selectors.unit_choices(community=community),
        categories=selectors.category_choices(),
        initial={"community": community.pk},
    )
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.project_list(
        user=request.user,
        community=community,
        category=filters.get("category"),
        status=filters.get("status") or "",
        organisation=filters.get("unit"),
        year=filters.get("year"),
        q=filters.get("q") or "",
    )
    page = count_page(qs, request.GET.get("page"), PAGE_SIZE)
    scope = get_scope(request.user)
    return render(
        request,
        "projects/list.html",
        {
            "form": form,
            "page": page,
            "community": community,
            "can_create": scope.covers_region(community) or scope.is_liaison,
        },
    )


@login_required
def project_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    communities = selectors.community_choices(user=request.user)
    community = communities.filter(pk=request.GET.get("community") or 0).first() or communities.first()
    if community is None:
        raise PermissionDenied
    scope = get_scope(request.user)
    units = selectors.community_units(community=community)
    if not scope.covers_region(community):
        units = units.filter(pk__in=scope.org_ids)
    form = ProjectForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, community=community, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("项目已创建。"))
            return redirect(project)
    return render(
        request,
        "projects/form.html",
        {"form": form, "community": community, "title": _("新建项目"), "project": None},
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    detail = selectors.project_detail(project=project)
    perms = project_abilities(request.user, project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "d": detail,
            **perms,
            "public_url": request.build_absolute_uri(project.get_public_url()),
            "activities": activity_for(user=request.user, obj=project),
        },
    )


@login_required
def project_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    if not project_abilities(request.user, project)["can_edit"]:
        raise PermissionDenied
    form = ProjectEditForm(request.POST or None, initial={f: getattr(project, f) for f in ProjectEditForm.base_fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("项目计划已保存。"))
            return redirect(project)
    return render(request, "projects/form.html", {"form": form, "project": project, "title": _("编辑计划")})


def _action_form(
    request: HttpRequest,
    pk: int,
    *,
    form_class: Any,
    permission: str,
    template_title: str,
    call: Any,
    done: str,
    multipart: bool = False,
) -> HttpResponse:
    """Shared shape of the small forms on a project: check, validate, call one service, redirect."""
    project = selectors.project_get(user=request.user, pk=pk)
    if not project_abilities(request.user, project)[permission]:
        raise PermissionDenied
    form = form_class(request.POST or None, request.FILES or None) if multipart else form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(project, form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(project)
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "title": template_title, "multipart": multipart},
        status=200,
    )


@login_required
def progress_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action_form(
        request,
        pk,
        form_class=ProgressForm,
        permission="can_report",
        template_title=_("填报进展"),
        multipart=True,
        done=_("进展已提交。"),
        call=lambda p, data: services.progress_add(actor=request.user, project=p, **data),
    )


@login_required
def project_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def call(p: Project, data: dict[str, Any]) -> Any:
        return services.project_complete(
            actor=request.user,
            project=p,
            summary=data["summary"],
            completed_on=data["completed_on"],
            photos=data["photos"],
            people_served=data.get("people_served") or 0,
            volunteer_hours=data.get("volunteer_hours") or 0,
        )

    return _action_form(
        request,
        pk,
        form_class=CompleteForm,
        permission="can_manage",
        multipart=True,
        template_title=pgettext("action", "完成项目"),
        done=_("项目已完成，可以请居民扫码评价了。"),
        call=call,
    )


@login_required
def project_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action_form(
        request,
        pk,
        form_class=CancelForm,
        permission="can_cancel",
        template_title=_("取消项目"),
        done=_("项目已取消。"),
        call=lambda p, data: services.project_cancel(actor=request.user, project=p, reason=data["reason"]),
    )


@login_required
def milestone_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _action_form(
        request,
        pk,
        form_class=MilestoneForm,
        permission="can_manage",
        template_title=_("添加节点"),
        done=_("节点已添加。"),
        call=lambda p, data: services.milestone_add(actor=request.user, project=p, **data),
    )


@login_required
@require_POST
def milestone_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    if not project_abilities(request.user, milestone.project)["can_report"]:
        raise PermissionDenied
    services.milestone_done(actor=request.user, milestone=milestone)
    messages.success(request, _("节点已完成。"))
    return redirect(milestone.project)


@login_required
@require_POST
def project_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    if not project_abilities(request.user, project)["can_manage"]:
        raise PermissionDenied
    try:
        services.project_start(actor=request.user, project=project)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("项目已开始实施。"))
    return redirect(project)


@login_required
@require_POST
def project_from_need(request: AuthenticatedHttpRequest, need_pk: int) -> HttpResponse:
    """Staff turn a need's confirmed claims into its project (or add late claims to it)."""
    need = Need.objects.select_related("community").filter(pk=need_pk).first()
    if need is None or not get_scope(request.user).covers_region(need.community):
        raise Http404
    try:
        project = services.project_create_from_claims(actor=request.user, need=need)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(need)
    messages.success(request, _("已根据认领生成项目。"))
    return redirect(project)


@login_required
def project_qr(request: HttpRequest, pk: int, fmt: QRFormat) -> HttpResponse:
    """The QR code of the public rating link, for staff to print (SVG or PNG)."""
    project = selectors.project_get(user=request.user, pk=pk)
    return qr_response(request.build_absolute_uri(project.get_public_url()), fmt=fmt, title=project.title,
                       filename=f"project-{project.pk}-qr", download=bool(request.GET.get("download")))


@require_safe
def photo(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """A progress photo: ``original`` (private), ``public`` (≤ 1600 px, no EXIF) or ``thumbnail``."""
    return serve_photo(request, getter=selectors.photo_get, pk=pk, variant=variant)
