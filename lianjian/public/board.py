"""Public project pages, no login: the community board and the short rating link."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from lianjian.core.net import client_ip
from lianjian.core.paging import count_page
from lianjian.projects import selectors
from lianjian.projects.devices import rating_device, remember_device
from lianjian.projects.forms import ProjectFilterForm, RatingForm
from lianjian.projects.services import device_hash_for, rating_add


def board(request: HttpRequest, code: str) -> HttpResponse:
    """A community's public board: published needs (no personal data) and projects with status."""
    community = selectors.public_community(code=code)
    form = ProjectFilterForm(
        request.GET or None,
        units=selectors.unit_choices(community=community),
        categories=selectors.category_choices(),
        statuses=selectors.PUBLIC_STATUSES,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    kwargs = {
        "category": filters.get("category"),
        "organisation": filters.get("unit"),
        "year": filters.get("year"),
    }
    projects = selectors.board_projects(community=community, status=filters.get("status") or "",
                                        q=filters.get("q") or "", **kwargs)
    # Needs have no project status; a status filter narrows the board to projects.
    needs = selectors.board_needs(community=community, **kwargs)[:20] if not filters.get("status") else []
    page = count_page(projects, request.GET.get("page"), 30)
    return render(
        request,
        "public/board.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "needs": needs,
            "totals": selectors.board_totals(community=community, year=filters.get("year")),
        },
    )


@never_cache
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The short public rating page behind the project's QR code: 1–5 stars and a comment.

    A signed cookie gives each browser a stable device id; the service keeps one rating per
    device and per logged-in person and limits how often one address may rate.
    """
    project = selectors.project_by_token(token=token)
    device_id, new_device = rating_device(request)
    form = RatingForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            rating_add(
                project=project,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
                device_hash=device_hash_for(device_id) if not new_device else "",
                rater=request.user,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            done = True
            project.refresh_from_db(fields=["rating_count", "rating_sum"])
    response = render(
        request,
        "public/board_rate.html",
        {
            "project": project,
            "form": form,
            "done": done,
            "cookie_missing": new_device and request.method == "POST",
        },
    )
    if new_device:
        remember_device(request, response, device_id)
    return response
