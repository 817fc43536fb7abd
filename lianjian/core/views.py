from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lianjian.accounts.permissions import get_scope
from lianjian.orgs.selectors import community_unit_counts, organisation_list
from lianjian.regions.models import Region


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after log-in, arranged by the user's roles."""
    scope = get_scope(request.user)
    context: dict[str, object] = {}
    if scope.is_staff_like:
        nodes = scope.region_nodes or list(Region.objects.filter(level=1))
        communities = scope.filter_regions(Region.objects.communities()).select_related("street", "district")
        counts = community_unit_counts(communities=communities)
        rows = [(c, counts.get(c.pk, 0)) for c in communities.order_by("code")[:200]]
        context.update(nodes=nodes, community_rows=rows, community_total=communities.count())
    if scope.is_liaison:
        from lianjian.matching.selectors import invitations_for, needs_for_organisation

        units = list(organisation_list(user=request.user).filter(pk__in=scope.org_ids))
        context["my_units"] = units
        context["invitations"] = invitations_for(user=request.user)[:10]
        context["could_meet"] = [
            (org, needs_for_organisation(user=request.user, organisation=org, top_k=5)) for org in units]
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
