"""The project and rating stages of a requester's need journey (registered into
:mod:`lianjian.lists.journey` by ``ProjectsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from lianjian.accounts.actors import Viewer, person_of
from lianjian.lists.journey import CURRENT, DONE, STOPPED, WAITING
from lianjian.lists.models import NeedStatus

from .models import ProgressUpdate, Project, ProjectStatus, Rating
from .selectors import PUBLIC_STATUSES


def need_projects_prefetch(prefix: str = "") -> Prefetch[Any]:
    """A need's projects (with the leading unit), reached from a Need through *prefix*."""
    return Prefetch(f"{prefix}projects", queryset=Project.objects.select_related("lead_org").order_by("created_at"))


def project_stages(need: Any, user: Viewer, detail: bool) -> list[dict[str, Any]]:
    """The project stage (done when every project is completed) and the rating stage."""
    status = need.status
    stages: list[dict[str, Any]] = []
    projects = [p for p in need.projects.all() if p.status != ProjectStatus.CANCELLED]
    if detail and projects:
        latest: dict[int, list[Any]] = {}
        for u in (ProgressUpdate.objects.filter(project__in=projects).select_related("organisation")
                  .only("id", "project_id", "text", "happened_on", "is_completion", "organisation__name")
                  .order_by("-happened_on", "-id")):
            latest.setdefault(u.project_id, [])
            if len(latest[u.project_id]) < 3:
                latest[u.project_id].append(u)
        for p in projects:
            p.latest_updates = latest.get(p.pk, [])  # type: ignore[attr-defined]
            p.is_public = p.status in PUBLIC_STATUSES  # type: ignore[attr-defined]
    project: dict[str, Any] = {"key": "project", "label": _("项目实施"), "at": None, "projects": projects}
    completed = [p for p in projects if p.status == ProjectStatus.COMPLETED]
    if not projects:
        project.update(state=STOPPED if status == NeedStatus.CLOSED else WAITING,
                       text=_("未形成项目") if status == NeedStatus.CLOSED else _("认领后，社区和单位立项实施"))
    elif len(completed) == len(projects):
        done_on = [p.completed_on for p in completed if p.completed_on]
        project.update(state=DONE, text=_("项目已完成"), at=max(done_on) if done_on else None)
    else:
        running = next(p for p in projects if p.status != ProjectStatus.COMPLETED)
        project.update(state=CURRENT, text=_("%(title)s：%(status)s") % {
            "title": running.title, "status": running.get_status_display()})
    stages.append(project)

    rating: dict[str, Any] = {"key": "rating", "label": _("评价"), "at": None, "projects": completed}
    if not completed:
        rating.update(state=WAITING, text=_("项目完成后可以评价"))
    else:
        mine = dict(Rating.objects.filter(project__in=completed, rater=person_of(user))
                    .values_list("project_id", "stars"))
        for p in completed:
            p.my_stars = mine.get(p.pk)  # type: ignore[attr-defined]
        if len(mine) == len(completed):
            rating.update(state=DONE, text=_("您已评价，谢谢！"))
        else:
            rating.update(state=CURRENT, text=_("项目已完成，请您评价"))
    stages.append(rating)
    return stages
