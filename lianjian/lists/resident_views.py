"""Pages of residents, riders and volunteers: the short need form and 我的需求 with each need's
journey through review, claim, project and rating. Writes go through the same services as the
staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.regions.selectors import community_search

from . import selectors, services
from .forms import ResidentNeedForm

PAGE_SIZE = 20


@login_required
def need_post(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The short phone form: what, where, one photo; the community is the person's own."""
    scope = get_scope(request.user)
    community = scope.home_community
    if community is None:
        q = (request.GET.get("q") or "").strip()
        return render(request, "lists/resident/choose_community.html", {
            "q": q, "results": community_search(q=q) if q else None, "next": reverse("lists:need_post")})
    form = ResidentNeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo", None)
        try:
            # The community comes from the person's role, never from the request.
            need = services.need_create(actor=request.user, community=community, photos=[photo] if photo else [],
                                        **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("需求已提交，等待社区审核。您可以在“我的需求”里查看进展。"))
            return redirect("lists:need_mine_detail", pk=need.pk)
    return render(request, "lists/resident/post.html", {"form": form, "community": community,
                                                        "problem": request.GET.get("kind") == "problem"})


@login_required
def need_mine(request: HttpRequest) -> HttpResponse:
    """我的需求: every need the person posted and where it stands now."""
    page = Paginator(selectors.my_needs(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, selectors.journey_summary(selectors.need_journey(need=n, user=request.user))) for n in page]
    return render(request, "lists/resident/mine.html", {"page": page, "rows": rows})


@login_required
def need_mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the person's needs with its journey: review, claim, project and rating."""
    need = selectors.my_need_get(user=request.user, pk=pk)
    scope = get_scope(request.user)
    return render(request, "lists/resident/detail.html", {
        "need": need, "stages": selectors.need_journey(need=need, user=request.user, detail=True),
        "photos": list(need.photos.all()), "can_edit": scope.can_change(need),
    })
