"""Pages of the needs and resources lists. Views parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.images import serve_photo
from lianjian.core.paging import count_page
from lianjian.core.text import error_text

from . import selectors, services
from .forms import (
    ClaimForm,
    NeedFilterForm,
    NeedForm,
    ReasonForm,
    ResidentNeedForm,
    ResourceFilterForm,
    ResourceForm,
)
from .models import ClaimStatus, NeedStatus, ResourceStatus

PAGE_SIZE = 20


def _next(request: HttpRequest, default: str) -> str:
    """The ``next`` target of a form if it stays on this site, else *default*."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _fast_page(qs: Any, number: Any) -> Any:
    """A page of *qs* whose count runs without the select_related joins (cached when large)."""
    return count_page(qs, number, PAGE_SIZE)


# ---- needs -----------------------------------------------------------------------------------

@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    """The community's needs list (需求清单), filtered and paginated."""
    form = NeedFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    community = filters.get("community")
    if community is None and not request.GET.get("community"):
        # A person who runs or serves exactly one community lands on its list.
        communities = list(form.communities[:2])
        if len(communities) == 1:
            community = communities[0]
    qs = selectors.need_list(user=request.user, community=community, category=filters.get("category"),
                             status=filters.get("status") or "", year=filters.get("year"),
                             q=(filters.get("q") or "").strip())
    page = _fast_page(qs, request.GET.get("page"))
    return render(request, "lists/need_list.html", {"form": form, "page": page, "community": community})


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The trace page: the need, its claims, coverage, projects and every step so far."""
    need = selectors.need_get(user=request.user, pk=pk)
    scope = get_scope(request.user)
    if _requester_only(scope, need):
        # The person who posted it follows it on their own page (no staff names, no claim forms).
        return redirect("lists:need_mine_detail", pk=need.pk)
    claims = list(selectors.need_claims(need=need))
    is_staff = scope.covers_region(need.community)
    claim_form = None
    if need.is_claimable and (is_staff or scope.org_ids):
        form = ClaimForm(user=request.user, need=need, staff=is_staff)
        if form.organisations.exists():
            claim_form = form
    return render(request, "lists/need_detail.html", {
        "need": need, "claims": claims, "is_staff": is_staff, "claim_form": claim_form,
        "can_edit": scope.can_change(need) and need.status != NeedStatus.CLOSED,
        "show_phone": scope.can_change(need),
        "my_org_ids": scope.org_ids, "projects": selectors.need_projects(need=need),
        "photos": list(need.photos.all()), "groups": list(need.beneficiary_groups.all()),
        "timeline": selectors.need_timeline(need=need, claims=claims), "reason_form": ReasonForm(),
    })


def _requester_only(scope: Any, need: Any) -> bool:
    """True when the viewer relates to *need* only as the person who posted it."""
    return (need.requester_id == getattr(scope.user, "pk", None) and not scope.covers_region(need.community)
            and not (need.requester_org_id and need.requester_org_id in scope.org_ids))


@login_required
def need_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if scope.is_self_service and not (scope.is_staff_like or scope.is_liaison):
        # Residents, riders and volunteers post in the short form, for their own community.
        return redirect("lists:need_post")
    form = NeedForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        try:
            need = services.need_create(actor=request.user, photos=[photo] if photo else [], **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("需求已提交，等待社区审核。"))
            return redirect(need)
    return render(request, "lists/need_form.html", {"form": form, "need": None})


@login_required
def need_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_for(request.user, pk, change=True)
    scope = get_scope(request.user)
    form_class = ResidentNeedForm if _requester_only(scope, need) else NeedForm
    form = form_class(request.POST or None, request.FILES or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.changed_data if f not in ("photo",
                                                                                "beneficiary_groups")}
        changed_groups = "beneficiary_groups" in form.changed_data
        groups = form.cleaned_data["beneficiary_groups"] if changed_groups else None
        # The form already wrote into the instance; hand the service a fresh copy.
        fresh = selectors.need_get(user=request.user, pk=pk)
        try:
            need = services.need_update(actor=request.user, need=fresh, beneficiary_groups=groups, **data)
            if form.cleaned_data.get("photo"):
                services.need_add_photo(actor=request.user, need=need, image=form.cleaned_data["photo"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("需求已保存。"))
            return redirect(need)
    if form_class is ResidentNeedForm:
        return render(request, "lists/resident/post.html", {"form": form, "need": need, "community": need.community})
    return render(request, "lists/need_form.html", {"form": form, "need": need})


@login_required
@require_POST
def need_review(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Publish, return (with a reason) or close a need."""
    need = selectors.need_get(user=request.user, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    try:
        if action == "publish":
            services.need_publish(actor=request.user, need=need, note=reason)
            messages.success(request, _("需求已发布。"))
        elif action == "return":
            services.need_return(actor=request.user, need=need, reason=reason)
            messages.success(request, _("需求已退回。"))
        else:
            services.need_close(actor=request.user, need=need, reason=reason)
            messages.success(request, _("需求已关闭。"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(_next(request, need.get_absolute_url()))


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied
    queue = selectors.review_queue(user=request.user)
    return render(request, "lists/review.html", {"needs": queue["needs"][:100],
                                                 "claims": queue["claims"][:100],
                                                 "reason_form": ReasonForm()})


# ---- claims ----------------------------------------------------------------------------------

@login_required
def claim_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get(user=request.user, pk=pk)
    scope = get_scope(request.user)
    staff = scope.covers_region(need.community)
    if not (staff or scope.org_ids):
        raise PermissionDenied
    form = ClaimForm(request.POST or None, user=request.user, need=need, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.claim_create(actor=request.user, need=need, organisation=data["organisation"],
                                  resource=data.get("resource"), quantity=data["quantity"], role=data["role"],
                                  note=data.get("note") or "", channel="web")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("认领已提交，等待社区确认。"))
            return redirect(need)
    return render(request, "lists/claim_form.html", {"form": form, "need": need})


@login_required
@require_POST
def claim_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, decline or withdraw a claim."""
    claim = selectors.claim_get(user=request.user, pk=pk)
    reason = (request.POST.get("reason") or "").strip()
    try:
        if action == "confirm":
            services.claim_confirm(actor=request.user, claim=claim)
            messages.success(request, _("认领已确认。"))
        elif action == "decline":
            services.claim_decline(actor=request.user, claim=claim, reason=reason)
            messages.success(request, _("已标记为未通过。"))
        else:
            services.claim_withdraw(actor=request.user, claim=claim, reason=reason)
            messages.success(request, _("认领已撤回。"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(_next(request, claim.get_absolute_url()))


# ---- resources -------------------------------------------------------------------------------

@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.is_staff_like or scope.is_liaison):
        raise PermissionDenied
    form = ResourceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.resource_list(user=request.user, category=filters.get("category"),
                                 status=filters.get("status") or "", q=(filters.get("q") or "").strip())
    page = _fast_page(qs, request.GET.get("page"))
    return render(request, "lists/resource_list.html", {"form": form, "page": page})


@login_required
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(user=request.user, pk=pk)
    scope = get_scope(request.user)
    can_change = scope.can_change(resource)

    return render(request, "lists/resource_detail.html", {
        "resource": resource, "can_change": can_change,
        "claims": selectors.resource_claims(resource=resource)[:50],
        "activities": activity_for(user=request.user, obj=resource), "statuses": ResourceStatus,
    })


@login_required
def resource_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.is_staff_like or scope.is_liaison):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not data.get("communities"):
            data["communities"] = None
        try:
            resource = services.resource_create(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("资源已发布。"))
            return redirect(resource)
    return render(request, "lists/resource_form.html", {"form": form, "resource": None})


@login_required
def resource_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for(request.user, pk, change=True)
    form = ResourceForm(request.POST or None, instance=resource, user=request.user)
    if request.method == "POST" and form.is_valid():
        m2m = {"beneficiary_groups", "communities"}
        data = {f: form.cleaned_data[f] for f in form.changed_data if f not in m2m}
        extra = {f: form.cleaned_data[f] for f in form.changed_data if f in m2m}
        fresh = selectors.resource_get(user=request.user, pk=pk)
        try:
            resource = services.resource_update(actor=request.user, resource=fresh, **extra, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("资源已保存。"))
            return redirect(resource)
    return render(request, "lists/resource_form.html", {"form": form, "resource": resource})


@login_required
@require_POST
def resource_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get(user=request.user, pk=pk)
    try:
        services.resource_set_status(actor=request.user, resource=resource, status=request.POST.get("status",
                                                                                                    ""),
                                     reason=(request.POST.get("reason") or "").strip())
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("资源状态已更新。"))
    return redirect(resource)


# ---- my unit ---------------------------------------------------------------------------------

@login_required
def my_unit(request: HttpRequest) -> HttpResponse:
    """A liaison's desk: their units' claims and resources."""
    units = list(selectors.my_units(user=request.user))
    if not units:
        raise PermissionDenied
    sections = []
    for org in units:
        sections.append({
            "org": org,
            "claims": list(selectors.claims_of_organisation(request.user, org)[:50]),
            "resources": list(selectors.resource_list(user=request.user, organisation=org)[:50]),
        })
    return render(request, "lists/my_unit.html", {"sections": sections, "pending": ClaimStatus.PENDING})


@require_safe
def need_photo(request: HttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """A need photo: ``original`` (private), ``public`` (≤ 1600 px, no EXIF) or ``thumbnail``."""
    return serve_photo(request, getter=selectors.need_photo_get, pk=pk, variant=variant)
