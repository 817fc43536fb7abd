"""The landing page after log-in (工作台 / 首页), arranged by the user's roles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Viewer
from lianjian.accounts.permissions import Scope, get_scope
from lianjian.core.nav import cards_for
from lianjian.lists.selectors import review_queue
from lianjian.matching.selectors import invitations_for, needs_for_organisation
from lianjian.orgs.selectors import community_unit_counts, organisation_list
from lianjian.projects.models import ProjectStatus
from lianjian.projects.selectors import milestones_overdue, project_list
from lianjian.regions.models import Region
from lianjian.tickets.models import Status as ReportStatus
from lianjian.tickets.selectors import Filters, staff_reports
from lianjian.workers.models import WorkerStatus
from lianjian.workers.selectors import worker_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after log-in, arranged by the user's roles: staff see what waits for them,
    liaisons their units and invitations, residents, riders and volunteers the cards of their tasks."""
    scope = get_scope(request.user)
    context: dict[str, object] = {}
    if scope.is_staff_like:
        nodes = scope.region_nodes or list(Region.objects.filter(level=1))
        communities = scope.filter_regions(Region.objects.communities()).select_related("street", "district")
        counts = community_unit_counts(communities=communities)
        rows = [(c, counts.get(c.pk, 0)) for c in communities.order_by("code")[:200]]
        context.update(nodes=nodes, community_rows=rows, community_total=communities.count())
        context["todo"] = _staff_todo(request.user, scope)
    if scope.is_liaison:
        units = list(organisation_list(user=request.user).filter(pk__in=scope.org_ids))
        context["my_units"] = units
        context["invitations"] = invitations_for(user=request.user)[:10]
        context["could_meet"] = [
            (org, needs_for_organisation(user=request.user, organisation=org, top_k=5)) for org in units]
    # Cards the apps registered (resident, rider and volunteer tasks; later events, stations …).
    context["cards"] = cards_for(request, scope)
    return render(request, "home/home.html", context)


def _staff_todo(user: Viewer, scope: Scope) -> list[tuple[str, int, str]]:
    """What waits for staff today: needs to review, claims to confirm, overdue milestones, open projects,
    street reports to accept or past their deadline, riders to verify."""
    queue = review_queue(user=user)
    overdue = milestones_overdue()
    if not scope.is_superuser:
        overdue = overdue.filter(scope.region_q(prefix="project__community__"))
    review_url = reverse("lists:review")
    reports_url = reverse("tickets:staff_list")
    return [
        (_("待审核需求"), queue["needs"].count(), review_url),
        (_("待确认认领"), queue["claims"].count(), review_url),
        (_("逾期节点"), overdue.count(), reverse("projects:list") + "?status=in_progress"),
        (_("进行中项目"), project_list(user=user, status=ProjectStatus.IN_PROGRESS).count(),
         reverse("projects:list") + "?status=in_progress"),
        # Street reports waiting to be accepted, and those past their deadline (the escalation job
        # tells the street; the community sees them here first).
        (_("待受理随手拍"), staff_reports(user=user, filters=Filters(status=ReportStatus.NEW)).count(),
         f"{reports_url}?status={ReportStatus.NEW}"),
        (_("逾期随手拍"), staff_reports(user=user, filters=Filters(overdue=True)).count(), f"{reports_url}?overdue=1"),
        (_("待核验骑手"), worker_list(user=user, status=WorkerStatus.PENDING).count(),
         f"{reverse('workers:list')}?status={WorkerStatus.PENDING}"),
    ]
