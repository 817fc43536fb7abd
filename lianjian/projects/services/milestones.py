"""Milestones: adding, reaching, and flagging the overdue ones (a periodic task)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor
from lianjian.accounts.permissions import get_scope
from lianjian.core.activity import record_activity

from ..models import Milestone, Project
from ..selectors import milestones_overdue
from ._common import (
    _lock,
    _notify,
    _require_manage,
    _require_open,
    _require_report,
    project_lead_liaison,
    project_staff,
)


@transaction.atomic
def milestone_add(*, actor: Actor, project: Project, title: str, due_date: dt.date) -> Milestone:
    """Add a milestone with its due date to an open project."""
    _require_manage(actor, project)
    project = _lock(project)
    _require_open(project)
    milestone = Milestone(project=project, title=(title or "").strip(), due_date=due_date)
    milestone.full_clean()
    milestone.save()
    record_activity(
        actor=actor,
        action="milestone_add",
        obj=project,
        changes={"milestone": [None, f"{milestone.title} · {due_date.isoformat()}"]},
    )
    return milestone


@transaction.atomic
def milestone_done(*, actor: Actor, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    """Mark a milestone reached (once; a second call changes nothing)."""
    project = milestone.project
    _require_report(actor, project)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    if not Milestone.objects.filter(pk=milestone.pk, done_on__isnull=True).update(done_on=done_on):
        milestone.refresh_from_db()
        return milestone
    milestone.done_on = done_on
    record_activity(
        actor=actor,
        action="milestone_done",
        obj=project,
        changes={"milestone": [milestone.title, f"{milestone.title} ✓ {done_on.isoformat()}"]},
    )
    return milestone


@transaction.atomic
def milestones_flag_overdue(*, actor: Actor, today: dt.date | None = None) -> list[Milestone]:
    """Flag every overdue milestone of an open project once; tell staff and the lead liaison.

    The flag is set with a conditional UPDATE, so two runs at the same time notify once.
    """

    if not get_scope(actor).is_superuser:
        raise PermissionDenied
    flagged = []
    for milestone in milestones_overdue(today=today).filter(overdue_notified=False):
        if not Milestone.objects.filter(pk=milestone.pk, overdue_notified=False).update(overdue_notified=True):
            continue
        project = milestone.project
        record_activity(
            actor=actor,
            action="milestone_overdue",
            obj=project,
            changes={"milestone": [milestone.title, milestone.due_date.isoformat()]},
        )
        _notify(
            recipients=[*project_staff(project), project_lead_liaison(project)],
            text=_("项目“%(project)s”的节点“%(title)s”已逾期（截止 %(due)s）。")
            % {"project": project.title, "title": milestone.title, "due": milestone.due_date.isoformat()},
            url=project.get_absolute_url(),
            kind="milestone_overdue",
        )
        flagged.append(milestone)
    return flagged
