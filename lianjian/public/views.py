"""Public pages without login: the home with the region tree and search, district and street
pages, and each public project's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lianjian.accounts.permissions import get_scope
from lianjian.orgs.models import Partnership, PartnershipStatus
from lianjian.projects.selectors import board_needs, board_projects, public_community
from lianjian.regions.models import Level, Region

from . import pages, selectors
from .templatetags.public_tags import mask_personal

BOARD_SHOWN = 6


def _share(request: HttpRequest, *, title: str, description: str, image: str = "") -> dict[str, str]:
    """What <title>, the meta description and Open Graph tags of a public page say."""
    return {"meta_title": title, "meta_description": description,
            "og_image": request.build_absolute_uri(image) if image else "",
            "canonical": request.build_absolute_uri(request.path)}


def _cover(overview: pages.Overview) -> str:
    return next((s.cover.public_url for s in overview.stories if getattr(s, "cover", None)), "")


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
    overview = pages.overview(None)
    return render(request, "public/home.html", {
        "overview": overview,
        **_share(request, title=str(_("区域化党建联建服务平台")),
                 description=str(_("社区与周边单位一起列需求、亮资源、认项目，做成的事大家看得见。")),
                 image=_cover(overview)),
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
        template, context = "public/district.html", {"node": node, "rows": street_rows}
    else:
        communities = list(Region.objects.filter(parent=node).order_by("code"))
        figures = selectors.community_figures(communities)
        rows = [(c, figures.get(c.pk, {})) for c in communities]
        template, context = "public/street.html", {"node": node, "rows": rows}
    overview = pages.overview(node)
    return render(request, template, context | {"overview": overview} | _share(
        request, title=node.name, description=str(_("%(name)s区域化党建联建：联建单位、完成项目、服务人次和最新报道。")
                                                  % {"name": node.name}), image=_cover(overview)))


def community(request: HttpRequest, code: str) -> HttpResponse:
    """A community's public page: the year's figures, its board in brief, events, stories, stations."""
    node = public_community(code=code)
    overview = pages.overview(node)
    return render(request, "public/community.html", {
        "node": node, "overview": overview, "community_includes": list(pages.COMMUNITY_INCLUDES),
        **pages.community_include_context(node),
        "projects": list(board_projects(community=node).order_by("-id")[:BOARD_SHOWN]),
        "needs": list(board_needs(community=node).order_by("-id")[:BOARD_SHOWN]),
        **_share(request, title=node.name,
                 description=str(_("%(name)s区域化党建联建：需求清单、项目进展、社区活动和宣传报道。")
                                 % {"name": node.name}),
                 image=_cover(overview)),
    })


def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A public project's page: goal, units, progress with photos, completion and ratings."""
    item = selectors.public_project_get(pk=pk)
    detail = selectors.public_project_detail(project=item)
    photo = next((ph for u in detail.completion + detail.updates for ph in u.photos.all()), None)
    return render(request, "public/project.html", {
        "d": detail, "project": item,
        **_share(request, title=mask_personal(item.title),
                 description=mask_personal(item.description or item.title)[:150],
                 image=photo.public_url if photo else ""),
    })


@login_required
def my_board(request: HttpRequest) -> HttpResponse:
    """The board of the signed-in person's own community (or the tree to find it)."""
    community = get_scope(request.user).home_community
    if community is None:
        return redirect("public:home")
    return redirect("public:board", code=community.code)
