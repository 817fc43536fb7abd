"""Public pages without login: the home with the region tree and search, district and street
pages, and each public project's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lianjian.accounts.permissions import get_scope
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.regions.models import Level, Region

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: what the platform is, public figures, and the way to every board."""
    stats = {
        "communities": Region.objects.filter(level=Level.COMMUNITY).count(),
        "partnerships": Partnership.objects.filter(status=PartnershipStatus.ACTIVE).count(),
        "units": Partnership.objects.filter(status=PartnershipStatus.ACTIVE).values("organisation").distinct().count(),
    }
    q = (request.GET.get("q") or "").strip()
    districts = list(selectors.districts())
    streets = selectors.children_of(districts)
    tree = [(d, streets.get(d.pk, [])) for d in districts]
    return render(request, "public/home.html", {
        "stats": stats, "tree": tree, "q": q[:selectors.QUERY_MAX],
        "results": selectors.region_search(q=q) if q else None,
        "several_cities": len({d.city_id for d in districts}) > 1,
    })


def area(request: HttpRequest, code: str) -> HttpResponse:
    """A district's or street's page: its streets or communities with headline figures."""
    node = selectors.area_get(code=code)
    if node.level == Level.DISTRICT:
        streets = list(Region.objects.filter(parent=node).order_by("code"))
        by_street = selectors.children_of(streets)
        street_figures = selectors.street_figures(streets)
        street_rows = [(s, street_figures.get(s.pk, {}), by_street.get(s.pk, [])) for s in streets]
        return render(request, "public/district.html", {"node": node, "rows": street_rows})
    communities = list(Region.objects.filter(parent=node).order_by("code"))
    figures = selectors.community_figures(communities)
    rows = [(c, figures.get(c.pk, {})) for c in communities]
    return render(request, "public/street.html", {"node": node, "rows": rows})


def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A public project's page: goal, units, progress with photos, completion and ratings."""
    item = selectors.public_project_get(pk=pk)
    return render(request, "public/project.html", {"d": selectors.public_project_detail(project=item),
                                                   "project": item})


@login_required
def my_board(request: HttpRequest) -> HttpResponse:
    """The board of the signed-in person's own community (or the tree to find it)."""
    community = get_scope(request.user).home_community
    if community is None:
        return redirect("public:home")
    return redirect("public:board", code=community.code)
