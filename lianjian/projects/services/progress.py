"""Progress reports with photos, written by staff and the participating units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lianjian.accounts.actors import Actor, person_of
from lianjian.core.activity import record_activity

from ..models import ProgressUpdate, Project, ProjectStatus
from ._common import (
    _check_photos,
    _count,
    _decimal,
    _notify,
    _require_open,
    _require_report,
    _save_photos,
    project_staff,
)


@transaction.atomic
def progress_add(
    *,
    actor: Actor,
    project: Project,
    text: str,
    happened_on: dt.date,
    people_served: Any = 0,
    volunteer_hours: Any = 0,
    photos: Sequence[Any] = (),
    is_completion: bool = False,
) -> ProgressUpdate:
    """Report progress: text, date, people served, volunteer hours and photos.

    Staff and the liaisons of participating units report; the project's counters grow with
    ``F()`` so simultaneous reports add up. A planned project starts with its first report.
    """
    scope = _require_report(actor, project)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    if happened_on is None:
        raise ValidationError({"happened_on": _("请填写日期。")})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("日期不能晚于今天。")})
    if project.start_date is None and project.end_date and happened_on > project.end_date:
        # The first report starts the project on its date: it may not start after its planned end.
        raise ValidationError({"happened_on": _("进展日期晚于计划结束日期（%(end)s），请先调整项目的计划结束日期。")
                               % {"end": project.end_date.isoformat()}})
    people = _count(people_served, "people_served")
    hours = _decimal(volunteer_hours, "volunteer_hours")
    photos = _check_photos(photos)
    if not project.is_open:
        # Re-read: the copy the caller holds may be stale.
        project.refresh_from_db(fields=["status"])
        _require_open(project)
    own = sorted(scope.org_ids & project.participant_org_ids())
    update = ProgressUpdate(
        project=project,
        text=text,
        happened_on=happened_on,
        people_served=people,
        volunteer_hours=hours,
        is_completion=is_completion,
        author=person_of(actor),
        organisation_id=own[0] if own else None,
    )
    update.full_clean(exclude=["project", "author", "organisation"])
    update.save()
    _save_photos(update, photos)
    # Only open projects count; the status filter makes a report that races a cancellation
    # change nothing (and the transaction is rolled back below).
    touched = Project.objects.filter(
        pk=project.pk, status__in=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS]
    ).update(
        people_served=F("people_served") + people,
        volunteer_hours=F("volunteer_hours") + hours,
        updated_at=timezone.now(),
    )
    if not touched:
        raise ValidationError({"status": _("项目已结束，不能再填报进展。")})
    Project.objects.filter(pk=project.pk, status=ProjectStatus.PLANNED).update(
        status=ProjectStatus.IN_PROGRESS, start_date=project.start_date or happened_on
    )
    record_activity(
        actor=actor,
        action="progress",
        obj=project,
        changes={
            "progress": [None, text[:80]],
            "people_served": [None, people],
            "volunteer_hours": [None, str(hours)],
            "photos": [None, len(photos)],
        },
    )
    if not is_completion:
        _notify(
            recipients=[u for u in project_staff(project) if u != actor],
            text=_("项目“%(project)s”有新进展。") % {"project": project.title},
            url=project.get_absolute_url(),
            kind="project_progress",
        )
    return update
