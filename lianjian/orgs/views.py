from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.accounts.selectors import activity_for
from lianjian.core.pages import page_context

from . import selectors, services
from .forms import OrganisationFilterForm, OrganisationForm
from .models import LiaisonChange


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request.user)
    if not (scope.is_staff_like or scope.is_liaison):
        raise PermissionDenied
    form = OrganisationFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.organisation_list(user=request.user, kind=filters.get("kind") or "",
                                     q=filters.get("q") or "", partner_of=filters.get("community"))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "orgs/list.html", {"form": form, "page": page})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, pk=pk)
    scope = get_scope(request.user)
    partnerships = selectors.partnerships_of_organisation(user=request.user, organisation=org)
    history = LiaisonChange.objects.filter(partnership__in=partnerships).select_related(
        "partnership__community", "previous", "new", "changed_by")[:20]
    return render(request, "orgs/detail.html", {
        "org": org, "partnerships": partnerships, "history": history,
        "can_change": scope.can_change(org), "activities": activity_for(user=request.user, obj=org),
        # The unit's projects and their figures come from the projects app.
        **page_context("orgs:detail", request, org),
    })


@login_required
def organisation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_for(request.user, pk, change=True)
    form = OrganisationForm(request.POST or None, instance=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.changed_data}
        try:
            services.organisation_update(actor=request.user, organisation=org, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("单位信息已保存。"))
            return redirect(org)
    return render(request, "orgs/form.html", {"form": form, "org": org})


@login_required
def organisation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not get_scope(request.user).is_staff_like:
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = services.organisation_create(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("单位已登记。"))
            return redirect(org)
    return render(request, "orgs/form.html", {"form": form, "org": None})
