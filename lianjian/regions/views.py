from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lianjian.accounts.permissions import get_scope
from lianjian.core.pages import page_context

from . import selectors
from .models import Region


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    """Start the tree at the top nodes of the user's scope."""
    scope = get_scope(request.user)
    if not scope.is_staff_like:
        raise PermissionDenied
    nodes = scope.region_nodes or list(Region.objects.filter(level=1))
    if len(nodes) == 1:
        return redirect(nodes[0])
    return render(request, "regions/list.html", {"nodes": nodes})


@login_required
def region_detail(request: HttpRequest, pk: int) -> HttpResponse:
    region = selectors.region_get(user=request.user, pk=pk)
    children = selectors.region_children_with_counts(user=request.user, region=region)
    context: dict[str, object] = {"region": region, "children": children}
    # The units of the region (or the community's partnerships) come from the orgs app.
    context.update(page_context("regions:detail", request, region))
    return render(request, "regions/detail.html", context)
